using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>An event cancelled: none of its seats is sold any more, whenever its hold is told.</summary>
public sealed class CancelledEvent
{
    public Guid EventId { get; set; }
    public DateTimeOffset CancelledAt { get; set; }
}

internal sealed class CancelledEventConfiguration : IEntityTypeConfiguration<CancelledEvent>
{
    public void Configure(EntityTypeBuilder<CancelledEvent> e) => e.HasKey(c => c.EventId);
}
