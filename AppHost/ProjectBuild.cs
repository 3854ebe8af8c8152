using System.Diagnostics;
using System.Xml.Linq;

namespace Community.AppHost;

/// <summary>
/// The <c>dotnet build</c> before a run, with its progress on the console; where a build puts a project.
/// </summary>
internal sealed class ProjectBuild(string root, ConsoleOutput console)
{
    public const string Configuration = "Debug";

    /// <summary>
    /// Builds what runs (<see cref="BuildPlan"/>: the started projects and their references, no
    /// tests or benchmarks) and prints each project as it is done, plus a line every 15 s.
    /// </summary>
    public async Task<bool> RunAsync(IReadOnlyList<ServiceDefinition> services, CancellationToken stopping)
    {
        var plan = BuildPlan.For(root, services, Path.Combine(root, ".local", "apphost", "apphost.slnf"));
        if (plan.SolutionFilter is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(plan.Targets[0])!);
            await File.WriteAllTextAsync(plan.Targets[0], plan.SolutionFilter, stopping);
        }
        var total = plan.Projects.Count;
        var built = new HashSet<string>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();
        console.Line(
            "build",
            $"building {total} projects (the services, the gateway and what they reference; a first build took "
                + "32-55 s on a two-core machine, one with nothing to compile about 5 s)"
        );
        using var heartbeat = new Timer(
            _ =>
            {
                lock (built)
                {
                    console.Line(
                        "build",
                        $"still building: {built.Count} of {total} projects done, {stopwatch.Elapsed.TotalSeconds:0} s"
                    );
                }
            },
            null,
            TimeSpan.FromSeconds(15),
            TimeSpan.FromSeconds(15)
        );
        void Progress(string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }
            // minimal verbosity prints "  Name -> path/of/output.dll" when a project is done
            if (line.Split(" -> ", 2) is [var project, _] && !line.Contains(": error ", StringComparison.Ordinal))
            {
                lock (built)
                {
                    if (built.Add(project.Trim()))
                    {
                        console.Line(
                            "build",
                            $"[{built.Count}/{total}] {project.Trim()} ({stopwatch.Elapsed.TotalSeconds:0} s)"
                        );
                    }
                }
                return;
            }
            BuildLine(line);
        }
        foreach (var target in plan.Targets)
        {
            console.Line("build", $"dotnet build {Path.GetRelativePath(root, target)} -c {Configuration}");
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (
                var argument in new[]
                {
                    "build",
                    target,
                    "-c",
                    Configuration,
                    "-nologo",
                    "-v:minimal",
                    "-nodeReuse:false",
                    "-clp:NoSummary",
                }
            )
            {
                info.ArgumentList.Add(argument);
            }
            using var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource();
            process.Exited += (_, _) => exited.TrySetResult();
            process.OutputDataReceived += (_, e) => Progress(e.Data);
            process.ErrorDataReceived += (_, e) => Progress(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                // the Exited event, not WaitForExitAsync: that also waits for the pipes to close,
                // which build servers left running could hold open
                await exited.Task.WaitAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            await Task.Delay(100, CancellationToken.None); // let the last lines arrive
            if (process.ExitCode != 0)
            {
                return false;
            }
        }
        console.Line("build", $"succeeded in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        return true;
    }

    private void BuildLine(string line) =>
        console.Line("build", line.Trim(), error: line.Contains(": error ", StringComparison.Ordinal));

    /// <summary>bin/Debug/&lt;tfm&gt;/&lt;AssemblyName&gt;.dll, the assembly name read from the project file.</summary>
    internal static string AssemblyPath(string projectFile, string configuration = Configuration)
    {
        var assemblyName =
            XDocument
                .Load(projectFile)
                .Descendants("AssemblyName")
                .Select(e => e.Value.Trim())
                .LastOrDefault(v => v.Length > 0)
            ?? Path.GetFileNameWithoutExtension(projectFile);
        var bin = Path.Combine(Path.GetDirectoryName(projectFile)!, "bin", configuration);
        var candidates = Directory.Exists(bin)
            ? Directory
                .EnumerateFiles(bin, assemblyName + ".dll", SearchOption.AllDirectories)
                // bin/Debug/<tfm>/x.dll
                .Where(p => Path.GetRelativePath(bin, p).Split(Path.DirectorySeparatorChar).Length == 2)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .ToList()
            : [];
        return candidates.FirstOrDefault()
            ?? throw new InvalidOperationException(
                $"No build output {assemblyName}.dll under {bin}; build first (or drop --no-build)."
            );
    }
}
