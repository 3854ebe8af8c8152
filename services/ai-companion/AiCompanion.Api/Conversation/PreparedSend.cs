using Community.AiCompanion.Conversation.Safety;
using Community.AiCompanion.Limits;
using Microsoft.Extensions.AI;

namespace Community.AiCompanion.Conversation;

/// <summary>
/// The send's validated input, who is talking (<see cref="Safety"/>: country and age for the safety rules), and either
/// the model's prompt with the message counted (<see cref="Allowance"/>), or, when <see cref="InputVerdict"/> is a hit,
/// the safety protocol answers instead of the model (nothing counted). <see cref="ClaimedAt"/> names this send's claim
/// of its client_txn_id (null for the replay of an earlier answer, which claims nothing).
/// </summary>
public sealed record PreparedSend(
    Guid UserId,
    string Text,
    string ClientTxnId,
    IReadOnlyList<ChatMessage> Prompt,
    bool FirstReply,
    SafetyContext Safety,
    SafetyVerdict InputVerdict,
    AllowanceAccess.Allowance? Allowance,
    DateTimeOffset? ClaimedAt
)
{
    /// <summary>
    /// The prompt without its earlier messages, asked once when the endpoint refuses <see cref="Prompt"/> as longer
    /// than its context; null when the prompt has none to leave out.
    /// </summary>
    public IReadOnlyList<ChatMessage>? PromptWithoutHistory { get; init; }
}

/// <summary>
/// The reply to store: the responder's text, or the safety protocol's replacement when <see cref="Verdict"/> is a hit.
/// </summary>
public sealed record ReplyToStore(
    string Text,
    string Responder,
    UsageDetails Usage,
    SafetyVerdict Verdict,
    SafetyStage Stage
)
{
    public const string SafetyResponder = "safety";

    /// <summary>
    /// The reply of <paramref name="responder"/>, replaced by the verdict's text on a hit (the responder's text is then
    /// dropped).
    /// </summary>
    public static ReplyToStore From(
        string text,
        string responder,
        UsageDetails usage,
        SafetyVerdict verdict,
        SafetyStage stage
    ) =>
        verdict.Allowed
            ? new(text, responder, usage, verdict, stage)
            : new(
                verdict.Replacement
                    ?? throw new InvalidOperationException($"The {verdict.Category} verdict has no replacement."),
                SafetyResponder,
                usage,
                verdict,
                stage
            );

    /// <summary>What the reply's <c>safety</c> field says: crisis, refusal, or null for an ordinary reply.</summary>
    public static string? Flag(SafetyVerdict verdict) =>
        verdict.Outcome switch
        {
            SafetyOutcome.Crisis => "crisis",
            SafetyOutcome.Refuse => "refusal",
            _ => null,
        };
}
