using Community.AiCompanion.Conversation.Model;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>The claims of sends being answered (<c>companion_sends</c>), as other features may judge them.</summary>
public sealed class SendClaimsAccess(IOptions<CompanionModelOptions> options)
{
    /// <summary>
    /// A claim taken before this belongs to a send whose process died: no reply takes longer (the model's whole
    /// stream, and a minute to store it).
    /// </summary>
    public DateTimeOffset AbandonedBefore(DateTimeOffset now) => now - options.Value.StreamTimeout - Margin;

    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
}
