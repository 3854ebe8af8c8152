using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Blobs;

/// <summary>An uploaded file judged by its content to be an image (JPEG, PNG, WebP; Size set) or a PDF, of bounded size.</summary>
public sealed record CheckedFile(IFormFile File, string ContentType, string Extension, PixelSize? Size, IFormCollection Form)
{
    /// <summary>The file's bytes from the start; the caller disposes the stream.</summary>
    public Stream OpenRead() => File.OpenReadStream();
}

/// <summary>Uploads that may be an image or a PDF (message attachments), checked as <see cref="ImageUploads"/> checks images.</summary>
public static class FileUploads
{
    public static async Task<CheckedFile> ReadImageOrPdfAsync(HttpRequest request, long maxBytes, string what, CancellationToken cancellationToken)
    {
        var (file, form) = await UploadForms.ReadFileAsync(request, maxBytes, what, "the file", cancellationToken);
        await using var content = file.OpenReadStream();
        if (await ImageFormat.DetectAsync(content, cancellationToken) is { } image)
        {
            var size = await ImageUploads.CheckedSizeAsync(image, content, what, cancellationToken);
            return new CheckedFile(file, image.ContentType, image.Extension, size, form);
        }
        content.Position = 0;
        if (await DocumentFormat.IsPdfAsync(content, file.Length, cancellationToken))
            return new CheckedFile(file, DocumentFormat.Pdf.ContentType, DocumentFormat.Pdf.Extension, null, form);
        throw new UnsupportedMediaTypeException("The file is not a JPEG, PNG or WebP image or a PDF (judged by its content, not its name or declared type).");
    }
}
