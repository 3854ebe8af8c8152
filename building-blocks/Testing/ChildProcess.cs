using System.Diagnostics;
using Xunit;

namespace Community.Testing;

/// <summary>
/// Runs node, npm or another tool the way browser and SDK tests do: output kept, a deadline, never a skip.
/// </summary>
public static class ChildProcess
{
    /// <summary>Debian's Chromium, driven by npm's playwright-core (scripts/setup.sh installs both).</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>
    /// Fails (never skips) when Chromium or playwright-core under <paramref name="folder"/> is missing.
    /// </summary>
    public static void AssertBrowserInstalled(string folder)
    {
        Assert.True(
            File.Exists(Chromium),
            $"{Chromium} is missing: run scripts/setup.sh (it installs Debian's chromium)."
        );
        Assert.True(
            Directory.Exists(Path.Combine(folder, "node_modules", "playwright-core")),
            $"playwright-core is not installed in {folder}: run scripts/setup.sh (npm ci there)."
        );
    }

    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="folder"/>; its exit code and output (stdout, then stderr).
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string folder,
        string file,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null
    )
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{file} is not installed ({e.Message}): run scripts/setup.sh.");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var limit = timeout ?? TimeSpan.FromSeconds(300);
            using var deadline = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"timed out after {limit.TotalSeconds:0} s\n" + await stdout + await stderr);
            }
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
