using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

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
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedMediaTypeException($"Send the {what} as multipart/form-data, the image in a field named file.");

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(what, maxBytes);
        }
        catch (InvalidDataException exception)
        {
            throw new RequestValidationException("file", $"The multipart form could not be read: {exception.Message}");
        }

        var errors = new ValidationErrors();
        var file = form.Files.GetFile("file");
        if (file is null) errors.Add("file", "Attach the image in a form field named file.");
        else if (file.Length == 0) errors.Add("file", "The file is empty.");
        otherFields?.Invoke(form, errors);
        errors.ThrowIfAny();
        if (file!.Length > maxBytes) throw TooLarge(what, maxBytes);

        await using var content = file.OpenReadStream();
        var format = await ImageFormat.DetectAsync(content, cancellationToken)
            ?? throw new UnsupportedMediaTypeException("The file is not a JPEG, PNG or WebP image (judged by its content, not its name or declared type).");
        content.Position = 0;
        var size = await format.ReadSizeAsync(content, cancellationToken)
            ?? throw new UnsupportedMediaTypeException(
                $"The file starts like {format.ContentType} but its header is cut short, damaged or declares no pixels: its width and height cannot be read.");
        if (!size.IsWithinLimits)
            throw new RequestValidationException("file",
                $"The image is {size.Width} x {size.Height} pixels; a {what} may be at most {PixelSize.MaxSide} pixels a side and {PixelSize.MaxPixels / 1_000_000} megapixels.");
        return new CheckedImage(file, format, size, form);
    }

    private static PayloadTooLargeException TooLarge(string what, long maxBytes) => new($"A {what} may be at most {maxBytes / (1024 * 1024)} MB.");
}
