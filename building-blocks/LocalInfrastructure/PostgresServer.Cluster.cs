namespace Community.LocalInfrastructure;

// The private server's cluster: its folder, initdb, pg_ctl start and stop, and the binaries it uses.
public sealed partial class PostgresServer
{
    /// <summary>
    /// Creates <c>&lt;DataFolder&gt;/postgres</c> and returns the real folder the server will use.
    /// As root the server runs as the <c>postgres</c> user, so the folder is given to that user;
    /// if that user cannot reach it (e.g. the repository is under /root), the folder is placed in
    /// /var/tmp/community-postgres and linked from the data folder.
    /// </summary>
    private static async Task<string> PrepareHomeAsync(
        LocalInfrastructureOptions options,
        CancellationToken cancellationToken
    )
    {
        Directory.CreateDirectory(options.DataFolder);
        var link = Path.Combine(options.DataFolder, SubFolder);
        var linkInfo = new DirectoryInfo(link);
        if (linkInfo.LinkTarget is not null)
        {
            var target = Path.GetFullPath(linkInfo.LinkTarget, options.DataFolder);
            Directory.CreateDirectory(target);
            await GiveToPostgresAsync(target, cancellationToken).ConfigureAwait(false);
            return target;
        }
        Directory.CreateDirectory(link);
        if (!Posix.IsRoot)
        {
            return link;
        }
        await GiveToPostgresAsync(link, cancellationToken).ConfigureAwait(false);
        var probe = await ProcessRunner
            .RunAsync(
                "runuser",
                ["-u", Superuser, "--", "test", "-w", link, "-a", "-x", link],
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        if (probe.Succeeded)
        {
            return link;
        }
        var relocated = Path.Combine(
            "/var/tmp/community-postgres",
            Path.GetFileName(Path.GetFullPath(options.DataFolder).TrimEnd('/'))
                + "-"
                + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))
        );
        options.Log?.Invoke(
            $"postgres: user '{Superuser}' cannot reach {link}; keeping the server files in {relocated}"
        );
        Directory.CreateDirectory(relocated);
        await GiveToPostgresAsync(relocated, cancellationToken).ConfigureAwait(false);
        Directory.Delete(link, recursive: true);
        Directory.CreateSymbolicLink(link, relocated);
        return relocated;
    }

    private static async Task GiveToPostgresAsync(string folder, CancellationToken cancellationToken)
    {
        if (Posix.IsRoot)
        {
            await ProcessRunner
                .RunCheckedAsync(
                    "chown",
                    ["-R", $"{Superuser}:{Superuser}", folder],
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
        }
    }

    private static async Task InitialiseAsync(
        LocalInfrastructureOptions options,
        string home,
        string dataDirectory,
        CancellationToken cancellationToken
    )
    {
        if (Directory.Exists(dataDirectory))
        {
            // a half-made cluster (initdb interrupted): initdb needs an empty folder
            Directory.Delete(dataDirectory, recursive: true);
        }
        options.Log?.Invoke($"postgres: initialising {dataDirectory}");
        List<string> arguments =
        [
            "-D",
            dataDirectory,
            "-A",
            "trust",
            "-U",
            Superuser,
            "-E",
            "UTF8",
            "--no-instructions",
        ];
        if (options.FastUnsafe)
        {
            arguments.Add("--no-sync");
        }
        var result = await RunToolAsync("initdb", [.. arguments, "--locale=C.UTF-8"], home, cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // a system without the C.UTF-8 locale: the plain C locale always exists
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            var retry = await RunToolAsync("initdb", [.. arguments, "--locale=C"], home, cancellationToken)
                .ConfigureAwait(false);
            if (!retry.Succeeded)
            {
                throw new InvalidOperationException(
                    "initdb failed (exit code "
                        + $"{retry.ExitCode}):{Environment.NewLine}{result.Output}{Environment.NewLine}{retry.Output}"
                );
            }
        }
    }

    private static async Task<int> StartServerAsync(
        LocalInfrastructureOptions options,
        string home,
        string dataDirectory,
        CancellationToken cancellationToken
    )
    {
        var logFile = Path.Combine(home, "postgres.log");
        // a Unix socket path is limited to 107 bytes; without room, listen on TCP only
        var socketDirectory = (home + "/.s.PGSQL.65535").Length < 100 ? home : "";
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPorts.Take();
            var serverOptions =
                $"-p {port} -k '{socketDirectory.Replace("'", "'\\''", StringComparison.Ordinal)}' "
                + "-c listen_addresses=127.0.0.1 -c max_connections=300";
            if (options.FastUnsafe)
            {
                serverOptions += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            }
            var logLength = LogFiles.Length(logFile);
            var result = await RunToolAsync(
                    "pg_ctl",
                    ["-D", dataDirectory, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"],
                    home,
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (result.Succeeded)
            {
                return port;
            }
            var log = LogFiles.ReadFrom(logFile, logLength);
            if (attempt < 3 && log.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                continue; // the free port was taken in the meantime: try another
            }
            throw new InvalidOperationException(
                "PostgreSQL did not start (pg_ctl exit code "
                    + $"{result.ExitCode}):{Environment.NewLine}{result.Output}{Environment.NewLine}--- {logFile} "
                    + $"---{Environment.NewLine}{LogFiles.Tail(log, 40)}"
            );
        }
    }

    private static async Task StopAsync(
        string home,
        string dataDirectory,
        string mode,
        CancellationToken cancellationToken
    )
    {
        var result = await RunToolAsync(
                "pg_ctl",
                ["-D", dataDirectory, "-m", mode, "-w", "-t", "30", "stop"],
                home,
                cancellationToken
            )
            .ConfigureAwait(false);
        if (
            !result.Succeeded
            && mode != "immediate"
            && (
                await RunToolAsync("pg_ctl", ["-D", dataDirectory, "status"], home, cancellationToken)
                    .ConfigureAwait(false)
            ).Succeeded
        )
        {
            await RunToolAsync(
                    "pg_ctl",
                    ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"],
                    home,
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
    }

    /// <summary>Runs a PostgreSQL tool, as the <c>postgres</c> user when we are root (they refuse root).</summary>
    private static Task<ProcessResult> RunToolAsync(
        string tool,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        CancellationToken cancellationToken
    )
    {
        var executable = Path.Combine(BinDirectory, tool);
        return Posix.IsRoot
            ? ProcessRunner.RunAsync(
                "runuser",
                ["-u", Superuser, "--", executable, .. arguments],
                null,
                workingDirectory,
                CommandTimeout,
                cancellationToken
            )
            : ProcessRunner.RunAsync(executable, arguments, null, workingDirectory, CommandTimeout, cancellationToken);
    }

    /// <summary>
    /// Immediate shutdown without spawning anything (fast enough for process exit): SIGQUIT to
    /// the postmaster, which takes its children down; SIGKILL if it lingers.
    /// </summary>
    private static Task StopImmediatelyAsync(string dataDirectory)
    {
        var pid = Posix.ReadPidFile(Path.Combine(dataDirectory, "postmaster.pid"));
        return Posix.IsAlive(pid) && Posix.CommandLine(pid).Contains(dataDirectory, StringComparison.Ordinal)
            ? Posix.TerminateAsync(pid, Posix.SigQuit, TimeSpan.FromSeconds(5))
            : Task.CompletedTask;
    }

    /// <summary>Stops a server left running in an abandoned test folder (owner process gone).</summary>
    internal static void KillAbandoned(string folder)
    {
        var home = new DirectoryInfo(Path.Combine(folder, SubFolder));
        var real = home.LinkTarget is null ? home.FullName : Path.GetFullPath(home.LinkTarget, folder);
        StopImmediatelyAsync(Path.Combine(real, "data")).GetAwaiter().GetResult();
    }

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var preferred = Path.Combine(root, "15", "bin");
        if (File.Exists(Path.Combine(preferred, "pg_ctl")) || !Directory.Exists(root))
        {
            return preferred;
        }
        return Directory
                .EnumerateDirectories(root)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Directory, "bin", "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Directory, "bin"))
                .FirstOrDefault()
            ?? preferred;
    }
}
