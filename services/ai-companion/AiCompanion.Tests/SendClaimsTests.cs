using Community.AiCompanion.Conversation;
using Community.AiCompanion.Conversation.Model;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Tests;

public sealed class SendClaimsTests
{
    /// <summary>
    /// A claim counts as abandoned only once the longest reply is over, a whole (unstreamed) reply's call included: a
    /// model configured slower than its stream (a self-hosted one) is not asked twice for one live send.
    /// </summary>
    [Theory]
    [InlineData(30, 120, 180)]
    [InlineData(300, 120, 360)]
    public void A_claim_is_abandoned_only_after_the_longest_reply_and_a_minute(int timeout, int stream, int after)
    {
        var claims = new SendClaimsAccess(
            Options.Create(
                new CompanionModelOptions
                {
                    Timeout = TimeSpan.FromSeconds(timeout),
                    StreamTimeout = TimeSpan.FromSeconds(stream),
                }
            )
        );
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(now - TimeSpan.FromSeconds(after), claims.AbandonedBefore(now));
    }
}
