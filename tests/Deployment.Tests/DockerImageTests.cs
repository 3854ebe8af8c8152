using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Community.Deployment.Tests;

/// <summary>
/// The image recipe (deploy/docker/Dockerfile) hands every service the environment Kubernetes gives its container,
/// including the variables whose names are not shell identifiers (ConnectionStrings__identity-db,
/// Services__ai-companion): no /bin/sh stands between the container's start and dotnet, since on the Ubuntu base
/// image that is dash, which silently drops such variables when it execs.
/// </summary>
public sealed partial class DockerImageTests
{
    private static readonly string Dockerfile = Path.Combine(
        Kustomize.RepositoryRoot,
        "deploy",
        "docker",
        "Dockerfile"
    );

    // Names the manifests really set: a service's own database and a service's address.
    private static readonly string[] DashedVariables =
    [
        "ConnectionStrings__" + ResourceNames.DatabaseOf(ResourceNames.Identity),
        "Services__" + ResourceNames.AiCompanion,
    ];

    // `printf '%s\n' 'line' 'line'... > /path`: the one way the Dockerfile writes a script (one quoted word a line).
    [GeneratedRegex(@"printf\s+'%s\\n'\s+(?<lines>(?:'[^']*'\s*)+)>\s*(?<path>\S+)")]
    private static partial Regex WrittenScript();

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex Quoted();

