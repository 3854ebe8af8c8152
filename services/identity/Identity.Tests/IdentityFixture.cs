using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Community.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Identity.Tests;

/// <summary>
/// Identity on real Kestrel with its own database and vhost, a real SMTP sink for its e-mail,
/// a movable clock, and one admin from configuration.
/// </summary>
public class IdentityFixture : IAsyncLifetime
{
    public const string AdminUsername = "root_admin";
    public readonly string AdminPassword = "Adm1n-" + Guid.NewGuid().ToString("N");

    public IsolatedResources Resources { get; protected set; } = null!;
    public SmtpSink Smtp { get; } = new();
    public TestClock Clock { get; } = new();
    public ServiceHost<Program> Host { get; protected set; } = null!;
    public HttpClient Client { get; protected set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(GetType().Name);
        Host = StartHost(Resources.BrokerUri);
        Client = Host.NewClient();
    }

    public ServiceHost<Program> StartHost(string brokerUri, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:identity-db"] = Resources.DatabaseConnectionString,
            ["ConnectionStrings:rabbitmq"] = brokerUri,
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = Smtp.Port.ToString(),
            ["Smtp:EnableSsl"] = "false",
            ["Identity:LoginThrottle:SlowdownStep"] = "00:00:00.005",
            ["Identity:LoginThrottle:MaxSlowdown"] = "00:00:00.020",
            ["Identity:Admins:0:Username"] = AdminUsername,
            ["Identity:Admins:0:Email"] = "admin@community.test",
            ["Identity:Admins:0:Password"] = AdminPassword,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return new ServiceHost<Program>(settings, services => services.AddSingleton<TimeProvider>(Clock)).Start();
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        await Smtp.DisposeAsync();
        await Resources.DisposeAsync();
    }

    /// <summary>Registers a fresh member; returns the 201 body (user, access_token, refresh_token...).</summary>
    public async Task<JsonNode> RegisterAsync(string? username = null, string? role = null, string? referralCode = null)
    {
        username ??= "u_" + Guid.NewGuid().ToString("N")[..12];
        var response = await Client.PostJson("/api/v1/auth/register", new
        {
            username, email = $"{username}@example.com", password = "correct-horse-9", full_name = "Test User", role, referral_code = referralCode,
        });
        return await response.AssertStatus(201);
    }

    public async Task<string> LoginAsync(string identifier, string password)
    {
        var response = await Client.PostJson("/api/v1/auth/login", new { identifier, password });
        return (await response.AssertStatus(200))["access_token"]!.GetValue<string>();
    }

    /// <summary>Identity's current signing key, read from its database: lets attack tests sign tokens that differ in one claim only.</summary>
    public async Task<(string Kid, ECDsa Key)> SigningKeyAsync()
    {
        await using var connection = new NpgsqlConnection(Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "identity has no signing key yet");
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey((byte[])reader["private_key"], out _);
        return ((string)reader["kid"], key);
    }

    public Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        Sql.ScalarAsync<T>(Resources.DatabaseConnectionString, sql, parameters);
}
