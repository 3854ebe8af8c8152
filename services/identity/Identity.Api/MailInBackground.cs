using System.Threading.Channels;
using Community.ServiceDefaults.Mail;

namespace Community.Identity;

/// <summary>
/// Mail a request must not wait for: whether it is sent tells something the answer keeps to itself (a password reset
/// or a waitlist place goes only to an address that has an account or a place, and an SMTP exchange takes hundreds of
/// milliseconds), so the request queues it and answers at once; so do the notices of a change already committed
/// (<see cref="SecurityNotices"/>), which the answer must not depend on. A mail that only some requests would send can
/// also be written in the queue (<see cref="Compose"/>), with the work deciding it (counting, a token stored), so that
/// this work is not part of the request's time either. One sender works through the queue; a
/// message the mail server refuses or cannot take is logged, as before, for the person to ask again. Stopping sends
/// what is queued before the host's shutdown time runs out.
/// </summary>
public sealed class MailInBackground(IEmailSender sender, IServiceScopeFactory scopes, ILogger<MailInBackground> logger)
    : BackgroundService
{
    /// <summary>
    /// More waiting than this means the mail server is down or far behind: later ones are dropped, and logged.
    /// </summary>
    public const int Capacity = 1_000;

    private readonly Channel<(Composer Compose, string About)> _queue = Channel.CreateBounded<(Composer, string)>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }
    );

    /// <summary>Writes a queued mail when its turn comes, with a scope of its own; null sends nothing.</summary>
    public delegate Task<EmailMessage?> Composer(IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>
    /// Queues <paramref name="message"/>; <paramref name="about"/> names it in the log without the address (an
    /// account id, "waitlist status").
    /// </summary>
    public void Send(EmailMessage message, string about) =>
        Compose((_, _) => Task.FromResult<EmailMessage?>(message), about);

    /// <summary>
    /// Queues a mail that <paramref name="compose"/> decides on and writes when its turn comes (null: none is sent),
    /// in a scope of its own; <paramref name="about"/> as for <see cref="Send"/>.
    /// </summary>
    public void Compose(Composer compose, string about)
    {
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite((compose, about)))
            return;
        Interlocked.Decrement(ref _pending);
        logger.LogWarning(
            "The mail queue is full ({Capacity}) or the service is stopping: {About} was not sent",
            Capacity,
            about
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
        // Read to the end, stopping or not: StopAsync ends the queue, and what it held is still sent.
        await foreach (var (compose, about) in _queue.Reader.ReadAllAsync(CancellationToken.None))
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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
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
