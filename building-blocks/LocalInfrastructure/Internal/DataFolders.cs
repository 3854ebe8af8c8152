using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Community.LocalInfrastructure.Internal;

/// <summary>
/// Throw-away data folders: each records the process that owns it, so a later run can find
/// folders whose owner died (a killed test run), stop the servers still running there and
/// delete them. The owner holds its marker file open and locked (.NET takes an exclusive
/// <c>flock</c> for <see cref="FileShare.None"/>) for as long as it lives, and the kernel lets go
/// when it dies: a folder whose marker is locked is never taken for abandoned, whatever the
/// recorded start time looks like (it is computed from the wall clock, which a stepped clock moves).
/// </summary>
internal static class DataFolders
{
    public const string OwnerFileName = ".owner";
    private static readonly TimeSpan YoungFolderGrace = TimeSpan.FromMinutes(2);

    // Open until the process ends: closing one would let its lock go.
    private static readonly List<FileStream> HeldMarkers = [];

    public static string CreateOwned(string parent)
    {
        Directory.CreateDirectory(parent);
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var name = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{suffix}";
        var folder = Path.Combine(parent, name);
        Directory.CreateDirectory(folder);
        using var self = Process.GetCurrentProcess();
        // .NET opens a file and then locks it, two steps: a sweep opening the marker in between would take the lock
        // first. So the marker is written and locked under another name and then renamed (the lock goes with the
        // file): a sweep sees no marker (a young folder, kept) or a locked one.
        var draft = Path.Combine(folder, $"{OwnerFileName}.{suffix}");
        var marker = new FileStream(draft, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        var startTicks = self.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        marker.Write(Encoding.ASCII.GetBytes($"{Environment.ProcessId} {startTicks}\n"));
        marker.Flush();
        File.Move(draft, Path.Combine(folder, OwnerFileName));
        lock (HeldMarkers)
            HeldMarkers.Add(marker);
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
        string marker;
        try
        {
            using var stream = new FileStream(ownerFile, FileMode.Open, FileAccess.Read, FileShare.None);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            marker = reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // locked by its owner, alive (or gone meanwhile, its folder with it)
            return false;
        }
        // Not locked: its owner is gone, or file locking is off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING) and the owner
        // is told by its process id and start time.
        var parts = marker.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
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
