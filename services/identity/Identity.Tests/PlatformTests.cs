namespace Community.Identity.Tests;

/// <summary>
/// What ServiceDefaults gives identity: problem details everywhere, health, request ids, OpenAPI, JWKS and key
/// persistence.
/// </summary>
public sealed class PlatformTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_are_problem_details()
    {
        await (await Client.Get("/api/v1/nothing-here")).AssertProblem(404);
        await (await Client.Get("/api/v1/auth/register")).AssertProblem(405);
        var token = (await fx.RegisterAsync())["access_token"]!.GetValue<string>();
        await (await Client.SendJson(HttpMethod.Delete, "/api/v1/auth/me", null, token)).AssertProblem(405);
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_token()
    {
        var live = await (await Client.Get("/health/live")).AssertStatus(200);
        Assert.Equal("healthy", live["status"]!.GetValue<string>());
        var ready = await (await Client.Get("/health/ready")).AssertStatus(200);
        Assert.Equal("healthy", ready["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.NotNull(
            ready["checks"]!
                .AsObject()
                .FirstOrDefault(c => c.Key.Contains("masstransit", StringComparison.OrdinalIgnoreCase))
                .Value
        );
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_keeps_a_sane_incoming_one()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nothing-here");
        request.Headers.Add("X-Request-Id", "abc-123");
        var response = await Client.SendAsync(request);
        Assert.Equal("abc-123", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("abc-123", (await response.AssertProblem(404))["request_id"]!.GetValue<string>());

        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        hostile.Headers.TryAddWithoutValidation("X-Request-Id", "<script>" + new string('x', 100));
        var replaced = (await Client.SendAsync(hostile)).Headers.GetValues("X-Request-Id").Single();
        Assert.Matches("^[0-9a-f]{32}$", replaced);
    }

    [Fact]
    public async Task Errors_do_not_leak_stack_traces_outside_development()
    {
        var problem = await (await Client.PostJson("/api/v1/auth/login", "{")).AssertProblem(400);
        Assert.DoesNotContain("   at ", problem.ToJsonString());
    }

    [Fact]
    public async Task The_openapi_document_lists_the_identity_routes()
    {
        var document = await (await Client.Get("/openapi/v1.json")).AssertStatus(200);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/auth/register", paths);
        Assert.Contains("/api/v1/users/me", paths);
        Assert.Contains("/.well-known/jwks.json", paths);
    }

    [Fact]
    public async Task Jwks_publishes_the_es256_key_and_it_survives_a_restart()
    {
        var jwks = await (await Client.Get("/.well-known/jwks.json")).AssertStatus(200);
        var key = jwks["keys"]![0]!;
        Assert.Equal("EC", key["kty"]!.GetValue<string>());
        Assert.Equal("P-256", key["crv"]!.GetValue<string>());
        Assert.Equal("ES256", key["alg"]!.GetValue<string>());
        Assert.Null(key["d"]); // never the private part

        var registered = await fx.RegisterAsync();
        await using var restarted = fx.StartHost();
        using var client = restarted.NewClient();
        var again = await (await client.Get("/.well-known/jwks.json")).AssertStatus(200);
        Assert.Equal(key["kid"]!.GetValue<string>(), again["keys"]![0]!["kid"]!.GetValue<string>());
        Assert.Equal(
            HttpStatusCode.OK,
            (await client.Get("/api/v1/auth/me", registered["access_token"]!.GetValue<string>())).StatusCode
        );
    }

    [Theory]
    // A type gone from the contracts.
    [InlineData("Community.Contracts.Identity.UserRenamed, Community.Contracts", "{}")]
    // A payload of JSON null.
    [InlineData("Community.Contracts.Identity.UserRenamed, Community.Contracts", "null")]
    // A record no longer readable (two public constructors: System.Text.Json throws NotSupportedException).
    [InlineData("Community.Identity.Tests.TwoConstructors, Identity.Tests", "{}")]
    public async Task An_outbox_row_that_can_never_be_published_is_parked_and_does_not_block_the_rest(
        string type,
        string payload
    )
    {
        var id = Guid.NewGuid();
        await using (var connection = new Npgsql.NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand(
                "INSERT INTO outbox_messages (id, type, payload, occurred_at) "
                    + "VALUES (@id, @type, @payload::jsonb, now())",
                connection
            );
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("type", type);
            insert.Parameters.AddWithValue("payload", payload);
            await insert.ExecuteNonQueryAsync();
        }
        var registered = await fx.RegisterAsync();

        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM outbox_messages WHERE published_at IS NOT NULL "
                        + "AND type LIKE '%UserRegistered,%' AND payload->>'userId' = @id",
                    ("id", registered["user"]!["id"]!.GetValue<string>())
                ) == 1,
            "the event behind the broken row was never published"
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE id = @id AND failed_at IS NOT NULL "
                    + "AND published_at IS NULL",
                ("id", id)
            )
        );
    }

    [Fact]
    public void Production_refuses_to_start_without_smtp_rather_than_log_reset_links()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(
            new Microsoft.AspNetCore.Builder.WebApplicationOptions { EnvironmentName = "Production" }
        );
        builder.Configuration["ConnectionStrings:identity-db"] = "Host=127.0.0.1;Database=unused";
        builder.Configuration["ConnectionStrings:rabbitmq"] = "amqp://guest:guest@127.0.0.1:5672/unused";
        builder.Configuration["DataProtection:KeyRingPath"] = Path.Combine(
            Path.GetTempPath(),
            "community-unused-key-ring"
        );
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddIdentityServices());
        Assert.Contains("Smtp:Host", error.Message);
    }

    [Fact]
    public void Production_refuses_to_start_without_a_key_ring_for_stored_secrets()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(
            new Microsoft.AspNetCore.Builder.WebApplicationOptions { EnvironmentName = "Production" }
        );
        builder.Configuration["ConnectionStrings:identity-db"] = "Host=127.0.0.1;Database=unused";
        builder.Configuration["ConnectionStrings:rabbitmq"] = "amqp://guest:guest@127.0.0.1:5672/unused";
        builder.Configuration["Smtp:Host"] = "smtp.example.com";
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddIdentityServices());
        Assert.Contains("DataProtection:KeyRingPath", error.Message);
    }
}

/// <summary>
/// An event record System.Text.Json cannot read: two public constructors and none marked for it, as a contract given a
/// second one would be.
/// </summary>
public sealed record TwoConstructors(Guid MessageId, DateTimeOffset OccurredAt) : Community.Contracts.IIntegrationEvent
{
    public TwoConstructors(Guid messageId)
        : this(messageId, DateTimeOffset.UnixEpoch) { }
}