    [Fact]
    public void The_entrypoint_runs_no_posix_sh_that_would_drop_variables_with_a_dash_in_their_name()
    {
        var instructions = Instructions(File.ReadAllText(Dockerfile));
        Assert.DoesNotContain(instructions, i => i.Keyword == "CMD");
        var entrypoint = Assert.Single(instructions, i => i.Keyword == "ENTRYPOINT").Arguments;
        // the exec form (a JSON array): the shell form is run by `/bin/sh -c`
        Assert.StartsWith("[", entrypoint);
        var command = JsonSerializer.Deserialize<string[]>(entrypoint);
        Assert.NotNull(command);
        Assert.NotEmpty(command);
        Assert.False(IsPosixSh(command[0]), $"ENTRYPOINT runs {command[0]}");
        if (command[0] is "dotnet" or "/usr/bin/dotnet")
        {
            return;
        }

        // a script the Dockerfile writes itself: its interpreter is what runs dotnet
        var script = instructions
            .Where(i => i.Keyword == "RUN")
            .Select(i => WrittenScript().Match(i.Arguments))
            .Where(m => m.Success && m.Groups["path"].Value == command[0])
            .Select(m => Quoted().Matches(m.Groups["lines"].Value).Select(q => q.Groups[1].Value).ToList())
            .SingleOrDefault();
        if (script is null)
        {
            Assert.Fail($"the Dockerfile writes no {command[0]} with printf: read the script another way");
        }
        Assert.StartsWith("#!", script[0]);
        var interpreter = script[0][2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // `#!/usr/bin/env bash` names its interpreter second
        var program = interpreter[0].EndsWith("/env", StringComparison.Ordinal) ? interpreter[1] : interpreter[0];
        Assert.False(IsPosixSh(program), $"{command[0]} is run by {script[0]}");
        Assert.Contains(script, line => line.StartsWith("exec dotnet ", StringComparison.Ordinal));

        if (!OperatingSystem.IsWindows() && File.Exists(interpreter[0]))
        {
            KeepsDashedVariables(script);
        }
    }

    /// <summary>
    /// The build context, the whole repository filtered by Dockerfile.dockerignore, leaves out the npm packages of
    /// the TypeScript clients (hundreds of MB sent to the builder for nothing) and keeps every file of every project
    /// an image is built from (the gateway, each service's .Api and what they reference) and the repository-wide
    /// build files.
    /// </summary>
    [Fact]
    public void The_build_context_leaves_out_npm_packages_and_keeps_every_file_the_images_are_built_from()
    {
        var patterns = File.ReadAllLines(Dockerfile + ".dockerignore")
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        // exceptions (`!pattern`) would need the patterns read in order: this reading has none
        Assert.DoesNotContain(patterns, p => p.StartsWith('!'));
        var ignored = patterns.Select(IgnorePattern).ToList();
        // a pattern that takes a directory takes everything below it
        bool Ignored(string path)
        {
            var segments = path.Split('/');
            return Enumerable
                .Range(1, segments.Length)
                .Any(n => ignored.Any(r => r.IsMatch(string.Join('/', segments.Take(n)))));
        }

        foreach (var npm in new[] { "clients/web/node_modules/vite/package.json", "node_modules/x/index.js" })
        {
            Assert.True(Ignored(npm), $"{npm} is sent to the builder");
        }

        var root = Kustomize.RepositoryRoot;
        var projects = new Queue<string>(
            Directory
                .GetFiles(Path.Combine(root, "services"), "*.Api.csproj", SearchOption.AllDirectories)
                .Append(Path.Combine(root, "gateway", "Gateway", "Gateway.csproj"))
        );
        var built = new HashSet<string>();
        while (projects.TryDequeue(out var project))
        {
            if (!built.Add(Path.GetFullPath(project)))
            {
                continue;
            }
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                projects.Enqueue(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include)));
            }
        }
        Assert.True(built.Count > ResourceNames.Services.Count, string.Join(", ", built));
        var needed = built
            .SelectMany(p => SourceFiles(Path.GetDirectoryName(p)!))
            .Concat(
                new[]
                {
                    "global.json",
                    "Directory.Build.props",
                    "Directory.Build.targets",
                    "Directory.Packages.props",
                }.Select(f => Path.Combine(root, f))
            )
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .ToList();
        Assert.All(needed, f => Assert.False(Ignored(f), $"{f} is left out of the build context"));
    }

    // A project's files, without its build output (which the context leaves out on purpose).
    private static IEnumerable<string> SourceFiles(string directory) =>
        Directory
            .EnumerateFiles(directory)
            .Concat(
                Directory
                    .EnumerateDirectories(directory)
                    .Where(d => Path.GetFileName(d) is not ("bin" or "obj"))
                    .SelectMany(SourceFiles)
            );

    // A .dockerignore pattern (Go's filepath.Match, `**` for any number of directories) as a regex on a path.
    private static Regex IgnorePattern(string pattern)
    {
        var regex = new StringBuilder("^");
        var p = pattern.TrimStart('/');
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] == '*' && i + 1 < p.Length && p[i + 1] == '*')
            {
                var directories = i + 2 < p.Length && p[i + 2] == '/';
                regex.Append(directories ? "(?:.*/)?" : ".*");
                i += directories ? 2 : 1;
                continue;
            }
            regex.Append(
                p[i] switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    var c => Regex.Escape(c.ToString()),
                }
            );
        }
        return new Regex(regex.Append('$').ToString());
    }

    /// <summary>
    /// Runs the entry script as the container would, with only the image's and Kubernetes' variables and a stand-in
    /// for dotnet that prints its arguments and environment.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static void KeepsDashedVariables(IReadOnlyList<string> script)
    {
        var directory = Directory.CreateTempSubdirectory("community-entrypoint-");
        try
        {
            const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            var entrypoint = Path.Combine(directory.FullName, "entrypoint.sh");
            File.WriteAllText(entrypoint, string.Join('\n', script) + "\n");
            File.SetUnixFileMode(entrypoint, Executable);
            // in the script's own interpreter (its shebang line), which must keep such names anyway
            var dotnet = Path.Combine(directory.FullName, "dotnet");
            File.WriteAllText(dotnet, $"{script[0]}\necho \"args: $*\"\nexec env\n");
            File.SetUnixFileMode(dotnet, Executable);

            var start = new ProcessStartInfo(entrypoint)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("--urls=http://+:8080");
            start.Environment.Clear();
            // the stand-in first; the system's directories for `#!/usr/bin/env bash` and env
            start.Environment["PATH"] = directory.FullName + ":/usr/local/bin:/usr/bin:/bin";
            start.Environment["APP_ASSEMBLY"] = "Community.Identity.dll";
            foreach (var variable in DashedVariables)
            {
                start.Environment[variable] = "from-kubernetes";
            }

            var (exitCode, stdout, stderr) = Run(start);
            if (exitCode != 0)
            {
                Assert.Fail($"the entry script failed ({exitCode}): {stderr}");
            }
            var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            Assert.Contains("args: /app/Community.Identity.dll --urls=http://+:8080", lines);
            foreach (var variable in DashedVariables)
            {
                Assert.Contains($"{variable}=from-kubernetes", lines);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(ProcessStartInfo start)
    {
        // A script just written may be briefly busy (ETXTBSY) while another test's child process is between fork and
        // exec with the file still open.
        for (var attempt = 1; ; attempt++)
        {
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("the entry script did not start");
            }
            catch (Win32Exception) when (attempt < 5)
            {
                Thread.Sleep(100 * attempt);
                continue;
            }
            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException("the entry script did not finish within 30 s");
                }
                return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
            }
        }
    }

    // sh itself, or a shell that is /bin/sh somewhere (dash on Debian and Ubuntu, busybox ash on Alpine)
    private static bool IsPosixSh(string program) => Path.GetFileName(program) is "sh" or "dash" or "ash" or "busybox";

    /// <summary>
    /// The Dockerfile's instructions: continuation lines joined, comment lines (also inside an instruction) dropped.
    /// </summary>
    private static List<(string Keyword, string Arguments)> Instructions(string dockerfile)
    {
        var instructions = new List<(string Keyword, string Arguments)>();
        var current = new StringBuilder();
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r', ' ', '\t');
            if (line.TrimStart().StartsWith('#') || (current.Length == 0 && line.Length == 0))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }
            current.Append(line);
            var instruction = current.ToString().Trim();
            current.Clear();
            var space = instruction.IndexOfAny([' ', '\t']);
            instructions.Add(
                space < 0
                    ? (instruction.ToUpperInvariant(), "")
                    : (instruction[..space].ToUpperInvariant(), instruction[(space + 1)..].Trim())
            );
        }
        return instructions;
    }
}
