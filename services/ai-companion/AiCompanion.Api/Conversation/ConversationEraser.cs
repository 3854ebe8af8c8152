using Community.Contracts.Identity;

namespace Community.AiCompanion.Conversation;

/// <summary>A deleted account's conversation and settings go with it.</summary>
public sealed class ConversationEraser(CompanionDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        await db.CompanionMessages.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.CompanionSettings.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.ConversationSequences.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
