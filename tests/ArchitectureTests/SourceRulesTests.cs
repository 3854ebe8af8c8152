namespace Community.ArchitectureTests;

/// <summary>
/// How the source reads (docs/conventions.md, "How code reads"): no line of C# over 120 columns, which CSharpier's
/// layout keeps for code and this test keeps for comments and strings; and a <c>GlobalUsings.cs</c> in each of a
/// service's projects (elsewhere only where a namespace is common enough to earn one).
/// </summary>
public sealed class SourceRulesTests
{
    private const int MaxColumns = 120;

    private static readonly string Root = Community.LocalInfrastructure.RepositoryRoot.Find();

    [Fact]
    public void No_line_of_csharp_is_over_120_columns()
    {
        var lines = SourceFiles()
            .SelectMany(file =>
                File.ReadLines(file)
                    .Select((line, i) => (Line: line, Number: i + 1))
                    .Where(l => l.Line.Length > MaxColumns)
                    .Select(l => $"{Path.GetRelativePath(Root, file)}:{l.Number} ({l.Line.Length} columns)")
            )
            .ToList();

        Assert.True(
            lines.Count == 0,
            $"{lines.Count} lines over {MaxColumns} columns:\n" + string.Join("\n", lines.Take(50))
        );
    }

    [Fact]
    public void Every_service_project_has_its_global_usings()
    {
        var missing = Directory
            .EnumerateFiles(Path.Combine(Root, "services"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !IsIgnored(p))
            .Select(Path.GetDirectoryName)
            .Where(dir => !File.Exists(Path.Combine(dir!, "GlobalUsings.cs")))
            .Select(dir => Path.GetRelativePath(Root, dir!))
            .Order()
            .ToList();

        Assert.True(missing.Count == 0, "Projects without GlobalUsings.cs:\n" + string.Join("\n", missing));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories).Where(f => !IsIgnored(f));

    private static bool IsIgnored(string path)
    {
        var relative = Path.GetRelativePath(Root, path).Replace('\\', '/');
        return relative.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or ".local" or ".git");
    }
}
