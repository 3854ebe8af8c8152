using Community.AiCompanion.Data;
using Community.AiCompanion.Projections;
using Microsoft.EntityFrameworkCore;

namespace Community.AiCompanion.Conversation;

/// <summary>A deleted account's conversation and settings go with it.</summary>
public sealed class ConversationErasure : IUserErasure
{
    public async Task EraseAsync(CompanionDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        await db.Messages.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Settings.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
