using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.OpenApi;

namespace Community.AiCompanion.Conversation;

public sealed record SendCompanionMessage(
    [Required] [property: Description("What the user says, 1-2000 characters once trimmed.")] string? Text,
    [Required]
    [property: Description(
        "The client's own id of this send (1-100 characters): the same id again returns the first answer."
    )]
        string? ClientTxnId
) : IRequestExample<SendCompanionMessage>
{
    public static SendCompanionMessage Example =>
        new("Which events this weekend suit someone who likes hiking?", "c0mp-0001");
}

public sealed record ConversationQuery(
    string? Cursor,
    [PageSize(CompanionConversation.DefaultHistoryLimit)] int? Limit
);

public sealed record CompanionMessageDto(
    Guid Id,
    [property: Description(
        "The message's number within the caller's conversation: 1, 2, 3... in order (a message and its reply take "
            + "two in a row); it keeps counting after the conversation is deleted."
    )]
        long Seq,
    [property: Description("user or assistant (the companion)."), ValuesOf(typeof(MessageRoles))] string Role,
    string Text,
    [property: Description("The user's client_txn_id; null on the companion's replies.")] string? ClientTxnId,
    [property: Description("The user message a reply answers.")] Guid? ReplyTo,
    [property: Description(
        "Who wrote a reply: model, offline (the built-in responder, not a language model) or safety (the crisis "
            + "message or a refusal)."
    )]
        string? Responder,
    DateTimeOffset CreatedAt,
    [property: Description(
        "crisis (the text is the crisis message with help in the user's country) or refusal (a kind refusal: advice, "
            + "or romance with a minor) when the safety protocol wrote this reply; null otherwise."
    )]
        string? Safety = null,
    [property: Description(
        "A break reminder to show with this reply (users under 18, after 3 hours of continuous use); null otherwise."
    )]
        string? Reminder = null
);

// Not named UsageDto: the daily allowance's record (Limits) has that name, and the contract has one schema a name.
/// <summary>What a reply cost in the model's tokens (none for an answer the model did not write).</summary>
public sealed record TokenUsageDto(int PromptTokens, int CompletionTokens);

/// <summary>A user message and the companion's reply to it.</summary>
public sealed record CompanionExchange(
    CompanionMessageDto Message,
    CompanionMessageDto Reply,
    TokenUsageDto Usage,
    [property: Description(CompanionDisclosure.Field)] string Disclosure
);

/// <summary>The caller's conversation, newest message first.</summary>
public sealed record ConversationHistory(
    [property: Description(CompanionDisclosure.Field)] string Disclosure,
    IReadOnlyList<CompanionMessageDto> Items,
    [property: Description("The next (older) page; null on the last.")] string? NextCursor
);

public sealed record CompanionSettingsDto(
    [property: Description(
        "Whether the companion may use the profile summary (interests, region, identity badge) in its context; false "
            + "by default."
    )]
        bool ShareProfile
);

public sealed record UpdateCompanionSettings(bool? ShareProfile);

/// <summary>What a person must always be able to read: the companion is an AI.</summary>
public static class CompanionDisclosure
{
    public const string Field =
        "The companion is an AI, not a person: stated on every read and on the first reply of every conversation.";

    public const string Text = "You are talking with an AI companion, not a person.";

    /// <summary>
    /// The opening of the first reply of every conversation (also after the conversation was deleted).
    /// </summary>
    public const string FirstReply = "Just so you know, I'm an AI companion, not a person. ";
}
