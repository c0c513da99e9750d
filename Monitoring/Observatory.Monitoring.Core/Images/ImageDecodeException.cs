namespace Observatory.Monitoring.Core.Images;

/// <summary>An image could not be decoded; <see cref="ItemName"/> names it (path or event id).</summary>
public class ImageDecodeException(string itemName, string reason, Exception? inner = null)
    : Exception($"image '{itemName}' could not be decoded: {reason}", inner)
{
    public string ItemName { get; } = itemName;
}

/// <summary>An image declares more pixels or bytes than the decode limits allow; refused before its pixels are allocated.</summary>
public sealed class ImageTooLargeException(string itemName, string reason) : ImageDecodeException(itemName, reason);
