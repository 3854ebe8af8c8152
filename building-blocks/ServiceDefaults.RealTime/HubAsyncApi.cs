using System.Collections;
using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Community.ServiceDefaults.RealTime;

/// <summary>What an AsyncAPI document says about a hub besides its methods and events.</summary>
public sealed record HubDescription(
    string Title,
    string Description,
    string Path,
    Type Hub,
    IReadOnlyList<IHubEvent> Events
);

/// <summary>
/// The AsyncAPI 3.0 document of a hub, made from its code: every public hub method (arguments as the invocation's
/// argument list, result as the reply) and every <see cref="HubEvent{TPayload}"/> (its payload), with JSON schemas
/// of the wire format (snake_case). The service serves it anonymously, as its OpenAPI document.
/// </summary>
public static class HubAsyncApi
{
    public const string Version = "3.0.0";

    public static IEndpointConventionBuilder MapHubAsyncApi(
        this IEndpointRouteBuilder endpoints,
        string pattern,
        HubDescription hub
    )
    {
        var json = Document(hub).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        return endpoints
            .MapGet(pattern, () => Results.Text(json, "application/json"))
            .AllowAnonymous()
            .ExcludeFromDescription();
    }

    public static JsonObject Document(HubDescription hub)
    {
        var schemas = new SchemaCatalog();
        var messages = new JsonObject();
        var channelMessages = new JsonObject();
        var operations = new JsonObject();
        const string channel = "#/channels/hub";

        void AddMessage(string key, JsonObject message)
        {
            messages[key] = message;
            channelMessages[key] = new JsonObject { ["$ref"] = "#/components/messages/" + key };
        }

        foreach (var method in HubMethod.Of(hub.Hub))
        {
            var items = new JsonArray();
            foreach (var parameter in method.Parameters)
            {
                var schema = schemas.For(parameter.Type, parameter.Nullable);
                items.Add(
                    schema is JsonObject o && !o.ContainsKey("$ref") && !o.ContainsKey("oneOf")
                        ? With(o, "title", parameter.Name)
                        : new JsonObject { ["title"] = parameter.Name, ["allOf"] = new JsonArray(schema) }
                );
            }
            AddMessage(
                method.Name,
                new JsonObject
                {
                    ["name"] = method.Name,
                    ["title"] = $"{method.Name}({string.Join(", ", method.Parameters.Select(p => p.Name))})",
                    ["summary"] = method.Summary ?? $"The client calls {method.Name}.",
                    ["payload"] = new JsonObject
                    {
                        ["type"] = "array",
                        ["description"] = "The invocation's arguments, in order.",
                        ["items"] = items,
                        ["minItems"] = method.Parameters.Count,
                        ["maxItems"] = method.Parameters.Count,
                        ["additionalItems"] = false,
                    },
                }
            );
            var result = method.Name + "Result";
            AddMessage(
                result,
                new JsonObject
                {
                    ["name"] = result,
                    ["summary"] = method.Result is null
                        ? "The call completed (no result)."
                        : $"What {method.Name} answers.",
                    ["payload"] = method.Result is null
                        ? new JsonObject { ["type"] = "null" }
                        : schemas.For(method.Result, nullable: false),
                }
            );
            operations[method.Name] = new JsonObject
            {
                ["action"] = "receive",
                ["channel"] = new JsonObject { ["$ref"] = channel },
                ["summary"] = method.Summary ?? $"The client calls {method.Name}.",
                ["messages"] = new JsonArray(new JsonObject { ["$ref"] = $"{channel}/messages/{method.Name}" }),
                ["reply"] = new JsonObject
                {
                    ["channel"] = new JsonObject { ["$ref"] = channel },
                    ["messages"] = new JsonArray(new JsonObject { ["$ref"] = $"{channel}/messages/{result}" }),
                },
                ["x-signalr"] = "invocation",
            };
        }

        foreach (var hubEvent in hub.Events)
        {
            AddMessage(
                hubEvent.Name,
                new JsonObject
                {
                    ["name"] = hubEvent.Name,
                    ["summary"] = hubEvent.Summary,
                    ["payload"] = schemas.For(hubEvent.PayloadType, nullable: false),
                }
            );
            operations[hubEvent.Name] = new JsonObject
            {
                ["action"] = "send",
                ["channel"] = new JsonObject { ["$ref"] = channel },
                ["summary"] = hubEvent.Summary,
                ["messages"] = new JsonArray(new JsonObject { ["$ref"] = $"{channel}/messages/{hubEvent.Name}" }),
                ["x-signalr"] = "client-method",
            };
        }

        return new JsonObject
        {
            ["asyncapi"] = Version,
            ["info"] = new JsonObject
            {
                ["title"] = hub.Title,
                ["version"] = "1",
                ["description"] = hub.Description,
            },
            ["defaultContentType"] = "application/json",
            ["servers"] = new JsonObject
            {
                ["gateway"] = new JsonObject
                {
                    ["host"] = "localhost:8080",
                    ["protocol"] = "ws",
                    ["description"] =
                        "The gateway (locally http://localhost:8080); SignalR's JSON hub protocol over WebSockets.",
                    ["security"] = new JsonArray(
                        new JsonObject { ["$ref"] = "#/components/securitySchemes/access_token" },
                        new JsonObject { ["$ref"] = "#/components/securitySchemes/bearer" }
                    ),
                },
            },
            ["channels"] = new JsonObject
            {
                ["hub"] = new JsonObject
                {
                    ["address"] = hub.Path,
                    ["title"] = hub.Title,
                    ["description"] =
                        "A SignalR hub: operations the application receives are hub methods the "
                        + "client invokes (payload: the argument list; reply: the result); operations it sends are "
                        + "client methods (events) with one argument, the payload.",
                    ["servers"] = new JsonArray(new JsonObject { ["$ref"] = "#/servers/gateway" }),
                    ["messages"] = channelMessages,
                },
            },
            ["operations"] = operations,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.Schemas(),
                ["messages"] = messages,
                ["securitySchemes"] = new JsonObject
                {
                    ["access_token"] = new JsonObject
                    {
                        ["type"] = "httpApiKey",
                        ["name"] = "access_token",
                        ["in"] = "query",
                        ["description"] =
                            "The access token in the query string (browsers cannot set headers on a WebSocket).",
                    },
                    ["bearer"] = new JsonObject
                    {
                        ["type"] = "http",
                        ["scheme"] = "bearer",
                        ["bearerFormat"] = "JWT",
                    },
                },
            },
        };
    }

    private static JsonObject With(JsonObject schema, string key, string value)
    {
        var copy = new JsonObject { [key] = value };
        foreach (var (k, v) in schema)
            copy[k] = v?.DeepClone();
        return copy;
    }

    /// <summary>JSON schemas of the wire types; records and classes become named schemas referenced by $ref.</summary>
    private sealed class SchemaCatalog
    {
        // The wire's naming and enums (ServiceDefaultsExtensions.ConfigureJson) without its validating converters,
        // whose strings the exporter could not describe.
        private static readonly JsonSerializerOptions Wire = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };

        private readonly SortedDictionary<string, JsonNode> _schemas = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Type> _named = new(StringComparer.Ordinal);
        private readonly Queue<Type> _pending = new();

        public JsonNode For(Type type, bool nullable)
        {
            var schema = Export(type, null);
            while (_pending.TryDequeue(out var named))
                _schemas[named.Name] = Export(named, named);
            if (!nullable || Nullable.GetUnderlyingType(type) is not null)
                return schema;
            return new JsonObject { ["oneOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };
        }

        public JsonObject Schemas() =>
            new(_schemas.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value.DeepClone())));

        private JsonNode Export(Type type, Type? root) =>
            Wire.GetJsonSchemaAsNode(
                type,
                new JsonSchemaExporterOptions
                {
                    TreatNullObliviousAsNonNullable = true,
                    TransformSchemaNode = (context, node) => Transform(context, node, root),
                }
            );

        private JsonNode Transform(JsonSchemaExporterContext context, JsonNode node, Type? root)
        {
            var type = context.TypeInfo.Type;
            if (IsNamed(context.TypeInfo))
            {
                if (context.Path.IsEmpty && type == root)
                {
                    // Every member is always written (nulls too), so every one is required.
                    if (node is JsonObject { } schema && schema["properties"] is JsonObject properties)
                        schema["required"] = new JsonArray([.. properties.Select(p => (JsonNode)p.Key)]);
                    return node;
                }
                var reference = new JsonObject { ["$ref"] = "#/components/schemas/" + Name(type) };
                var nullable =
                    node is JsonObject { } o
                    && o["type"] is JsonArray types
                    && types.Any(t => t?.GetValue<string>() == "null");
                return nullable
                    ? new JsonObject { ["oneOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) }
                    : reference;
            }
            var member = context.PropertyInfo?.AttributeProvider;
            // a JsonElement that always holds an object of members of its own (as the OpenAPI documents say it)
            if (member?.IsDefined(typeof(JsonObjectMemberAttribute), true) == true)
                node = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject() };
            if (
                node is JsonObject described
                && member?.GetCustomAttributes(typeof(DescriptionAttribute), true) is [DescriptionAttribute d, ..]
            )
                described["description"] = d.Description;
            return node;
        }

        private string Name(Type type)
        {
            if (_named.TryGetValue(type.Name, out var known))
            {
                if (known != type)
                    throw new InvalidOperationException($"Two wire types are named {type.Name}: {known} and {type}.");
                return type.Name;
            }
            _named[type.Name] = type;
            _pending.Enqueue(type);
            return type.Name;
        }

        private static bool IsNamed(JsonTypeInfo info) =>
            info.Kind == JsonTypeInfoKind.Object
            && !info.Type.IsGenericType
            && !typeof(IEnumerable).IsAssignableFrom(info.Type)
            && info.Type.Namespace?.StartsWith("System", StringComparison.Ordinal) != true;
    }
}
