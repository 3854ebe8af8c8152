namespace Community.Contracts.Identity;

/// <summary>An account was created.</summary>
/// <param name="UserId">The new user's id (the JWT <c>sub</c>).</param>
/// <param name="Username">Lower-case unique handle.</param>
/// <param name="Email">Normalised e-mail, when given.</param>
/// <param name="Phone">E.164 phone number, when given.</param>
/// <param name="FullName">Display name, when given.</param>
/// <param name="Role">member or organizer (admins are never self-registered).</param>
/// <param name="ReferralCode">The new user's own referral code.</param>
/// <param name="ReferredByUserId">The user whose code was used to register, if any.</param>
public sealed record UserRegistered(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    string Username,
    string? Email,
    string? Phone,
    string? FullName,
    string Role,
    string ReferralCode,
    Guid? ReferredByUserId
) : IIntegrationEvent
{
    /// <summary>
    /// The e-mail or the phone is proven to be the owner's (seed 004's is_verified): never proof of the e-mail
    /// (<see cref="EmailVerified"/> is); false from publishers before it existed.
    /// </summary>
    public bool IsVerified { get; init; }

    /// <summary>
    /// The e-mail itself is proven to be the owner's (the mailed link, or a provider that verified it): only then may
    /// it be mailed. False from publishers before it existed.
    /// </summary>
    public bool EmailVerified { get; init; }

    /// <summary>
    /// When the account was made. The same as OccurredAt at its creation; an announcement made again
    /// (<see cref="UserAnnouncementRequested"/>) is as of the account's last change. Null from publishers before it
    /// existed: OccurredAt then.
    /// </summary>
    public DateTimeOffset? RegisteredAt { get; init; }
}

/// <summary>Public profile fields changed; carries the profile as it now is.</summary>
/// <param name="ChangedFields">snake_case names of the fields this update changed.</param>
public sealed record UserProfileUpdated(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    string Username,
    string? FullName,
    string? Region,
    string? City,
    string? Country,
    IReadOnlyList<string> Interests,
    IReadOnlyList<string> Languages,
    string? ProfileImageUrl,
    IReadOnlyList<string> ChangedFields
) : IIntegrationEvent
{
    /// <summary>
    /// The e-mail or the phone is proven to be the owner's: never proof of the e-mail (<see cref="EmailVerified"/> is);
    /// "is_verified" is in ChangedFields when this update verified the account.
    /// </summary>
    public bool IsVerified { get; init; }

    /// <summary>
    /// The e-mail itself is proven to be the owner's: only then may it be mailed. "email_verified" is in ChangedFields
    /// when this update verified it; false from publishers before it existed.
    /// </summary>
    public bool EmailVerified { get; init; }

    // The rest of the profile, for social's public profiles and discovery filters (null from publishers before they
    // existed).
    public string? Bio { get; init; }

    /// <summary>One of <see cref="Genders.All"/>, when given.</summary>
    public string? Gender { get; init; }

    /// <summary>For age filters in discovery; public profiles show the age, never the date.</summary>
    public DateOnly? DateOfBirth { get; init; }
    public string? IdentityBadge { get; init; }
}

/// <summary>
/// An admin changed a user's role; ChangedByUserId is Guid.Empty when configuration made the change (admin seeding).
/// </summary>
public sealed record UserRoleChanged(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    string PreviousRole,
    string NewRole,
    Guid ChangedByUserId
) : IIntegrationEvent;

/// <summary>An account was deleted; every service erases or anonymises what it holds for it.</summary>
public sealed record UserDeleted(Guid MessageId, DateTimeOffset OccurredAt, Guid UserId) : IIntegrationEvent;

/// <summary>
/// A service met a signed-in user it has no record of: identity's announcement never reached it (published before the
/// service's queue was bound, as on a platform's first start, where identity seeds its admins before the others are
/// up). Identity answers with <see cref="UserRegistered"/> and <see cref="UserProfileUpdated"/> as the account now is,
/// both as of its last change (so neither overrides a later one), and with nothing for an account that does not exist.
/// </summary>
/// <param name="Service">The service that asked, for the logs.</param>
public sealed record UserAnnouncementRequested(Guid MessageId, DateTimeOffset OccurredAt, Guid UserId, string Service)
    : IIntegrationEvent;

/// <summary>A referred user made their first paid purchase; both sides are rewarded.</summary>
public sealed record ReferralConverted(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ReferrerUserId,
    Guid ReferredUserId,
    Guid PaymentId
) : IIntegrationEvent;

/// <summary>
/// A user logged out: access tokens of that session (the <c>sid</c> claim, one refresh-token family) are refused until
/// they would have expired anyway, at <paramref name="TokensExpireBy"/>.
/// </summary>
public sealed record SessionEnded(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    Guid SessionId,
    DateTimeOffset TokensExpireBy
) : IIntegrationEvent;

/// <summary>
/// Every session of a user ended (Reason: password_reset, user_deleted, role_changed, two_factor_reset): access
/// tokens issued before NotBefore are refused until TokensExpireBy.
/// </summary>
public sealed record UserSessionsEnded(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    DateTimeOffset NotBefore,
    string Reason,
    DateTimeOffset TokensExpireBy
) : IIntegrationEvent;
