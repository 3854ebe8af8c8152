using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Community.LocalInfrastructure;

namespace Community.AppHost.Tests;

/// <summary>
/// scripts/check-node.sh, which setup.sh asks before building the web client: a Node.js older than Vite's engines
/// (Debian 12's 18.x) is said so, and a run goes on without the web client rather than failing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class NodeCheckTests
{
    private static readonly string Root = RepositoryRoot.Find();
    private static readonly string Script = Path.Combine(Root, "scripts", "check-node.sh");

    [Fact]
    public void The_check_asks_for_the_node_vite_names_in_its_engines()
    {
        var lockFile = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "clients", "web", "package-lock.json")))!;
        var engines = lockFile["packages"]!["node_modules/vite"]!["engines"]!["node"]!.GetValue<string>();

        Assert.Equal(engines, Required().Match(File.ReadAllText(Script)).Groups[1].Value);
    }

    [Theory]
    [InlineData("v18.19.0", false)] // Debian 12, Ubuntu 24.04
    [InlineData("v20.18.3", false)]
    [InlineData("v20.19.0", true)]
    [InlineData("v21.7.3", false)]
    [InlineData("v22.11.0", false)]
    [InlineData("v22.12.0", true)]
    [InlineData("v24.1.0", true)]
    [InlineData("", false)] // no node at all, or one that says nothing
    public async Task A_node_older_than_vites_engines_is_refused_with_what_to_do(string version, bool enough)
    {
        var bin = Directory.CreateTempSubdirectory("fake-node-");
        try
        {
            var node = Path.Combine(bin.FullName, "node");
            await File.WriteAllTextAsync(node, $"#!/bin/sh\necho '{version}'\n");
            File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var start = new ProcessStartInfo("bash", [Script]) { RedirectStandardError = true };
            start.Environment["PATH"] = $"{bin.FullName}:/usr/bin:/bin";
            using var check = Process.Start(start)!;
            var said = await check.StandardError.ReadToEndAsync();
            await check.WaitForExitAsync();

            Assert.Equal(enough ? 0 : 1, check.ExitCode);
            if (enough)
                Assert.Equal("", said);
            else
                Assert.Contains("^20.19.0 || >=22.12.0", said);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [GeneratedRegex("""^required="([^"]+)"$""", RegexOptions.Multiline)]
    private static partial Regex Required();
}
