namespace Community.ServiceDefaults.Auth;

internal static class BearerToken
{
    /// <summary>
    /// What an Authorization header that is not "Bearer &lt;token&gt;" becomes: present, so refused, and never a token.
    /// </summary>
    public const string NotBearer = "\0not-bearer";

    /// <summary>
    /// The bearer token of the request: the Authorization header (another scheme, or a raw token
    /// without one, is <see cref="NotBearer"/>: refused rather than ignored), or access_token on hub paths only.
    /// </summary>
    public static string? From(HttpRequest request, JwtOptions options)
    {
        string? header = request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header))
            return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? header["Bearer ".Length..].Trim()
                : NotBearer;

        if (
            options.QueryTokenPaths.Any(p => request.Path.StartsWithSegments(p))
            && request.Query.TryGetValue("access_token", out var query)
        )
            return query.ToString();
        return null;
    }
}
