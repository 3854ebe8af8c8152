using Community.Contracts.Messaging;
using Community.ServiceDefaults.Data;
using MassTransit;
using NewId = Community.ServiceDefaults.Api.NewId;

namespace Community.Social.Feed;

// Messaging's threads as group activity, shown as the feed shows any group's activity.

/// <summary>
/// A member started a thread in a group social knows (a thread whose ThreadDeleted came first is left out).
/// </summary>
public sealed class FeedNewThreadConsumer(SocialDbContext db, ILogger<FeedNewThreadConsumer> logger)
    : IdempotentConsumer<NewThread, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<NewThread> context, CancellationToken cancellationToken)
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await FeedThreads.TitleAsync(Db, m.ThreadId, m.Title, at, cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activities (id, kind, actor_id, subject_id, group_id, visible, occurred_at)
            SELECT {NewId.Next(at)}, {ActivityKinds.ThreadStarted}, {m.AuthorUserId}, {m.ThreadId}, g.id, true, {at}
            FROM groups g
            WHERE g.id = {m.GroupId}
              AND NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = {m.AuthorUserId}
                  AND p.deleted_at IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM feed_threads t WHERE t.thread_id = {m.ThreadId} AND t.deleted)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
    }
}

/// <summary>A thread's new title, for the feed to show (a change handled after a newer one changes nothing).</summary>
public sealed class FeedThreadRenamedConsumer(SocialDbContext db, ILogger<FeedThreadRenamedConsumer> logger)
    : IdempotentConsumer<ThreadRenamed, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<ThreadRenamed> context, CancellationToken cancellationToken) =>
        FeedThreads.TitleAsync(
            Db,
            context.Message.ThreadId,
            context.Message.Title,
            context.Message.OccurredAt.ToUniversalTime(),
            cancellationToken
        );
}

internal static class FeedThreads
{
    /// <summary>
    /// The thread's title as of <paramref name="at"/>, unless the thread is deleted or its title is newer. Its row
    /// holds the thread from this statement to the commit, for ThreadDeleted's marker to wait on.
    /// </summary>
    public static Task TitleAsync(
        SocialDbContext db,
        Guid threadId,
        string title,
        DateTimeOffset at,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO feed_threads (thread_id, title, title_as_of) VALUES ({threadId}, {title}, {at})
            ON CONFLICT (thread_id) DO UPDATE SET title = EXCLUDED.title, title_as_of = EXCLUDED.title_as_of
            WHERE NOT feed_threads.deleted
              AND (feed_threads.title_as_of IS NULL OR feed_threads.title_as_of < EXCLUDED.title_as_of)
            """,
            cancellationToken
        );
}

/// <summary>A deleted thread is no longer news; its marker stays for a NewThread that is still on its way.</summary>
public sealed class FeedThreadDeletedConsumer(SocialDbContext db, ILogger<FeedThreadDeletedConsumer> logger)
    : IdempotentConsumer<ThreadDeleted, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ThreadDeleted> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // The marker first: its upsert waits for a NewThread being recorded (which holds the thread's row from its
        // first statement to its commit), so the delete after it sees that NewThread's activity; and a NewThread
        // recorded after it finds the marker. Deleting first would miss an activity committed in between.
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO feed_threads (thread_id, title, deleted) VALUES ({m.ThreadId}, NULL, true)
            ON CONFLICT (thread_id) DO UPDATE SET title = NULL, deleted = true
            """,
            cancellationToken
        );
        await Db.Database.ExecuteSqlAsync(
            $"DELETE FROM activities WHERE kind = {ActivityKinds.ThreadStarted} AND subject_id = {m.ThreadId}",
            cancellationToken
        );
    }
}
