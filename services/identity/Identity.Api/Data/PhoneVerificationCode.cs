using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// The live SMS code for an account's phone (hashed), and how many codes were sent in the current window.
/// </summary>
public sealed class PhoneVerificationCode
{
    public Guid UserId { get; set; }

    /// <summary>The number the code went to: a code proves only that number.</summary>
    public string Phone { get; set; } = "";
    public byte[] CodeHash { get; set; } = [];
    public DateTimeOffset ExpiresAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset LastSentAt { get; set; }
    public DateTimeOffset WindowStartedAt { get; set; }
    public int SendsInWindow { get; set; }
}

internal sealed class PhoneVerificationCodeConfiguration : IEntityTypeConfiguration<PhoneVerificationCode>
{
    public void Configure(EntityTypeBuilder<PhoneVerificationCode> builder)
    {
        builder.HasKey(c => c.UserId);
        builder
            .HasOne<User>()
            .WithOne()
            .HasForeignKey<PhoneVerificationCode>(c => c.UserId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}
