using Community.AiCompanion.Conversation;
using Community.AiCompanion.Conversation.Model;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Tests;

public sealed class SendClaimsTests
{
    /// <summary>
    /// A claim counts as abandoned only once the longest live send is over: the 20 s wait before its claim, the model
    /// asked twice (the prompt refused as too long, then without the history), whole replies or a stream's first piece
    /// and a whole stream, whichever is longer, and a minute to store. A model configured slower than its stream (a
    /// self-hosted one) is not asked twice for one live send.
    /// </summary>
    [Theory]
    [InlineData(30, 20, 120, 20 + 20 + 120 + 60)]
    [InlineData(90, 20, 120, 20 + 2 * 90 + 60)]
    [InlineData(300, 20, 120, 20 + 2 * 300 + 60)]
    [InlineData(30, 60, 45, 20 + 45 + 45 + 60)]
    public void A_claim_is_abandoned_only_after_the_longest_live_send_and_a_minute(
        int timeout,
        int idle,
        int stream,
        int after
    )
    {
        var claims = new SendClaimsAccess(
            Options.Create(
                new CompanionModelOptions
                {
                    Timeout = TimeSpan.FromSeconds(timeout),
                    StreamIdleTimeout = TimeSpan.FromSeconds(idle),
                    StreamTimeout = TimeSpan.FromSeconds(stream),
                }
            )
        );
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(now - TimeSpan.FromSeconds(after), claims.AbandonedBefore(now));
    }
}
