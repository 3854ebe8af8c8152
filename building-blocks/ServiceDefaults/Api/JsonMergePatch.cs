using System.Text.Json;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// JSON merge patch (RFC 7396): absent keeps, null clears, an object merges member by member,
/// anything else replaces. Two ways to use it: lay the patch over a typed input and validate the
/// result with the create rules (<see cref="Apply{T}"/>), or apply it field by field (<see cref="ApplyMembers"/>).
/// </summary>
public static class JsonMergePatch
{
    /// <summary>RFC 7396 on documents: the patched copy of <paramref name="target"/> (null members removed).</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => Merge(target, patch, keepNulls: false);

    /// <summary>
    /// <paramref name="current"/> with <paramref name="patch"/> laid over it, read back as a <typeparamref name="T"/>
    /// (400 naming a bad member).
    /// </summary>
    public static T Apply<T>(T current, JsonObject patch, JsonSerializerOptions options) =>
        Read<T>(Overlay(current, patch, options), options);

    /// <summary>
    /// <paramref name="current"/> as JSON with <paramref name="patch"/> merged in. A null stays as an explicit null,
    /// which a typed input reads as cleared, so an unknown member set to null is still refused by the reader.
    /// </summary>
    public static JsonObject Overlay<T>(T current, JsonObject patch, JsonSerializerOptions options) =>
        Merge(JsonSerializer.SerializeToNode(current, options), patch, keepNulls: true)!.AsObject();

    /// <summary>
    /// The body as a <typeparamref name="T"/>; a member of the wrong type or an unknown one is a 400 naming that
    /// member.
    /// </summary>
    public static T Read<T>(JsonObject body, JsonSerializerOptions options)
    {
        try
        {
            return body.Deserialize<T>(options)!;
        }
        catch (JsonException exception)
        {
            if (UnknownMembers.Refusal(exception, typeof(T), options) is { } unknown)
                throw unknown;
            throw new RequestValidationException(
                exception.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "body",
                exception.Message
            );
        }
    }

    /// <summary>
    /// Field-by-field application: a member not in <paramref name="fields"/> is refused like an unknown body field;
    /// <paramref name="apply"/> gets each other member (a null value means clear) and adds its own errors; a value of
    /// the wrong JSON type becomes "{field} has the wrong type.". Throws once with every error.
    /// </summary>
    public static void ApplyMembers(
        JsonObject patch,
        IReadOnlyCollection<string> fields,
        ValidationErrors errors,
        Action<string, JsonNode?> apply
    )
    {
        SafeText.Check("", patch, errors);
        foreach (var (field, _) in patch)
            if (!fields.Contains(field))
                errors.Add(field, UnknownMembers.Message(field, fields));
        errors.ThrowIfAny();
        foreach (var (field, node) in patch)
        {
            try
            {
                apply(field, node);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
            {
                errors.Add(field, $"{field} has the wrong type.");
            }
        }
        errors.ThrowIfAny();
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch, bool keepNulls)
    {
        if (patch is not JsonObject members)
            return patch?.DeepClone();
        var result = target is JsonObject existing ? existing.DeepClone().AsObject() : new JsonObject();
        foreach (var (name, value) in members)
        {
            if (value is null && !keepNulls)
                result.Remove(name);
            else
                result[name] = Merge(result[name], value, keepNulls);
        }
        return result;
    }
}
