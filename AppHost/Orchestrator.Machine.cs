using System.Net;
using System.Net.Sockets;

namespace Community.AppHost;

// The machine's side of a run: free addresses, the data folder's lock and the pids of running children.
internal sealed partial class Orchestrator
{
    private static void EnsureFree(string url, string option)
    {
        var uri = new Uri(url);
        var address =
            uri.Host is "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed
            : IPAddress.Any;
        try
        {
            var listener = new TcpListener(address, uri.Port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"{url} is not available ({e.SocketErrorCode}); another program listens there. Use "
                    + $"{option} to pick another address.",
                e
            );
        }
    }

    // each launch and the timer write the file: one at a time, so none is lost to another's open file
    private readonly Lock _childrenFileGate = new();

    /// <summary>Writes the pids of running children so that a later run can stop them if this one is killed.</summary>
    private void WriteChildrenFile()
    {
        try
        {
            lock (_childrenFileGate)
            {
                List<string> lines;
                lock (_runners)
                {
                    lines = _runners.Where(r => r.Pid is not null).Select(r => $"{r.Pid}").ToList();
                }
                File.WriteAllLines(ChildrenFile, lines);
            }
        }
        catch (IOException)
        {
            // best effort
        }
    }

    /// <summary>One AppHost per repository: a second one would restart the first one's servers.</summary>
    private void ClaimDataFolder()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        if (
            File.Exists(LockFile)
            && int.TryParse(File.ReadAllText(LockFile).Trim(), out var pid)
            && pid != Environment.ProcessId
        )
        {
            try
            {
                var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
                if (commandLine.Contains("Community.AppHost", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Another AppHost (pid {pid}) is running from this repository; stop it first."
                    );
                }
            }
            catch (IOException)
            {
                // that process is gone: the lock is stale
            }
        }
        File.WriteAllText(LockFile, $"{Environment.ProcessId}\n");
        _ownsDataFolder = true;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
