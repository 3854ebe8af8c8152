using Community.Contracts.Identity;

namespace Community.AiCompanion.Conversation;

/// <summary>A deleted account's conversation and settings go with it, and the replies being written for it.</summary>
public sealed class ConversationEraser(CompanionDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        // The claims of replies being written first: their stores then keep nothing (CompanionConversation.StoreAsync).
        await db.Database.ExecuteSqlAsync($"DELETE FROM companion_sends WHERE user_id = {userId}", cancellationToken);
        await db.CompanionMessages.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.CompanionSettings.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.ConversationSequences.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
