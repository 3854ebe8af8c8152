using System.Text.Json;
using System.Text.RegularExpressions;

namespace Community.ServiceDefaults.Errors;

/// <summary>
/// A request the framework could not bind (<c>?limit=abc</c>, a path id that is no UUID, a body that is not JSON or has
/// a member of the wrong type) as the validation error a handler would give: the field in snake_case, a message without
/// .NET type names.
/// </summary>
internal static partial class BindingFailures
{
    // RequestDelegateFactory's messages: Failed to bind parameter "int? Limit" from "abc". / Required parameter "Guid
    // id" was not provided ...
    [GeneratedRegex("^(?<kind>Failed to bind|Required) parameter \"(?<type>.+) (?<name>[^ \"]+)\"")]
    private static partial Regex Parameter();

    public static RequestValidationException? AsValidation(BadHttpRequestException exception)
    {
        if (exception.StatusCode != StatusCodes.Status400BadRequest)
            return null;
        if (exception.InnerException is JsonException json)
        {
            var path = json.Path?.TrimStart('$', '.');
            var member = string.IsNullOrEmpty(path) ? "body" : path;
            // The reader's own words name .NET types only when a value cannot be converted; ours (safe text,
            // duplicates) name the field.
            return new RequestValidationException(
                member,
                json.Message.Contains("could not be converted", StringComparison.Ordinal)
                    ? $"{member} has the wrong type."
                    : $"The request body is not valid JSON: {json.Message}"
            );
        }
        var match = Parameter().Match(exception.Message);
        if (!match.Success)
            return null;
        var field = JsonNamingPolicy.SnakeCaseLower.ConvertName(match.Groups["name"].Value);
        return new RequestValidationException(
            field,
            match.Groups["kind"].Value == "Required"
                ? $"{field} is required."
                : $"{field} must be {Expected(Underlying(match.Groups["type"].Value))}."
        );
    }

    // "int?", "Nullable<int>" or "System.Int32" all read as int.
    private static string Underlying(string type)
    {
        type = type.TrimEnd('?');
        if (type.StartsWith("Nullable<", StringComparison.Ordinal))
            type = type[9..^1];
        return type[(type.LastIndexOf('.') + 1)..];
    }

    private static string Expected(string type) =>
        type switch
        {
            "int"
            or "long"
            or "short"
            or "byte"
            or "uint"
            or "ulong"
            or "ushort"
            or "sbyte"
            or "Int32"
            or "Int64"
            or "Int16"
            or "Byte"
            or "UInt32"
            or "UInt64"
            or "UInt16"
            or "SByte" => "an integer",
            "double" or "float" or "decimal" or "Double" or "Single" or "Decimal" => "a number",
            "bool" or "Boolean" => "true or false",
            "Guid" => "a UUID",
            "DateTimeOffset" or "DateTime" => "an ISO-8601 date and time",
            "DateOnly" => "a date (YYYY-MM-DD)",
            "TimeOnly" => "a time of day (HH:MM:SS)",
            "TimeSpan" => "a duration (HH:MM:SS)",
            _ => "a valid value",
        };
}
