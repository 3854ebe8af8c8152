using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Blobs;

/// <summary>An uploaded image whose bytes were judged a JPEG, PNG or WebP of bounded size and dimensions; the form's other fields alongside.</summary>
public sealed record CheckedImage(IFormFile File, ImageFormat Format, PixelSize Size, IFormCollection Form)
{
    /// <summary>The image's bytes from the start; the caller disposes the stream.</summary>
    public Stream OpenRead() => File.OpenReadStream();
}

/// <summary>
/// Reads an image upload (multipart/form-data, the image in a field named file) and checks it by content:
/// too large is 413, not a JPEG/PNG/WebP or a damaged header is 415, too many pixels or a bad field is 400.
/// </summary>
public static class ImageUploads
{
    /// <summary>Room for the multipart framing and a few short fields around a file of the endpoint's size.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    /// <param name="what">What the image is, for messages ("photo", "cover image", "profile picture").</param>
    /// <param name="otherFields">Checks the form's other fields; its errors are reported with the file's.</param>
    public static async Task<CheckedImage> ReadAsync(
        HttpRequest request, long maxBytes, string what, CancellationToken cancellationToken, Action<IFormCollection, ValidationErrors>? otherFields = null)
    {
        var (file, form) = await UploadForms.ReadFileAsync(request, maxBytes, what, "the image", cancellationToken, otherFields);
        await using var content = file.OpenReadStream();
        var format = await ImageFormat.DetectAsync(content, cancellationToken)
            ?? throw new UnsupportedMediaTypeException("The file is not a JPEG, PNG or WebP image (judged by its content, not its name or declared type).");
        var size = await CheckedSizeAsync(format, content, what, cancellationToken);
        return new CheckedImage(file, format, size, form);
    }

    /// <summary>The image's size from its header (read from the stream's start): a damaged header is 415, too many pixels 400.</summary>
    public static async Task<PixelSize> CheckedSizeAsync(ImageFormat format, Stream content, string what, CancellationToken cancellationToken)
    {
        content.Position = 0;
        var size = await format.ReadSizeAsync(content, cancellationToken)
            ?? throw new UnsupportedMediaTypeException(
                $"The file starts like {format.ContentType} but its header is cut short, damaged or declares no pixels: its width and height cannot be read.");
        if (!size.IsWithinLimits)
            throw new RequestValidationException("file",
                $"The image is {size.Width} x {size.Height} pixels; a {what} may be at most {PixelSize.MaxSide} pixels a side and {PixelSize.MaxPixels / 1_000_000} megapixels.");
        return size;
    }
}
