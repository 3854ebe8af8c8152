extern alias AiCompanionApi;
extern alias EventsApi;
extern alias GatewayApp;
extern alias IdentityApi;
extern alias MessagingApi;
extern alias PaymentsApi;
extern alias SocialApi;
using System.Text.Json;
using CompanionProgram = AiCompanionApi::Program;
using EventsProgram = EventsApi::Program;
using GatewayProgram = GatewayApp::Program;
using IdentityProgram = IdentityApi::Program;
using MessagingProgram = MessagingApi::Program;
using PaymentsProgram = PaymentsApi::Program;
using SocialProgram = SocialApi::Program;

namespace Community.SystemTests;

/// <summary>
/// The whole platform (every service, each with its own database, on identity's vhost) behind the real gateway:
/// what the TypeScript SDK in clients/typescript is generated from, and what its node and browser tests run against.
/// </summary>
public sealed class ClientContractFixture() : ServiceFixture<IdentityProgram>(ResourceNames.Identity)
{
    private readonly List<IAsyncDisposable> _others = [];

    public ServiceHost<GatewayProgram> Gateway { get; private set; } = null!;

    /// <summary>
    /// Where the browser test serves its page: another port of the gateway's host, an origin the gateway allows.
    /// </summary>
    public int PagePort { get; } = ServiceHost<GatewayProgram>.FreePort();

    protected override bool TrustsTestTokens => false;

    public readonly string FeedKey = Guid.NewGuid().ToString("N");

