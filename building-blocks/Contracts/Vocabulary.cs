namespace Community.Contracts;

// The words services exchange in events and tokens. Consumers switch on these constants, never on literals.

/// <summary>What a payment (or a credits spend) pays for; with ReferenceId it names the thing bought.</summary>
public static class PaymentPurposes
{
    /// <summary>A seat at a paid event; ReferenceId is the registration.</summary>
    public const string EventRegistration = "event_registration";

    /// <summary>A paid course; ReferenceId is the enrollment.</summary>
    public const string Course = "course";

    /// <summary>A membership (premium, elite); ReferenceId is the subscription.</summary>
    public const string Subscription = "subscription";

    /// <summary>Days of discovery boost; ReferenceId is the boost.</summary>
    public const string Boost = "boost";

    /// <summary>A credit pack; ReferenceId is the pack purchase.</summary>
    public const string Credits = "credits";

    /// <summary>A paid group's membership; ReferenceId is social's purchase (GroupMembershipPending).</summary>
    public const string GroupMembership = "group_membership";

    /// <summary>
    /// A companion session, sold for credits only (so not in <see cref="All"/>, checkout's purposes); ReferenceId is
    /// the session (CompanionSessionRequested).
    /// </summary>
    public const string CompanionSession = "companion_session";

    public static readonly IReadOnlyList<string> All =
    [
        EventRegistration,
        Course,
        Subscription,
        Boost,
        Credits,
        GroupMembership,
    ];
}

/// <summary>A user's role: the <c>role</c> claim of the access token.</summary>
public static class Roles
{
    public const string Member = "member";
    public const string Organizer = "organizer";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Member, Organizer, Admin];
}

/// <summary>
/// A profile's gender (UserProfileUpdated.Gender): identity accepts these, discovery filters on them.
/// </summary>
public static class Genders
{
    public static readonly IReadOnlyList<string> All = ["female", "male", "non_binary", "other", "prefer_not_to_say"];
}

/// <summary>A user's membership tier: the <c>tier</c> claim of the access token.</summary>
public static class Tiers
{
    public const string Free = "free";
    public const string Premium = "premium";
    public const string Elite = "elite";

    public static readonly IReadOnlyList<string> All = [Free, Premium, Elite];

    /// <summary>Higher tiers include what lower ones give.</summary>
    public static int Rank(string tier) =>
        tier switch
        {
            Elite => 2,
            Premium => 1,
            _ => 0,
        };
}

/// <summary>The kinds of conversation messaging keeps (MessageSent.ConversationKind).</summary>
public static class ConversationKinds
{
    /// <summary>Two connected people.</summary>
    public const string Direct = "direct";

    /// <summary>A titled thread in a group, open to its members.</summary>
    public const string Thread = "thread";

    /// <summary>One per event, open to confirmed attendees and the organizer.</summary>
    public const string EventChat = "event_chat";

    public static readonly IReadOnlyList<string> All = [Direct, Thread, EventChat];
}

/// <summary>Who can see a group (GroupCreated.Visibility).</summary>
public static class GroupVisibility
{
    /// <summary>Listed and readable by everyone.</summary>
    public const string Public = "public";

    /// <summary>Listed; content for members only.</summary>
    public const string Private = "private";

    /// <summary>Unlisted; only members know it exists.</summary>
    public const string Secret = "secret";

    public static readonly IReadOnlyList<string> All = [Public, Private, Secret];
}

/// <summary>How a user becomes a member of a group.</summary>
public static class GroupJoinPolicy
{
    /// <summary>Anyone who can see the group joins at once.</summary>
    public const string Open = "open";

    /// <summary>A moderator accepts each request.</summary>
    public const string Request = "request";

    /// <summary>Only people a member invited.</summary>
    public const string Invite = "invite";

    public static readonly IReadOnlyList<string> All = [Open, Request, Invite];
}

/// <summary>What a converted referral earns: payments grants it, identity reports it (GET /referrals/me).</summary>
public static class ReferralTerms
{
    /// <summary>
    /// Credits to each side, the referrer and the referred user, at the referred user's first paid purchase.
    /// </summary>
    public const long CreditsEach = 50;
}

/// <summary>Who may see an event (EventPublished, EventUpdated).</summary>
public static class EventVisibility
{
    /// <summary>Listed and open to everyone.</summary>
    public const string Public = "public";

    /// <summary>Its organizer and the people they invited only.</summary>
    public const string Private = "private";
}

/// <summary>How an admin resolves a report (ReportResolved.Action).</summary>
public static class ReportActions
{
    /// <summary>Nothing is wrong; only the reporter hears the outcome.</summary>
    public const string Dismiss = "dismiss";

    /// <summary>The reported party is told (messaging), with the admin's note.</summary>
    public const string Warn = "warn";

    /// <summary>The reported group, message or event is removed by the service that owns it; never a person.</summary>
    public const string RemoveContent = "remove_content";

    /// <summary>The reported user is suspended (identity), until ReportResolved.SuspendedUntil or lifted.</summary>
    public const string SuspendUser = "suspend_user";

    public static readonly IReadOnlyList<string> All = [Dismiss, Warn, RemoveContent, SuspendUser];
}

/// <summary>What a report is about (ReportResolved.TargetType); TargetId is that thing's id.</summary>
public static class ReportTargets
{
    public const string User = "user";
    public const string Group = "group";
    public const string Message = "message";
    public const string Event = "event";

    public static readonly IReadOnlyList<string> All = [User, Group, Message, Event];
}
