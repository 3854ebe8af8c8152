using System.Security.Cryptography;
using Community.Identity.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Identity.Tests;

/// <summary>
/// Signing keys are stored encrypted with the Data Protection key ring, which lives outside the database.
/// </summary>
public sealed class SecretsAtRestTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private static bool IsPlainPkcs8(byte[] stored)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(stored, out _);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private async Task<byte[]> StoredKeyAsync(string kid) =>
        (await fx.ScalarAsync<byte[]>("SELECT private_key FROM signing_keys WHERE kid = @k", ("k", kid)))!;

    [Fact]
    public async Task The_stored_signing_key_is_encrypted_and_a_restarted_instance_with_the_same_key_ring_reads_it()
    {
        var registered = await fx.RegisterAsync();
        var token = registered["access_token"]!.GetValue<string>();
        var kid = TestTokens.Header(token)["kid"]!.GetValue<string>();
        Assert.False(IsPlainPkcs8(await StoredKeyAsync(kid)));
        Assert.True(await fx.ScalarAsync<bool>("SELECT encrypted FROM signing_keys WHERE kid = @k", ("k", kid)));

        await using var restarted = fx.StartHost();
        using var client = restarted.NewClient();
        await (await client.Get("/api/v1/auth/me", token)).AssertStatus(200);
        Assert.Equal(
            kid,
            (
                await restarted
                    .Services.GetRequiredService<SigningKeyStore>()
                    .GetSigningKeyAsync(CancellationToken.None)
            ).Kid
        );
    }

    [Fact]
    public async Task A_key_stored_in_plain_text_before_encryption_is_encrypted_on_first_read()
    {
        await fx.RegisterAsync();
        using var legacy = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var plain = legacy.ExportPkcs8PrivateKey();
        await fx.ExecuteAsync(
            "INSERT INTO signing_keys (kid, private_key, created_at) "
                + "SELECT 'legacy-kid', @key, max(created_at) + interval '1 millisecond' FROM signing_keys",
            ("key", plain)
        );

        await using var restarted = fx.StartHost();
        // Newer than the key in use, it signs once every replica publishes it too.
        using var clock = new ClockOffset(fx.Clock);
        clock.Advance(SigningKeyStore.PublishLead);
        var signing = await restarted
            .Services.GetRequiredService<SigningKeyStore>()
            .GetSigningKeyAsync(CancellationToken.None);
        Assert.Equal("legacy-kid", signing.Kid);
        Assert.Equal(plain, signing.Key.ExportPkcs8PrivateKey());
        Assert.True(await fx.ScalarAsync<bool>("SELECT encrypted FROM signing_keys WHERE kid = 'legacy-kid'"));
        Assert.False(IsPlainPkcs8(await StoredKeyAsync("legacy-kid")));
    }

    [Fact]
    public async Task Another_key_ring_fails_loudly_instead_of_making_a_new_signing_key()
    {
        await fx.RegisterAsync();
        var keys = await fx.ScalarAsync<long>("SELECT count(*) FROM signing_keys");
        var otherRing = Path.Combine(Path.GetTempPath(), "community-key-ring-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var stranger = fx.StartHost(
                new Dictionary<string, string?> { ["DataProtection:KeyRingPath"] = otherRing }
            );
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                stranger.Services.GetRequiredService<SigningKeyStore>().GetSigningKeyAsync(CancellationToken.None)
            );
            Assert.Contains("key ring", error.Message);
            Assert.Equal(keys, await fx.ScalarAsync<long>("SELECT count(*) FROM signing_keys"));
        }
        finally
        {
            if (Directory.Exists(otherRing))
                Directory.Delete(otherRing, recursive: true);
        }
    }
}
