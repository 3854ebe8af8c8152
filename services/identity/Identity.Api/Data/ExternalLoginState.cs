using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A started sign-in with an outside provider: what the callback must match (state and the starting browser's binding,
/// both hashed), and what it needs (nonce, PKCE verifier).
/// </summary>
public sealed class ExternalLoginState
{
    public byte[] StateHash { get; set; } = [];
    public string Provider { get; set; } = "";

    /// <summary>
    /// The secret in the cookie the start set in the browser, hashed; null on rows of the release before it (refused).
    /// </summary>
    public byte[]? BrowserBindingHash { get; set; }

    public string Nonce { get; set; } = "";
    public string CodeVerifier { get; set; } = "";
    public string ClientRedirectUri { get; set; } = "";

    /// <summary>sign_in, or link: the callback then signs nobody in and hands the client a link code instead.</summary>
    public string Intent { get; set; } = "";

    /// <summary>The account a link is started for (its link ticket's); null for a sign-in.</summary>
    public Guid? LinkUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class ExternalLoginStateConfiguration : IEntityTypeConfiguration<ExternalLoginState>
{
    public void Configure(EntityTypeBuilder<ExternalLoginState> builder)
    {
        builder.HasKey(s => s.StateHash);
        builder.HasIndex(s => s.ExpiresAt);
        builder.HasOne<User>().WithMany().HasForeignKey(s => s.LinkUserId).OnDelete(DeleteBehavior.Cascade);
    }
}
