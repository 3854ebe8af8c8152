namespace Community.Identity.Suspensions;

/// <summary>What every sign-in path asks of a suspension.</summary>
public static class SuspensionRules
{
    /// <summary>403 with the suspension's end (<c>suspended_until</c>, null when until an admin lifts it).</summary>
    public static void ThrowIfSuspended(User user, DateTimeOffset now)
    {
        if (!user.IsSuspendedAt(now))
            return;
        var until = user.SuspendedUntil;
        throw new ForbiddenException(
            until is { } end
                ? $"This account is suspended until {end.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}."
                : "This account is suspended until an admin lifts the suspension."
        )
        {
            Extensions = new Dictionary<string, object?> { ["suspended_until"] = until?.ToUniversalTime() },
        };
    }
}
