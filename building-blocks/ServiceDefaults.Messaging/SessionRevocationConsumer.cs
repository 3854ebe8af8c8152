using Community.Contracts.Identity;
using Community.ServiceDefaults.Auth;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Puts identity's session ends into this instance's <see cref="SessionRevocations"/> the moment they
/// are published; ephemeral, because every instance must hear every one (the feed covers what it missed).
/// </summary>
public sealed class SessionRevocationConsumer(SessionRevocations revocations)
    : IEphemeralConsumer<SessionEnded>,
        IEphemeralConsumer<UserSessionsEnded>
{
    public Task Consume(ConsumeContext<SessionEnded> context)
    {
        var m = context.Message;
        revocations.Add(m.UserId, m.SessionId, null, m.TokensExpireBy);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<UserSessionsEnded> context)
    {
        var m = context.Message;
        revocations.Add(m.UserId, null, m.NotBefore, m.TokensExpireBy);
        return Task.CompletedTask;
    }
}
