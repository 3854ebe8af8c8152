namespace Community.ServiceDefaults.Data;

/// <summary>
/// What a service writes about members from other services' events (activity, attendance, blocks) never outlives an
/// erasure committed while it was being written. Such a writer checks "not deleted" in its statement's snapshot; an
/// erasure committing after that snapshot and before the writer's commit would miss the new rows (its DELETE cannot see
/// them) and the writer would not see the tombstone. So writers hold the gate shared, in their transaction, before
/// their statement; an erasure holds it exclusively before its own: it waits for the writers under way (then deletes
/// what they wrote), and writers after it wait for its commit (then see the tombstone). Erasures are rare, writers
/// never wait for each other. One gate per database.
/// </summary>
public static class ErasureGate
{
    private const string Key = "user-erasure";

    /// <summary>A writer's share, held until its transaction ends (it must be in one).</summary>
    public static Task EnterAsync(DbContext db, CancellationToken cancellationToken) =>
        db.Database.LockKeySharedAsync(Key, cancellationToken);

    /// <summary>An erasure's hold until its transaction ends: after every writer under way, before any later.</summary>
    public static Task CloseAsync(DbContext db, CancellationToken cancellationToken) =>
        db.Database.LockKeyAsync(Key, cancellationToken);
}
