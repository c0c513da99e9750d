namespace Observatory.Monitoring.Core.Images;

/// <summary>An image to embed: a name used in error messages and a way to read its encoded bytes.</summary>
public sealed class ImageSource
{
    private readonly Func<long, CancellationToken, ValueTask<byte[]>> read;

    private ImageSource(string name, Func<long, CancellationToken, ValueTask<byte[]>> read)
    {
        Name = name;
        this.read = read;
    }

    public string Name { get; }

    public static ImageSource FromFile(string path) =>
        new(path, (max, ct) =>
        {
            // The size is known before reading: a file over the limit is never loaded.
            var length = new FileInfo(path).Length;
            if (length > max) throw TooLarge(path, length, max);
            return new ValueTask<byte[]>(File.ReadAllBytesAsync(path, ct));
        });

    public static ImageSource FromBytes(string name, byte[] encoded) =>
        new(name, (max, _) => encoded.Length > max ? throw TooLarge(name, encoded.Length, max) : ValueTask.FromResult(encoded));

    /// <summary>A source opened on demand (e.g. an object-store read); the stream is read to the end and disposed.</summary>
    public static ImageSource FromStream(string name, Func<CancellationToken, Task<Stream>> open) =>
        new(name, async (max, ct) =>
        {
            await using var stream = await open(ct).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > max) throw TooLarge(name, buffer.Length + read, max);
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        });

    /// <summary>Reads the encoded bytes, refusing more than <paramref name="maxBytes"/> before they are all in memory.</summary>
    public ValueTask<byte[]> ReadAsync(long maxBytes, CancellationToken cancellationToken) => read(maxBytes, cancellationToken);

    private static ImageTooLargeException TooLarge(string name, long length, long max) =>
        new(name, $"{(length > max ? "more than " + max : length.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes exceeds max_image_bytes {max}; not read");

    public override string ToString() => Name;
}
