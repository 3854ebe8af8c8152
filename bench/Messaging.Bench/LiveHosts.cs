extern alias GatewayApp;
extern alias MessagingApi;
using System.Runtime;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.DependencyInjection;
using GatewayProgram = GatewayApp::Program;
using HubPresence = MessagingApi::Community.Messaging.HubPresence;
using MessagingProgram = MessagingApi::Program;

namespace Community.Messaging.Bench;

/// <summary>
/// Where the gateway(s) and messaging instances of a run live: two instances and one gateway in this process, or
/// nodes (a gateway and an instance each) in processes of their own. What the runs ask of them: the gateways'
/// addresses, the hub connections each instance holds, and the memory each process holds.
/// </summary>
public sealed class LiveHosts : IAsyncDisposable
{
    private readonly Func<Task<string>> _held;
    private readonly Func<Task<long>> _compiled;
    private readonly Func<DateTime, Task<IReadOnlyList<(string Process, StallWatch.Second[] Seconds)>>> _stalls;
    private readonly Func<IReadOnlyList<(string Process, long Bytes)>> _memory;
    private readonly StallWatch _here = new();
    private readonly Func<ValueTask> _dispose;

    private LiveHosts(
        string layout,
        IReadOnlyList<Uri> gateways,
        IServiceProvider? firstInstance,
        Func<Task<string>> held,
        Func<Task<long>> compiled,
        Func<DateTime, Task<IReadOnlyList<(string, StallWatch.Second[])>>> stalls,
        Func<IReadOnlyList<(string, long)>> memory,
        Func<ValueTask> dispose
    )
    {
        _stalls = stalls;
        Layout = layout;
        Gateways = gateways;
        FirstInstance = firstInstance;
        _held = held;
        _compiled = compiled;
        _memory = memory;
        _dispose = dispose;
    }

    public string Layout { get; }

    /// <summary>The gateways; client i uses gateway i % count, as a load balancer would spread them (without a
    /// gateway, the instances themselves).</summary>
    public IReadOnlyList<Uri> Gateways { get; }

    /// <summary>An instance's services when one runs in this process (the read run captures its SQL).</summary>
    public IServiceProvider? FirstInstance { get; }

    public Task<string> HeldPerInstanceAsync() => _held();

    /// <summary>Methods the JIT has compiled so far in every .NET process of the run (this one and the
    /// nodes).</summary>
    public async Task<long> CompiledMethodsAsync() => JitInfo.GetCompiledMethodCount() + await _compiled();

    /// <summary>Each process's stalled seconds since <paramref name="since"/>, this one (the clients) last.</summary>
    public async Task<IReadOnlyList<(string Process, StallWatch.Second[] Seconds)>> StallsAsync(DateTime since) =>
        [.. await _stalls(since), ("this process", StallWatch.Parse(_here.Since(since)))];

    /// <summary>Resident memory of each process of the run, this one (the clients) last.</summary>
    public IReadOnlyList<(string Process, long Bytes)> Memory() => _memory();

    public static LiveHosts InProcess(
        Func<Dictionary<string, string?>> messagingSettings,
        Func<Dictionary<string, string?>> gatewaySettings,
        TestTokens tokens,
        bool gateway
    )
    {
        void Shared(IServiceCollection services) => services.AddSingleton<ISigningKeySource>(tokens);
        var first = new ServiceHost<MessagingProgram>(messagingSettings(), Shared).Start();
        var second = new ServiceHost<MessagingProgram>(messagingSettings(), Shared).Start();
        var settings = gatewaySettings();
        settings[$"Services:{ResourceNames.Messaging}"] =
            $"{first.BaseAddress.ToString().TrimEnd('/')};{second.BaseAddress.ToString().TrimEnd('/')}";
        var proxy = gateway ? new ServiceHost<GatewayProgram>(settings, Shared).Start() : null;
        ServiceHost<MessagingProgram>[] instances = [first, second];
        return new LiveHosts(
            proxy is null
                ? "two messaging instances, the clients connected to them directly (no gateway), all in one process"
                : "two messaging instances behind the gateway, all in one process",
            proxy is null ? [first.BaseAddress, second.BaseAddress] : [proxy.BaseAddress],
            first.Services,
            () =>
                Task.FromResult(
                    string.Join(
                        " + ",
                        instances.Select(h => h.Services.GetRequiredService<HubPresence>().HeldCount).OrderDescending()
                    )
                ),
            () => Task.FromResult(0L),
            _ => Task.FromResult<IReadOnlyList<(string, StallWatch.Second[])>>([]),
            () => [("one process: clients, gateway, both instances", Environment.WorkingSet)],
            async () =>
            {
                if (proxy is not null)
                    await proxy.DisposeAsync();
                await second.DisposeAsync();
                await first.DisposeAsync();
            }
        );
    }

    public static async Task<LiveHosts> NodesAsync(
        int count,
        Func<Dictionary<string, string?>> messagingSettings,
        Func<Dictionary<string, string?>> gatewaySettings,
        TestTokens tokens
    )
    {
        var nodes = await Node.StartAsync(count, messagingSettings, gatewaySettings, tokens);
        return new LiveHosts(
            $"{count} nodes, each a gateway and a messaging instance in a process of its own",
            [.. nodes.Select(n => n.Gateway)],
            null,
            async () => string.Join(" + ", await Task.WhenAll(nodes.Select(n => n.HeldAsync()))),
            async () => (await Task.WhenAll(nodes.Select(n => n.CompiledMethodsAsync()))).Sum(),
            async since =>
                [
                    .. (await Task.WhenAll(nodes.Select(n => n.StallsAsync(since)))).Select(
                        (s, i) => ($"node {i + 1}", s)
                    ),
                ],
            () =>
                [
                    .. nodes.Select((n, i) => ($"node {i + 1} (gateway + instance)", n.ResidentBytes())),
                    ("clients (this process)", Environment.WorkingSet),
                ],
            async () =>
            {
                try
                {
                    await Task.WhenAll(nodes.Select(n => n.StopGatewayAsync()));
                }
                finally
                {
                    foreach (var node in nodes)
                        await node.DisposeAsync();
                }
            }
        );
    }

    public ValueTask DisposeAsync()
    {
        _here.Dispose();
        return _dispose();
    }
}
