using System.Runtime.ExceptionServices;
using Community.Contracts;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>Named authorization policies shared by the gateway and every service.</summary>
public static class Policies
{
    public const string Member = "member";
    public const string Organizer = "organizer";
    public const string Admin = "admin";
    public const string Premium = "premium";
}

/// <summary>
/// The fallback requirement: every routed endpoint (API, proxy route) needs a signed-in user
/// unless it allows anonymous access; routing's own answers (404 no match, 405 wrong method,
/// 415 wrong media type) are not routed endpoints and keep their status for everyone.
/// </summary>
public sealed class AuthenticatedOnRoutedEndpoints
    : AuthorizationHandler<AuthenticatedOnRoutedEndpoints>,
        IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(
        AuthorizationHandlerContext context,
        AuthenticatedOnRoutedEndpoints requirement
    )
    {
        var routed = context.Resource is HttpContext http && http.GetEndpoint() is RouteEndpoint;
        if (!routed || context.User.Identity?.IsAuthenticated == true)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class AuthSetup
{
    public static IHostApplicationBuilder AddJwtAuthentication(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(JwtOptions.Section);
        builder.Services.Configure<JwtOptions>(section);
        builder.Services.PostConfigure<JwtOptions>(options =>
        {
            var identities = IdentityAddress.All(builder.Configuration);
            options.JwksUrl ??=
                identities.Count == 0 ? null : string.Join(';', identities.Select(i => i + "/.well-known/jwks.json"));
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        // The JWKS client comes from the factory on each refresh (handlers rotate), not captured in the singleton.
        // As the revocation feed's, it has no resilience handler: the source asks the next identity instance itself.
#pragma warning disable EXTEXP0001 // the library's way to take the defaults' handler off one client
        builder
            .Services.AddHttpClient(JwksSigningKeySource.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.TryAddSingleton<JwksSigningKeySource>();
        builder.Services.TryAddSingleton<ISigningKeySource>(sp => sp.GetRequiredService<JwksSigningKeySource>());
        builder.Services.TryAddSingleton<SessionRevocations>();

        builder.Services.AddSingleton<
            Microsoft.Extensions.Options.IConfigureOptions<JwtBearerOptions>,
            JwtBearerSetup
        >();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();

        builder.Services.TryAddSingleton<InvalidTokenLimit>();
        builder.Services.AddSingleton<IAuthorizationHandler, AuthenticatedOnRoutedEndpoints>();
        builder
            .Services.AddAuthorizationBuilder()
            // Secure by default: an endpoint is anonymous only when it says so.
            .SetFallbackPolicy(
                new AuthorizationPolicyBuilder().AddRequirements(new AuthenticatedOnRoutedEndpoints()).Build()
            )
            .AddPolicy(Policies.Member, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Organizer, p => p.RequireRole(Roles.Organizer, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Premium, p => p.RequireClaim(ClaimNames.Tier, Tiers.Premium, Tiers.Elite));
        return builder;
    }

    /// <summary>
    /// A token that is present but invalid is refused with 401 even where anonymous access is
    /// allowed: a client with a broken token should learn so, not silently act as a stranger.
    /// Too many from one address in a window get 429 instead (<see cref="InvalidTokenLimit"/>); tokens the platform
    /// signed that are out of their lifetime (<see cref="OutOfItsLifetime"/>) have a larger budget of their own. A
    /// token whose key cannot be looked up now (identity's JWKS unreachable) is a 503, counted against that larger
    /// budget: most are valid tokens of a key this instance never loaded (it started during the outage), from
    /// addresses many users share, which must not be held for a minute after identity is back; forged kids are still
    /// not free.
    /// </summary>
    public static IApplicationBuilder UseRejectInvalidTokens(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                if (context.User.Identity?.IsAuthenticated != true)
                {
                    var options = context
                        .RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<JwtOptions>>()
                        .Value;
                    if (BearerToken.From(context.Request, options) is not null)
                    {
                        // The result the request had, kept by its handler.
                        var failure = (await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme)).Failure;
                        using var lease = await context
                            .RequestServices.GetRequiredService<InvalidTokenLimit>()
                            .CountAsync(context, OutOfItsLifetime(failure) || failure is ServiceUnavailableException);
                        if (!lease.IsAcquired)
                        {
                            await RateLimitRejection.WriteAsync(context, lease);
                            return;
                        }
                        // A kid that could not be looked up (identity's JWKS unreachable) is no known guess: the 503
                        // problem, after it was counted all the same, so forged kids are not free while it is down.
                        if (failure is ServiceUnavailableException unavailable)
                            ExceptionDispatchInfo.Throw(unavailable);
                        await context.ChallengeAsync(JwtBearerDefaults.AuthenticationScheme);
                        return;
                    }
                }
                await next(context);
            }
        );

    /// <summary>
    /// Whether the request's token was refused only for its lifetime: expired (or not valid yet). The library checks
    /// the lifetime after the signature, so such a token is one the platform signed; it is no guess, and its client
    /// refreshes on the 401. Many such, from one address (an office's laptops waking up behind one NAT), must not turn
    /// into 429s that no refresh ends; yet one client replaying its expired token must still be held (this 401 comes
    /// before the rate limiter), so they count against a larger budget of their own.
    /// </summary>
    private static bool OutOfItsLifetime(Exception? failure) =>
        failure
            is SecurityTokenInvalidLifetimeException
                or SecurityTokenExpiredException
                or SecurityTokenNotYetValidException;
}
