using System.ComponentModel;
using System.Text.Json;
using Community.Messaging.Conversations;
using Community.ServiceDefaults.OpenApi;

namespace Community.Messaging.Notifying;

public sealed record NotificationActor(
    Guid UserId,
    [property: Description("Their name; null for a deleted account or one messaging has not heard of.")] string? Name,
    [property: Description(UserRef.PictureDescription)] string? ProfileImageUrl
);

/// <summary>One list item: a notification, or several of one kind on one subject folded together (all unread, or all
/// read).</summary>
public sealed record NotificationItem(
    [property: Description("The newest notification of the item.")] Guid Id,
    [property: Description(
        "The item's notifications, newest first (at most 100): what PATCH /notifications/read takes."
    )]
        IReadOnlyList<Guid> Ids,
    [property: Description(NotificationKinds.Described)] string Kind,
    [property: Description(
        "What subject_id names: a connection, group, event, payment, course, report or conversation. More may come."
    )]
        string SubjectType,
    Guid SubjectId,
    [property: Description("Who did it, in the newest notification; null when nobody did (a payment, a confirmation).")]
        NotificationActor? Actor,
    [property: Description("How many different people the folded notifications name.")] int ActorCount,
    [property: Description("How many notifications the item folds.")] int Count,
    [property:
        Description("The newest notification's details: its members by kind are listed under kind."),
        JsonObjectMember
    ]
        JsonElement Data,
    [property: Description("A sentence for people: \"Amira and 3 others sent you 7 messages\".")] string Summary,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReadAt
);
