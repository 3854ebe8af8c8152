using System.Runtime.InteropServices;

namespace Community.LocalInfrastructure.Internal;

/// <summary>The few POSIX calls .NET does not expose: effective user id and sending signals.</summary>
internal static class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigQuit = 3;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    /// <summary>Sends a signal; false when the process does not exist (or is not ours).</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    public static bool IsAlive(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}");

    /// <summary>The command line of a live process ("" when unknown), arguments separated by spaces.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then SIGKILLs.</summary>
    public static async Task TerminateAsync(int pid, int signal, TimeSpan grace)
    {
        if (!Signal(pid, signal))
        {
            return;
        }
        var deadline = DateTime.UtcNow + grace;
        while (IsAlive(pid) && !IsZombie(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }
        if (IsAlive(pid) && !IsZombie(pid))
        {
            Signal(pid, SigKill);
            for (var i = 0; i < 50 && IsAlive(pid) && !IsZombie(pid); i++)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Reads the first line of a pid file as a number (0 when absent or unreadable).</summary>
    public static int ReadPidFile(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return int.TryParse(reader.ReadLine()?.Trim(), out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
