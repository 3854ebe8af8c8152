using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Mvc;

namespace Community.Messaging.Conversations.Threads;

/// <summary>A new thread and its first message.</summary>
/// <summary>A new thread in a group the caller belongs to, with its first message.</summary>
/// <param name="Title">1-200 characters.</param>
/// <param name="Text">The first message, at most 4000 characters.</param>
/// <param name="Tags">At most 10 tags of 1-32 characters without spaces.</param>
public sealed record CreateThread(
    [Required] Guid? GroupId,
    [Required] string? Title,
    [Required] string? Text,
    IReadOnlyList<string?>? Tags
) : IRequestExample<CreateThread>
{
    public static CreateThread Example =>
        new(
            Guid.Parse("0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10"),
            "Gear for the winter hikes",
            "What are you all wearing for the cold mornings?",
            ["gear", "winter"]
        );
}

/// <summary>A thread as a member of its group sees it; its messages are read and sent at
/// /api/v1/conversations/{id}/messages.</summary>
public sealed record ThreadDto(
    [property: Description("The thread's id, also the id of its conversation.")] Guid Id,
    Guid GroupId,
    string Title,
    IReadOnlyList<string> Tags,
    UserRef Author,
    bool Pinned,
    DateTimeOffset? PinnedAt,
    [property: Description("Messages not deleted, the first one included.")] long MessageCount,
    [property: Description("The conversation's last seq.")] long LastSeq,
    DateTimeOffset LastActivityAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt
);

public sealed record ThreadsQuery(
    [property: Description("The group whose threads to list.")]
    [RequiredParameter, FromQuery(Name = "group_id")]
        Guid? GroupId,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public sealed record ThreadSearchQuery(
    [property: Description("Words to find in titles and messages (web-search syntax).")] [RequiredParameter] string? Q,
    [property: Description("Only this group's threads.")] [FromQuery(Name = "group_id")] Guid? GroupId,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public sealed record RepliesQuery(string? Cursor, [PageSize(ConversationMessages.DefaultHistoryLimit)] int? Limit);

/// <summary>A thread's merge patch (absent keeps, null clears tags): title 1-200, tags at most 10.</summary>
public sealed record ThreadChanges(string? Title = null, IReadOnlyList<string>? Tags = null);
