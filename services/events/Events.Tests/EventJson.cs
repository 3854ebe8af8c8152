using System.Globalization;

namespace Community.Events.Tests;

/// <summary>Reading the events API's JSON in the catalogue tests.</summary>
internal static class EventJson
{
    public static string Str(this JsonNode node, string name) => node[name]!.GetValue<string>();

    public static DateTimeOffset Time(this JsonNode node, string name) =>
        DateTimeOffset.Parse(node[name]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None);

    public static List<string> Ids(this JsonNode page) =>
        page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();

    /// <summary>A 400 problem whose errors name <paramref name="field"/>.</summary>
    public static async Task<JsonNode> AssertFieldProblem(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblem(400);
        Assert.True(
            problem["errors"]?[field] is not null,
            $"Expected an error for '{field}': {problem.ToJsonString()}"
        );
        return problem;
    }
}
