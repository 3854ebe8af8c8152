using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.AiCompanion.Data;

public static class MessageRoles
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public static readonly string[] All = [User, Assistant];
}

/// <summary>A message of a user's conversation with the companion: theirs, or the companion's reply to one.</summary>
public sealed class CompanionMessage
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>The order within the user's conversation: 1, 2, 3... (<see cref="ConversationSequence"/>).</summary>
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

internal sealed class CompanionMessageConfiguration : IEntityTypeConfiguration<CompanionMessage>
{
    public void Configure(EntityTypeBuilder<CompanionMessage> e)
    {
        e.HasKey(m => m.Id);
        // The same client_txn_id again finds the first attempt.
        e.HasIndex(m => new { m.UserId, m.ClientTxnId })
            .IsUnique()
            .HasDatabaseName("companion_messages_txn")
            .HasFilter("role = 'user'");
        e.HasIndex(m => new { m.UserId, m.Seq }).IsUnique().HasDatabaseName("companion_messages_history");
        e.HasIndex(m => m.ReplyTo)
            .IsUnique()
            .HasDatabaseName("companion_messages_reply")
            .HasFilter("reply_to IS NOT NULL");
    }
}

/// <summary>The last seq of a user's conversation; kept when the conversation is deleted, gone with the user.</summary>
public sealed class ConversationSequence
{
    public Guid UserId { get; set; }
    public long LastSeq { get; set; }
}

internal sealed class ConversationSequenceConfiguration : IEntityTypeConfiguration<ConversationSequence>
{
    public void Configure(EntityTypeBuilder<ConversationSequence> e) => e.HasKey(s => s.UserId);
}
