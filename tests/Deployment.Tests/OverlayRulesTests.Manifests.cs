namespace Community.Deployment.Tests;

// Reading the rendered manifests: objects by kind, pod specs, labels and selectors.
public sealed partial class OverlayRulesTests
{
    private static List<JsonObject> OfKind(IEnumerable<JsonObject> objects, string kind) =>
        objects.Where(o => Kind(o) == kind).ToList();

    private static string? Kind(JsonObject o) => Str(o, "kind");

    private static string Name(JsonObject o) =>
        Str(o, "metadata", "name") ?? throw new InvalidDataException("an object without a name");

    private static JsonNode? PodSpec(JsonObject deployment) => deployment["spec"]?["template"]?["spec"];

    private static IEnumerable<JsonNode?> Containers(JsonObject deployment) => Items(PodSpec(deployment), "containers");

    private static JsonNode? Container(JsonObject deployment) => Assert.Single(Containers(deployment));

    private static JsonObject Labels(JsonNode? withMetadata) =>
        withMetadata?["metadata"]?["labels"] as JsonObject ?? [];

    // A label selector's matchLabels (the only form these manifests use) are all among the labels.
    private static bool Selects(JsonNode? selector, JsonObject labels)
    {
        Assert.Null(selector?["matchExpressions"]);
        var matchLabels = selector?["matchLabels"] as JsonObject ?? [];
        return matchLabels.All(pair => Str(labels, pair.Key) == pair.Value?.GetValue<string>());
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? node, params string[] path)
    {
        foreach (var segment in path)
        {
            node = node?[segment];
        }
        return node as JsonArray ?? [];
    }

    private static string? Str(JsonNode? node, params string[] path)
    {
        foreach (var segment in path)
        {
            node = node is JsonObject o && o.TryGetPropertyValue(segment, out var child) ? child : null;
        }
        return node is JsonValue value ? value.GetValue<string>() : null;
    }
}
