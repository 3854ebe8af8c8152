namespace Community.Messaging.Conversations.Threads;

/// <summary>
/// A thread as one user may use it: seen by the active members of a group that is not deleted, edited and deleted by
/// its author or the group's moderators and owner, pinned by those only. Everyone else gets the 404 of a missing
/// thread, members in a block with its author (either way) who do not moderate the group among them: it is hidden
/// from them (<see cref="ConversationAccess"/>).
/// </summary>
public sealed record ThreadAccess(GroupThread Thread, Guid UserId, bool Moderates)
{
    public const string NoSuchThread = "No such thread.";
    public const string NoSuchGroup = "No such group.";

    public bool MayChange => Thread.AuthorId == UserId || Moderates;

    /// <summary>The thread (tracked) if <paramref name="userId"/> may see it; 404 otherwise, a deleted thread
    /// included.</summary>
    public static async Task<ThreadAccess> OpenAsync(
        MessagingDbContext db,
        Guid threadId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var thread =
            await db.Threads.SingleOrDefaultAsync(t => t.Id == threadId && t.DeletedAt == null, cancellationToken)
            ?? throw new NotFoundException(NoSuchThread);
        var membership =
            await MembershipAsync(db, thread.GroupId, userId, cancellationToken)
            ?? throw new NotFoundException(NoSuchThread);
        if (
            !membership.Moderates
            && await db.Blocks.AnyAsync(
                b =>
                    b.Blocked
                    && (
                        (b.BlockerId == userId && b.BlockedId == thread.AuthorId)
                        || (b.BlockerId == thread.AuthorId && b.BlockedId == userId)
                    ),
                cancellationToken
            )
        )
            throw new NotFoundException(NoSuchThread);
        return new(thread, userId, membership.Moderates);
    }

    /// <summary>The caller's active membership of a group that is not deleted, or null (a secret group looks like
    /// none).</summary>
    public static async Task<GroupMember?> MembershipAsync(
        MessagingDbContext db,
        Guid groupId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var membership = await db
            .GroupMembers.AsNoTracking()
            .SingleOrDefaultAsync(g => g.GroupId == groupId && g.UserId == userId && g.Active, cancellationToken);
        if (membership is null || await db.Groups.AnyAsync(g => g.GroupId == groupId && g.Deleted, cancellationToken))
            return null;
        return membership;
    }

    public void EnsureMayChange(string what)
    {
        if (!MayChange)
            throw new ForbiddenException($"Only the thread's author or a group moderator may {what} it.");
    }

    public void EnsureModerates(string what)
    {
        if (!Moderates)
            throw new ForbiddenException($"Only the group's moderators and owner may {what} a thread.");
    }
}
