using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.Net.Http.Headers;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// ETag and If-Match for a resource a client updates. The tag is the row's version (PostgreSQL's <c>xmin</c>, mapped by
/// <c>MapToXmin</c> in ServiceDefaults.Data), quoted: a strong tag that changes with every write of the row.
/// </summary>
public static class EntityTag
{
    public const string Field = "if_match";

    public static string Of(uint version) => $"\"{version}\"";

    /// <summary>Sets the answer's ETag.</summary>
    public static void Set(HttpResponse response, uint version) => response.Headers.ETag = Of(version);

    /// <summary>
    /// The tags the request's If-Match lists, or null when it has none or <c>*</c> (the update goes ahead as without
    /// it). A malformed header is a 400.
    /// </summary>
    public static IReadOnlyList<string>? IfMatch(HttpRequest request)
    {
        var values = request.Headers.IfMatch;
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values.ToString()))
            return null;
        if (!EntityTagHeaderValue.TryParseStrictList(values, out var tags) || tags.Count == 0)
            throw new RequestValidationException(
                Field,
                "The If-Match header must be * or a list of quoted entity tags."
            );
        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
            return null;
        // If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches.
        return [.. tags.Where(t => !t.IsWeak).Select(t => t.Tag.ToString())];
    }

    /// <summary>
    /// Refuses with 412 an If-Match that does not name <paramref name="version"/>; none or <c>*</c> passes.
    /// </summary>
    public static void Check(HttpRequest request, uint version)
    {
        if (IfMatch(request) is { } tags && !tags.Contains(Of(version)))
            throw new PreconditionFailedException(
                "The resource changed since the version named in If-Match; read it again (GET gives the "
                    + "current ETag) and repeat the change."
            );
    }
}

/// <summary>
/// Endpoint metadata for the contract: the endpoint answers an ETag, and with <see cref="HonoursIfMatch"/> it honours
/// If-Match.
/// </summary>
public sealed class EntityTagMetadata
{
    private EntityTagMetadata(bool honoursIfMatch) => HonoursIfMatch = honoursIfMatch;

    /// <summary>The update refuses a stale If-Match with 412.</summary>
    public bool HonoursIfMatch { get; }

    public static EntityTagMetadata Answered { get; } = new(false);

    public static EntityTagMetadata IfMatch { get; } = new(true);
}

/// <summary>
/// Endpoint metadata for the contract: the endpoint answers a file with its validators (ETag, Last-Modified), so a
/// request naming the copy it holds (If-None-Match, If-Modified-Since) is answered 304 without the bytes, and one
/// conditioned on another version (If-Match, If-Unmodified-Since) 412.
/// </summary>
public sealed class FileValidatorsMetadata
{
    private FileValidatorsMetadata() { }

    public static FileValidatorsMetadata Instance { get; } = new();
}

public static class EntityTagEndpoints
{
    /// <summary>Declares that a read (or a create) answers the resource's ETag.</summary>
    public static RouteHandlerBuilder AnswersETag(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(EntityTagMetadata.Answered);

    /// <summary>Declares that an update honours If-Match (412 when stale) and answers the new ETag.</summary>
    public static RouteHandlerBuilder HonoursIfMatch(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(EntityTagMetadata.IfMatch);
}
