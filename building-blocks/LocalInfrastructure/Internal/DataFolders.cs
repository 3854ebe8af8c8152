using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Community.LocalInfrastructure.Internal;

/// <summary>
/// Throw-away data folders: each records the process that owns it, so a later run can find
/// folders whose owner died (a killed test run), stop the servers still running there and
/// delete them.
/// </summary>
internal static class DataFolders
{
    public const string OwnerFileName = ".owner";
    private static readonly TimeSpan YoungFolderGrace = TimeSpan.FromMinutes(2);

    public static string CreateOwned(string parent)
    {
        Directory.CreateDirectory(parent);
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var name = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{suffix}";
        var folder = Path.Combine(parent, name);
        Directory.CreateDirectory(folder);
        using var self = Process.GetCurrentProcess();
        File.WriteAllText(
            Path.Combine(folder, OwnerFileName),
            $"{Environment.ProcessId} {self.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture)}\n"
        );
        return folder;
    }

    /// <summary>Deletes <paramref name="folder"/> when nothing but the owner marker is left in it.</summary>
    public static void DeleteIfEmpty(string folder)
    {
        try
        {
            if (
                Directory.Exists(folder)
                && Directory.EnumerateFileSystemEntries(folder).All(e => Path.GetFileName(e) == OwnerFileName)
            )
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // another server of the same folder is still cleaning up: it will delete the folder
        }
    }

    /// <summary>Stops servers of, and deletes, sibling folders whose owning process is gone.</summary>
    public static void SweepStale(string parent)
    {
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateDirectories(parent).ToList();
        }
        catch (IOException)
        {
            return;
        }
        foreach (var folder in candidates)
        {
            try
            {
                if (!IsAbandoned(folder))
                {
                    continue;
                }
                PostgresServer.KillAbandoned(folder);
                RabbitMqServer.KillAbandoned(folder);
                DeleteTree(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort: a folder we cannot clean must not fail the test run
            }
        }
    }

    /// <summary>Deletes a folder; a symbolic link inside is removed together with its target.</summary>
    public static void DeleteTree(string path)
    {
        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is { Exists: true })
            {
                Directory.Delete(target.FullName, recursive: true);
            }
            File.Delete(info.FullName); // unlink: removes the link itself
            return;
        }
        if (!info.Exists)
        {
            return;
        }
        foreach (var child in info.EnumerateDirectories())
        {
            DeleteTree(child.FullName);
        }
        info.Delete(recursive: true);
    }

    private static bool IsAbandoned(string folder)
    {
        var ownerFile = Path.Combine(folder, OwnerFileName);
        if (!File.Exists(ownerFile))
        {
            return DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > YoungFolderGrace;
        }
        var parts = File.ReadAllText(ownerFile)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length < 2 || !int.TryParse(parts[0], out var pid) || !long.TryParse(parts[1], out var startTicks))
        {
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(ownerFile) > YoungFolderGrace;
        }
        try
        {
            using var owner = Process.GetProcessById(pid);
            // the pid may have been reused by an unrelated process: compare start times
            return Math.Abs(owner.StartTime.ToUniversalTime().Ticks - startTicks) > TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
