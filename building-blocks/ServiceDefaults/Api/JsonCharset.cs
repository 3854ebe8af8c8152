using Microsoft.AspNetCore.Builder;
using Microsoft.Net.Http.Headers;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// JSON bodies are UTF-8 (RFC 8259 8.1: JSON exchanged between systems must be): a JSON body whose
/// Content-Type names another charset (utf-16, latin1, an unknown one) is a 415 problem naming UTF-8,
/// before anything reads it. No charset, or utf-8 in any spelling, is fine (spelled the one way the
/// framework's JSON reader knows before it reads).
/// </summary>
public static class JsonCharset
{
    public const string Supported = "utf-8";

    public static IApplicationBuilder UseJsonCharset(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                var request = context.Request;
                if (JsonMediaType(request.ContentType) is { Charset.HasValue: true } media)
                {
                    var charset = HeaderUtilities.RemoveQuotes(media.Charset).Value ?? "";
                    if (
                        !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                        && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
                    )
                        throw new Errors.UnsupportedMediaTypeException(
                            $"JSON bodies must be encoded in UTF-8 (charset={Supported} or no charset); "
                                + $"charset={charset} is not supported."
                        )
                        {
                            Extensions = Errors.ProblemResponses.MembersOf(new CharsetRefusal(Supported)),
                        };
                    media.Charset = Supported;
                    request.ContentType = media.ToString();
                }
                await next(context);
            }
        );

    /// <summary>Whether a media type (no parameters) is JSON: application/json or any +json.</summary>
    public static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static MediaTypeHeaderValue? JsonMediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media))
            return null;
        return IsJson(media.MediaType.Value ?? "") ? media : null;
    }
}

/// <summary>What a 415 says beside the Problem's members when a JSON body named a charset other than UTF-8.</summary>
/// <param name="SupportedCharset">The one charset JSON bodies are read in: utf-8.</param>
public sealed record CharsetRefusal(string SupportedCharset);