    protected override void ConfigureService(IDictionary<string, string?> settings) =>
        settings["Revocations:FeedKey"] = FeedKey;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var gatewayPort = ServiceHost<GatewayProgram>.FreePort();
        var services = new Dictionary<string, Uri> { [ResourceNames.Identity] = Host.BaseAddress };
        services[ResourceNames.Social] = await StartAsync<SocialProgram>(ResourceNames.Social);
        services[ResourceNames.Messaging] = await StartAsync<MessagingProgram>(ResourceNames.Messaging);
        services[ResourceNames.Events] = await StartAsync<EventsProgram>(ResourceNames.Events);
        services[ResourceNames.Payments] = await StartAsync<PaymentsProgram>(
            ResourceNames.Payments,
            new() { ["Payments:PublicBaseUrl"] = $"http://127.0.0.1:{gatewayPort}" }
        );
        services[ResourceNames.AiCompanion] = await StartAsync<CompanionProgram>(ResourceNames.AiCompanion);
        var settings = new Dictionary<string, string?>
        {
            ["Revocations:FeedKey"] = FeedKey,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Cors:AllowedOrigins:0"] = $"http://127.0.0.1:{PagePort}",
        };
        foreach (var (service, address) in services)
            settings[$"Services:{service}"] = address.ToString().TrimEnd('/');
        // The hubs over the one messaging instance twice: with a choice to make, the gateway sets its affinity cookie,
        // which a browser stores only from an answer that allows credentials.
        var messaging = services[ResourceNames.Messaging].ToString().TrimEnd('/');
        settings[$"PinnedServices:{ResourceNames.Messaging}"] = $"{messaging};{messaging}";
        Gateway = new ServiceHost<GatewayProgram>(settings).Start(gatewayPort);
        Client.Dispose();
        Client = BehindIdentity.ClientOf(Gateway);
    }

    private async Task<Uri> StartAsync<T>(string service, Dictionary<string, string?>? extra = null)
        where T : class
    {
        var resources = await TestInfrastructure.IsolateAsync(nameof(ClientContractTests) + service.Replace("-", ""));
        _others.Add(resources);
        var host = BehindIdentity.StartService<T>(
            service,
            resources,
            Resources.BrokerUri,
            Host.BaseAddress,
            FeedKey,
            extra
        );
        _others.Insert(0, host);
        // Its queues must be bound before the first registration, or it would never hear of that user.
        await BusReadyAsync(host);
        return host.BaseAddress;
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        foreach (var other in _others)
            await other.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>
/// The SDK's contract: the committed snapshots (clients/typescript/contract) are what the gateway serves now, the
/// generated TypeScript is what the generator makes of them, the SDK compiles under tsc --strict and its node tests
/// pass against this platform. With UPDATE_CONTRACT=1 the first test writes the snapshots instead
/// (clients/typescript/generate.sh).
/// </summary>
/// <summary>One platform for the SDK's tests: starting it takes most of their time.</summary>
[CollectionDefinition(Name)]
public sealed class ClientContractPlatform : ICollectionFixture<ClientContractFixture>
{
    public const string Name = "client contract platform";
}

[Collection(ClientContractPlatform.Name)]
public sealed class ClientContractTests(ClientContractFixture fx)
{
    internal static readonly string Sdk = ClientSdk.Folder;
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private const string Regenerate = "run clients/typescript/generate.sh";

    /// <summary>Every document the platform serves, by snapshot file name.</summary>
    private async Task<Dictionary<string, string>> ServedAsync()
    {
        var documents = new Dictionary<string, string>();
        foreach (var service in ResourceNames.Services)
        {
            var openApi = await (await fx.Client.GetAsync($"/openapi/{service}.json")).AssertStatus(200);
            documents[$"{service}.openapi.json"] = openApi.ToJsonString(Indented) + "\n";
        }
        var asyncApi = await (await fx.Client.GetAsync("/asyncapi/messaging.json")).AssertStatus(200);
        documents["messaging.asyncapi.json"] = asyncApi.ToJsonString(Indented) + "\n";
        return documents;
    }

    [Fact]
    public async Task The_committed_contract_is_what_the_platform_serves_and_the_sdk_is_generated_from_it()
    {
        var served = await ServedAsync();
        var folder = Path.Combine(Sdk, "contract");
        if (Environment.GetEnvironmentVariable("UPDATE_CONTRACT") == "1")
        {
            Directory.CreateDirectory(folder);
            foreach (
                var stale in Directory.GetFiles(folder, "*.json").Where(f => !served.ContainsKey(Path.GetFileName(f)))
            )
                File.Delete(stale);
            foreach (var (file, text) in served)
                await File.WriteAllTextAsync(Path.Combine(folder, file), text);
            return;
        }
        var committed = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).OfType<string>().Order().ToList()
            : [];
        Assert.True(
            served.Keys.Order().SequenceEqual(committed),
            $"contract/ holds [{string.Join(", ", committed)}], the platform serves "
                + $"[{string.Join(", ", served.Keys.Order())}]: {Regenerate}"
        );
        foreach (var (file, text) in served)
            Assert.True(
                text == await File.ReadAllTextAsync(Path.Combine(folder, file)),
                $"contract/{file} is not what the platform serves now: {Regenerate}"
            );

        await ClientSdk.EnsureInstalledAsync();
        var (code, output) = await ClientSdk.RunAsync("node", ["scripts/generate.mjs", "--check"]);
        Assert.True(code == 0, $"the generated TypeScript is stale ({output.Trim()}): {Regenerate}");
    }

    [Fact]
    public async Task The_sdk_compiles_under_tsc_strict_and_its_node_tests_pass_against_the_platform()
    {
        await ClientSdk.EnsureInstalledAsync();
        var (compiled, tsc) = await ClientSdk.RunAsync(
            "node",
            ["node_modules/typescript/bin/tsc", "-p", ".", "--strict"]
        );
        Assert.True(compiled == 0, $"tsc --strict failed:\n{tsc}");

        var (passed, output) = await ClientSdk.RunAsync(
            "node",
            ["--test", "--test-reporter=spec", "dist/test/sdk.test.js"],
            new() { ["COMMUNITY_GATEWAY_URL"] = fx.Gateway.BaseAddress.ToString().TrimEnd('/') }
        );
        Assert.True(passed == 0, $"the SDK's node tests failed:\n{output}");
    }
}
