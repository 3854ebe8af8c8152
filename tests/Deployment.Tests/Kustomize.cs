using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Community.Deployment.Tests;

/// <summary>
/// Renders a kustomization of deploy/k8s with the real tool: the standalone `kustomize build`,
/// else `kubectl kustomize` (kustomize v5 is needed for components and replacements). A missing
/// tool fails the test: scripts/setup.sh installs it.
/// </summary>
public static class Kustomize
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<JsonObject>>> Rendered = new();

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// The objects of `deploy/k8s/{folder}` as rendered, one JSON object per document (scalars are strings).
    /// </summary>
    public static IReadOnlyList<JsonObject> Render(string folder) =>
        Rendered
            .GetOrAdd(
                folder,
                f => new Lazy<IReadOnlyList<JsonObject>>(() =>
                    Parse(Build(Path.Combine(RepositoryRoot, "deploy", "k8s", f)))
                )
            )
            .Value;

    private static string Build(string directory)
    {
        string[][] tools =
        [
            ["kustomize", "build", directory],
            ["kubectl", "kustomize", directory],
        ];
        var tried = new List<string>();
        foreach (var command in tools)
        {
            var result = TryRun(command);
            if (result is null)
            {
                tried.Add(command[0] + ": not found");
                continue;
            }
            var (exitCode, stdout, stderr) = result.Value;
            if (exitCode == 0)
            {
                return stdout;
            }
            // A tool that runs but cannot render (too old, or a broken manifest) is an answer, not a reason to try the
            // next.
            throw new InvalidOperationException(
                $"`{string.Join(' ', command)}` failed with exit code {exitCode}:\n{stderr}"
            );
        }
        throw new InvalidOperationException(
            "No kustomize to render deploy/k8s ("
                + string.Join("; ", tried)
                + "). Run `bash scripts/setup.sh` (it installs kustomize), or install kustomize v5 or kubectl 1.27+."
        );
    }

    private static (int ExitCode, string Stdout, string Stderr)? TryRun(string[] command)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start");
        }
        catch (Win32Exception)
        {
            return null;
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{string.Join(' ', command)}` did not finish within a minute");
            }
            return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
        }
    }

    /// <summary>One YAML document (a config file a ConfigMap carries) as JSON.</summary>
    public static JsonObject ParseDocument(string yaml) => Parse(yaml).Single();

    private static List<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream
            .Documents.Select(document =>
                ToJson(document.RootNode) as JsonObject
                ?? throw new InvalidDataException("a rendered document is not a mapping")
            )
            .ToList();
    }

    private static JsonNode? ToJson(YamlNode node) =>
        node switch
        {
            YamlMappingNode mapping => new JsonObject(
                mapping.Children.Select(child =>
                    KeyValuePair.Create(((YamlScalarNode)child.Key).Value ?? "", ToJson(child.Value))
                )
            ),
            YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
            YamlScalarNode { Value: null or "null" or "~" } scalar
                when scalar.Style == YamlDotNet.Core.ScalarStyle.Plain => null,
            YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
            _ => throw new InvalidDataException($"unexpected YAML node {node.NodeType}"),
        };

    private static string FindRepositoryRoot()
    {
        for (
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            directory is not null;
            directory = directory.Parent
        )
        {
            if (File.Exists(Path.Combine(directory.FullName, "Community.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Community.sln not found above " + AppContext.BaseDirectory);
    }
}
