using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Community.ServiceDefaults.Blobs;

/// <summary>How every service answers with an uploaded file's bytes.</summary>
public static class BlobDownloads
{
    /// <summary>
    /// The blob's bytes as <paramref name="contentType"/> with <c>X-Content-Type-Options: nosniff</c>, so a browser
    /// never sniffs bytes people uploaded into something executable; a download name makes it an attachment.
    /// </summary>
    public static FileStreamHttpResult Serve(
        this HttpResponse response,
        StoredBlob blob,
        string contentType,
        string? fileDownloadName = null,
        DateTimeOffset? lastModified = null,
        EntityTagHeaderValue? entityTag = null
    )
    {
        response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Stream(blob.Content, contentType, fileDownloadName, lastModified, entityTag);
    }

    /// <summary>Documents the 200 a file result gives (the generator sees no response in a stream result).</summary>
    public static RouteHandlerBuilder ProducesFile(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.Produces<Stream>(StatusCodes.Status200OK, contentTypes[0], contentTypes[1..]);

    /// <summary>
    /// Documents a file <see cref="Serve"/> answers with its validators (lastModified and entityTag): 304 to a request
    /// naming the copy it holds, 412 to one conditioned on another version.
    /// </summary>
    public static RouteHandlerBuilder RevalidatedByValidators(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(Api.FileValidatorsMetadata.Instance);

    /// <summary>The types an uploaded image is served as (re-encoded in its own format).</summary>
    public static string[] ImageTypes => [.. ImageFormat.All.Select(f => f.ContentType)];
}

/// <summary>Names files are downloaded under: the client's name says nothing about what the bytes are.</summary>
public static class DownloadNames
{
    /// <summary>
    /// <paramref name="given"/> without folders, control and format characters (bidi overrides such as U+202E,
    /// zero-width marks) or lone surrogates, its extension replaced by <paramref name="extension"/> (the type judged
    /// by content); null when nothing of the name is left.
    /// </summary>
    public static string? For(string? given, string extension, int maxLength)
    {
        given = Path.GetFileName(given?.Replace('\\', '/'));
        if (string.IsNullOrEmpty(given))
            return null;
        var clean = new StringBuilder(given.Length);
        for (var i = 0; i < given.Length; i++)
        {
            var c = given[i];
            if (char.IsHighSurrogate(c) && i + 1 < given.Length && char.IsLowSurrogate(given[i + 1]))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(given, i) != UnicodeCategory.Format)
                    clean.Append(c).Append(given[i + 1]);
                i++;
            }
            else if (
                !char.IsSurrogate(c)
                && !char.IsControl(c)
                && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format
            )
                clean.Append(c);
        }
        var name = Path.GetFileNameWithoutExtension(clean.ToString().Trim().TrimEnd('.')).Trim();
        if (name.Length == 0)
            return null;
        var suffix = "." + extension;
        if (name.Length + suffix.Length > maxLength)
            name = Api.SafeText.Cut(name, Math.Max(1, maxLength - suffix.Length));
        return name.Length == 0 ? null : name + suffix;
    }
}
