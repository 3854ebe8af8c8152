using Community.Contracts;
using Community.Identity.Admins;
using Community.Identity.Auth;
using Community.Identity.Blocks;
using Community.Identity.PasswordReset;
using Community.Identity.Referrals;
using Community.Identity.Sessions;
using Community.Identity.Suspensions;
using Community.Identity.Users;
using Community.Identity.Verification;
using Community.Identity.Waitlist;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Mail;
using Community.ServiceDefaults.OpenApi;

namespace Community.Identity;

public static class IdentityServiceExtensions
{
    public static IHostApplicationBuilder AddIdentityServices(this IHostApplicationBuilder builder)
    {
        // Called here, in the service's own project, so the XML-comment generator adds its docs to the document.
        builder.Services.AddOpenApi(o => o.AddContract());
        builder
            .Services.AddOptions<IdentityOptions>()
            .Bind(builder.Configuration.GetSection(IdentityOptions.Section))
            .Validate(
                o =>
                    o.AccessTokenLifetime > TimeSpan.Zero
                    && o.RefreshTokenLifetime > TimeSpan.Zero
                    && o.SessionLifetime > TimeSpan.Zero,
                $"{IdentityOptions.Section}:AccessTokenLifetime, RefreshTokenLifetime and SessionLifetime must be "
                    + "above zero."
            )
            .ValidateOnStart();

        builder.AddServiceDatabase<IdentityDbContext>(ResourceNames.Identity);
        builder.AddEventBus(
            ResourceNames.Identity,
            bus =>
                bus.UseOutbox<IdentityDbContext>()
                    .AddConsumers(typeof(IdentityServiceExtensions).Assembly)
                    .FollowSessionRevocations()
        );
        builder.Services.AddSingleton<IRevocationSource, DatabaseRevocationSource>();
        builder.Services.AddSingleton<SessionEnding>();
        builder.Services.AddSingleton<PasswordChanging>();
        builder.Services.AddSingleton<PasswordWork>();
        builder.Services.AddSingleton<Suspending>();
        builder.Services.AddUserDataEraser<BlockEraser>();
        builder.Services.AddHostedService<AdminSeeder>();
        builder.AddBlobStore(ProfilePictureApi.BlobSection, ".local/blobs/identity");

        // Identity verifies tokens with its own keys rather than reading its JWKS over HTTP.
        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddSingleton<ISigningKeySource>(sp => sp.GetRequiredService<SigningKeyStore>());
        builder.Services.AddScoped<TokenIssuer>();
        builder.Services.AddScoped<LoginThrottle>();
        builder.Services.AddScoped<TwoFactorCodes>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<ReauthenticationAccess>();
        builder.Services.AddScoped<RegistrationThrottle>();
        builder.Services.AddSingleton<ThrottleCounters>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ThrottleCounters>());
        builder.Services.AddSingleton<ExpiredCredentials>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ExpiredCredentials>());
        builder.Services.AddScoped<EmailVerifications>();
        builder.Services.AddScoped<PhoneVerifications>();
        // A real SMS provider registers its own ISmsSender; the log sender texts nothing outside Development.
        builder.Services.AddSingleton<ISmsSender, LogSmsSender>();
        builder.Services.AddSingleton<ExternalProviders>();
        builder.AddEmailSender();
        builder.Services.AddSingleton<MailInBackground>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MailInBackground>());
        builder.Services.AddSingleton<SecurityNotices>();
        return builder;
    }

    public static WebApplication MapIdentityApi(this WebApplication app)
    {
        // Every create below honours Idempotency-Key (HonoursIdempotencyKey), unless its handler keeps its own.
        var api = app.MapGroup("").HonourIdempotencyKeys();
        api.MapAuthApi();
        api.MapExternalLoginApi();
        api.MapExternalLoginLinksApi();
        api.MapTwoFactorApi();
        api.MapPasswordChangeApi();
        api.MapPasswordResetApi();
        api.MapUsersApi();
        api.MapPhoneVerificationApi();
        api.MapEmailVerificationApi();
        api.MapProfilePictureApi();
        api.MapReferralsApi();
        api.MapSuspensionsApi();
        api.MapWaitlistApi();
        api.MapJwksApi();
        api.MapRevocationFeedApi();
        return app;
    }
}
