using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>An address an account has signed in from; see <c>LoginThrottle</c>.</summary>
public sealed class LoginAddress
{
    public Guid UserId { get; set; }
    public string Address { get; set; } = "";
    public DateTimeOffset LastSucceededAt { get; set; }
}

internal sealed class LoginAddressConfiguration : IEntityTypeConfiguration<LoginAddress>
{
    public void Configure(EntityTypeBuilder<LoginAddress> builder)
    {
        builder.HasKey(a => new { a.UserId, a.Address });
    }
}
