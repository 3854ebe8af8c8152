using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Community.ServiceDefaults.Api;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Community.Identity.Auth;

/// <summary>What a provider vouches for after a sign-in: its subject and a verified e-mail.</summary>
public sealed record ExternalIdentity(string Provider, string Subject, string Email, string? Name);

/// <summary>
/// The configured outside OpenID Connect providers: discovery (cached and refreshed by the IdentityModel
/// configuration manager), the authorization URL, the code exchange with the PKCE verifier and client
/// secret, and validation of the ID token (issuer, audience, signature, lifetime, nonce, verified e-mail).
/// </summary>
public sealed class ExternalProviders(
    IOptions<IdentityOptions> options,
    IHttpClientFactory http,
    TimeProvider clock,
    ILogger<ExternalProviders> logger
)
{
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> _discovery = new(
        StringComparer.OrdinalIgnoreCase
    );

    /// <summary>
    /// The provider's settings, or a 404 problem for a name that is not configured (no issuer or client id).
    /// </summary>
    public ExternalLoginProvider Get(string provider) =>
        options.Value.ExternalLogin.TryGetValue(provider, out var settings)
        && !string.IsNullOrWhiteSpace(settings.Issuer)
        && !string.IsNullOrWhiteSpace(settings.ClientId)
            ? settings
            : throw new NotFoundException($"There is no sign-in provider named '{provider}'.");

    /// <summary>The providers one may sign in with, in name order, as a client names them on its buttons.</summary>
    public IReadOnlyList<ExternalProviderDto> Configured() =>
        [
            .. options
                .Value.ExternalLogin.Where(p =>
                    !string.IsNullOrWhiteSpace(p.Value.Issuer) && !string.IsNullOrWhiteSpace(p.Value.ClientId)
                )
                .OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
                .Select(p => new ExternalProviderDto(p.Key.ToLowerInvariant(), DisplayName(p.Key, p.Value))),
        ];

    /// <summary>
    /// The provider's name as people read it: its configured display name, else its key capitalised (for a provider
    /// an account is still linked to after it was taken out of the configuration too).
    /// </summary>
    public string DisplayName(string provider) =>
        DisplayName(provider, options.Value.ExternalLogin.GetValueOrDefault(provider) ?? new ExternalLoginProvider());

    private static string DisplayName(string key, ExternalLoginProvider settings) =>
        string.IsNullOrWhiteSpace(settings.DisplayName)
            ? char.ToUpperInvariant(key[0]) + key[1..].ToLowerInvariant()
            : settings.DisplayName.Trim();

    /// <summary>
    /// Where the provider sends the browser back: the gateway's callback route, registered with the provider.
    /// </summary>
    public string CallbackUri(string provider) =>
        $"{options.Value.GatewayUrl.TrimEnd('/')}/api/v1/auth/external/"
        + $"{Uri.EscapeDataString(provider.ToLowerInvariant())}/callback";

    public async Task<string> AuthorizationUrlAsync(
        string provider,
        string state,
        string nonce,
        string codeChallenge,
        CancellationToken cancellationToken
    )
    {
        var settings = Get(provider);
        var discovery = await DiscoveryAsync(provider, settings, cancellationToken);
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = settings.ClientId,
            ["redirect_uri"] = CallbackUri(provider),
            ["scope"] = settings.Scope,
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = codeChallenge,
            ["code_challenge_method"] = "S256",
        };
        var separator = discovery.AuthorizationEndpoint.Contains('?') ? '&' : '?';
        return discovery.AuthorizationEndpoint
            + separator
            + string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>Exchanges the code and validates the ID token; any refusal is a 401 problem.</summary>
    public async Task<ExternalIdentity> SignInAsync(
        string provider,
        string code,
        string codeVerifier,
        string nonce,
        CancellationToken cancellationToken
    )
    {
        var settings = Get(provider);
        var discovery = await DiscoveryAsync(provider, settings, cancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Post, discovery.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["grant_type"] = "authorization_code",
                    ["code"] = code,
                    ["redirect_uri"] = CallbackUri(provider),
                    ["client_id"] = settings.ClientId,
                    ["client_secret"] = settings.ClientSecret,
                    ["code_verifier"] = codeVerifier,
                }
            ),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await SendAsync(provider, request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogWarning(
                "Provider {Provider} refused the code exchange with {Status}: {Body}",
                provider,
                (int)response.StatusCode,
                body
            );
            throw new UnauthorizedException("The sign-in provider refused the sign-in.");
        }
        string? idToken;
        try
        {
            using var json = JsonDocument.Parse(body);
            // Any other shape (not an object, an id_token that is not a string) is no ID token either.
            idToken =
                json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("id_token", out var value)
                && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
        }
        catch (JsonException)
        {
            idToken = null;
        }
        if (string.IsNullOrEmpty(idToken))
            throw new UnauthorizedException("The sign-in provider returned no ID token.");

        var result = await Handler.ValidateTokenAsync(
            idToken,
            new TokenValidationParameters
            {
                // As the provider writes it (Auth0's ends in a slash, Google's does not): its discovery document's,
                // which OpenID Connect requires its tokens to match exactly, or the configured one as written.
                ValidIssuers = new[] { discovery.Issuer, settings.Issuer }
                    .Where(issuer => !string.IsNullOrEmpty(issuer))
                    .Distinct(StringComparer.Ordinal),
                ValidAudience = settings.ClientId,
                IssuerSigningKeys = discovery.SigningKeys,
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromMinutes(2),
                LifetimeValidator = (notBefore, expires, _, parameters) =>
                {
                    // Checked against the service's clock, so tests can move it.
                    var now = clock.GetUtcNow().UtcDateTime;
                    return expires is { } exp
                        && exp + parameters.ClockSkew > now
                        && (notBefore is not { } nbf || nbf - parameters.ClockSkew <= now);
                },
            }
        );
        if (!result.IsValid)
        {
            logger.LogWarning(result.Exception, "ID token from {Provider} failed validation", provider);
            throw new UnauthorizedException("The sign-in provider's ID token is invalid.");
        }
        var token = (JsonWebToken)result.SecurityToken;
        if (!token.TryGetPayloadValue<string>("nonce", out var tokenNonce) || !CryptographicEquals(tokenNonce, nonce))
            throw new UnauthorizedException("The sign-in provider's ID token does not answer this sign-in (nonce).");
        if (
            !token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject)
            || string.IsNullOrWhiteSpace(subject)
        )
            throw new UnauthorizedException("The sign-in provider's ID token names no subject.");
        // OpenID Connect: at most 255 ASCII characters; what is stored has to be storable text.
        if (subject.Length > 255 || SafeText.Problem(subject) is not null)
            throw new UnauthorizedException("The sign-in provider's ID token names no usable subject.");
        if (!token.TryGetPayloadValue<string>("email", out var email) || string.IsNullOrWhiteSpace(email))
            throw new UnauthorizedException("The sign-in provider did not share an e-mail address.");
        // Held to what a registration accepts: a misbehaving provider's NUL or non-address is refused, not stored.
        if (SafeText.Problem(email) is not null || !new ValidationErrors().Email("email", email))
            throw new UnauthorizedException("The sign-in provider shared no usable e-mail address.");
        if (!EmailVerified(token))
            throw new UnauthorizedException("The sign-in provider has not verified this e-mail address.");
        token.TryGetPayloadValue<string>("name", out var name);
        return new ExternalIdentity(provider.ToLowerInvariant(), subject, email, name);
    }

    // Some providers send email_verified as the string "true".
    private static bool EmailVerified(JsonWebToken token) =>
        (token.TryGetPayloadValue<bool>("email_verified", out var flag) && flag)
        || (token.TryGetPayloadValue<string>("email_verified", out var text) && text == "true");

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a),
            System.Text.Encoding.UTF8.GetBytes(b)
        );

    private async Task<OpenIdConnectConfiguration> DiscoveryAsync(
        string provider,
        ExternalLoginProvider settings,
        CancellationToken cancellationToken
    )
    {
        var manager = _discovery.GetOrAdd(
            provider,
            _ => new ConfigurationManager<OpenIdConnectConfiguration>(
                settings.Issuer.TrimEnd('/') + "/.well-known/openid-configuration",
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever(http.CreateClient(nameof(ExternalProviders)))
                {
                    RequireHttps = settings.RequireHttps,
                }
            )
        );
        try
        {
            return await manager.GetConfigurationAsync(cancellationToken);
        }
        // The provider's discovery document or keys out of reach (IDX20803 wraps the HTTP failure): not our fault.
        catch (InvalidOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(provider, e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        string provider,
        HttpRequestMessage request,
        CancellationToken cancellationToken
    )
    {
        try
        {
            return await http.CreateClient(nameof(ExternalProviders)).SendAsync(request, cancellationToken);
        }
        catch (Exception e)
            when ((e is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(provider, e);
        }
    }

    private ServiceUnavailableException Unreachable(string provider, Exception cause)
    {
        logger.LogWarning(cause, "Sign-in provider {Provider} could not be reached", provider);
        return new ServiceUnavailableException(
            "The sign-in provider cannot be reached now; try again in a moment, or sign in with a password.",
            TimeSpan.FromSeconds(30),
            cause
        );
    }
}
