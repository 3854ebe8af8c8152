using System.Security.Cryptography;
using System.Text;
using Community.ServiceDefaults.Data;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace Community.Payments.Providers;

/// <summary>
/// The secrets webhooks may be signed with: Stripe's from configuration (several while rotating),
/// plus, when the sandbox is the provider, the sandbox's own secret, generated on first use and
/// kept in the database (encrypted) so every replica shares it and none is ever configured or committed.
/// </summary>
public sealed class WebhookSecrets(
    IOptions<PaymentsOptions> options,
    NpgsqlDataSource dataSource,
    IDataProtectionProvider protection
)
{
    private string? _sandbox;

    public bool SandboxActive => string.IsNullOrWhiteSpace(options.Value.Stripe.SecretKey);

    public async Task<IReadOnlyCollection<string>> AllAsync(CancellationToken cancellationToken)
    {
        var secrets = options.Value.Stripe.WebhookSecrets.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (SandboxActive)
            secrets.Add(await SandboxSecretAsync(cancellationToken));
        return secrets;
    }

    public async Task<string> SandboxSecretAsync(CancellationToken cancellationToken)
    {
        return _sandbox ??= Encoding.UTF8.GetString(
            await GeneratedSecrets.GetOrCreateAsync(
                dataSource,
                protection,
                "sandbox_secrets",
                () =>
                    Encoding.UTF8.GetBytes(
                        "whsec_sandbox_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))
                    ),
                cancellationToken
            )
        );
    }
}
