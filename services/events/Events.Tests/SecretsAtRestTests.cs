using Community.Events.Registrations;

namespace Community.Events.Tests;

/// <summary>
/// The ticket signing key is stored encrypted with the Data Protection key ring, which lives outside the database.
/// </summary>
public sealed class SecretsAtRestTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    private static readonly TicketClaims Claims = new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "TICKET-1");

    private static TicketSigner SignerOf(ServiceHost<Program> host) => host.Services.GetRequiredService<TicketSigner>();

    [Fact]
    public async Task The_stored_key_is_encrypted_a_restart_verifies_old_tickets_and_another_key_ring_fails_loudly()
    {
        var payload = await SignerOf(fx.Host).SignAsync(Claims, CancellationToken.None);
        Assert.True(await fx.ScalarAsync<bool>("SELECT encrypted FROM ticket_signing_keys WHERE id = 1"));
        // A 32-byte key encrypted by Data Protection is longer than the key itself.
        Assert.True(await fx.ScalarAsync<int>("SELECT length(secret) FROM ticket_signing_keys WHERE id = 1") > 32);

        await using (var restarted = fx.StartHost())
            Assert.Equal(Claims, await SignerOf(restarted).VerifyAsync(payload, CancellationToken.None));

        var otherRing = Path.Combine(Path.GetTempPath(), "community-key-ring-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var stranger = fx.StartHost(
                new Dictionary<string, string?> { ["DataProtection:KeyRingPath"] = otherRing }
            );
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                SignerOf(stranger).VerifyAsync(payload, CancellationToken.None)
            );
            Assert.Contains("key ring", error.Message);
        }
        finally
        {
            if (Directory.Exists(otherRing))
                Directory.Delete(otherRing, recursive: true);
        }
    }

    [Fact]
    public async Task A_key_stored_in_plain_text_before_encryption_is_encrypted_on_first_read_and_still_verifies()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await fx.ExecuteAsync("DELETE FROM ticket_signing_keys");
        await fx.ExecuteAsync(
            "INSERT INTO ticket_signing_keys (id, secret, created_at) VALUES (1, @key, now())",
            ("key", key)
        );

        await using var restarted = fx.StartHost();
        var payload = await SignerOf(restarted).SignAsync(Claims, CancellationToken.None);
        Assert.True(await fx.ScalarAsync<bool>("SELECT encrypted FROM ticket_signing_keys WHERE id = 1"));
        Assert.NotEqual(key, await fx.ScalarAsync<byte[]>("SELECT secret FROM ticket_signing_keys WHERE id = 1"));
        await using var again = fx.StartHost();
        Assert.Equal(Claims, await SignerOf(again).VerifyAsync(payload, CancellationToken.None));
        // Signed with the legacy key itself: tickets printed before the migration stay valid.
        var signed = payload[..payload.LastIndexOf('.')];
        Assert.Equal(
            payload,
            signed
                + "."
                + System.Buffers.Text.Base64Url.EncodeToString(
                    System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.ASCII.GetBytes(signed))
                )
        );
    }
}
