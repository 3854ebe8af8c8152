namespace Community.Identity.Suspensions;

/// <summary>What every sign-in path asks of a suspension.</summary>
public static class SuspensionRules
{
    /// <summary>403 with the suspension's end (<c>suspended_until</c>, null when until an admin lifts it).</summary>
    public static void ThrowIfSuspended(User user, DateTimeOffset now)
    {
        if (!user.IsSuspendedAt(now))
            return;
        Throw(user.SuspendedUntil);
    }

    /// <summary>
    /// As <see cref="ThrowIfSuspended(User, DateTimeOffset)"/>, from the committed row, which stays share-locked to
    /// the caller's commit: a suspension cannot slip between this check and the tokens it lets the caller issue.
    /// </summary>
    public static async Task ThrowIfSuspendedAsync(
        IdentityDbContext db,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var row = await db
            .Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR SHARE")
            .AsNoTracking()
            .Select(u => new User { SuspendedAt = u.SuspendedAt, SuspendedUntil = u.SuspendedUntil })
            .SingleOrDefaultAsync(cancellationToken);
        // A user being registered has no row yet, and no suspension.
        if (row is not null)
            ThrowIfSuspended(row, now);
    }

    private static void Throw(DateTimeOffset? until)
    {
        throw new ForbiddenException(
            until is { } end
                ? $"This account is suspended until {end.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}."
                : "This account is suspended until an admin lifts the suspension."
        )
        {
            Extensions = ProblemResponses.MembersOf(new SuspendedSignInDto(until?.ToUniversalTime())),
        };
    }
}

/// <summary>What the 403 of a suspended account's sign-in says beside its text.</summary>
/// <param name="SuspendedUntil">When the suspension ends; null: until an admin lifts it.</param>
public sealed record SuspendedSignInDto(DateTimeOffset? SuspendedUntil);
