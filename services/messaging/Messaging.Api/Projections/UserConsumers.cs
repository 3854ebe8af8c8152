using Community.Contracts.Identity;
using Community.Messaging.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Messaging.Projections;

// The names shown beside messages. Inbox consumers (a redelivery is skipped) whose writes compare as-of
// times (an older message changes nothing); a deleted user stays deleted.

public sealed class UserRegisteredConsumer(MessagingDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<UserRegistered> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await UserNames.SetAsync(Db, m.UserId, m.Username, m.FullName, m.OccurredAt, cancellationToken);
        // The notification digest's address; only registration carries it (profile updates do not), and it is mailed once proven.
        await Db.Database.ExecuteSqlAsync(
            $"UPDATE users SET email = {m.Email}, email_verified = email_verified OR {m.IsVerified} WHERE user_id = {m.UserId} AND NOT deleted",
            cancellationToken
        );
    }
}

public sealed class UserProfileUpdatedConsumer(MessagingDbContext db, ILogger<UserProfileUpdatedConsumer> logger)
    : IdempotentConsumer<UserProfileUpdated, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<UserProfileUpdated> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await UserNames.SetAsync(Db, m.UserId, m.Username, m.FullName, m.OccurredAt, cancellationToken);
        // A proof once made stays (an older update arriving late must not take it back).
        if (m.IsVerified)
            await Db.Database.ExecuteSqlAsync(
                $"UPDATE users SET email_verified = true WHERE user_id = {m.UserId} AND NOT deleted",
                cancellationToken
            );
    }
}

/// <summary>A deleted account keeps its messages' sequence numbers but loses its name and its connections.</summary>
public sealed class UserDeletedConsumer(MessagingDbContext db, ILogger<UserDeletedConsumer> logger)
    : IdempotentConsumer<UserDeleted, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<UserDeleted> context, CancellationToken cancellationToken)
    {
        var (userId, at) = (context.Message.UserId, context.Message.OccurredAt);
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO users (user_id, username, display_name, deleted, as_of) VALUES ({userId}, '', NULL, true, {at})
            ON CONFLICT (user_id) DO UPDATE SET username = '', display_name = NULL, email = NULL, deleted = true, as_of = GREATEST(users.as_of, EXCLUDED.as_of)
            """,
            cancellationToken
        );
        await Db
            .Connections.Where(c => c.UserLow == userId || c.UserHigh == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Connected, false), cancellationToken);
    }
}

public static class UserNames
{
    public static Task SetAsync(
        MessagingDbContext db,
        Guid userId,
        string username,
        string? displayName,
        DateTimeOffset at,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO users (user_id, username, display_name, deleted, as_of) VALUES ({userId}, {username}, {displayName}, false, {at})
            ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, display_name = EXCLUDED.display_name, as_of = EXCLUDED.as_of
            WHERE users.as_of < EXCLUDED.as_of AND NOT users.deleted
            """,
            cancellationToken
        );
}
