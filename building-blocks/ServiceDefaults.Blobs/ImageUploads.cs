using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// An uploaded image judged a JPEG, PNG or WebP of bounded size and pixels, then re-encoded: <see cref="Content"/>
/// holds only its pixels (no metadata, nothing after the image), <see cref="Size"/> its upright size; the form's other
/// fields alongside.
/// </summary>
public sealed record CheckedImage(
    IFormFile File,
    ImageFormat Format,
    PixelSize Size,
    byte[] Content,
    IFormCollection Form
)
{
    /// <summary>The re-encoded bytes; the caller disposes the stream.</summary>
    public Stream OpenRead() => new MemoryStream(Content, writable: false);

    public long Length => Content.Length;
}

/// <summary>
/// Reads an image upload (multipart/form-data, the image in a field named file) and checks it by content:
/// too large is 413, not a JPEG/PNG/WebP or a damaged image is 415, too many pixels or a bad field is 400.
/// What passes is re-encoded (<see cref="ImageReencoding"/>), so the bytes stored are never the client's; when the
/// process is already decoding as many images as it may (<see cref="ImageDecodeGate"/>), 503 with Retry-After.
/// </summary>
public static class ImageUploads
{
    /// <summary>Room for the multipart framing and a few short fields around a file of the endpoint's size.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    /// <param name="limits">The pixels the use allows (<see cref="ImageLimits.Photo"/>,
    /// <see cref="ImageLimits.Avatar"/>).</param>
    /// <param name="what">What the image is, for messages ("photo", "cover image", "profile picture").</param>
    /// <param name="otherFields">Checks the form's other fields; its errors are reported with the file's.</param>
    public static async Task<CheckedImage> ReadAsync(
        HttpRequest request,
        long maxBytes,
        ImageLimits limits,
        string what,
        CancellationToken cancellationToken,
        Action<IFormCollection, ValidationErrors>? otherFields = null
    )
    {
        var (file, form) = await UploadForms.ReadFileAsync(
            request,
            maxBytes,
            what,
            "the image",
            cancellationToken,
            otherFields
        );
        await using var content = file.OpenReadStream();
        var format =
            await ImageFormat.DetectAsync(content, cancellationToken)
            ?? throw new UnsupportedMediaTypeException(
                "The file is not a JPEG, PNG or WebP image (judged by its content, not its name or declared type)."
            );
        await CheckedSizeAsync(format, content, limits, what, cancellationToken);
        var (bytes, size) = await ReencodeAsync(request, content, format, limits, what, cancellationToken);
        return new CheckedImage(file, format, size, bytes, form);
    }

    /// <summary>Re-encodes the image once the process has a decode slot free (<see cref="ImageDecodeGate"/>).</summary>
    internal static async Task<(byte[] Bytes, PixelSize Size)> ReencodeAsync(
        HttpRequest request,
        Stream content,
        ImageFormat format,
        ImageLimits limits,
        string what,
        CancellationToken cancellationToken
    )
    {
        var gate = request.HttpContext.RequestServices.GetRequiredService<ImageDecodeGate>();
        using var slot = await gate.EnterAsync(cancellationToken);
        return ImageReencoding.Reencode(content, format, limits, what);
    }

    /// <summary>
    /// The image's size from its header (read from the stream's start), before any pixel is decoded: a damaged header
    /// is 415, too many pixels 400.
    /// </summary>
    public static async Task<PixelSize> CheckedSizeAsync(
        ImageFormat format,
        Stream content,
        ImageLimits limits,
        string what,
        CancellationToken cancellationToken
    )
    {
        content.Position = 0;
        var size =
            await format.ReadSizeAsync(content, cancellationToken)
            ?? throw new UnsupportedMediaTypeException(
                $"The file starts like {format.ContentType} but its header is cut short, damaged or declares no "
                    + "pixels: its width and height cannot be read."
            );
        if (!limits.Allows(size))
            throw new RequestValidationException(
                "file",
                $"The image is {size.Width} x {size.Height} pixels; a {what} may be {limits.Describe()}."
            );
        return size;
    }
}
