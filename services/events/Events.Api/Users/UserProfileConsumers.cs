using Community.Contracts.Identity;
using MassTransit;

namespace Community.Events.Users;

/// <summary>A new account's names enter the projection (attendee lists show them).</summary>
public sealed class UserRegisteredConsumer(EventsDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, EventsDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserRegistered> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.RegisteredAsync(
            Db,
            m.UserId,
            m.Username,
            m.FullName,
            m.OccurredAt,
            cancellationToken
        );
    }
}

/// <summary>A changed profile replaces the projected names and picture, unless a newer message already did.</summary>
public sealed class UserProfileUpdatedConsumer(EventsDbContext db, ILogger<UserProfileUpdatedConsumer> logger)
    : IdempotentConsumer<UserProfileUpdated, EventsDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserProfileUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.ProfileAsync(
            Db,
            m.UserId,
            m.Username,
            m.FullName,
            m.ProfileImageUrl,
            m.OccurredAt,
            cancellationToken
        );
    }
}
