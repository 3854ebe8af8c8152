using Community.Contracts;
using Microsoft.Extensions.Logging;

namespace Community.Gateway.Tests;

/// <summary>
/// A service instance that fails many requests at once (killed with its WebSockets open, say) is a warning with the
/// first failure and, when the window after it ends, one warning counting the others: never one line a request.
/// </summary>
public sealed class ForwardingLogTests : IAsyncLifetime
{
    private readonly TestTokens _tokens = new();
    private readonly LogCapture _logs = new();
    private FakeBackend _identity = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _identity = await FakeBackend.StartAsync(_tokens);
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = _identity.BaseAddress.ToString().TrimEnd('/'),
                [$"Services:{ResourceNames.Messaging}"] = GatewayHost.DeadAddress(),
                [ForwardingLog.WindowSetting] = "00:00:05",
            },
            _logs.AddTo
        );
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _identity.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task Failures_of_an_instance_are_logged_first_then_counted_once_per_window()
    {
        var token = _tokens.Issue();
        _logs.Clear();
        const int Failing = 12;
        for (var i = 0; i < Failing; i++)
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(token)).StatusCode);

        // at once: the first failure (per instance, and once no instance is left), each with its exception
        var first = Forwarding();
        Assert.InRange(first.Count, 1, 2);
        Assert.All(first, w => Assert.Contains(ResourceNames.Messaging, w.Message));
        Assert.All(first, w => Assert.NotNull(w.Exception));

        // when the window ends: one line per instance that counts the rest
        await Eventually.TrueAsync(
            () => Task.FromResult(Forwarding().Count > first.Count),
            "the failures after the first were summed up"
        );
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        var summaries = Forwarding().Skip(first.Count).ToList();
        Assert.InRange(summaries.Count, 1, first.Count);
        Assert.All(summaries, s => Assert.Matches(@"^\d+ more requests to messaging \(.+\) failed within", s.Message));
        Assert.Equal(Failing, first.Count + summaries.Sum(s => int.Parse(s.Message.Split(' ')[0])));
        Assert.All(_logs.AtLeast(LogLevel.Warning), w => Assert.Equal(ForwardingLog.Category, w.Category));

        // a failure after the window is logged whole again
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(token)).StatusCode);
        Assert.Equal(first.Count + summaries.Count + 1, Forwarding().Count);
    }

    private List<LogEntry> Forwarding() =>
        [.. _logs.AtLeast(LogLevel.Warning).Where(e => e.Category == ForwardingLog.Category)];

    private async Task<HttpResponseMessage> GetAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/conversations");
        request.Headers.Authorization = new("Bearer", token);
        return await _gateway.Client.SendAsync(request);
    }
}
