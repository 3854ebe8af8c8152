using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Text a client may send: no C0 control character but tab, CR and LF (PostgreSQL refuses NUL,
/// the others are never meant) and no lone UTF-16 surrogate (it cannot be stored as UTF-8).
/// Enforced once for every service: in JSON bodies (<see cref="SafeStringConverter"/>, merge
/// patches) and in the query string and path (<see cref="UseSafeText"/>).
/// </summary>
public static class SafeText
{
    /// <summary>Why <paramref name="text"/> is refused, or null when it is fine.</summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' && c is not ('\t' or '\r' or '\n'))
                return $"contains the control character U+{(int)c:X4}";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return "contains a lone UTF-16 surrogate";
        }
        return null;
    }

    /// <summary>
    /// <paramref name="text"/> as it may be stored, for text no client sent (a model's reply): the refused control
    /// characters dropped, each lone surrogate written as U+FFFD. The same string when nothing is refused.
    /// </summary>
    public static string Clean(string text)
    {
        if (Problem(text) is null)
            return text;
        var clean = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' && c is not ('\t' or '\r' or '\n'))
                continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                clean.Append(c).Append(text[++i]);
            else
                clean.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return clean.ToString();
    }

    /// <summary>
    /// The first <paramref name="max"/> UTF-16 units of <paramref name="text"/>, one fewer where the cut would split a
    /// surrogate pair (an emoji): half a pair cannot be stored, and is written to JSON as U+FFFD.
    /// </summary>
    public static string Cut(string text, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return text.Length <= max ? text
            : max > 0 && char.IsHighSurrogate(text[max - 1]) ? text[..(max - 1)]
            : text[..max];
    }

    /// <summary>
    /// Adds an error for every string in <paramref name="node"/> (a JSON body or member) that is refused.
    /// </summary>
    public static void Check(string field, JsonNode? node, Errors.ValidationErrors errors)
    {
        switch (node)
        {
            case JsonObject members:
                foreach (var (name, value) in members)
                    Check(field.Length == 0 ? name : $"{field}.{name}", value, errors);
                break;
            case JsonArray items:
                for (var i = 0; i < items.Count; i++)
                    Check($"{field}[{i}]", items[i], errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetValue<string>();
                }
                catch (InvalidOperationException)
                {
                    errors.Add(field, $"{field} is not valid Unicode text.");
                    return;
                }
                if (Problem(text) is { } problem)
                    errors.Add(field, $"{field} {problem}.");
                break;
        }
    }

    /// <summary>
    /// Refuses a request whose path or query string carries refused text (400 problem naming the
    /// parameter), before any endpoint binds it.
    /// </summary>
    public static IApplicationBuilder UseSafeText(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                var errors = new Errors.ValidationErrors();
                if (Problem(context.Request.Path.Value ?? "") is { } pathProblem)
                    errors.Add("path", $"The path {pathProblem}.");
                foreach (var (name, values) in context.Request.Query)
                {
                    if (Problem(name) is { } nameProblem)
                        errors.Add("query", $"A query parameter's name {nameProblem}.");
                    else
                        foreach (var value in values)
                            if (value is not null && Problem(value) is { } valueProblem)
                                errors.Add(name, $"{name} {valueProblem}.");
                }
                errors.ThrowIfAny();
                await next(context);
            }
        );
}

/// <summary>
/// Every string read from a JSON body goes through <see cref="SafeText.Problem"/>; a refused one is a JSON error (400).
/// </summary>
public sealed class SafeStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException("Expected a string.");
        return Checked(ref reader);
    }

    // Without these two, no string-keyed dictionary (a validation problem's errors) could be written or read.
    public override string ReadAsPropertyName(
        ref Utf8JsonReader reader,
        Type typeToConvert,
        JsonSerializerOptions options
    ) => Checked(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    private static string Checked(ref Utf8JsonReader reader)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonException("The text is not valid Unicode.");
        }
        return SafeText.Problem(text) is { } problem ? throw new RefusedTextException(problem) : text;
    }
}

/// <summary>A string <see cref="SafeStringConverter"/> refused; <see cref="Problem"/> says why.</summary>
public sealed class RefusedTextException(string problem) : JsonException($"The text {problem}.")
{
    /// <summary>What is wrong with it, as <see cref="SafeText.Problem"/> says it ("contains ...").</summary>
    public string Problem { get; } = problem;
}

/// <summary>
/// Reads JSON object bodies (merge patches) refusing, at any depth, a member named twice (the
/// built-in reader throws a bare ArgumentException on them) and text <see cref="SafeText"/> refuses,
/// as JSON errors (400).
/// </summary>
public sealed class UniqueMembersJsonObjectConverter : JsonConverter<JsonObject>
{
    public override JsonObject? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("Expected a JSON object.");
        var element = JsonElement.ParseValue(ref reader);
        Refuse(element, "$");
        return JsonObject.Create(element);
    }

    private static void Refuse(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    var name = Text(() => member.Name, path);
                    if (!names.Add(name))
                        throw new JsonException($"The property '{name}' appears twice in {path}.");
                    Refuse(member.Value, $"{path}.{name}");
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    Refuse(item, $"{path}[{i++}]");
                break;
            case JsonValueKind.String:
                Text(() => element.GetString()!, path);
                break;
        }
    }

    private static string Text(Func<string> read, string path)
    {
        string text;
        try
        {
            text = read();
        }
        catch (InvalidOperationException)
        {
            throw new JsonException($"The text at {path} is not valid Unicode.");
        }
        return SafeText.Problem(text) is { } problem ? throw new JsonException($"The text at {path} {problem}.") : text;
    }

    public override void Write(Utf8JsonWriter writer, JsonObject value, JsonSerializerOptions options) =>
        value.WriteTo(writer, options);
}
