namespace Observatory.Monitoring.Onnx;

/// <summary>An image to embed: a name used in error messages and a way to read its encoded bytes.</summary>
public sealed class ImageSource
{
    private readonly Func<CancellationToken, ValueTask<byte[]>> read;

    private ImageSource(string name, Func<CancellationToken, ValueTask<byte[]>> read)
    {
        Name = name;
        this.read = read;
    }

    public string Name { get; }

    public static ImageSource FromFile(string path) =>
        new(path, ct => new ValueTask<byte[]>(File.ReadAllBytesAsync(path, ct)));

    public static ImageSource FromBytes(string name, byte[] encoded) =>
        new(name, _ => ValueTask.FromResult(encoded));

    /// <summary>A source opened on demand (e.g. an object-store read); the stream is read to the end and disposed.</summary>
    public static ImageSource FromStream(string name, Func<CancellationToken, Task<Stream>> open) =>
        new(name, async ct =>
        {
            await using var stream = await open(ct).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            return buffer.ToArray();
        });

    public ValueTask<byte[]> ReadAsync(CancellationToken cancellationToken) => read(cancellationToken);

    public override string ToString() => Name;
}
