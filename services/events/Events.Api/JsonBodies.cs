using System.Text.Json;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Errors;

namespace Community.Events;

/// <summary>How PATCH bodies become inputs: laid over the current state, then read with the create rules.</summary>
public static class JsonBodies
{
    /// <summary>JSON merge patch at the top level: <paramref name="current"/> as JSON with every member of <paramref name="patch"/> laid over it (absent keeps, null clears).</summary>
    public static JsonObject Merge<T>(T current, JsonObject patch, JsonSerializerOptions options)
    {
        var merged = JsonSerializer.SerializeToNode(current, options)!.AsObject();
        foreach (var (name, value) in patch) merged[name] = value?.DeepClone();
        return merged;
    }

    /// <summary>The body as a <typeparamref name="T"/>; a member of the wrong type or an unknown one is a 400 naming that member.</summary>
    public static T Read<T>(JsonObject body, JsonSerializerOptions options)
    {
        try
        {
            return body.Deserialize<T>(options)!;
        }
        catch (JsonException exception)
        {
            throw new RequestValidationException(exception.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "body", exception.Message);
        }
    }
}
