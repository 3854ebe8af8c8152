using System.Diagnostics;
using Community.LocalInfrastructure.Internal;

namespace Community.ServiceDefaults.Tests.Servers;

/// <summary>
/// Test projects run side by side, and each sweeps the test folders whose owner died. An owner is alive while it
/// holds its marker's lock: its recorded start time, computed from the wall clock, can stop matching when the clock
/// is stepped, and that must not get a living owner's servers killed.
/// </summary>
public sealed class DataFoldersTests : IDisposable
{
    private readonly string _parent = Path.Combine(
        Path.GetTempPath(),
        "community-folders-" + Guid.NewGuid().ToString("N")
    );

    [Fact]
    public async Task A_folder_is_kept_while_its_owner_holds_its_marker_whatever_start_time_it_records_and_swept_after()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_parent, "owned")).FullName;
        var marker = Path.Combine(folder, DataFolders.OwnerFileName);
        // The owner records its own pid and a start time off by years, then holds the marker locked (exec keeps the
        // pid), as CreateOwned's owner does, and says so once it holds it.
        using var owner = Process.Start(
            new ProcessStartInfo(
                "/bin/sh",
                [
                    "-c",
                    "echo \"$$ 1\" > \"$0\" && exec flock --exclusive \"$0\" sh -c 'echo locked; exec sleep 120'",
                    marker,
                ]
            )
            {
                RedirectStandardOutput = true,
            }
        )!;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal("locked", await owner.StandardOutput.ReadLineAsync(patience.Token));
        Assert.True(IsLocked(marker));

        DataFolders.SweepStale(_parent);

        Assert.True(Directory.Exists(folder));

        owner.Kill(entireProcessTree: true);
        await owner.WaitForExitAsync();
        await Eventually.TrueAsync(() => Task.FromResult(!IsLocked(marker)), "the dead owner's lock was kept");
        DataFolders.SweepStale(_parent);

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_folder_made_here_is_kept_by_every_sweep_while_this_process_lives()
    {
        var folder = DataFolders.CreateOwned(_parent);

        Assert.True(IsLocked(Path.Combine(folder, DataFolders.OwnerFileName)));
        DataFolders.SweepStale(_parent);
        Assert.True(Directory.Exists(folder));
    }

    public void Dispose()
    {
        if (Directory.Exists(_parent))
            Directory.Delete(_parent, recursive: true);
    }

    private static bool IsLocked(string marker)
    {
        try
        {
            using var probe = new FileStream(marker, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
