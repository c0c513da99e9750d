namespace Observatory.Monitoring.Onnx;

/// <summary>An image could not be decoded; <see cref="ItemName"/> names it (path or event id).</summary>
public sealed class ImageDecodeException(string itemName, string reason, Exception? inner = null)
    : Exception($"image '{itemName}' could not be decoded: {reason}", inner)
{
    public string ItemName { get; } = itemName;
}
