namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// An image type uploads may have, recognised by its leading bytes only (names and declared types are the client's
/// word).
/// </summary>
public sealed record ImageFormat(string ContentType, string Extension)
{
    public static readonly ImageFormat Jpeg = new("image/jpeg", "jpg");
    public static readonly ImageFormat Png = new("image/png", "png");
    public static readonly ImageFormat WebP = new("image/webp", "webp");
    public static readonly IReadOnlyList<ImageFormat> All = [Jpeg, Png, WebP];

    /// <summary>How many leading bytes <see cref="Detect"/> needs.</summary>
    public const int SignatureLength = 12;

    public static ImageFormat? Detect(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? Jpeg
        : head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? Png
        : head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8) ? WebP
        : null;

    /// <summary>Reads the signature from the stream's current position; the caller rewinds it.</summary>
    public static async Task<ImageFormat?> DetectAsync(Stream content, CancellationToken cancellationToken)
    {
        var head = new byte[SignatureLength];
        var read = await content.ReadAtLeastAsync(head, SignatureLength, throwOnEndOfStream: false, cancellationToken);
        return Detect(head.AsSpan(0, read));
    }

    /// <summary>
    /// The width and height the image's header declares, read from the file's start (the stream's current position);
    /// null when the header is cut short, malformed or declares a zero side. The caller rewinds the stream.
    /// </summary>
    public Task<PixelSize?> ReadSizeAsync(Stream content, CancellationToken cancellationToken) =>
        ImageDimensions.ReadAsync(this, content, cancellationToken);

    /// <summary>The format a blob key was written with (keys end in the format's extension).</summary>
    public static ImageFormat? FromKey(string key)
    {
        var extension = Path.GetExtension(key).TrimStart('.');
        return All.FirstOrDefault(f => f.Extension.Equals(extension, StringComparison.OrdinalIgnoreCase));
    }
}
