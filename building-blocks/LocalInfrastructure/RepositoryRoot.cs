namespace Community.LocalInfrastructure;

/// <summary>Locates the repository root: the folder that holds <c>Community.sln</c>.</summary>
public static class RepositoryRoot
{
    /// <summary>The marker file that identifies the repository root.</summary>
    public const string SolutionFileName = "Community.sln";

    /// <summary>
    /// Walks up from the current directory, then from <see cref="AppContext.BaseDirectory"/>, and
    /// returns the first folder containing <c>Community.sln</c> (or <c>Community.slnx</c>); null if none.
    /// </summary>
    public static string? TryFind()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (
                    File.Exists(Path.Combine(folder.FullName, SolutionFileName))
                    || File.Exists(Path.Combine(folder.FullName, "Community.slnx"))
                )
                {
                    return folder.FullName;
                }
            }
        }
        return null;
    }

    /// <summary>Like <see cref="TryFind"/> but throws a clear error when no root is found.</summary>
    public static string Find() =>
        TryFind()
        ?? throw new InvalidOperationException(
            $"Could not find the repository root ({SolutionFileName}) above '{Environment.CurrentDirectory}' "
                + $"or '{AppContext.BaseDirectory}'. Run from inside the repository."
        );
}
