using System.Threading.Channels;
using Community.ServiceDefaults.Mail;

namespace Community.Identity;

/// <summary>
/// Mail a request must not wait for: whether it is sent tells something the answer keeps to itself (a password reset
/// or a waitlist place goes only to an address that has an account or a place, and an SMTP exchange takes hundreds of
/// milliseconds), so the request queues it and answers at once; so do the notices of a change already committed
/// (<see cref="SecurityNotices"/>), which the answer must not depend on. A mail that only some requests would send can
/// also be written in the queue (<see cref="Compose"/>), with the work deciding it (counting, a token stored), so that
/// this work is not part of the request's time either. One sender works through the queue, the notices' lane first
/// (<see cref="SendNotice"/>); a
/// message the mail server refuses or cannot take is logged, as before, for the person to ask again. Stopping sends
/// what is queued before the host's shutdown time runs out.
/// </summary>
public sealed class MailInBackground(IEmailSender sender, IServiceScopeFactory scopes, ILogger<MailInBackground> logger)
    : BackgroundService
{
    /// <summary>
    /// More waiting than this in a lane means the mail server is down or far behind: later ones are dropped, and
    /// logged.
    /// </summary>
    public const int Capacity = 1_000;

    // Two lanes, notices first: anyone may ask for password resets and waitlist mail, from as many addresses as they
    // have, and the notices of changes made to an account (a new password, two-factor sign-in off) must not wait
    // behind them, or be dropped for a queue they filled.
    private readonly Channel<Queued> _notices = Lane();
    private readonly Channel<Queued> _requests = Lane();
    private Task<bool>? _noticesReady;
    private Task<bool>? _requestsReady;

    private static Channel<Queued> Lane() =>
        Channel.CreateBounded<Queued>(
            new BoundedChannelOptions(Capacity) { SingleReader = false, FullMode = BoundedChannelFullMode.Wait }
        );

    private sealed record Queued(Composer Compose, string About);

    /// <summary>Writes a queued mail when its turn comes, with a scope of its own; null sends nothing.</summary>
    public delegate Task<EmailMessage?> Composer(IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>
    /// Queues <paramref name="message"/>; <paramref name="about"/> names it in the log without the address (an
    /// account id, "waitlist status").
    /// </summary>
    public void Send(EmailMessage message, string about) =>
        Compose((_, _) => Task.FromResult<EmailMessage?>(message), about);

    /// <summary>
    /// Queues the notice of a change made to an account (<see cref="SecurityNotices"/>) in a lane of its own, sent
    /// before any mail asked for: a flood of those neither delays nor drops it.
    /// </summary>
    public void SendNotice(EmailMessage message, string about) =>
        Queue(_notices, new Queued((_, _) => Task.FromResult<EmailMessage?>(message), about));

    /// <summary>
    /// Queues a mail that <paramref name="compose"/> decides on and writes when its turn comes (null: none is sent),
    /// in a scope of its own; <paramref name="about"/> as for <see cref="Send"/>.
    /// </summary>
    public void Compose(Composer compose, string about) => Queue(_requests, new Queued(compose, about));

    private void Queue(Channel<Queued> lane, Queued mail)
    {
        Interlocked.Increment(ref _pending);
        if (lane.Writer.TryWrite(mail))
            return;
        Interlocked.Decrement(ref _pending);
        logger.LogWarning(
            "The mail queue is full ({Capacity}) or the service is stopping: {About} was not sent",
            Capacity,
            mail.About
        );
    }

    private int _pending;

    /// <summary>Once every message queued so far has been handed to the mail server or given up on.</summary>
    public async Task SentAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _pending) > 0)
            await Task.Delay(20, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Read to the end, stopping or not: StopAsync ends the lanes, and what they held is still sent.
        while (await NextAsync() is (var compose, var about))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (await compose(scope.ServiceProvider, CancellationToken.None) is { } message)
                    await sender.SendAsync(message, CancellationToken.None);
            }
            catch (ServiceUnavailableException e)
            {
                logger.LogWarning("The e-mail of {About} was not sent ({Reason})", about, e.Data["cause"]);
            }
            catch (Exception e)
            {
                // Whatever else goes wrong with one message, the next ones are still sent.
                logger.LogError(e, "The e-mail of {About} was not sent", about);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>The next mail, a notice before any other; null once both lanes are ended and empty.</summary>
    private async Task<Queued?> NextAsync()
    {
        while (true)
        {
            if (_notices.Reader.TryRead(out var mail) || _requests.Reader.TryRead(out mail))
                return mail;
            // One wait on each lane at a time, kept until it ends: the other lane's may end first.
            _noticesReady ??= _notices.Reader.WaitToReadAsync().AsTask();
            _requestsReady ??= _requests.Reader.WaitToReadAsync().AsTask();
            var (noticesEnded, requestsEnded) = (Ended(_noticesReady), Ended(_requestsReady));
            if (noticesEnded && requestsEnded)
                return null;
            Task either =
                noticesEnded ? _requestsReady
                : requestsEnded ? _noticesReady
                : Task.WhenAny(_noticesReady, _requestsReady);
            await either;
            if (_noticesReady is { IsCompleted: true, Result: true })
                _noticesReady = null;
            if (_requestsReady is { IsCompleted: true, Result: true })
                _requestsReady = null;
        }
    }

    private static bool Ended(Task<bool> ready) => ready is { IsCompleted: true, Result: false };

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _notices.Writer.TryComplete();
        _requests.Writer.TryComplete();
        if (ExecuteTask is null)
            return;
        try
        {
            await ExecuteTask.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning(
                "Stopped with {Count} e-mails not sent yet (password resets, waitlist places, security notices): "
                    + "the mail server is slow or away",
                Volatile.Read(ref _pending)
            );
        }
    }
}
