namespace Community.Messaging.Conversations.Threads;

/// <summary>The field rules of a thread, shared by create and edit: a title of 1-200 characters, up to 10 short
/// tags.</summary>
public static class ThreadRules
{
    public const int MaxTitleLength = 200;
    public const int MaxTags = 10;
    public const int MaxTagLength = 32;

    /// <summary>The title trimmed, or null with an error added.</summary>
    public static string? Title(ValidationErrors errors, string? title)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            errors.Add("title", "title is required.");
            return null;
        }
        if (trimmed.Length > MaxTitleLength)
        {
            errors.Add("title", $"title must be 1-{MaxTitleLength} characters.");
            return null;
        }
        return errors.OneLine("title", trimmed) ? trimmed : null;
    }

    /// <summary>Tags trimmed, lower case and distinct (absent: none); each bad one is an error naming its
    /// index.</summary>
    public static List<string> Tags(ValidationErrors errors, IReadOnlyList<string?>? tags)
    {
        if (tags is null)
            return [];
        if (tags.Count > MaxTags)
            errors.Add("tags", $"A thread may have at most {MaxTags} tags.");
        var result = new List<string>();
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i]?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(tag) || tag.Length > MaxTagLength || tag.Any(char.IsWhiteSpace))
                errors.Add($"tags[{i}]", $"Each tag must be 1-{MaxTagLength} characters without spaces.");
            else if (!result.Contains(tag))
                result.Add(tag);
        }
        return result;
    }
}
