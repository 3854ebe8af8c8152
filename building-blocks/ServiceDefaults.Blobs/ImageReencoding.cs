using Community.ServiceDefaults.Errors;
using SkiaSharp;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Decodes an uploaded image and encodes its pixels afresh in the same format, so nothing but pixels is stored:
/// no EXIF (GPS, camera serials), no comments, no bytes after the image's end (HTML or script polyglots).
/// The EXIF orientation is applied to the pixels before it is dropped; an animation keeps its first frame only.
/// </summary>
internal static class ImageReencoding
{
    private const int JpegQuality = 90;
    private const int WebPLossyQuality = 90;

    /// <summary>
    /// The new bytes and their (upright) size; the header's size is already within <paramref name="limits"/>.
    /// </summary>
    public static (byte[] Bytes, PixelSize Size) Reencode(
        Stream content,
        ImageFormat format,
        ImageLimits limits,
        string what
    )
    {
        using var copy = new MemoryStream();
        content.Position = 0;
        content.CopyTo(copy);
        using var data = SKData.CreateCopy(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        using var codec = SKCodec.Create(data) ?? throw Damaged(format);
        var info = codec.Info;
        // Our header parser bounded the size; Skia's own reading of it must agree before anything is allocated.
        if (!limits.Allows(new PixelSize(info.Width, info.Height)))
            throw new RequestValidationException(
                "file",
                $"The image is {info.Width} x {info.Height} pixels; a {what} may be {limits.Describe()}."
            );

        var opaque = info.AlphaType == SKAlphaType.Opaque || format == ImageFormat.Jpeg;
        var alpha = opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
        var decoded = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, alpha, info.ColorSpace);
        using var bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(decoded))
            throw new InsufficientMemoryException($"Could not allocate {info.Width} x {info.Height} pixels.");
        if (codec.GetPixels(decoded, bitmap.GetPixels()) != SKCodecResult.Success)
            throw Damaged(format);

        var origin = codec.EncodedOrigin;
        using var rotated = origin is SKEncodedOrigin.TopLeft ? null : Orient(bitmap, origin);
        var upright = rotated ?? bitmap;
        using var pixmap = upright.PeekPixels();
        using var encoded =
            format == ImageFormat.Jpeg
                ? pixmap.Encode(
                    new SKJpegEncoderOptions(
                        JpegQuality,
                        SKJpegEncoderDownsample.Downsample420,
                        SKJpegEncoderAlphaOption.Ignore
                    )
                )
            : format == ImageFormat.Png ? pixmap.Encode(SKPngEncoderOptions.Default)
            : pixmap.Encode(
                IsLossless(data)
                    ? new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 75)
                    : new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, WebPLossyQuality)
            );
        if (encoded is null)
            throw new InvalidOperationException(
                $"Skia could not encode {upright.Width} x {upright.Height} as {format.ContentType}."
            );
        return (encoded.ToArray(), new PixelSize(upright.Width, upright.Height));
    }

    private static UnsupportedMediaTypeException Damaged(ImageFormat format) =>
        new(
            $"The file starts like {format.ContentType} but its image data is cut short or "
                + "damaged: it cannot be decoded."
        );

    /// <summary>A WebP whose image is VP8L (alone or after VP8X) was lossless and stays so; others are lossy.</summary>
    private static bool IsLossless(SKData data)
    {
        var head = data.AsSpan();
        if (head.Length < 16)
            return false;
        var first = head.Slice(12, 4);
        return first.SequenceEqual("VP8L"u8)
            || first.SequenceEqual("VP8X"u8) && head.Length >= 34 && head.Slice(30, 4).SequenceEqual("VP8L"u8);
    }

    /// <summary>
    /// The pixels as meant to be seen: EXIF orientations 2-8 mirror and rotate (5-8 swap width and height).
    /// </summary>
    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        var (w, h) = (source.Width, source.Height);
        var swaps =
            origin
            is SKEncodedOrigin.LeftTop
                or SKEncodedOrigin.RightTop
                or SKEncodedOrigin.RightBottom
                or SKEncodedOrigin.LeftBottom;
        var target = new SKBitmap(source.Info.WithSize(swaps ? h : w, swaps ? w : h));
        var from = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(source.GetPixelSpan());
        var to = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(target.GetPixelSpan());
        var outWidth = target.Width;
        for (var y = 0; y < target.Height; y++)
        for (var x = 0; x < outWidth; x++)
        {
            var (sx, sy) = origin switch
            {
                SKEncodedOrigin.TopRight => (w - 1 - x, y),
                SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                SKEncodedOrigin.LeftTop => (y, x),
                SKEncodedOrigin.RightTop => (y, h - 1 - x),
                SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x), // LeftBottom
            };
            to[y * outWidth + x] = from[sy * w + sx];
        }
        return target;
    }
}
