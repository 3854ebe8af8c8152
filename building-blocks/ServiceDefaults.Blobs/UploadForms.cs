using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Community.ServiceDefaults.Blobs;

/// <summary>The multipart form of an upload, read once for every kind of upload: the file in a field named file, within a size.</summary>
public static class UploadForms
{
    /// <summary>
    /// The form and its file: not multipart is 415, too large is 413, no file, an empty one or a bad field (<paramref name="otherFields"/>) is 400.
    /// </summary>
    /// <param name="what">What the upload is, for messages ("photo", "attachment").</param>
    /// <param name="content">What the file field holds, for messages ("the image", "the file").</param>
    public static async Task<(IFormFile File, IFormCollection Form)> ReadFileAsync(
        HttpRequest request, long maxBytes, string what, string content, CancellationToken cancellationToken,
        Action<IFormCollection, ValidationErrors>? otherFields = null)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedMediaTypeException($"Send the {what} as multipart/form-data, {content} in a field named file.");

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
        if (file is null) errors.Add("file", $"Attach {content} in a form field named file.");
        else if (file.Length == 0) errors.Add("file", "The file is empty.");
        otherFields?.Invoke(form, errors);
        errors.ThrowIfAny();
        if (file!.Length > maxBytes) throw TooLarge(what, maxBytes);
        return (file, form);
    }

    private static PayloadTooLargeException TooLarge(string what, long maxBytes) => new($"A {what} may be at most {maxBytes / (1024 * 1024)} MB.");
}
