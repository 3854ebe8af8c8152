using Community.LocalInfrastructure;

namespace Community.SystemTests;

/// <summary>The TypeScript SDK's folder (clients/typescript) and running its node tools there.</summary>
internal static class ClientSdk
{
    public static readonly string Folder = Path.Combine(RepositoryRoot.Find(), "clients", "typescript");
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>
    /// npm ci when node_modules is missing or older than the lock file (scripts/setup.sh installs it beforehand).
    /// </summary>
    public static async Task EnsureInstalledAsync()
    {
        // Test classes run in parallel: one npm ci at a time.
        await Installing.WaitAsync();
        try
        {
            var marker = Path.Combine(Folder, "node_modules", ".package-lock.json");
            if (
                File.Exists(marker)
                && File.GetLastWriteTimeUtc(marker)
                    >= File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json"))
            )
                return;
            var (code, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"]);
            Assert.True(code == 0, $"npm ci in clients/typescript failed:\n{output}");
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Runs a program in the SDK's folder: its exit code and its output (stdout, then stderr).</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(
        string file,
        string[] arguments,
        Dictionary<string, string>? environment = null
    ) => ChildProcess.RunAsync(Folder, file, arguments, environment);
}
