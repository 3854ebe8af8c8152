using System.Security.Cryptography;
using Community.Contracts;
using Community.Identity.Verification;
using Community.ServiceDefaults.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OtpNet;

namespace Community.Identity.Tests;

/// <summary>
/// Identity on real Kestrel with its own database and vhost, a real SMTP sink for its e-mail,
/// a movable clock, and one admin from configuration. Identity signs its own tokens.
/// </summary>
public class IdentityFixture() : ServiceFixture<Program>(ResourceNames.Identity)
{
    public const string AdminUsername = "root_admin";
    public readonly string AdminPassword = "Adm1n-" + Guid.NewGuid().ToString("N");

    public SmtpSink Smtp { get; } = new();

    /// <summary>Once the mail the service queued so far (password resets, waitlist places) reached the sink.</summary>
    public Task MailSentAsync() => Host.Services.GetRequiredService<MailInBackground>().SentAsync();

    public RecordingSmsSender Sms { get; } = new();

    protected override bool TrustsTestTokens => false;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = Smtp.Port.ToString();
        settings["Smtp:EnableSsl"] = "false";
        // The tests play the gateway in front of identity: the one proxy whose X-Forwarded-For it believes.
        settings["Http:TrustedNetworks:0"] = "127.0.0.1";
        // No slowdown (a slowed login is a 429 until its time is up): tests fail logins back to back.
        settings["Identity:LoginThrottle:SlowdownStep"] = "00:00:00";
        settings["Identity:LoginThrottle:MaxSlowdown"] = "00:00:00";
        settings["Identity:Admins:0:Username"] = AdminUsername;
        settings["Identity:Admins:0:Email"] = "admin@community.test";
        settings["Identity:Admins:0:Password"] = AdminPassword;
    }

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton<ISmsSender>(Sms);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>
    /// Registers a fresh member and confirms the mailed link; returns the 201 body (user as confirmed, access_token,
    /// refresh_token...).
    /// </summary>
    public async Task<JsonNode> RegisterAsync(string? username = null, string? role = null, string? referralCode = null)
    {
        username ??= "u_" + Guid.NewGuid().ToString("N")[..12];
        return await RegisterAndConfirmAsync(
            new
            {
                username,
                email = $"{username}@example.com",
                password = "correct-horse-9",
                full_name = "Test User",
                role,
                referral_code = referralCode,
            },
            $"{username}@example.com"
        );
    }

    /// <summary>
    /// Registers with an e-mail (201, signed in) and confirms it with the token mailed to it, as a new member does;
    /// returns the 201 body with the confirmed user.
    /// </summary>
    public async Task<JsonNode> RegisterAndConfirmAsync(object request, string email)
    {
        var registered = await (await Client.PostJson("/api/v1/auth/register", request)).AssertStatus(201);
        await (await ConfirmAsync(email)).AssertStatus(200);
        registered["user"] = await (
            await Client.Get("/api/v1/auth/me", registered["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.True(registered["user"]!["email_verified"]!.GetValue<bool>());
        return registered;
    }

    public async Task<HttpResponseMessage> ConfirmAsync(string email) =>
        await Client.PostJson("/api/v1/auth/register/confirm", new { token = await ConfirmationTokenAsync(email) });

    /// <summary>The token of the newest confirmation e-mail sent to <paramref name="email"/>.</summary>
    public async Task<string> ConfirmationTokenAsync(string email)
    {
        string? token = null;
        await Eventually.TrueAsync(
            () =>
            {
                var mail = Smtp.Messages.LastOrDefault(m =>
                    m.To.Any(t => t.Contains(email, StringComparison.OrdinalIgnoreCase))
                    && m.Body.Contains("Confirmation token: ")
                );
                token = mail is null
                    ? null
                    : System
                        .Text.RegularExpressions.Regex.Match(mail.Body, @"Confirmation token: (\S+)")
                        .Groups[1]
                        .Value;
                return Task.FromResult(token is not null);
            },
            $"no confirmation e-mail reached {email}"
        );
        return token!;
    }

    /// <summary>
    /// A new member made an admin by <paramref name="adminToken"/>: its id, and an access token carrying the role (the
    /// change ended its sessions' access tokens; its refresh token gets the new one).
    /// </summary>
    public async Task<(string Id, string Token)> NewAdminAsync(string adminToken)
    {
        var other = await RegisterAsync();
        var id = other["user"]!["id"]!.GetValue<string>();
        await (
            await Client.SendJson(HttpMethod.Put, $"/api/v1/users/{id}/role", new { role = "admin" }, adminToken)
        ).AssertStatus(200);
        var refreshed = await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = other["refresh_token"]!.GetValue<string>() }
            )
        ).AssertStatus(200);
        return (id, refreshed["access_token"]!.GetValue<string>());
    }

    /// <summary>Exchanges a refresh token (200 expected) and answers the new one.</summary>
    public async Task<string> RefreshAsync(string refreshToken) =>
        (await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refreshToken })).AssertStatus(200))[
            "refresh_token"
        ]!.GetValue<string>();

    public async Task<string> LoginAsync(string identifier, string password)
    {
        var response = await Client.PostJson("/api/v1/auth/login", new { identifier, password });
        return (await response.AssertStatus(200))["access_token"]!.GetValue<string>();
    }

    /// <summary>Two-factor sign-in as a member turns it on: the app's secret and the ten recovery codes.</summary>
    public sealed record TwoFactorEnrolment(string Secret, List<string> RecoveryCodes);

    /// <summary>
    /// Turns two-factor sign-in on for the account of <paramref name="token"/> as a member does (a secret for the app,
    /// then its first code), with the password the fixtures register with unless another is given.
    /// </summary>
    public async Task<TwoFactorEnrolment> TurnOnTwoFactorAsync(string token, string password = "correct-horse-9")
    {
        var setup = await (await Client.PostJson("/api/v1/users/me/two-factor", new { password }, token)).AssertStatus(
            200
        );
        var secret = setup["secret"]!.GetValue<string>();
        var code = NextTwoFactorCode(secret);
        var confirmed = await (
            await Client.PostJson("/api/v1/users/me/two-factor/confirm", new { code }, token)
        ).AssertStatus(200);
        return new TwoFactorEnrolment(
            secret,
            [.. confirmed["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>())]
        );
    }

    /// <summary>
    /// The wrong two-factor codes and passwords counted against an account in its window (10 stop its second step and
    /// the changes that ask for its password).
    /// </summary>
    public Task<int> TwoFactorFailuresAsync(string userId) =>
        ScalarAsync<int>("SELECT failures FROM login_failures WHERE key = @key", ("key", "two_factor:" + userId));

    /// <summary>The code an app shows now, a time step after the last one used (each step is accepted once).</summary>
    public string NextTwoFactorCode(string secret)
    {
        Clock.Advance(TimeSpan.FromSeconds(30));
        return new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(Clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// Identity's current signing key, read from its database and decrypted: lets attack tests sign tokens that differ
    /// in one claim only.
    /// </summary>
    public async Task<(string Kid, ECDsa Key)> SigningKeyAsync()
    {
        await using var connection = new NpgsqlConnection(Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT kid, private_key FROM signing_keys WHERE encrypted ORDER BY created_at DESC LIMIT 1",
            connection
        );
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "identity has no signing key yet");
        var protector = Host.Services.GetRequiredService<IDataProtectionProvider>().ForStoredSecret("signing_keys");
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(protector.Unprotect((byte[])reader["private_key"]), out _);
        return ((string)reader["kid"], key);
    }
}
