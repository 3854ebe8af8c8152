using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Data;

/// <summary>
/// Encrypts the secrets a service keeps in its own database (signing keys, webhook and ticket
/// secrets) with ASP.NET Core Data Protection. The keys live outside the database, in the key
/// ring directory <c>DataProtection:KeyRingPath</c> (a mounted Kubernetes Secret in production),
/// so a copy of the database alone reveals none of them.
/// </summary>
public static class SecretProtection
{
    public const string KeyRingPathSetting = "DataProtection:KeyRingPath";

    /// <summary>
    /// "false" where the key ring is read-only and shared by replicas (a Kubernetes Secret): keys are made once by
    /// scripts/new-key-ring.sh.
    /// </summary>
    public const string GenerateKeysSetting = "DataProtection:GenerateKeys";

    private const string XmlKeyManagerCategory = "Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager";

    public static IHostApplicationBuilder AddSecretProtection(this IHostApplicationBuilder builder, string service)
    {
        var path = builder.Configuration[KeyRingPathSetting];
        // One application name per service: a service cannot decrypt another service's secrets even with a shared key
        // ring.
        var protection = builder.Services.AddDataProtection().SetApplicationName("community-" + service);
        if (!string.IsNullOrWhiteSpace(path))
            protection.PersistKeysToFileSystem(new DirectoryInfo(path));
        else if (builder.Environment.IsProduction())
            throw new InvalidOperationException(
                $"{KeyRingPathSetting} must be configured in Production: without it the keys that encrypt stored "
                    + "secrets would live in the container and die with it."
            );
        // The key ring is protected where it is stored (a Kubernetes Secret; locally a folder of the checkout), not by
        // an XML encryptor: Data Protection's "No XML encryptor configured" warning asks nothing of an operator.
        builder.Logging.AddFilter(XmlKeyManagerCategory, LogLevel.Error);
        if (string.Equals(builder.Configuration[GenerateKeysSetting], "false", StringComparison.OrdinalIgnoreCase))
            protection.DisableAutomaticKeyGeneration();
        return builder;
    }

    /// <summary>The protector for one kind of stored secret (the purpose keeps kinds apart).</summary>
    public static IDataProtector ForStoredSecret(this IDataProtectionProvider provider, string kind) =>
        provider.CreateProtector("Community.StoredSecrets", kind);

    /// <summary>Decrypts, turning Data Protection's error into one that says what to restore.</summary>
    public static byte[] UnprotectStored(this IDataProtector protector, byte[] stored, string what)
    {
        try
        {
            return protector.Unprotect(stored);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidOperationException(
                $"{what} cannot be decrypted with this key ring ({KeyRingPathSetting}). Restore "
                    + "the key ring that encrypted it; "
                    + "deleting the row would make a new secret and invalidate everything signed with the old one.",
                e
            );
        }
    }
}
