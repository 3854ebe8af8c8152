using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A signed-in account's leave to start linking a provider (intent=link), handed to its client and spent by the start
/// (hashed, single use, short-lived): the link code the provider's way back then yields is that account's alone, so a
/// link code made in one browser can never link a provider to another browser's account, nor one person's provider to
/// someone else's account.
/// </summary>
public sealed class ExternalLoginLinkTicket
{
    public byte[] TicketHash { get; set; } = [];
    public Guid UserId { get; set; }
    public string Provider { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class ExternalLoginLinkTicketConfiguration : IEntityTypeConfiguration<ExternalLoginLinkTicket>
{
    public void Configure(EntityTypeBuilder<ExternalLoginLinkTicket> builder)
    {
        builder.HasKey(t => t.TicketHash);
        builder.HasIndex(t => t.ExpiresAt);
        builder.HasIndex(t => t.UserId);
        builder.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
