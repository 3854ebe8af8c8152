using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>
/// The document-wide part of the contract: the one <c>Problem</c> schema every error answers (RFC 9457 plus request_id,
/// trace_id, errors, and open to the extension members a refusal adds), path templates in snake_case like their
/// parameters, the gateway's root as the server, and no schema that nothing refers to.
/// </summary>
internal sealed partial class ContractDocument : IOpenApiDocumentTransformer
{
    [GeneratedRegex("{([^}:]+)}")]
    private static partial Regex PathParameter();

    public Task TransformAsync(
        OpenApiDocument document,
        OpenApiDocumentTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.Remove("ProblemDetails");
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        document.Components.Schemas[ContractOperations.ProblemSchema] = Problem();

        if (document.Paths is { } paths)
        {
            var renamed = new OpenApiPaths();
            foreach (var (path, item) in paths)
                renamed.Add(
                    PathParameter().Replace(path, m => "{" + ContractOperations.ParameterName(m.Groups[1].Value) + "}"),
                    item
                );
            document.Paths = renamed;
        }
        // The gateway serves every service's paths as they are, so "/" (relative to where the document was fetched
        // from) is right through the gateway and on the service itself, and the document does not depend on the host
        // that served it.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The gateway (or the service itself)" }];
        InlineFiles(document);
        RemoveUnreferencedSchemas(document);
        return Task.CompletedTask;
    }

    // A form is no type a client (de)serializes: its fields go inline, and a file (sent or served) is a binary string,
    // not .NET's IFormFile or Stream (NSwag, for one, only sees file fields of an inline form: else its client does not
    // compile).
    private static void InlineFiles(OpenApiDocument document)
    {
        foreach (var operation in Operations(document))
        {
            foreach (var (type, media) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
                if (
                    type == "multipart/form-data"
                    && media.Schema is OpenApiSchemaReference { Target: OpenApiSchema form }
                )
                {
                    var inline = (OpenApiSchema)form.CreateShallowCopy();
                    inline.Properties = form.Properties?.ToDictionary(p => p.Key, p => Unreferenced(p.Value));
                    media.Schema = inline;
                }
                else if (media.Schema is { } schema)
                    media.Schema = Unreferenced(schema);
            foreach (var response in (IEnumerable<IOpenApiResponse>?)operation.Responses?.Values ?? [])
            foreach (var media in response.Content?.Values ?? [])
                if (media.Schema is { } schema)
                    media.Schema = Unreferenced(schema);
        }
    }

    private static IEnumerable<OpenApiOperation> Operations(OpenApiDocument document) =>
        document.Paths?.Values.SelectMany(p => (IEnumerable<OpenApiOperation>?)p.Operations?.Values ?? []) ?? [];

    private static IOpenApiSchema Unreferenced(IOpenApiSchema field) =>
        field switch
        {
            OpenApiSchemaReference { Type: JsonSchemaType.String, Format: "binary" } file => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "binary",
                Description = file.Description,
            },
            OpenApiSchemaReference { Type: JsonSchemaType.Array, Items: { } items } list
                when Unreferenced(items) is OpenApiSchema { Format: "binary" } item => new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = item,
                Description = list.Description,
            },
            _ => field,
        };

    private const string SchemaPointer = "#/components/schemas/";

    private static IEnumerable<string> ReferencedSchemas(JsonNode? node) =>
        node switch
        {
            JsonObject o => o.SelectMany(p =>
                p.Key == "$ref"
                && p.Value?.GetValueKind() == JsonValueKind.String
                && p.Value.GetValue<string>() is var r
                && r.StartsWith(SchemaPointer, StringComparison.Ordinal)
                    ? [r[SchemaPointer.Length..]]
                    : ReferencedSchemas(p.Value)
            ),
            JsonArray a => a.SelectMany(ReferencedSchemas),
            _ => [],
        };

    // A body a handler reads as raw JSON is documented as its .Accepts<T>() type, which leaves the JsonObject schema
    // behind.
    private static void RemoveUnreferencedSchemas(OpenApiDocument document)
    {
        if (document.Components?.Schemas is not { } schemas)
            return;
        var used = new HashSet<string>();
        void Walk(IOpenApiSchema? schema)
        {
            if (schema is OpenApiSchemaReference reference)
            {
                if (reference.Reference.Id is { } id && used.Add(id) && schemas.TryGetValue(id, out var target))
                    Walk(target);
                return;
            }
            if (schema is null)
                return;
            foreach (var property in schema.Properties?.Values ?? [])
                Walk(property);
            foreach (var part in (schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? []))
                Walk(part);
            Walk(schema.Items);
            Walk(schema.AdditionalProperties);
            Walk(schema.Not);
            // A schema an extension names (a stream's x-events).
            foreach (var extension in (schema.Extensions?.Values ?? []).OfType<JsonNodeExtension>())
            foreach (var id in ReferencedSchemas(extension.Node))
                if (used.Add(id) && schemas.TryGetValue(id, out var target))
                    Walk(target);
        }
        static IEnumerable<IOpenApiSchema?> Content(IDictionary<string, OpenApiMediaType>? content) =>
            content?.Values.Select(m => m.Schema) ?? [];
        foreach (var operation in Operations(document))
        {
            foreach (var parameter in operation.Parameters ?? [])
                Walk(parameter.Schema);
            foreach (var schema in Content(operation.RequestBody?.Content))
                Walk(schema);
            foreach (var response in (IEnumerable<IOpenApiResponse>?)operation.Responses?.Values ?? [])
            {
                foreach (var schema in Content(response.Content))
                    Walk(schema);
                foreach (var header in response.Headers?.Values ?? [])
                    Walk(header.Schema);
            }
        }
        foreach (var name in schemas.Keys.Where(name => !used.Contains(name)).ToList())
            schemas.Remove(name);
    }

    private static OpenApiSchema Problem()
    {
        static OpenApiSchema Text(string description, string? format = null) =>
            new()
            {
                Type = JsonSchemaType.String,
                Format = format,
                Description = description,
            };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description =
                "An RFC 9457 problem; a refusal may add members a client acts on (balance, required, retry hints...).",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI naming the kind of problem.", "uri-reference"),
                ["title"] = Text("A short summary of the kind of problem."),
                ["status"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Description = "The HTTP status code.",
                },
                ["detail"] = Text("What went wrong with this request."),
                ["instance"] = Text("The path of the request.", "uri-reference"),
                ["request_id"] = Text("The request's id (X-Request-Id): quote it when reporting the problem."),
                ["trace_id"] = Text("The W3C trace id of the request."),
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Validation errors: each field (snake_case, as sent) with its messages.",
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array,
                        Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
            },
            Required = new HashSet<string> { "title", "status", "request_id" },
            AdditionalPropertiesAllowed = true,
        };
    }
}
