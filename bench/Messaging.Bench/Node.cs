extern alias GatewayApp;
extern alias MessagingApi;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.DependencyInjection;
using GatewayProgram = GatewayApp::Program;
using MessagingProgram = MessagingApi::Program;

namespace Community.Messaging.Bench;

/// <summary>
/// A node: one messaging instance and one gateway in a process of their own, as one host of a deployment would run
/// them. Ten thousand WebSocket clients take about 30,000 sockets on the server side (the client's at the gateway, the
/// gateway's to messaging and messaging's end of it), more than one process may open here (20,000 files, a hard
/// limit); two nodes hold half each. The parent talks to a node over its standard input and output.
/// </summary>
public sealed class Node : IAsyncDisposable
{
    public const string Mode = "node";
    private const string SpecVariable = "COMMUNITY_BENCH_NODE";
    private const string Reply = "node: ";

    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly SemaphoreSlim _asking = new(1, 1);

    private Node(Process process, int index, Uri gateway)
    {
        _process = process;
        Gateway = gateway;
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(Reply, StringComparison.Ordinal))
                    await _replies.Writer.WriteAsync(line[Reply.Length..]);
                else
                    Console.WriteLine($"[node {index + 1}] {line}");
            }
            _replies.Writer.TryComplete();
        });
    }

    public Uri Gateway { get; }

    /// <summary>
    /// Starts <paramref name="count"/> nodes' messaging instances one after the other (the first applies the
    /// migrations), then their gateways, each balancing over every node's instance.
    /// </summary>
    public static async Task<Node[]> StartAsync(
        int count,
        Func<Dictionary<string, string?>> messagingSettings,
        Func<Dictionary<string, string?>> gatewaySettings,
        TestTokens tokens
    )
    {
        var messagingPorts = Enumerable.Range(0, count).Select(_ => ServiceHost<MessagingProgram>.FreePort()).ToArray();
        var cluster = string.Join(';', messagingPorts.Select(p => $"http://127.0.0.1:{p}"));
        var nodes = new List<Node>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var gatewayPort = ServiceHost<GatewayProgram>.FreePort();
                var gateway = gatewaySettings();
                gateway[$"Services:{ResourceNames.Messaging}"] = cluster;
                var spec = new NodeSpec(
                    messagingPorts[i],
                    gatewayPort,
                    messagingSettings(),
                    gateway,
                    tokens.Key.ExportECPrivateKeyPem(),
                    tokens.Kid
                );
                var start = new ProcessStartInfo(Environment.ProcessPath!)
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                // Started as `dotnet <dll>` or as its own executable (dotnet run): the node the same way.
                if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                    start.ArgumentList.Add(typeof(Node).Assembly.Location);
                start.ArgumentList.Add(Mode);
                start.Environment[SpecVariable] = JsonSerializer.Serialize(spec);
                // As a deployed service runs (Directory.Build.targets, the Web SDK): no spin-waiting for work in the
                // thread pool, server GC; this console project would otherwise give the node neither.
                // BENCH_NODE_GC_SERVER=0 tries workstation GC instead (bench/README.md: slower at 10,000 clients).
                start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
                start.Environment["DOTNET_gcServer"] =
                    Environment.GetEnvironmentVariable("BENCH_NODE_GC_SERVER") ?? "1";
                var node = new Node(
                    Process.Start(start) ?? throw new InvalidOperationException("The node did not start."),
                    i,
                    new Uri($"http://127.0.0.1:{gatewayPort}/")
                );
                nodes.Add(node);
                await node.ExpectAsync("messaging", i);
            }
            // Every instance is up before any gateway starts probing them.
            for (var i = 0; i < count; i++)
            {
                await nodes[i]._process.StandardInput.WriteLineAsync("gateway");
                await nodes[i]._process.StandardInput.FlushAsync();
                await nodes[i].ExpectAsync("ready", i);
            }
            return [.. nodes];
        }
        catch
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            throw;
        }
    }

    private async Task ExpectAsync(string reply, int index)
    {
        using var within = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var first = await _replies.Reader.ReadAsync(within.Token);
        if (first != reply)
            throw new InvalidOperationException($"node {index + 1}: {first}");
    }

    /// <summary>Stops the node's gateway (its instance keeps running until the node is disposed).</summary>
    public async Task StopGatewayAsync()
    {
        if (await AskAsync("stop gateway") != "gateway stopped")
            throw new InvalidOperationException("The node's gateway did not stop.");
    }

    /// <summary>Hub connections its messaging instance holds.</summary>
    public async Task<int> HeldAsync() => int.Parse(await AskAsync("held"), CultureInfo.InvariantCulture);

    /// <summary>Methods the node's JIT has compiled so far.</summary>
    public async Task<long> CompiledMethodsAsync() => long.Parse(await AskAsync("jit"), CultureInfo.InvariantCulture);

    /// <summary>The node's stalled seconds since <paramref name="since"/> (<see cref="StallWatch"/>).</summary>
    public async Task<StallWatch.Second[]> StallsAsync(DateTime since) =>
        StallWatch.Parse(await AskAsync("stalls " + since.Ticks.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The node's resident memory (its working set), in bytes.</summary>
    public long ResidentBytes()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    private async Task<string> AskAsync(string question)
    {
        await _asking.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(question);
            await _process.StandardInput.FlushAsync();
            using var within = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _replies.Reader.ReadAsync(within.Token);
        }
        finally
        {
            _asking.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing its input tells the node to stop its hosts and exit.
        _process.StandardInput.Close();
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(within.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    /// <summary>The child's side: host both apps, answer the parent's questions until its input closes.</summary>
    public static async Task<int> RunAsync()
    {
        var spec =
            JsonSerializer.Deserialize<NodeSpec>(Environment.GetEnvironmentVariable(SpecVariable) ?? "null")
            ?? throw new InvalidOperationException($"{SpecVariable} is not set.");
        var key = ECDsa.Create();
        key.ImportFromPem(spec.KeyPem);
        using var tokens = new TestTokens(key, spec.Kid);
        void Shared(IServiceCollection services) => services.AddSingleton<ISigningKeySource>(tokens);
        try
        {
            await using var messaging = new ServiceHost<MessagingProgram>(spec.Messaging, Shared).Start(
                spec.MessagingPort
            );
            Console.WriteLine(Reply + "messaging");
            if (await Console.In.ReadLineAsync() != "gateway")
                return 0;
            var gateway = new ServiceHost<GatewayProgram>(spec.Gateway, Shared).Start(spec.GatewayPort);
            var gatewayStopped = false;
            try
            {
                var presence = messaging.Services.GetRequiredService<MessagingApi::Community.Messaging.HubPresence>();
                using var stalls = new StallWatch();
                Console.WriteLine(Reply + "ready");
                while (await Console.In.ReadLineAsync() is { } question)
                {
                    if (question == "stop gateway")
                    {
                        // Every node's gateway stops before any instance does, so none probes one that is gone.
                        await gateway.DisposeAsync();
                        gatewayStopped = true;
                        Console.WriteLine(Reply + "gateway stopped");
                        continue;
                    }
                    Console.WriteLine(
                        Reply
                            + question.Split(' ') switch
                            {
                                ["held"] => presence.HeldCount.ToString(CultureInfo.InvariantCulture),
                                ["jit"] => JitInfo.GetCompiledMethodCount().ToString(CultureInfo.InvariantCulture),
                                ["stalls", var ticks] => stalls.Since(
                                    new DateTime(long.Parse(ticks, CultureInfo.InvariantCulture), DateTimeKind.Utc)
                                ),
                                _ => "?",
                            }
                    );
                }
                return 0;
            }
            finally
            {
                if (!gatewayStopped)
                    await gateway.DisposeAsync();
            }
        }
        catch (Exception e)
        {
            Console.WriteLine(Reply + e.GetType().Name + ": " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    private sealed record NodeSpec(
        int MessagingPort,
        int GatewayPort,
        Dictionary<string, string?> Messaging,
        Dictionary<string, string?> Gateway,
        string KeyPem,
        string Kid
    );
}
