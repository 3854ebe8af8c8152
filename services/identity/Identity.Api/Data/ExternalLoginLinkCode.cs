using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A one-time code handed to the client after a provider's sign-in started to link it (intent=link): the provider's
/// subject, which only the account the link was started for (its ticket's) links, by posting the code.
/// </summary>
public sealed class ExternalLoginLinkCode
{
    public byte[] CodeHash { get; set; } = [];
    public Guid UserId { get; set; }
    public string Provider { get; set; } = "";
    public string Subject { get; set; } = "";

    /// <summary>The e-mail the provider verified, normalized, kept with the link.</summary>
    public string Email { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class ExternalLoginLinkCodeConfiguration : IEntityTypeConfiguration<ExternalLoginLinkCode>
{
    public void Configure(EntityTypeBuilder<ExternalLoginLinkCode> builder)
    {
        builder.HasKey(c => c.CodeHash);
        builder.HasIndex(c => c.ExpiresAt);
        builder.HasIndex(c => c.UserId);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
