using Community.AiCompanion.Data;
using Community.AiCompanion.Projections;
using Community.AiCompanion.Sessions;
using Microsoft.EntityFrameworkCore;

namespace Community.AiCompanion.Limits;

public static class LimitsSetup
{
    /// <summary>Daily limits, bought sessions and their erasure with the account.</summary>
    public static IHostApplicationBuilder AddCompanionLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>().Bind(builder.Configuration.GetSection(LimitsOptions.Section));
        builder
            .Services.AddOptions<CompanionSessionOptions>()
            .Bind(builder.Configuration.GetSection(CompanionSessionOptions.Section))
            .Validate(
                o => o.Credits > 0 && o.Minutes > 0 && o.Messages is null or > 0,
                "Companion:Sessions needs Credits and Minutes above 0, and Messages above 0 or unset."
            )
            .ValidateOnStart();
        builder.Services.AddScoped<CompanionAllowance>();
        builder.Services.AddScoped<SessionPurchases>();
        builder.Services.AddScoped<IUserErasure, AllowanceErasure>();
        return builder;
    }
}

/// <summary>A deleted account's usage counts and sessions go with it; a spend still arriving for an erased session is refunded.</summary>
public sealed class AllowanceErasure : IUserErasure
{
    public async Task EraseAsync(CompanionDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        await db.DailyUsage.Where(u => u.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.CompanionSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
