using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Auth;

internal static class BearerToken
{
    /// <summary>
    /// The bearer token of the request: the Authorization header (whatever its scheme, so a wrong
    /// scheme is refused rather than ignored), or access_token on hub paths only.
    /// </summary>
    public static string? From(HttpRequest request, JwtOptions options)
    {
        string? header = request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header))
            return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : header;

        if (options.QueryTokenPaths.Any(p => request.Path.StartsWithSegments(p)) && request.Query.TryGetValue("access_token", out var query))
            return query.ToString();
        return null;
    }
}
