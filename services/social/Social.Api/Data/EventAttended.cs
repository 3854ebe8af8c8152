using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>
/// An event a person checked in at (events' ArrivalRecorded): the "events attended" of their activity.
/// </summary>
public sealed class EventAttended
{
    public Guid UserId { get; set; }
    public Guid EventId { get; set; }
    public DateTimeOffset ArrivedAt { get; set; }
}

internal sealed class EventAttendedConfiguration : IEntityTypeConfiguration<EventAttended>
{
    public void Configure(EntityTypeBuilder<EventAttended> e) => e.HasKey(a => new { a.UserId, a.EventId });
}
