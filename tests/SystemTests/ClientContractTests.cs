extern alias GatewayApp;
using System.Text.Json;
using GatewayProgram = GatewayApp::Program;

namespace Community.SystemTests;

/// <summary>
/// The whole platform behind the real gateway: what the TypeScript SDK in clients/typescript is generated from, and
/// what its node and browser tests run against.
/// </summary>
public sealed class ClientContractFixture : PlatformFixture
{
    /// <summary>
    /// Where the browser test serves its page: another port of the gateway's host, an origin the gateway allows.
    /// </summary>
    public int PagePort { get; } = ServiceHost<GatewayProgram>.FreePort();

    protected override string Name => nameof(ClientContractTests);

    protected override void ConfigureGateway(IDictionary<string, string?> settings)
    {
        settings["Cors:AllowedOrigins:0"] = $"http://127.0.0.1:{PagePort}";
        // The hubs over the one messaging instance twice: with a choice to make, the gateway sets its affinity cookie,
        // which a browser stores only from an answer that allows credentials.
        var messaging = settings[$"Services:{ResourceNames.Messaging}"];
        settings[$"PinnedServices:{ResourceNames.Messaging}"] = $"{messaging};{messaging}";
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
            ["--test", "--test-reporter=spec", "dist/test/sdk.test.js", "dist/test/hub-faults.test.js"],
            new() { ["COMMUNITY_GATEWAY_URL"] = fx.Gateway.BaseAddress.ToString().TrimEnd('/') }
        );
        Assert.True(passed == 0, $"the SDK's node tests failed:\n{output}");
        // without the gateway's address the platform's tests skip themselves: here every one must have run
        Assert.True(
            output.Contains("skipped 0", StringComparison.Ordinal),
            $"some of the SDK's tests skipped:\n{output}"
        );
    }
}
