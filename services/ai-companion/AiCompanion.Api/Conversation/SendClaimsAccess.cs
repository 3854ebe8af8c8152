using Community.AiCompanion.Conversation.Model;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>The claims of sends being answered (<c>companion_sends</c>), as other features may judge them.</summary>
public sealed class SendClaimsAccess(IOptions<CompanionModelOptions> options)
{
    /// <summary>
    /// A claim taken before this belongs to a send whose process died: no reply takes longer (the model's whole
    /// stream, or a whole reply's call with its retries, whichever may be longer, and a minute to store it). A live
    /// send taken over would have the model asked twice, and its caller a 409 after a full reply.
    /// </summary>
    public DateTimeOffset AbandonedBefore(DateTimeOffset now)
    {
        var model = options.Value;
        return now - (model.Timeout > model.StreamTimeout ? model.Timeout : model.StreamTimeout) - Margin;
    }

    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
}
