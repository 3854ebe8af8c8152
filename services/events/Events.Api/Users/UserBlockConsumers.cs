using Community.Contracts.Social;
using MassTransit;

namespace Community.Events.Users;

/// <summary>Social's block: the pair stop seeing and joining each other's events and courses.</summary>
public sealed class UserBlockedConsumer(EventsDbContext db, ILogger<UserBlockedConsumer> logger)
    : IdempotentConsumer<UserBlocked, EventsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<UserBlocked> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        await ErasureGate.EnterAsync(Db, cancellationToken);
        await UserBlockProjection.ApplyAsync(
            Db,
            m.BlockerUserId,
            m.BlockedUserId,
            true,
            m.OccurredAt,
            cancellationToken
        );
    }
}

/// <summary>A lifted block: the pair see and may join each other's events and courses again.</summary>
public sealed class UserUnblockedConsumer(EventsDbContext db, ILogger<UserUnblockedConsumer> logger)
    : IdempotentConsumer<UserUnblocked, EventsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<UserUnblocked> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await ErasureGate.EnterAsync(Db, cancellationToken);
        await UserBlockProjection.ApplyAsync(
            Db,
            m.BlockerUserId,
            m.BlockedUserId,
            false,
            m.OccurredAt,
            cancellationToken
        );
    }
}
