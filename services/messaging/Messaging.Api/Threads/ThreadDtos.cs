using System.ComponentModel;
using Community.Messaging.Conversations;
using Microsoft.AspNetCore.Mvc;

namespace Community.Messaging.Threads;

/// <summary>A new thread and its first message.</summary>
public sealed record CreateThread(Guid? GroupId, string? Title, string? Text, IReadOnlyList<string?>? Tags);

/// <summary>A thread as a member of its group sees it; its messages are read and sent at /api/v1/conversations/{id}/messages.</summary>
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
    DateTimeOffset UpdatedAt);

public sealed record ThreadsQuery([property: Description("The group whose threads to list.")][FromQuery(Name = "group_id")] Guid? GroupId, string? Cursor, int? Limit);

public sealed record ThreadSearchQuery(
    [property: Description("Words to find in titles and messages (web-search syntax).")] string? Q,
    [property: Description("Only this group's threads.")][FromQuery(Name = "group_id")] Guid? GroupId,
    string? Cursor,
    int? Limit);

public sealed record RepliesQuery(string? Cursor, int? Limit);

/// <summary>A thread's merge patch (absent keeps, null clears tags): title 1-200, tags at most 10.</summary>
public sealed record ThreadChanges(string? Title = null, IReadOnlyList<string>? Tags = null);
