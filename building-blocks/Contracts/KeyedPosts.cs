namespace Community.Contracts;

/// <summary>
/// The POSTs whose <c>Idempotency-Key</c> each service honours (it answers a repeat from what it stored, or its
/// handler keeps the key with what it did), as the services map them. The gateway sends a keyed POST that an
/// instance dropped to another instance only when its path is one of these: any other POST sent again would be done
/// twice (a password change, a check-in, a checkout). Each service's tests hold its list equal to its endpoints.
/// </summary>
public static class KeyedPosts
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByService = new Dictionary<
        string,
        IReadOnlyList<string>
    >
    {
        [ResourceNames.Identity] = ["/api/v1/users/me/external-logins", "/api/v1/users/me/external-logins/tickets"],
        [ResourceNames.Social] =
        [
            "/api/v1/connections",
            "/api/v1/groups",
            "/api/v1/groups/{id:guid}/join",
            "/api/v1/groups/{id:guid}/invitations",
            "/api/v1/reports",
        ],
        [ResourceNames.Messaging] =
        [
            "/api/v1/conversations/direct",
            "/api/v1/conversations/{id:guid}/messages",
            "/api/v1/conversations/{id:guid}/attachments",
            "/api/v1/threads",
        ],
        [ResourceNames.Events] =
        [
            "/api/v1/events",
            "/api/v1/events/{id:guid}/registrations",
            "/api/v1/events/{id:guid}/photos",
            "/api/v1/courses",
            "/api/v1/courses/{id:guid}/enroll",
        ],
        [ResourceNames.Payments] = ["/api/v1/credits/spend", "/api/v1/payments/{id:guid}/refunds"],
        [ResourceNames.AiCompanion] = ["/api/v1/companion/messages", "/api/v1/companion/sessions"],
    };
}
