using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A provider the member unlinked from the account: a sign-in with it by the account's verified e-mail does not link
/// it again. Linking it on purpose from the account's settings removes the row.
/// </summary>
public sealed class ExternalLoginOptOut
{
    public Guid UserId { get; set; }
    public string Provider { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ExternalLoginOptOutConfiguration : IEntityTypeConfiguration<ExternalLoginOptOut>
{
    public void Configure(EntityTypeBuilder<ExternalLoginOptOut> builder)
    {
        builder.HasKey(o => new { o.UserId, o.Provider });
        builder.HasOne<User>().WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
