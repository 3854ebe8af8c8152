namespace Community.Messaging.Notifying;

/// <summary>
/// What a notification asking for an action and the message that settles that action (a request accepted, decided or
/// withdrawn; an invitation ended or used; the group deleted) do one at a time: each takes the lock in its transaction
/// before it reads or writes. Otherwise a settlement committed while the notification was prepared would find no
/// notification to mark read, the notifier would not see the settlement either, and the notification would ask, unread
/// for good, for what is settled. A notifier takes a group's lock shared, then its person's; the others take one kind.
/// </summary>
internal static class SettlementLocks
{
    /// <summary>A pair's connection request and what settles it.</summary>
    public static Task PairAsync(MessagingDbContext db, Guid a, Guid b, CancellationToken cancellationToken)
    {
        var (low, high) = Pair.Of(a, b);
        return db.Database.LockKeyAsync($"settlement-pair:{low}:{high}", cancellationToken);
    }

    /// <summary>A person's request to join a group, or invitation to it, and what settles it; in one order.</summary>
    public static async Task GroupPeopleAsync(
        MessagingDbContext db,
        Guid groupId,
        IEnumerable<Guid> people,
        CancellationToken cancellationToken
    )
    {
        foreach (var person in people.Distinct().Order())
            await db.Database.LockKeyAsync($"settlement-group:{groupId}:{person}", cancellationToken);
    }

    /// <summary>
    /// A group's deletion, and a member's demotion or departure (<paramref name="shared"/>: false), against its
    /// notifiers (true).
    /// </summary>
    public static Task GroupAsync(MessagingDbContext db, Guid groupId, bool shared, CancellationToken cancellationToken)
    {
        var key = $"settlement-group:{groupId}";
        return shared
            ? db.Database.LockKeySharedAsync(key, cancellationToken)
            : db.Database.LockKeyAsync(key, cancellationToken);
    }

    /// <summary>
    /// A group's thread sends (<paramref name="shared"/>: true, MessageInsert, a new thread's first too) against what
    /// ends someone's place in its threads and forgets their unread messages there (false: a departure, the group's
    /// deletion; each after <see cref="GroupAsync"/>): that waits for the sends under way and deletes what they told,
    /// and a later send sees the end. Not <see cref="GroupAsync"/>'s key: a notifier reads profiles under their locks
    /// while it holds that one.
    /// </summary>
    public static Task GroupSendsAsync(
        MessagingDbContext db,
        Guid groupId,
        bool shared,
        CancellationToken cancellationToken
    )
    {
        var key = GroupSendsKey(groupId);
        return shared
            ? db.Database.LockKeySharedAsync(key, cancellationToken)
            : db.Database.LockKeyAsync(key, cancellationToken);
    }

    /// <summary>The key of <see cref="GroupSendsAsync"/>'s lock.</summary>
    public static string GroupSendsKey(Guid groupId) => $"group-sends:{groupId}";
}
