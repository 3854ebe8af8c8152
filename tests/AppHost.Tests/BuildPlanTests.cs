using System.Text.Json;
using Community.LocalInfrastructure;

namespace Community.AppHost.Tests;

public sealed class BuildPlanTests
{
    private static readonly string Root = RepositoryRoot.Find();

    [Fact]
    public void Only_the_started_projects_and_their_references_are_built()
    {
        var services = Resources.Present(Root);
        var plan = BuildPlan.For(Root, services, Path.Combine(Root, ".local", "apphost", "apphost.slnf"));

        foreach (var service in services)
        {
            Assert.Contains(Path.GetFullPath(Path.Combine(Root, service.Project)), plan.Projects);
        }
        Assert.Contains(plan.Projects, p => p.EndsWith("ServiceDefaults.csproj", StringComparison.Ordinal));
        Assert.DoesNotContain(
            plan.Projects,
            p =>
                p.Contains("Tests", StringComparison.Ordinal)
                || p.Contains("Bench", StringComparison.Ordinal)
                || p.Contains("AppHost", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void The_solution_filter_lists_the_started_projects_relative_to_the_solution()
    {
        var services = Resources.Present(Root);
        var filterFile = Path.Combine(Root, ".local", "apphost", "apphost.slnf");

        var plan = BuildPlan.For(Root, services, filterFile);

        Assert.Equal([filterFile], plan.Targets);
        using var filter = JsonDocument.Parse(plan.SolutionFilter!);
        var solution = filter.RootElement.GetProperty("solution");
        Assert.Equal(
            Path.Combine(Root, RepositoryRoot.SolutionFileName),
            Path.GetFullPath(
                Path.Combine(Path.GetDirectoryName(filterFile)!, solution.GetProperty("path").GetString()!)
            )
        );
        Assert.Equal(
            services.Select(s => s.Project.Replace('/', '\\')),
            solution.GetProperty("projects").EnumerateArray().Select(p => p.GetString())
        );
    }
}
