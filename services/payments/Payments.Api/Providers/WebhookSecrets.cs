using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Community.Payments.Providers;

/// <summary>
/// The secrets webhooks may be signed with: Stripe's from configuration (several while rotating),
/// plus, when the sandbox is the provider, the sandbox's own secret, generated on first use and
/// kept in the database so every replica shares it and none is ever configured or committed.
/// </summary>
public sealed class WebhookSecrets(IOptions<PaymentsOptions> options, NpgsqlDataSource dataSource)
{
    private string? _sandbox;

    public bool SandboxActive => string.IsNullOrWhiteSpace(options.Value.Stripe.SecretKey);

    public async Task<IReadOnlyCollection<string>> AllAsync(CancellationToken cancellationToken)
    {
        var secrets = options.Value.Stripe.WebhookSecrets.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (SandboxActive) secrets.Add(await SandboxSecretAsync(cancellationToken));
        return secrets;
    }

    public async Task<string> SandboxSecretAsync(CancellationToken cancellationToken)
    {
        if (_sandbox is not null) return _sandbox;
        for (var attempt = 0; ; attempt++)
        {
            await using var command = dataSource.CreateCommand(
                """
                WITH created AS (
                    INSERT INTO sandbox_secrets (id, secret, created_at) VALUES (1, $1, now())
                    ON CONFLICT (id) DO NOTHING RETURNING secret)
                SELECT secret FROM created UNION ALL SELECT secret FROM sandbox_secrets WHERE id = 1 LIMIT 1
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = "whsec_sandbox_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) });
            if (await command.ExecuteScalarAsync(cancellationToken) is string secret) return _sandbox = secret;
            if (attempt == 3) throw new InvalidOperationException("The sandbox webhook secret could not be created or read.");
        }
    }
}
