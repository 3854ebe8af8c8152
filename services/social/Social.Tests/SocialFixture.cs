using Community.Contracts;
using Community.Contracts.Identity;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Social.Tests;

/// <summary>
/// The social service on real Kestrel with its own database and vhost, a movable clock, and
/// tokens signed by a test key standing in for identity's. Users exist for social once identity's
/// UserRegistered reached it: <see cref="RegisteredAsync"/> plays identity.
/// </summary>
public class SocialFixture() : ServiceFixture<Program>(ResourceNames.Social)
{
    /// <summary>Publishes <paramref name="message"/> as its publisher would (its MessageId is the bus message id).</summary>
    public Task PublishAsync<T>(T message) where T : class, IIntegrationEvent =>
        Host.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = message.MessageId);

    /// <summary>Waits until <paramref name="consumer"/> recorded <paramref name="messageId"/> in its inbox.</summary>
    public Task HandledAsync(Guid messageId, string consumer) => Eventually.TrueAsync(
        async () => await ScalarAsync<long>(
            "SELECT count(*) FROM inbox_messages WHERE message_id = @id AND consumer LIKE @consumer", ("id", messageId), ("consumer", "%." + consumer)) == 1,
        $"{consumer} never handled {messageId}");

    /// <summary>Publishes <paramref name="message"/> and waits until <paramref name="consumer"/> handled it.</summary>
    public async Task DeliverAsync<T>(T message, string? consumer = null) where T : class, IIntegrationEvent
    {
        await PublishAsync(message);
        await HandledAsync(message.MessageId, consumer ?? typeof(T).Name + "Consumer");
    }

    /// <summary>A user identity announced (with a profile), and a token for them.</summary>
    public async Task<(Guid Id, string Token, string Username)> RegisteredAsync(
        string? region = "Dubai Marina", string[]? interests = null, string tier = Tiers.Free, string? gender = null, DateOnly? born = null)
    {
        var id = Guid.NewGuid();
        var username = "u" + id.ToString("N")[..10];
        var now = Clock.GetUtcNow();
        await DeliverAsync(new UserRegistered(Guid.NewGuid(), now, id, username, username + "@example.com", null, "User " + username, Roles.Member, "REF" + id.ToString("N")[..6], null));
        await DeliverAsync(new UserProfileUpdated(Guid.NewGuid(), now, id, username, "User " + username, region, null, null,
            interests ?? ["fitness", "travel"], ["en"], null, ["region", "interests"]) { Bio = "Hello", Gender = gender, DateOfBirth = born });
        return (id, Tokens.Issue(id, Roles.Member, tier), username);
    }
}
