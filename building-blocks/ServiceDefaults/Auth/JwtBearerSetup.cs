using System.Runtime.ExceptionServices;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Sets up the JwtBearer handler for identity's ES256 access tokens. The gateway and every service
/// use this same setup, so a token refused at the edge is refused behind it too.
/// </summary>
internal sealed class JwtBearerSetup(
    IOptions<JwtOptions> jwtOptions,
    ISigningKeySource keys,
    SessionRevocations revocations,
    TimeProvider clock
) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name == JwtBearerDefaults.AuthenticationScheme)
            Configure(options);
    }

    public void Configure(JwtBearerOptions options)
    {
        var settings = jwtOptions.Value;
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new AccessTokenHandler(keys, clock) { MapInboundClaims = false });
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireAudience = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(settings.ClockSkewSeconds),
            // The library reads the system clock; the app's TimeProvider lets tests move time.
            LifetimeValidator = ValidateLifetime,
            NameClaimType = ClaimNames.Name,
            RoleClaimType = ClaimNames.Role,
        };
        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                var token = BearerToken.From(context.Request, settings);
                if (token is null)
                    context.NoResult();
                else if (token == BearerToken.NotBearer)
                    context.Fail(
                        new AccessTokenRefusedException("The Authorization header must be \"Bearer <access token>\".")
                    );
                else if (token.Length == 0)
                    context.Fail("The bearer token is empty.");
                else
                    context.Token = token;
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                // A key store that cannot answer (identity's database down) is a server fault: a 500 or 503, not a
                // 401 that logs the user out. An unknown kid while identity's JWKS is unreachable (503, the key
                // source's: it warned of the outage) stays a failure, so UseRejectInvalidTokens counts it before
                // answering: forged kids cost a guess then too.
                if (
                    context.Exception
                    is not (
                        SecurityTokenException
                        or ArgumentException
                        or AuthenticationFailureException
                        or ServiceUnavailableException { OutageLogged: true }
                    )
                )
                    ExceptionDispatchInfo.Throw(context.Exception);
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                if (context.Principal.TryUserId() is not { } userId)
                    context.Fail("The token has no subject.");
                else if (revocations.HasEnded(userId, context.Principal.SessionId(), IssuedAt(context.SecurityToken)))
                    context.Fail(
                        new AccessTokenRefusedException(
                            "The session has ended (logout, password reset, account deletion "
                                + "or role change); sign in again."
                        )
                    );
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = BearerToken.From(context.Request, settings) is null
                    ? "Bearer"
                    : "Bearer error=\"invalid_token\"";
                await WriteProblemAsync(
                    context.HttpContext,
                    StatusCodes.Status401Unauthorized,
                    "Unauthorized",
                    Describe(context.AuthenticateFailure)
                );
            },
            OnForbidden = context =>
                WriteProblemAsync(
                    context.HttpContext,
                    StatusCodes.Status403Forbidden,
                    "Forbidden",
                    "Your role or tier does not allow this."
                ),
        };
    }

    private bool ValidateLifetime(
        DateTime? notBefore,
        DateTime? expires,
        SecurityToken token,
        TokenValidationParameters parameters
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (expires is null || expires.Value.Add(parameters.ClockSkew) < now)
            return false;
        return notBefore is null || notBefore.Value.Subtract(parameters.ClockSkew) <= now;
    }

    // A token without iat counts as issued at the dawn of time: any "not before" of its user refuses it.
    private static DateTimeOffset IssuedAt(SecurityToken token) =>
        token is Microsoft.IdentityModel.JsonWebTokens.JsonWebToken { IssuedAt: var issued }
        && issued != DateTime.MinValue
            ? new DateTimeOffset(DateTime.SpecifyKind(issued, DateTimeKind.Utc))
            : DateTimeOffset.MinValue;

    // Our own refusals say why; the library's messages name internals, so they get one plain sentence.
    private static string Describe(Exception? failure) =>
        failure switch
        {
            null => "A valid bearer access token is required.",
            AccessTokenRefusedException or AuthenticationFailureException => failure.Message,
            _ => "The token is invalid or expired.",
        };

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.RequestServices.GetService<IProblemDetailsService>() is not { } problems)
            return;
        await problems.TryWriteAsync(
            new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = status,
                    Title = title,
                    Detail = detail,
                },
            }
        );
    }
}
