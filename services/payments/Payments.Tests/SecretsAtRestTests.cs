using System.Text;

namespace Community.Payments.Tests;

/// <summary>
/// The sandbox webhook secret is stored encrypted with the Data Protection key ring, which lives outside the database.
/// </summary>
public sealed class SecretsAtRestTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    private static Task<string> SecretOfAsync(ServiceHost<Program> host) =>
        host.Services.GetRequiredService<WebhookSecrets>().SandboxSecretAsync(CancellationToken.None);

    [Fact]
    public async Task The_stored_secret_is_encrypted_a_restart_reads_it_and_another_key_ring_fails_loudly()
    {
        var secret = await SecretOfAsync(fx.Host);
        var stored = (await fx.ScalarAsync<byte[]>("SELECT secret FROM sandbox_secrets WHERE id = 1"))!;
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(stored));
        Assert.True(await fx.ScalarAsync<bool>("SELECT encrypted FROM sandbox_secrets WHERE id = 1"));

        await using (var restarted = fx.StartHost())
            Assert.Equal(secret, await SecretOfAsync(restarted));

        var otherRing = Path.Combine(Path.GetTempPath(), "community-key-ring-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var stranger = fx.StartHost(
                new Dictionary<string, string?> { ["DataProtection:KeyRingPath"] = otherRing }
            );
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SecretOfAsync(stranger));
            Assert.Contains("key ring", error.Message);
            Assert.Equal(stored, await fx.ScalarAsync<byte[]>("SELECT secret FROM sandbox_secrets WHERE id = 1"));
        }
        finally
        {
            if (Directory.Exists(otherRing))
                Directory.Delete(otherRing, recursive: true);
        }
    }

    [Fact]
    public async Task A_secret_stored_in_plain_text_before_encryption_is_encrypted_on_first_read()
    {
        await fx.ExecuteAsync("DELETE FROM sandbox_secrets");
        await fx.ExecuteAsync(
            "INSERT INTO sandbox_secrets (id, secret, created_at) VALUES (1, convert_to('whsec_sandbox_legacy', "
                + "'UTF8'), now())"
        );

        await using var restarted = fx.StartHost();
        Assert.Equal("whsec_sandbox_legacy", await SecretOfAsync(restarted));
        Assert.True(await fx.ScalarAsync<bool>("SELECT encrypted FROM sandbox_secrets WHERE id = 1"));
        Assert.DoesNotContain(
            "whsec_sandbox_legacy",
            Encoding.UTF8.GetString((await fx.ScalarAsync<byte[]>("SELECT secret FROM sandbox_secrets WHERE id = 1"))!)
        );
        await using var again = fx.StartHost();
        Assert.Equal("whsec_sandbox_legacy", await SecretOfAsync(again));
    }
}
