namespace Community.SystemTests;

/// <summary>
/// The SDK in Chromium, from a page on another origin than the gateway's (another port of 127.0.0.1, which the
/// platform allows): REST calls and the hub client with SignalR's defaults work, and from an origin not allowed they
/// fail.
/// </summary>
[Collection(ClientContractPlatform.Name)]
public sealed class BrowserClientTests(ClientContractFixture fx, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task From_an_allowed_origin_two_members_chat_live_through_the_sdk_and_another_origin_is_refused()
    {
        await ClientSdk.EnsureInstalledAsync();
        ChildProcess.AssertBrowserInstalled(ClientSdk.Folder);
        var otherPort = ServiceHost<ClientContractFixture>.FreePort();

        var (exitCode, log) = await ChildProcess.RunAsync(
            ClientSdk.Folder,
            "node",
            [
                "test/browser/cross-origin.mjs",
                fx.Gateway.BaseAddress.ToString().TrimEnd('/'),
                fx.PagePort.ToString(),
                otherPort.ToString(),
                ChildProcess.Chromium,
            ],
            timeout: TimeSpan.FromSeconds(90)
        );

        output.WriteLine(log);
        Assert.True(exitCode == 0, $"the browser check failed (exit code {exitCode}):\n{log}");
    }
}
