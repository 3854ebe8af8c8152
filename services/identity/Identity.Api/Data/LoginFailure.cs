using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

public sealed class LoginFailure
{
    public string Key { get; set; } = "";
    public DateTimeOffset WindowStartedAt { get; set; }
    public int Failures { get; set; }
    public DateTimeOffset? LastFailedAt { get; set; }
}

internal sealed class LoginFailureConfiguration : IEntityTypeConfiguration<LoginFailure>
{
    public void Configure(EntityTypeBuilder<LoginFailure> builder)
    {
        builder.HasKey(f => f.Key);
    }
}
