using Community.Contracts.Identity;
using Community.Events.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Users;

/// <summary>
/// A user's display names as identity last announced them (events never calls identity). A deleted
/// user keeps a nameless row so a late profile message cannot bring the name back.
/// </summary>
public sealed class UserProfile
{
    public Guid UserId { get; set; }
    public string? Username { get; set; }
    public string? FullName { get; set; }

    /// <summary>When identity published what this row says; older messages change nothing.</summary>
    public DateTimeOffset AsOf { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public sealed class UserProfileConfiguration : IEntityTypeConfiguration<UserProfile>
{
    public void Configure(EntityTypeBuilder<UserProfile> e)
    {
        e.ToTable("user_profiles");
        e.HasKey(p => p.UserId);
    }
}

/// <summary>Writes the projection: one statement each, so messages racing or arriving out of order leave the newest.</summary>
public static class UserProfileProjection
{
    public static Task<int> UpsertAsync(
        EventsDbContext db,
        Guid userId,
        string username,
        string? fullName,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, full_name, as_of) VALUES ({userId}, {username}, {fullName}, {asOf.ToUniversalTime()})
            ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, full_name = EXCLUDED.full_name, as_of = EXCLUDED.as_of
            WHERE user_profiles.deleted_at IS NULL AND user_profiles.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );

    public static Task<int> EraseAsync(
        EventsDbContext db,
        Guid userId,
        DateTimeOffset deletedAt,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, full_name, as_of, deleted_at) VALUES ({userId}, NULL, NULL, {deletedAt.ToUniversalTime()}, {deletedAt.ToUniversalTime()})
            ON CONFLICT (user_id) DO UPDATE SET username = NULL, full_name = NULL, as_of = GREATEST(user_profiles.as_of, EXCLUDED.as_of),
                deleted_at = COALESCE(user_profiles.deleted_at, EXCLUDED.deleted_at)
            """,
            cancellationToken
        );
}

/// <summary>A new account's names enter the projection (attendee lists show them).</summary>
public sealed class UserRegisteredConsumer(EventsDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, EventsDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserRegistered> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.UpsertAsync(Db, m.UserId, m.Username, m.FullName, m.OccurredAt, cancellationToken);
    }
}

/// <summary>A changed profile replaces the projected names, unless a newer message already did.</summary>
public sealed class UserProfileUpdatedConsumer(EventsDbContext db, ILogger<UserProfileUpdatedConsumer> logger)
    : IdempotentConsumer<UserProfileUpdated, EventsDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserProfileUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.UpsertAsync(Db, m.UserId, m.Username, m.FullName, m.OccurredAt, cancellationToken);
    }
}
