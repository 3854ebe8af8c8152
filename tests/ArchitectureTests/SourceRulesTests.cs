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

    /// <summary>
    /// Each folder of migrations numbers its files 0001, 0002... once each, in the order they were written: the
    /// migrator applies them in file-name order and records each by its whole name, so a number taken twice (a file
    /// written beside another's) runs between older files on a new database and after newer ones on a live one.
    /// </summary>
    [Fact]
    public void Every_folder_of_migrations_numbers_its_files_once_and_in_order()
    {
        var wrong = Directory
            .EnumerateDirectories(Root, "Migrations", SearchOption.AllDirectories)
            .Where(dir => !IsIgnored(dir))
            .SelectMany(dir =>
                Directory
                    .EnumerateFiles(dir, "*.sql")
                    .Select(Path.GetFileName)
                    .Order(StringComparer.Ordinal)
                    .Select((name, i) => (Name: name!, Expected: $"{i + 1:D4}_"))
                    .Where(file => !file.Name.StartsWith(file.Expected, StringComparison.Ordinal))
                    .Select(file => $"{Path.GetRelativePath(Root, dir)}/{file.Name} (expected {file.Expected}...)")
            )
            .ToList();

        Assert.True(wrong.Count == 0, "Migrations out of their numbering:\n" + string.Join("\n", wrong));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories).Where(f => !IsIgnored(f));

    private static bool IsIgnored(string path)
    {
        var relative = Path.GetRelativePath(Root, path).Replace('\\', '/');
        return relative.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or ".local" or ".git");
    }
}
