using System.Text.Json;
using System.Xml.Linq;
using Community.LocalInfrastructure;

namespace Community.AppHost;

/// <summary>
/// What AppHost builds before a run: the projects it starts and what they reference, never the
/// tests or benchmarks (a first start compiles only these).
/// </summary>
/// <param name="Targets">What <c>dotnet build</c> is given: one solution filter, or each project when the solution does
/// not list them all.</param>
/// <param name="Projects">Every project the build compiles (the started ones and their references), full paths; the
/// progress count.</param>
/// <param name="SolutionFilter">The filter file's JSON when <paramref name="Targets"/> is a filter; written before the
/// build.</param>
internal sealed record BuildPlan(IReadOnlyList<string> Targets, IReadOnlyList<string> Projects, string? SolutionFilter)
{
    public static BuildPlan For(string root, IReadOnlyList<ServiceDefinition> services, string filterFile)
    {
        var started = services.Select(s => Path.GetFullPath(Path.Combine(root, s.Project))).ToList();
        var projects = Closure(started);
        var solution = Path.Combine(root, RepositoryRoot.SolutionFileName);
        var listed = File.Exists(solution) ? SolutionProjects(solution, root) : [];
        if (started.Count == 0 || !started.All(listed.Contains))
        {
            return new BuildPlan(started, projects, null);
        }
        // one build of a filter: MSBuild builds the projects in parallel and each shared reference once
        var filter = new
        {
            solution = new
            {
                path = Path.GetRelativePath(Path.GetDirectoryName(filterFile)!, solution),
                projects = started.Select(p => Path.GetRelativePath(root, p).Replace('/', '\\')).ToArray(),
            },
        };
        return new BuildPlan(
            [filterFile],
            projects,
            JsonSerializer.Serialize(filter, new JsonSerializerOptions { WriteIndented = true })
        );
    }

    /// <summary>The projects and, transitively, every ProjectReference they have.</summary>
    private static List<string> Closure(IEnumerable<string> projects)
    {
        var seen = new List<string>();
        var pending = new Stack<string>(projects.Reverse());
        while (pending.TryPop(out var project))
        {
            if (seen.Contains(project) || !File.Exists(project))
            {
                continue;
            }
            seen.Add(project);
            var folder = Path.GetDirectoryName(project)!;
            foreach (
                var reference in XDocument
                    .Load(project)
                    .Descendants("ProjectReference")
                    .Select(e => (string?)e.Attribute("Include"))
                    .OfType<string>()
            )
            {
                pending.Push(Path.GetFullPath(Path.Combine(folder, reference.Replace('\\', '/'))));
            }
        }
        return seen;
    }

    /// <summary>Full paths of the .csproj files a .sln lists.</summary>
    private static HashSet<string> SolutionProjects(string solution, string root) =>
        File.ReadLines(solution)
            .Where(l => l.StartsWith("Project(", StringComparison.Ordinal))
            .Select(l => l.Split('"'))
            .Where(parts => parts.Length > 5 && parts[5].EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
            .Select(parts => Path.GetFullPath(Path.Combine(root, parts[5].Replace('\\', '/'))))
            .ToHashSet();
}
