using Community.AiCompanion.Conversation.Model;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>The claims of sends being answered (<c>companion_sends</c>), as other features may judge them.</summary>
public sealed class SendClaimsAccess(IOptions<CompanionModelOptions> options)
{
    /// <summary>
    /// How long a send waits for another send of its client_txn_id to be answered; its claim is dated before the wait.
    /// </summary>
    public static readonly TimeSpan ClaimWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A claim taken before this belongs to a send whose process died: no live send holds one longer (the wait before
    /// its claim, the model asked twice when the prompt is refused as too long: two whole replies' calls with their
    /// retries, or a stream's first piece and a whole stream, whichever may be longer, and a minute to store it). A
    /// live send taken over would have the model asked twice, and its caller a 409 after a full reply.
    /// </summary>
    public DateTimeOffset AbandonedBefore(DateTimeOffset now)
    {
        var model = options.Value;
        var whole = 2 * model.Timeout;
        var streamed =
            (model.StreamIdleTimeout < model.StreamTimeout ? model.StreamIdleTimeout : model.StreamTimeout)
            + model.StreamTimeout;
        return now - ClaimWait - (whole > streamed ? whole : streamed) - Margin;
    }

    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
}
