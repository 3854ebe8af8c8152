using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// The multipart form of an upload, read once for every kind of upload: the file in a field named file, within a size.
/// </summary>
public static class UploadForms
{
    /// <summary>
    /// The form and its file: not multipart is 415, too large is 413, no file, an empty one or a bad field
    /// (<paramref name="otherFields"/>) is 400.
    /// </summary>
    /// <param name="what">What the upload is, for messages ("photo", "attachment").</param>
    /// <param name="content">What the file field holds, for messages ("the image", "the file").</param>
    public static async Task<(IFormFile File, IFormCollection Form)> ReadFileAsync(
        HttpRequest request,
        long maxBytes,
        string what,
        string content,
        CancellationToken cancellationToken,
        Action<IFormCollection, ValidationErrors>? otherFields = null
    )
    {
        if (
            !MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        )
            throw new UnsupportedMediaTypeException(
                $"Send the {what} as multipart/form-data, {content} in a field named file."
            );

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
            throw Unreadable(exception);
        }
        // A body ending before its closing boundary, or framed by another boundary than the Content-Type's. Only the
        // reader's own IOException (no OS error code) is the client's: a disk failure stays a 500, an abort a 499.
        catch (IOException exception)
            when (exception.GetType() == typeof(IOException)
                && exception.HResult == ReaderIoError
                && !request.HttpContext.RequestAborted.IsCancellationRequested
            )
        {
            throw Unreadable(exception);
        }

        var errors = new ValidationErrors();
        var file = form.Files.GetFile("file");
        if (file is null)
            errors.Add("file", $"Attach {content} in a form field named file.");
        else if (file.Length == 0)
            errors.Add("file", "The file is empty.");
        CheckText(form, errors);
        otherFields?.Invoke(form, errors);
        errors.ThrowIfAny();
        if (file!.Length > maxBytes)
            throw TooLarge(what, maxBytes);
        return (file, form);
    }

    /// <summary>
    /// The HResult of an IOException made from a message alone (COR_E_IO), as the multipart reader throws them.
    /// </summary>
    private const int ReaderIoError = unchecked((int)0x80131620);

    private static RequestValidationException Unreadable(Exception exception) =>
        new(
            "file",
            "The multipart form could not be read (cut short, or not framed by its Content-Type's "
                + $"boundary): {exception.Message}"
        );

    /// <summary>Every field's name and text follow the rules JSON text does (<see cref="SafeText"/>).</summary>
    private static void CheckText(IFormCollection form, ValidationErrors errors)
    {
        foreach (var (name, values) in form)
        {
            if (SafeText.Problem(name) is { } nameProblem)
                errors.Add("form", $"A form field's name {nameProblem}.");
            else
                foreach (var value in values)
                    if (value is not null && SafeText.Problem(value) is { } problem)
                        errors.Add(name, $"{name} {problem}.");
        }
        foreach (var file in form.Files)
            if (SafeText.Problem(file.Name) is { } nameProblem)
                errors.Add("form", $"A form field's name {nameProblem}.");
    }

    private static PayloadTooLargeException TooLarge(string what, long maxBytes) =>
        new($"A {what} may be at most {maxBytes / (1024 * 1024)} MB.");
}
