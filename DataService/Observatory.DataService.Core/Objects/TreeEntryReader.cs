using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Observatory.DataService.Core.Errors;

namespace Observatory.DataService.Core.Objects;

/// <summary>
/// The tree cannot be read in one pass in path order (its entries are not sorted, or a key repeats, or a value is too long
/// for the buffer). Every tree obs writes can be; any other is read whole with <see cref="TreeObject.Parse"/> instead.
/// </summary>
public sealed class TreeNotStreamableException(string message) : Exception(message);

/// <summary>
/// Reads a tree object's entries from a stream one at a time, in path order, hashing the bytes as they pass, for a caller
/// that walks them once: status comparing a stored million-file tree with the workspace. Parsed whole, such a tree is about
/// 110 MB of bytes plus 150 MB of entries; read this way it is one buffer.
/// </summary>
/// <remarks>
/// Refuses what <see cref="TreeObject.Parse"/> refuses (as <see cref="DataCheckException"/> naming the tree), but only when it
/// gets there: a caller must not act on the entries before <see cref="Entries"/> has run to its end. The format key may come
/// before or after the entries (obs writes it after); it is checked at the end. Entries must come sorted by ordinal path with
/// no repeats, as obs writes them; otherwise <see cref="TreeNotStreamableException"/>.
/// </remarks>
public sealed class TreeEntryReader(Stream stream, string where) : IDisposable
{
    /// <summary>The longest single entry (or top-level value) the buffer grows to hold; a path is at most a few KB.</summary>
    public const int MaxTokenBytes = 1 << 20;

    private enum Phase { Start, Properties, Entries, End, Done }

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 8 };

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _start, _end;
    private bool _final;
    private JsonReaderState _state = new(Options);
    private Phase _phase = Phase.Start;
    private string? _format;
    private bool _sawEntries;
    private string? _previous;
    private ContentHash? _contentHash;

    /// <summary>The SHA-256 of every byte of the stream; known once <see cref="Entries"/> has been read to its end.</summary>
    public ContentHash ContentHash => _contentHash ?? throw new InvalidOperationException("the tree has not been read to its end");

    /// <summary>The entries in order; the document's end (format, trailing bytes) is checked when the last one has been taken.</summary>
    public IEnumerable<TreeEntry> Entries(CancellationToken ct = default)
    {
        while (Next(out var entry))
        {
            ct.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    /// <summary>
    /// After a failure part way: reads the rest of the stream into the hash and says whether the bytes are those of
    /// <paramref name="expected"/>. A corrupt object is then reported as corrupt, not by whatever broke first in its JSON.
    /// </summary>
    public bool RestMatches(ContentHash expected)
    {
        if (_contentHash is null)
        {
            // The bytes already in the buffer were hashed when they were read; the buffer is not parsed again, so it takes the rest.
            int n;
            while ((n = stream.Read(_buffer)) > 0) _hash.AppendData(_buffer.AsSpan(0, n));
            _contentHash = ContentHash.FromBytes(_hash.GetHashAndReset());
        }
        return _contentHash == expected;
    }

    private bool Next(out TreeEntry entry)
    {
        try
        {
            while (true)
            {
                var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
                var found = Step(ref reader, out entry, out var needMore);
                _start += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                if (found) return true;
                if (!needMore) return false;
                if (_final) throw new JsonException("the document ends in the middle");
                Fill();
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataCheckException($"tree object {where} is corrupt: {ex.Message}");
        }
    }

    /// <summary>
    /// Advances <paramref name="reader"/> over whole units only (a key with its value, a whole entry), each tried on a copy
    /// first: when the buffer ends inside one, nothing of it is consumed and <paramref name="needMore"/> asks for a refill.
    /// </summary>
    private bool Step(ref Utf8JsonReader reader, out TreeEntry entry, out bool needMore)
    {
        entry = null!;
        needMore = true;
        while (true)
        {
            var probe = reader;
            if (_phase == Phase.End)
            {
                // Only whitespace may follow the root object: with the final block, Read is false at the end, throws on more.
                if (probe.Read()) throw new JsonException("there is data after the root object");
                if (!_final) return false;
                Finish();
                needMore = false;
                return false;
            }
            if (_phase == Phase.Done) { needMore = false; return false; }
            if (!probe.Read()) return false;
            switch (_phase)
            {
                case Phase.Start:
                    if (probe.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException("the root is not an object");
                    _phase = Phase.Properties;
                    break;
                case Phase.Properties when probe.TokenType == JsonTokenType.EndObject:
                    _phase = Phase.End;
                    break;
                case Phase.Properties:
                    var isEntries = probe.ValueTextEquals("entries"u8);
                    var isFormat = probe.ValueTextEquals("format"u8);
                    if (!probe.Read()) return false;
                    if (isEntries)
                    {
                        // A repeated key replaces the first in a whole parse: only a whole parse can honour that.
                        if (_sawEntries) throw new TreeNotStreamableException($"tree object {where} names 'entries' twice");
                        if (probe.TokenType != JsonTokenType.StartArray) throw new InvalidOperationException("'entries' is not an array");
                        _sawEntries = true;
                        _phase = Phase.Entries;
                    }
                    else if (isFormat) _format = probe.GetString();
                    else if (!probe.TrySkip()) return false;
                    break;
                case Phase.Entries when probe.TokenType == JsonTokenType.EndArray:
                    _phase = Phase.Properties;
                    break;
                case Phase.Entries:
                    if (probe.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException($"an entry is a {probe.TokenType}, not an object");
                    var from = (int)probe.TokenStartIndex;
                    if (!probe.TrySkip()) return false;
                    // The whole entry is in the buffer: read it as a document of its own, so skipping an unknown key inside it
                    // (which a partial reader may not do) works as in a whole parse.
                    var one = new Utf8JsonReader(_buffer.AsSpan(_start + from, (int)probe.BytesConsumed - from), isFinalBlock: true, new JsonReaderState(Options));
                    one.Read();
                    entry = TreeObject.ReadEntry(ref one, where);
                    try
                    {
                        TreeObject.CheckEntry(entry);
                    }
                    catch (DataCheckException ex)
                    {
                        throw new DataCheckException($"tree object {where}: {ex.Message}");
                    }
                    if (_previous is not null && string.CompareOrdinal(_previous, entry.Path) >= 0)
                        throw new TreeNotStreamableException($"tree object {where} does not list its entries in path order ('{entry.Path}' after '{_previous}')");
                    _previous = entry.Path;
                    reader = probe;
                    needMore = false;
                    return true;
            }
            reader = probe;
        }
    }

    private void Finish()
    {
        if (_format != "obs-tree-1") throw new DataCheckException($"tree object {where} is not an obs tree (format 'obs-tree-1' missing)");
        if (!_sawEntries) throw new KeyNotFoundException("'entries' is missing");
        _contentHash = ContentHash.FromBytes(_hash.GetHashAndReset());
        _phase = Phase.Done;
    }

    /// <summary>Keeps the unread bytes, grows the buffer when one unit fills it (up to the bound), and reads more.</summary>
    private void Fill()
    {
        var kept = _end - _start;
        if (_start > 0) Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
        _start = 0;
        _end = kept;
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxTokenBytes)
                throw new TreeNotStreamableException($"tree object {where} has a value longer than {MaxTokenBytes / 1024} KB");
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        var n = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _final = true;
        _hash.AppendData(_buffer, _end, n);
        _end += n;
    }

    public void Dispose()
    {
        _hash.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
