using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NpgsqlTypes;

namespace Community.Events.Data;

public static class EventStatus
{
    public const string Draft = "draft";
    public const string Published = "published";
    public const string Cancelled = "cancelled";
    public static readonly string[] All = [Draft, Published, Cancelled];
}

public static class Visibility
{
    public const string Public = "public";
    public const string Private = "private";
    public static readonly string[] All = [Public, Private];
}

public static class EventTypes
{
    public static readonly string[] All = ["meetup", "workshop", "hackathon", "trip", "social", "class", "other"];
}

/// <summary>
/// An event people meet at; "CommunityEvent" so it is never confused with a domain or integration event.
/// </summary>
public sealed class CommunityEvent
{
    /// <summary>
    /// The generated text-search column (title and description), read by the catalogue's search only.
    /// </summary>
    public const string SearchColumn = "Search";

    public Guid Id { get; set; }

    /// <summary>The row's version (xmin): the event's ETag.</summary>
    public uint Version { get; set; }
    public Guid OrganizerId { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public string EventType { get; set; } = "meetup";
    public List<string> Interests { get; set; } = [];
    public string? Region { get; set; }
    public string? LocationName { get; set; }
    public string? Address { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public int GeofenceRadiusM { get; set; } = 150;
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public int? Capacity { get; set; }
    public int SeatsTaken { get; set; }

    /// <summary>Arrivals of registrations erased with their accounts (RegistrationEraser), kept for stats.</summary>
    public int ErasedArrivals { get; set; }
    public bool WaitlistEnabled { get; set; } = true;
    public long PriceCents { get; set; }
    public string? Currency { get; set; }
    public int RefundCutoffHours { get; set; } = 24;
    public string? CoverImageUrl { get; set; }

    /// <summary>
    /// The uploaded cover's blob, when <see cref="CoverImageUrl"/> is ours; null for a URL the organizer gave.
    /// </summary>
    public string? CoverImageKey { get; set; }
    public string Visibility { get; set; } = Data.Visibility.Public;
    public List<Guid> InvitedUserIds { get; set; } = [];
    public string Status { get; set; } = EventStatus.Draft;
    public string? CancellationReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }

    public bool IsPaid => PriceCents > 0;
    public int? SpotsRemaining => Capacity is { } capacity ? Math.Max(0, capacity - SeatsTaken) : null;

    public bool IsManagedBy(Guid userId, bool isAdmin) => isAdmin || OrganizerId == userId;

    /// <summary>
    /// Who may see it at all: public once published; private only to the invited; the organizer always.
    /// </summary>
    public bool IsVisibleTo(Guid? userId, bool isAdmin) =>
        isAdmin
        || (userId is { } id && OrganizerId == id)
        || (
            Status != EventStatus.Draft
            && (Visibility == Data.Visibility.Public || (userId is { } u && InvitedUserIds.Contains(u)))
        );
}

internal sealed class CommunityEventConfiguration : IEntityTypeConfiguration<CommunityEvent>
{
    public void Configure(EntityTypeBuilder<CommunityEvent> e)
    {
        e.Ignore(x => x.IsPaid);
        e.Ignore(x => x.SpotsRemaining);
        e.Property(x => x.Version).MapToXmin();
        // Generated in the database; read in queries only (text search), never written.
        e.Property<NpgsqlTsVector>(CommunityEvent.SearchColumn)
            .HasComputedColumnSql("to_tsvector('simple', title || ' ' || description)", stored: true);

        // The catalogue reads published events in start order, from the index alone for the filters it takes.
        e.HasIndex(x => new { x.StartsAt, x.Id }, "community_events_catalogue")
            .IncludeProperties(x => new
            {
                x.EndsAt,
                x.Visibility,
                x.Interests,
                x.EventType,
                x.PriceCents,
                x.Country,
            })
            .HasFilter(Published);
        e.HasIndex(x => new { x.Country, x.StartsAt }, "community_events_country")
            .IncludeProperties(x => new
            {
                x.Id,
                x.EndsAt,
                x.Visibility,
            })
            .HasFilter(Published);
        e.HasIndex([CommunityEvent.SearchColumn], "community_events_search").HasMethod("gin").HasFilter(Published);
        e.HasIndex(x => x.Interests, "community_events_interests").HasMethod("gin").HasFilter(Published);
        e.HasIndex(x => new { x.OrganizerId, x.StartsAt }, "community_events_organizer");
    }

    private const string Published = "status = 'published'";
}

/// <summary>
/// The event's place on the earth (ll_to_earth of its coordinates), stored for the nearby search's GiST index. Shares
/// community_events' rows and is never loaded: the search reads it in SQL.
/// </summary>
internal sealed class CommunityEventPosition
{
    public Guid Id { get; set; }
    public NpgsqlCube Position { get; set; }
}

internal sealed class CommunityEventPositionConfiguration : IEntityTypeConfiguration<CommunityEventPosition>
{
    public void Configure(EntityTypeBuilder<CommunityEventPosition> e)
    {
        e.ToTable("community_events");
        e.HasOne<CommunityEvent>().WithOne().HasForeignKey<CommunityEventPosition>(p => p.Id);
        e.Property(p => p.Position)
            .HasColumnType("earth")
            .HasComputedColumnSql("ll_to_earth(latitude, longitude)", stored: true);
        e.HasIndex(p => p.Position, "community_events_position").HasMethod("gist").HasFilter("status = 'published'");
    }
}
