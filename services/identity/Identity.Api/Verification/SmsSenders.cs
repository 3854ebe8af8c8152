namespace Community.Identity.Verification;

public sealed record SmsMessage(string To, string Text);

/// <summary>
/// Sends account text messages (phone verification codes). Identity ships only the log sender; a provider plugs in
/// here.
/// </summary>
public interface ISmsSender
{
    Task SendAsync(SmsMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Throws <see cref="SmsUnavailableException"/> when no text can be sent at all (no provider), so a caller refuses
    /// before recording anything, whatever the number.
    /// </summary>
    Task EnsureAvailableAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>503: no way to send a text message is configured, so nothing was sent.</summary>
public sealed class SmsUnavailableException(string message) : DomainException(message)
{
    public override int StatusCode => StatusCodes.Status503ServiceUnavailable;
    public override string Title => "Service unavailable";
}

/// <summary>
/// The default sender: in Development the message, code included, goes to the log so a person can
/// try the flow. Anywhere else a logged code would let log readers verify any phone, so it refuses. The operator is
/// told once a process, at the first refusal (a warning: phones cannot be verified until a provider is plugged in);
/// the refusals after it are logged at Debug, so members asking cannot fill the log.
/// </summary>
public sealed class LogSmsSender(IHostEnvironment environment, ILogger<LogSmsSender> logger) : ISmsSender
{
    private int _told;

    public Task EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment())
            Refuse();
        return Task.CompletedTask;
    }

    public Task SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment())
            Refuse();
        logger.LogInformation(
            "SMS (no provider configured, Development only) to {To}: {Text}",
            message.To,
            message.Text
        );
        return Task.CompletedTask;
    }

    private void Refuse()
    {
        if (Interlocked.Exchange(ref _told, 1) == 0)
            logger.LogWarning(
                "No SMS provider is configured: phone numbers cannot be verified (answered 503) until one is. "
                    + "Said once; later refusals are logged at Debug"
            );
        else
            logger.LogDebug("No SMS provider is configured; a text message to a phone was not sent");
        throw new SmsUnavailableException("Text messages cannot be sent right now; try again later.");
    }
}
