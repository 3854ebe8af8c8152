using Community.ServiceDefaults.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Community.Identity.Tests;

/// <summary>
/// The mail sender's two lanes, with a mail server that takes one message at a time when the test says: a queue of
/// mail anyone may ask for (password resets) neither drops nor delays the notice of a change made to an account.
/// </summary>
public sealed class MailLanesTests : IDisposable
{
    [Fact]
    public async Task A_notice_is_sent_before_queued_requests_and_is_not_dropped_when_their_lane_is_full()
    {
        var server = new HeldMailServer();
        var mail = await StartedAsync(server);

        // the first reset is taken by the server, which holds it; the lane then fills, and one more is dropped
        mail.Send(Message("reset-0"), "reset 0");
        await server.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 1; i <= MailInBackground.Capacity + 1; i++)
            mail.Send(Message($"reset-{i}"), $"reset {i}");
        mail.SendNotice(Message("notice"), "a notice");

        server.Release(MailInBackground.Capacity + 2);
        await mail.SentAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await mail.StopAsync(CancellationToken.None);

        Assert.Equal(["reset-0", "notice"], server.Sent.Take(2));
        Assert.Equal(MailInBackground.Capacity + 2, server.Sent.Count);
        Assert.DoesNotContain($"reset-{MailInBackground.Capacity + 1}", server.Sent);
    }

    [Fact]
    public async Task Stopping_sends_what_both_lanes_hold()
    {
        var server = new HeldMailServer();
        var mail = await StartedAsync(server);
        mail.Send(Message("reset-0"), "reset 0");
        await server.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        mail.Send(Message("reset-1"), "reset 1");
        mail.SendNotice(Message("notice"), "a notice");

        var stopping = mail.StopAsync(CancellationToken.None);
        server.Release(3);
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["reset-0", "notice", "reset-1"], server.Sent);
    }

    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private async Task<MailInBackground> StartedAsync(HeldMailServer server)
    {
        var mail = new MailInBackground(
            server,
            _services.GetRequiredService<IServiceScopeFactory>(),
            NullLogger<MailInBackground>.Instance
        );
        await mail.StartAsync(CancellationToken.None);
        return mail;
    }

    private static EmailMessage Message(string subject) => new("someone@example.com", subject, "body");

    /// <summary>Takes each message once the test releases it; the first one's arrival is signalled.</summary>
    private sealed class HeldMailServer : IEmailSender
    {
        private readonly SemaphoreSlim _released = new(0);
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Sent { get; } = [];

        public Task Arrived => _arrived.Task;

        public void Release(int messages) => _released.Release(messages);

        public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            _arrived.TrySetResult();
            await _released.WaitAsync(cancellationToken);
            lock (Sent)
                Sent.Add(message.Subject);
        }
    }
}
