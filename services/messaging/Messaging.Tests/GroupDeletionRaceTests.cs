using System.Data.Common;
using Community.Messaging.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.Messaging.Tests;

/// <summary>Messaging whose commits a test can hold (<see cref="CommitHold"/>).</summary>
public sealed class GroupDeletionRaceFixture : MessagingFixture
{
    public CommitHold Commits { get; } = new();

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.ConfigureDbContext<MessagingDbContext>(options => options.AddInterceptors(Commits));
    }
}

/// <summary>
/// Holds the next commit of a context the test picks before it is sent, with everything the transaction wrote and
/// locked still uncommitted, until the test lets it go.
/// </summary>
public sealed class CommitHold : DbTransactionInterceptor
{
    private readonly Lock _gate = new();
    private Func<DbContext, bool>? _armed;
    private TaskCompletionSource _reached = new();
    private TaskCompletionSource _released = new();

    /// <summary>Arms the hold: answers when the commit is reached; it goes on once released.</summary>
    public Task HoldNext(Func<DbContext, bool> of)
    {
        lock (_gate)
        {
            _armed = of;
            _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _reached.Task;
        }
    }

    public void Release() => _released.TrySetResult();

    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction,
        TransactionEventData eventData,
        InterceptionResult result,
        CancellationToken cancellationToken = default
    )
    {
        TaskCompletionSource? released = null;
        lock (_gate)
            if (_armed is { } of && eventData.Context is { } context && of(context))
            {
                _armed = null;
                _reached.TrySetResult();
                released = _released;
            }
        if (released is not null)
            await released.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return result;
    }
}

/// <summary>
/// A thread started while its group is deleted: the create (its thread, its first message, the members' notifications)
/// is held at its commit while social's GroupDeleted is handled. The deletion waits for it, so the thread is closed and
/// nobody keeps an unread notification of a thread that answers 404. And the other way round: a create begun while the
/// deletion is under way waits for it, and leaves nothing.
/// </summary>
public sealed class GroupDeletionRaceTests(GroupDeletionRaceFixture fx) : IClassFixture<GroupDeletionRaceFixture>
{
    private Task<long> OpenThreadsAsync(Guid groupId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM conversations WHERE group_id = @g AND kind = 'thread' AND NOT closed",
            ("g", groupId)
        )!;

    private Task<long> ThreadsAsync(Guid groupId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM threads WHERE group_id = @g", ("g", groupId))!;

    private Task<long> UnreadMessagesOfGroupAsync(Guid groupId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE kind = 'message_received' AND read_at IS NULL "
                + "AND data ->> 'group_id' = @g",
            ("g", groupId.ToString())
        )!;

    private Task<HttpResponseMessage> StartThreadAsync(string token, Guid groupId) =>
        fx.Client.PostJson(
            "/api/v1/threads",
            new
            {
                group_id = groupId,
                title = "Saturday",
                text = "Who dives?",
            },
            token
        );

    [Fact]
    public async Task A_thread_started_as_its_group_is_deleted_is_closed_and_leaves_no_unread_notification()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, _) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Divers", memberId);

        // Held once its send has written the thread's first message and the member's notification.
        var reached = fx.Commits.HoldNext(context =>
            context.ChangeTracker.Entries<GroupThread>().Any(t => t.Entity.GroupId == groupId)
        );
        var create = StartThreadAsync(owner, groupId);
        Task handled;
        try
        {
            await reached.WaitAsync(TimeSpan.FromSeconds(30));
            var deleted = new GroupDeleted(Guid.NewGuid(), fx.Tick(), groupId);
            await fx.PublishAsync(deleted);
            handled = fx.HandledAsync(deleted.MessageId, "GroupDeletedConsumer");
            // Ended at once (the code before the fix, which the assertions refuse), or waiting for the create.
            await fx.DoneOrWaitingOnALockAsync(
                () => handled.IsCompleted,
                "%pg_advisory_xact_lock%",
                1,
                "the deletion neither ended nor waited for the create"
            );
        }
        finally
        {
            fx.Commits.Release();
        }
        // Made, then found gone (404) or not yet (201): either way it was made before the deletion.
        using var created = await create;
        Assert.Contains((int)created.StatusCode, new[] { 201, 404 });
        await handled;

        Assert.Equal(1L, await ThreadsAsync(groupId));
        Assert.Equal(0L, await OpenThreadsAsync(groupId));
        Assert.Equal(0L, await UnreadMessagesOfGroupAsync(groupId));
    }

    [Fact]
    public async Task A_thread_started_while_its_group_is_being_deleted_waits_and_leaves_nothing()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, _) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Sailors", memberId);

        // The deletion held at its members' update, past the group's sends lock.
        var deleted = new GroupDeleted(Guid.NewGuid(), fx.Tick(), groupId);
        Task handled;
        Task<HttpResponseMessage> create;
        await using (
            var member = await fx.HoldAsync(
                "SELECT 1 FROM group_members WHERE group_id = @g AND user_id = @u FOR UPDATE",
                ("g", groupId),
                ("u", memberId)
            )
        )
        {
            await fx.PublishAsync(deleted);
            handled = fx.HandledAsync(deleted.MessageId, "GroupDeletedConsumer");
            await fx.WaitingOnALockAsync("%group_members%", 1, "the deletion never reached the members' update");
            create = StartThreadAsync(owner, groupId);
            await fx.WaitingOnALockAsync("%pg_advisory_xact_lock%", 1, "the create never waited for the deletion");
        }
        await handled;
        using var created = await create;
        await created.AssertStatus(404);

        Assert.Equal(0L, await ThreadsAsync(groupId));
        Assert.Equal(0L, await UnreadMessagesOfGroupAsync(groupId));
    }
}
