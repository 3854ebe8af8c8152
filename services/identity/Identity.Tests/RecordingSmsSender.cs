using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Community.Identity.Verification;

namespace Community.Identity.Tests;

/// <summary>Stands in for an SMS provider: keeps every text identity sends, so tests read the codes.</summary>
public sealed partial class RecordingSmsSender : ISmsSender
{
    public ConcurrentQueue<SmsMessage> Messages { get; } = new();

    /// <summary>No provider configured: every text refused, as the default sender does outside Development.</summary>
    public bool Unavailable { get; set; }

    public Task EnsureAvailableAsync(CancellationToken cancellationToken) =>
        Unavailable ? throw new SmsUnavailableException("Text messages cannot be sent right now.") : Task.CompletedTask;

    public Task SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        if (Unavailable)
            throw new SmsUnavailableException("Text messages cannot be sent right now.");
        Messages.Enqueue(message);
        return Task.CompletedTask;
    }

    /// <summary>The code in the newest text to <paramref name="phone"/>; fails when none was sent.</summary>
    public string LastCodeTo(string phone)
    {
        var message =
            Messages.LastOrDefault(m => m.To == phone)
            ?? throw new Xunit.Sdk.XunitException($"No text message reached {phone}.");
        return SixDigits().Match(message.Text).Value;
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
