using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Social.Tests;

/// <summary>
/// The social service on real Kestrel with its own database and vhost, a movable clock, and
/// tokens signed by a test key standing in for identity's. Users exist for social once identity's
/// UserRegistered reached it: <see cref="RegisteredAsync"/> plays identity.
/// </summary>
public class SocialFixture : ServiceFixture<Program>
{
    public SocialFixture()
        : base(ResourceNames.Social)
    {
        // Streaks, active days, daily messages and ages are counted by the UTC day: a test class runs well within half
        // an hour, so its tests and the service agree on "today" throughout.
        Clock.AwayFromMidnight(TimeSpan.FromMinutes(30));
    }

    /// <summary>A user identity announced (with a profile), and a token for them.</summary>
    public async Task<(Guid Id, string Token, string Username)> RegisteredAsync(
        string? region = "Dubai Marina",
        string[]? interests = null,
        string tier = Tiers.Free,
        string? gender = null,
        DateOnly? born = null
    )
    {
        var id = Guid.NewGuid();
        var username = "u" + id.ToString("N")[..10];
        var now = Clock.GetUtcNow();
        await DeliverAsync(
            new UserRegistered(
                Guid.NewGuid(),
                now,
                id,
                username,
                username + "@example.com",
                null,
                "User " + username,
                Roles.Member,
                "REF" + id.ToString("N")[..6],
                null
            )
        );
        await DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                now,
                id,
                username,
                "User " + username,
                region,
                null,
                null,
                interests ?? ["fitness", "travel"],
                ["en"],
                null,
                ["region", "interests"]
            )
            {
                Bio = "Hello",
                Gender = gender,
                DateOfBirth = born,
            }
        );
        return (id, Tokens.Issue(id, Roles.Member, tier), username);
    }

    /// <summary>
    /// Publishes <paramref name="message"/> and waits until the service's one consumer of <typeparamref name="T"/> is
    /// done with it, for a message that consumer ignores (Concerns): an ignored message leaves no inbox row to wait
    /// for.
    /// </summary>
    public async Task DeliverIgnoredAsync<T>(T message)
        where T : class, IIntegrationEvent
    {
        var consumed = new Consumed<T>(message.MessageId);
        using var observer = Host.Services.GetRequiredService<IBus>().ConnectConsumeMessageObserver(consumed);
        await PublishAsync(message);
        await consumed.Done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class Consumed<T>(Guid messageId) : IConsumeMessageObserver<T>
        where T : class
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task PreConsume(ConsumeContext<T> context) => Task.CompletedTask;

        public Task PostConsume(ConsumeContext<T> context)
        {
            if (context.MessageId == messageId)
                Done.TrySetResult();
            return Task.CompletedTask;
        }

        public Task ConsumeFault(ConsumeContext<T> context, Exception exception)
        {
            if (context.MessageId == messageId)
                Done.TrySetException(exception);
            return Task.CompletedTask;
        }
    }
}
