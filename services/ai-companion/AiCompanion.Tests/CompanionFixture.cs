using Community.AiCompanion.Limits;
using MassTransit;

namespace Community.AiCompanion.Tests;

/// <summary>
/// The companion on real Kestrel with its own database and vhost, a movable clock, and tokens signed by a
/// test key. What other services would announce (users, profiles, tiers, blocks) the tests publish on the
/// bus as those services would, and wait until the companion's consumer handled it.
/// </summary>
public class CompanionFixture() : ServiceFixture<Program>(ResourceNames.AiCompanion)
{
    /// <summary>A user identity announced, and a token for them.</summary>
    public async Task<(Guid Id, string Token)> RegisteredAsync(string tier = Tiers.Free)
    {
        var id = Guid.NewGuid();
        var username = "u" + id.ToString("N")[..10];
        await DeliverAsync(
            new UserRegistered(
                Guid.NewGuid(),
                Tick(),
                id,
                username,
                null,
                null,
                "User " + username,
                Roles.Member,
                "REF",
                null
            )
        );
        return (id, Tokens.Issue(id, Roles.Member, tier));
    }

    /// <summary>The user's profile as identity would announce it after an update.</summary>
    public Task ProfileAsync(
        Guid userId,
        string? region = null,
        string? country = null,
        IReadOnlyList<string>? interests = null,
        DateOnly? dateOfBirth = null,
        string? identityBadge = null
    ) =>
        DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                Tick(),
                userId,
                "u" + userId.ToString("N")[..10],
                null,
                region,
                null,
                country,
                interests ?? [],
                [],
                null,
                ["region"]
            )
            {
                DateOfBirth = dateOfBirth,
                IdentityBadge = identityBadge,
            }
        );

    /// <summary>
    /// Publishes <paramref name="message"/> and waits until the companion consumed it, also when its consumer ignores
    /// it (<c>Concerns</c> false: no inbox row to wait for).
    /// </summary>
    public async Task ConsumedAsync<T>(T message)
        where T : class, IIntegrationEvent
    {
        var consumed = new ConsumedObserver<T>(message.MessageId);
        using var handle = Host.Services.GetRequiredService<IBus>().ConnectConsumeMessageObserver(consumed);
        await PublishAsync(message);
        await consumed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class ConsumedObserver<T>(Guid messageId) : IConsumeMessageObserver<T>
        where T : class
    {
        private readonly TaskCompletionSource _consumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Task => _consumed.Task;

        public Task PreConsume(ConsumeContext<T> context) => Task.CompletedTask;

        public Task PostConsume(ConsumeContext<T> context)
        {
            if (context.MessageId == messageId)
                _consumed.TrySetResult();
            return Task.CompletedTask;
        }

        public Task ConsumeFault(ConsumeContext<T> context, Exception exception)
        {
            if (context.MessageId == messageId)
                _consumed.TrySetException(exception);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Moves the clock past the next UTC midnight when fewer than <paramref name="hours"/> hours remain, so a test's
    /// day does not end midway.
    /// </summary>
    public void AwayFromMidnight(int hours = 3)
    {
        var (_, resetsAt) = AllowanceAccess.DayOf(Clock.GetUtcNow());
        if (resetsAt - Clock.GetUtcNow() < TimeSpan.FromHours(hours))
            Clock.Advance(resetsAt - Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
    }
}
