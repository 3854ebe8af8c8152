using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// An uploaded file judged by its content to be an image (JPEG, PNG, WebP; Size set, re-encoded as
/// <see cref="ImageUploads"/> does) or a PDF (stored as sent), of bounded size.
/// </summary>
public sealed record CheckedFile(
    IFormFile File,
    string ContentType,
    string Extension,
    PixelSize? Size,
    byte[]? Reencoded,
    IFormCollection Form
)
{
    /// <summary>The bytes to store; the caller disposes the stream.</summary>
    public Stream OpenRead() =>
        Reencoded is { } bytes ? new MemoryStream(bytes, writable: false) : File.OpenReadStream();

    public long Length => Reencoded?.Length ?? File.Length;

    /// <summary>
    /// The name a download gets: the client's name, cleaned, with the extension of what the content is.
    /// </summary>
    public string? DownloadName(int maxLength) => DownloadNames.For(File.FileName, Extension, maxLength);
}

/// <summary>
/// Uploads that may be an image or a PDF (message attachments), checked as <see cref="ImageUploads"/> checks images.
/// </summary>
public static class FileUploads
{
    public static async Task<CheckedFile> ReadImageOrPdfAsync(
        HttpRequest request,
        long maxBytes,
        ImageLimits limits,
        string what,
        CancellationToken cancellationToken
    )
    {
        var (file, form) = await UploadForms.ReadFileAsync(request, maxBytes, what, "the file", cancellationToken);
        await using var content = file.OpenReadStream();
        if (await ImageFormat.DetectAsync(content, cancellationToken) is { } image)
        {
            await ImageUploads.CheckedSizeAsync(image, content, limits, what, cancellationToken);
            var (bytes, size) = await ImageUploads.ReencodeAsync(
                request,
                content,
                image,
                limits,
                what,
                cancellationToken
            );
            return new CheckedFile(file, image.ContentType, image.Extension, size, bytes, form);
        }
        content.Position = 0;
        if (await DocumentFormat.IsPdfAsync(content, file.Length, cancellationToken))
            return new CheckedFile(
                file,
                DocumentFormat.Pdf.ContentType,
                DocumentFormat.Pdf.Extension,
                null,
                null,
                form
            );
        throw new UnsupportedMediaTypeException(
            "The file is not a JPEG, PNG or WebP image or a PDF (judged by its content, not its name or declared type)."
        );
    }
}
