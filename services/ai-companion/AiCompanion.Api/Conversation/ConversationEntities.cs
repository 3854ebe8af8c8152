namespace Community.AiCompanion.Conversation;

public static class MessageRoles
{
    public const string User = "user";
    public const string Assistant = "assistant";
}

/// <summary>A message of a user's conversation with the companion (<c>companion_messages</c>): theirs, or the companion's reply to one.</summary>
public sealed class CompanionMessage
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>The order of the user's conversation, assigned by the database.</summary>
    public long Seq { get; set; }
    public string Role { get; set; } = MessageRoles.User;
    public string Text { get; set; } = "";

    /// <summary>The user's own id of the send; null on replies.</summary>
    public string? ClientTxnId { get; set; }

    /// <summary>The user message a reply answers; null on user messages.</summary>
    public Guid? ReplyTo { get; set; }

    /// <summary>"model", "offline" or "safety" (the crisis message or a refusal) on replies.</summary>
    public string? Responder { get; set; }

    /// <summary>"crisis" or "refusal" when the safety protocol wrote this reply; null otherwise.</summary>
    public string? Safety { get; set; }

    /// <summary>The minors' break reminder that came with this reply; never part of the model's context.</summary>
    public string? Reminder { get; set; }
    public int? PromptTokens { get; set; }
    public int? CompletionTokens { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>What a user lets the companion know (<c>companion_settings</c>); no row means the defaults.</summary>
public sealed class CompanionSettingsRow
{
    public Guid UserId { get; set; }
    public bool ShareProfile { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The row's version (xmin): the settings' ETag; "0" while no row holds them (the defaults).</summary>
    public uint Version { get; set; }
}
