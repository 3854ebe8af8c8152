extern alias AiCompanionApi;
extern alias GatewayApp;
extern alias PaymentsApi;
using Microsoft.Extensions.DependencyInjection;
using PaymentsApi::Community.Payments;
using CompanionProgram = AiCompanionApi::Program;
using GatewayProgram = GatewayApp::Program;
using PaymentsProgram = PaymentsApi::Program;

namespace Community.SystemTests;

/// <summary>
/// A companion session bought with credits for real: the companion, payments and the gateway on one vhost.
/// </summary>
public sealed class CompanionSessionFixture() : ServiceFixture<PaymentsProgram>(ResourceNames.Payments)
{
    public ServiceHost<CompanionProgram> Companion { get; private set; } = null!;
    public ServiceHost<GatewayProgram> Gateway { get; private set; } = null!;
    public HttpClient Edge { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var companionDatabase = await Resources.AddDatabaseAsync(
            ResourceNames.DatabaseNameOf(ResourceNames.AiCompanion)
        );
        Companion = new ServiceHost<CompanionProgram>(
            new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{ResourceNames.DatabaseOf(ResourceNames.AiCompanion)}"] = companionDatabase,
                [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = Resources.BrokerUri,
                ["Logging:LogLevel:Default"] = "Warning",
            },
            ConfigureServices
        ).Start();
        await BusReadyAsync(Companion);
        Gateway = new ServiceHost<GatewayProgram>(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.AiCompanion}"] = Companion.BaseAddress.ToString().TrimEnd('/'),
                [$"Services:{ResourceNames.Payments}"] = Host.BaseAddress.ToString().TrimEnd('/'),
                ["Logging:LogLevel:Default"] = "Warning",
            },
            ConfigureServices
        ).Start();
        Edge = Gateway.NewClient();
    }

    public override async Task DisposeAsync()
    {
        Edge.Dispose();
        await Gateway.DisposeAsync();
        await Companion.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Credits from the platform, written through payments' ledger as a bought pack would.</summary>
    public async Task GrantAsync(Guid userId, long amount)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await scope
            .ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(userId, amount, "test", "test:" + Guid.NewGuid(), CancellationToken.None);
    }
}

public sealed class CompanionSessionTests(CompanionSessionFixture fx) : IClassFixture<CompanionSessionFixture>
{
    [Fact]
    public async Task One_call_buys_a_session_with_credits_and_a_short_balance_buys_nothing()
    {
        var (buyer, token) = fx.User();
        await fx.GrantAsync(buyer, 100);
        var session = await (await BuyAsync(token, "s-1")).AssertStatus(202);
        var id = session["id"]!.GetValue<Guid>();

        await Eventually.TrueAsync(
            async () => (await GetAsync(token, id))["state"]!.GetValue<string>() == "active",
            "the session never started"
        );
        var credits = await (await fx.Edge.Get("/api/v1/credits", token)).AssertStatus(200);
        Assert.Equal(70, credits["balance"]!.GetValue<long>());
        var spend = credits["items"]![0]!;
        Assert.Equal(
            ("spend", "companion_session", id),
            (
                spend["kind"]!.GetValue<string>(),
                spend["purpose"]!.GetValue<string>(),
                spend["reference_id"]!.GetValue<Guid>()
            )
        );
        var usage = await (await fx.Edge.Get("/api/v1/companion/usage", token)).AssertStatus(200);
        Assert.Equal(id, usage["session"]!["id"]!.GetValue<Guid>());
        await (await BuyAsync(token, "s-1")).AssertStatus(200);

        var (poor, poorToken) = fx.User();
        await fx.GrantAsync(poor, 10);
        var declined = (await (await BuyAsync(poorToken, "s-1")).AssertStatus(202))["id"]!.GetValue<Guid>();
        await Eventually.TrueAsync(
            async () => (await GetAsync(poorToken, declined))["state"]!.GetValue<string>() == "rejected",
            "the session was never rejected"
        );
        Assert.Equal("insufficient_credits", (await GetAsync(poorToken, declined))["rejection"]!.GetValue<string>());
        Assert.Equal(
            10,
            (await (await fx.Edge.Get("/api/v1/credits", poorToken)).AssertStatus(200))["balance"]!.GetValue<long>()
        );
    }

    private async Task<HttpResponseMessage> BuyAsync(string token, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/companion/sessions");
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Idempotency-Key", key);
        return await fx.Edge.SendAsync(request);
    }

    private async Task<JsonNode> GetAsync(string token, Guid id) =>
        await (await fx.Edge.Get($"/api/v1/companion/sessions/{id}", token)).AssertStatus(200);
}
