using System.Diagnostics;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// The key ring that encrypts stored secrets: where it comes from and what a read-only one (a Kubernetes Secret) needs.
/// </summary>
public sealed class SecretProtectionTests : IDisposable
{
    private readonly string _ring = Path.Combine(
        Path.GetTempPath(),
        "community-key-ring-" + Guid.NewGuid().ToString("N")
    );

    public void Dispose()
    {
        if (Directory.Exists(_ring))
            Directory.Delete(_ring, recursive: true);
    }

    private static IHost Build(string environment, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { EnvironmentName = environment }
        );
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddSecretProtection("probe");
        return builder.Build();
    }

    [Fact]
    public void Production_refuses_to_start_without_a_key_ring()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(Environments.Production));
        Assert.Contains(SecretProtection.KeyRingPathSetting, error.Message);
    }

    [Fact]
    public async Task A_key_ring_made_by_the_script_serves_a_read_only_deployment_without_new_keys()
    {
        var script = Path.Combine(RepositoryRoot.TryFind()!, "scripts", "new-key-ring.sh");
        using (
            var process = Process.Start(
                new ProcessStartInfo("bash", [script, _ring]) { RedirectStandardOutput = true }
            )!
        )
        {
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
        }
        var keyFiles = Directory.GetFiles(_ring);
        Assert.Single(keyFiles);

        using var host = Build(
            Environments.Production,
            (SecretProtection.KeyRingPathSetting, _ring),
            (SecretProtection.GenerateKeysSetting, "false")
        );
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().ForStoredSecret("probe_secrets");
        var stored = protector.Protect("a secret"u8.ToArray());
        Assert.Equal("a secret"u8.ToArray(), protector.UnprotectStored(stored, "The probe secret"));
        Assert.Equal(keyFiles, Directory.GetFiles(_ring));

        // Another service's application name cannot read it, even with the same key ring.
        var stranger = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { EnvironmentName = Environments.Production }
        );
        stranger.Configuration.AddInMemoryCollection([
            KeyValuePair.Create(SecretProtection.KeyRingPathSetting, (string?)_ring),
        ]);
        stranger.AddSecretProtection("another");
        using var strangerHost = stranger.Build();
        var error = Assert.Throws<InvalidOperationException>(() =>
            strangerHost
                .Services.GetRequiredService<IDataProtectionProvider>()
                .ForStoredSecret("probe_secrets")
                .UnprotectStored(stored, "The probe secret")
        );
        Assert.Contains("key ring", error.Message);
    }
}
