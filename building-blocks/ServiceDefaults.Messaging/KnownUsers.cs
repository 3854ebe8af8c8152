using System.Collections.Concurrent;
using System.Diagnostics;
using Community.Contracts.Identity;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Community.ServiceDefaults.Messaging;

/// <summary>How long a write by a user not announced yet waits for identity's UserRegistered.</summary>
public sealed class KnownUsersOptions
{
    public const string Section = "KnownUsers";

    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After this much of the wait, identity is asked to announce the user again (UserAnnouncementRequested): their
    /// UserRegistered is late or was lost. A new account's announcement arrives well before it.
    /// </summary>
    public TimeSpan AskAfter { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The <c>known_users</c> table, filled from identity's events by <see cref="KnownUsersConsumer"/>. A user seen once
/// is remembered by this instance (a deleted user's sessions end with the deletion, so their tokens go anyway).
/// A user still unknown after <see cref="KnownUsersOptions.AskAfter"/> is asked of identity, at most once a minute by
/// this instance: a UserRegistered published before this service's queue was bound (identity's seeded admins, on a
/// platform's first start) went nowhere, and identity announces the account again.
/// </summary>
public sealed class KnownUsers(
    NpgsqlDataSource dataSource,
    IOptions<KnownUsersOptions> options,
    IBus bus,
    BusInstance instance,
    TimeProvider clock,
    ILogger<KnownUsers> logger
) : IKnownSubjects
{
    private const int RememberedAtMost = 100_000;
    private const int AskedAtMost = 10_000;
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan AskFor = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Guid, byte> _remembered = new();
    private readonly ConcurrentDictionary<Guid, long> _asked = new();

    public async ValueTask<bool> IsKnownAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (_remembered.ContainsKey(userId))
            return true;
        // Real time, not the service's clock: this waits for a message on its way.
        var waited = Stopwatch.StartNew();
        var asked = false;
        while (!await ExistsAsync(userId, cancellationToken))
        {
            if (waited.Elapsed >= options.Value.Wait)
                return false;
            if (!asked && waited.Elapsed >= options.Value.AskAfter)
            {
                asked = true;
                await AskIdentityAsync(userId, cancellationToken);
            }
            await Task.Delay(PollEvery, cancellationToken);
        }
        if (_remembered.Count >= RememberedAtMost)
            _remembered.Clear();
        _remembered.TryAdd(userId, 0);
        return true;
    }

    private async Task AskIdentityAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        if (_asked.TryGetValue(userId, out var last) && Stopwatch.GetElapsedTime(last, now) < AskAgainAfter)
            return;
        if (_asked.Count >= AskedAtMost)
            _asked.Clear();
        _asked[userId] = now;
        var request = new UserAnnouncementRequested(Guid.CreateVersion7(), clock.GetUtcNow(), userId, instance.Service);
        // A broker that is down would hold the publish; the write waits for the announcement, not for this.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(AskFor);
        try
        {
            await bus.Publish(request, context => context.MessageId = request.MessageId, bounded.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The broker is down: nothing announces anyone now, and the write is refused when the wait ends.
            logger.LogInformation(e, "Could not ask identity about user {UserId}", userId);
        }
    }

    private async Task<bool> ExistsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM known_users WHERE user_id = $1 AND deleted_at IS NULL)"
        );
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

/// <summary>
/// Records identity's announcements in <c>known_users</c>; each statement is idempotent, so no inbox row is needed.
/// </summary>
public sealed class KnownUsersConsumer(NpgsqlDataSource dataSource) : IConsumer<UserRegistered>, IConsumer<UserDeleted>
{
    public Task Consume(ConsumeContext<UserRegistered> context) =>
        ExecuteAsync(
            "INSERT INTO known_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING",
            context.Message.UserId,
            null,
            context.CancellationToken
        );

    public Task Consume(ConsumeContext<UserDeleted> context) =>
        ExecuteAsync(
            "INSERT INTO known_users (user_id, deleted_at) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET "
                + "deleted_at = excluded.deleted_at",
            context.Message.UserId,
            context.Message.OccurredAt.ToUniversalTime(),
            context.CancellationToken
        );

    private async Task ExecuteAsync(
        string sql,
        Guid userId,
        DateTimeOffset? deletedAt,
        CancellationToken cancellationToken
    )
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        if (deletedAt is { } at)
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
