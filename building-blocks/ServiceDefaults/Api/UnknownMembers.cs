using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// The one rule for members a client sends that the API does not know (a JSON body field, a merge
/// patch field, a query parameter): refused with a 400 that names it and lists the valid ones.
/// The shared JSON options disallow unmapped members; this turns the reader's error into that answer.
/// </summary>
public static class UnknownMembers
{
    /// <summary>The message every refusal of an unknown member uses.</summary>
    public static string Message(string name, IEnumerable<string> valid, string kind = "field")
    {
        var names = valid.Order(StringComparer.Ordinal).ToList();
        return names.Count == 0
            ? $"{name} is not a known {kind}; this endpoint accepts none."
            : $"{name} is not a known {kind}; the valid {kind}s are: {string.Join(", ", names)}.";
    }

    /// <summary>
    /// When <paramref name="exception"/> is the reader refusing a member that <paramref name="bodyType"/> (at the
    /// exception's path) does not have, the validation error naming it and the valid fields; otherwise null.
    /// </summary>
    public static RequestValidationException? Refusal(
        JsonException exception,
        Type bodyType,
        JsonSerializerOptions options
    )
    {
        if (exception.Path is not { } path || !TrySplit(path, out var segments) || segments.Count == 0)
            return null;
        var type = options.GetTypeInfo(bodyType);
        var field = "";
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.Index is { } index)
            {
                if (type.ElementType is not { } element)
                    return null;
                type = options.GetTypeInfo(element);
                field += $"[{index}]";
                continue;
            }
            if (type.Kind != JsonTypeInfoKind.Object)
                return null;
            var name = segment.Name!;
            var comparison = options.PropertyNameCaseInsensitive
                ? StringComparison.OrdinalIgnoreCase
                : StringComparison.Ordinal;
            var property = type.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
            field = field.Length == 0 ? name : $"{field}.{name}";
            if (property is null)
                return i == segments.Count - 1
                    ? new RequestValidationException(field, Message(name, Writable(type)))
                    : null;
            type = options.GetTypeInfo(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
        }
        return null;
    }

    /// <summary>
    /// The members a client may send for <paramref name="type"/>: settable or bound through the constructor.
    /// </summary>
    public static IEnumerable<string> Writable(JsonTypeInfo type) =>
        type.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null).Select(p => p.Name);

    private readonly record struct Segment(string? Name, int? Index);

    // A reader path: $.a.b[0]['odd name'].
    private static bool TrySplit(string path, out List<Segment> segments)
    {
        segments = [];
        if (!path.StartsWith('$'))
            return false;
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0)
                    end = path.Length;
                segments.Add(new Segment(path[(i + 1)..end], null));
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                    return false;
                segments.Add(new Segment(path[(i + 2)..end], null));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index))
                    return false;
                segments.Add(new Segment(null, index));
                i = end + 1;
            }
            else
                return false;
        }
        return true;
    }
}
