using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Validates ES256 access tokens issued by identity. The gateway and every service use this
/// same handler, so a token refused at the edge is refused behind it too.
/// </summary>
public sealed class JwtAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<JwtOptions> jwtOptions,
    ISigningKeySource keys,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";
    private static readonly JwtSecurityTokenHandler Tokens = new() { MapInboundClaims = false };

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = TokenFrom(Request, jwtOptions.Value);
        if (token is null) return AuthenticateResult.NoResult();

        JwtSecurityToken parsed;
        try
        {
            parsed = Tokens.ReadJwtToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return AuthenticateResult.Fail("The token is not a well-formed JWT.");
        }

        // The algorithm is pinned before any key is looked at: "none" and HS256-with-the-public-key never get further.
        if (parsed.Header.Alg != SecurityAlgorithms.EcdsaSha256) return AuthenticateResult.Fail("The token's algorithm is not accepted.");
        if (string.IsNullOrEmpty(parsed.Header.Kid)) return AuthenticateResult.Fail("The token names no key.");

        var key = await keys.FindAsync(parsed.Header.Kid, Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("The token's key is unknown.");

        var options = jwtOptions.Value;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds),
            LifetimeValidator = ValidateLifetime,
            NameClaimType = ClaimNames.Name,
            RoleClaimType = ClaimNames.Role,
        };

        try
        {
            var principal = Tokens.ValidateToken(token, parameters, out _);
            if (principal.FindFirst(ClaimNames.Subject) is null) return AuthenticateResult.Fail("The token has no subject.");
            return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }
        catch (Exception e) when (e is SecurityTokenException or ArgumentException)
        {
            Logger.LogInformation("Access token refused: {Reason}", e.Message);
            return AuthenticateResult.Fail("The token is invalid or expired.");
        }
    }

    // Lifetime is checked against TimeProvider, so tests can move the clock.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (expires is null || expires.Value.Add(parameters.ClockSkew) < now) return false;
        return notBefore is null || notBefore.Value.Subtract(parameters.ClockSkew) <= now;
    }

    /// <summary>The bearer token of the request: the Authorization header, or access_token on hub paths.</summary>
    public static string? TokenFrom(HttpRequest request, JwtOptions options)
    {
        string? header = request.Headers.Authorization;
        if (!string.IsNullOrEmpty(header))
            return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : header;

        if (options.QueryTokenPaths.Any(p => request.Path.StartsWithSegments(p)) && request.Query.TryGetValue("access_token", out var query))
            return query.ToString();
        return null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = TokenFrom(Request, jwtOptions.Value) is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        var result = await HandleAuthenticateOnceSafeAsync();
        await WriteProblemAsync(401, "Unauthorized", result.Failure?.Message ?? "A valid bearer access token is required.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync(403, "Forbidden", "Your role or tier does not allow this.");
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        var problems = Context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        if (problems is null) return;
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>Claim names of the platform's access tokens.</summary>
public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Tier = "tier";
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated user's id (the token's sub).</summary>
    public static Guid UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimNames.Subject), out var id) ? id : throw new InvalidOperationException("No authenticated user.");
}
