using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>
/// Schemas as the API really reads and writes them. Strings and instants go through our own converters
/// (<c>SafeStringConverter</c>, <c>UtcTimestamps</c>), which the generator cannot see through, so they would be
/// untyped; numbers are sent as JSON numbers (reading "5" is a lenience of the web defaults, not the contract), so
/// integer-or-string becomes integer; a member is required when a client must send it (a C# <c>required</c> member, a
/// constructor parameter without default that cannot be null, or a member marked <c>[Required]</c>, which is then not
/// null either); <c>[AllowedValues]</c> and <c>[ValuesOf]</c> are the enum.
/// </summary>
internal sealed class TypedSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(
        OpenApiSchema schema,
        OpenApiSchemaTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        var property = context.JsonPropertyInfo;
        var requiredByValidation = property is not null && Attribute<RequiredAttribute>(property) is not null;
        var nullable =
            property is not null
            && !requiredByValidation
            && (property.IsGetNullable || Nullable.GetUnderlyingType(property.PropertyType) is not null);
        if (requiredByValidation && schema.Type is { } declared && declared != JsonSchemaType.Null)
            schema.Type = declared & ~JsonSchemaType.Null;
        if (schema.Type is null && schema.AllOf is null && schema.OneOf is null && schema.AnyOf is null)
        {
            if (type == typeof(string) || type == typeof(char))
                schema.Type = JsonSchemaType.String;
            else if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
            {
                // Our converters write instants (Api.UtcTimestamps), which hides them from the generator as strings do.
                schema.Type = JsonSchemaType.String;
                schema.Format = "date-time";
            }
            else if (
                type == typeof(JsonObject)
                || property?.AttributeProvider?.IsDefined(typeof(JsonObjectMemberAttribute), true) == true
            )
            {
                // members of its own, whatever they are: said, or a client generator reads "no members at all"
                schema.Type = JsonSchemaType.Object;
                schema.AdditionalProperties = new OpenApiSchema();
            }
            else if (type == typeof(JsonArray))
                schema.Type = JsonSchemaType.Array;
            if (schema.Type is not null && nullable)
                schema.Type |= JsonSchemaType.Null;
        }
        if (
            schema.Type is { } t
            && (t & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0
            && (t & JsonSchemaType.String) != 0
        )
        {
            schema.Type = t & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        if (schema.Type is { } array && array.HasFlag(JsonSchemaType.Array) && schema.Items is null)
            schema.Items = new OpenApiSchema();
        var values = property is null
            ? null
            : Attribute<AllowedValuesAttribute>(property)?.Values.Select(v => v?.ToString())
                ?? Attribute<ValuesOfAttribute>(property)?.Values;
        if (values is not null)
            SetEnum(schema, values.OfType<string>());
        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Properties is { Count: > 0 })
        {
            var required = context
                .JsonTypeInfo.Properties.Where(Required)
                .Select(p => p.Name)
                .Where(schema.Properties.ContainsKey)
                .ToHashSet();
            schema.Required = required.Count > 0 ? required : null;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The closed set as the schema's enum (its items' for an array); one that may be null holds one of the values or
    /// null, so the enum says so, or null would not validate.
    /// </summary>
    internal static void SetEnum(OpenApiSchema schema, IEnumerable<string> values)
    {
        var target =
            schema.Type is { } type && type.HasFlag(JsonSchemaType.Array) && schema.Items is OpenApiSchema items
                ? items
                : schema;
        target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        if (target.Type is { } held && held.HasFlag(JsonSchemaType.Null))
            target.Enum.Add(null!);
    }

    // On the property, or on the positional record's parameter ([Required] there needs no "property:" target).
    private static T? Attribute<T>(JsonPropertyInfo property)
        where T : Attribute =>
        property.AttributeProvider?.GetCustomAttributes(typeof(T), true).OfType<T>().FirstOrDefault()
        ?? property
            .AssociatedParameter?.AttributeProvider?.GetCustomAttributes(typeof(T), true)
            .OfType<T>()
            .FirstOrDefault();

    private static bool Required(JsonPropertyInfo property) =>
        property.IsRequired
        || Attribute<RequiredAttribute>(property) is not null
        || property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false } parameter
            && !(Nullable.GetUnderlyingType(parameter.ParameterType) is not null);
}

/// <summary>
/// A member typed loosely (<c>JsonElement</c>) that always holds a JSON object, of members of its own: so documented
/// (an object with any members).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class JsonObjectMemberAttribute : Attribute;
