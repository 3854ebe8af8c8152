using System.ComponentModel;
using Community.ServiceDefaults.OpenApi;

namespace Community.AiCompanion.Sessions;

/// <summary>A session bought with credits, as its buyer sees it.</summary>
public sealed record SessionDto(
    Guid Id,
    [property:
        Description(
            "pending (payments has not answered yet), active (lifting the daily limit), rejected (not paid, or paid "
                + "back), ended."
        ),
        ValuesOf(typeof(SessionStates))
    ]
        string State,
    long PriceCredits,
    int Minutes,
    [property: Description(
        "Messages past the daily limit the session gives at most; null: as many as its time allows."
    )]
        int? MessageAllowance,
    int MessagesUsed,
    DateTimeOffset RequestedAt,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    [property: Description(
        "Why a rejected session did not start (insufficient_credits, not_for_sale, or the companion's reason; its "
            + "credits were given back)."
    )]
        string? Rejection
)
{
    public static SessionDto From(CompanionSession s, DateTimeOffset now) =>
        new(
            s.Id,
            s.StateAt(now),
            s.PriceCredits,
            s.Minutes,
            s.MessageAllowance,
            s.MessagesUsed,
            s.RequestedAt,
            s.StartsAt,
            s.EndsAt,
            s.Rejection
        );
}
