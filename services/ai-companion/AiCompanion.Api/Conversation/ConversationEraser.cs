using Community.Contracts.Identity;

namespace Community.AiCompanion.Conversation;

/// <summary>
/// A deleted account's conversation, settings and safety events go with it, and the replies being written for it.
/// </summary>
public sealed class ConversationEraser(CompanionDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        // The claims of replies being written first: their stores then keep nothing (CompanionConversation.StoreAsync).
        // A store that took its claim first is waited for here, so all it wrote after the claim is deleted below, its
        // safety event too (with no profile row to lock, nothing else holds such a store off).
        await db.Database.ExecuteSqlAsync($"DELETE FROM companion_sends WHERE user_id = {userId}", cancellationToken);
        await db.Database.ExecuteSqlAsync($"DELETE FROM safety_events WHERE user_id = {userId}", cancellationToken);
        await db.CompanionMessages.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.CompanionSettings.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.ConversationSequences.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
