using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>
/// The document-wide part of the contract: the one <c>Problem</c> schema every error answers (RFC 9457 plus request_id,
/// trace_id, errors, and open to the extension members a refusal adds), and path templates in snake_case like their parameters.
/// </summary>
internal sealed partial class ContractDocument : IOpenApiDocumentTransformer
{
    [GeneratedRegex("{([^}:]+)}")]
    private static partial Regex PathParameter();

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
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
                renamed.Add(PathParameter().Replace(path, m => "{" + ContractOperations.ParameterName(m.Groups[1].Value) + "}"), item);
            document.Paths = renamed;
        }
        return Task.CompletedTask;
    }

    private static OpenApiSchema Problem()
    {
        static OpenApiSchema Text(string description, string? format = null) =>
            new() { Type = JsonSchemaType.String, Format = format, Description = description };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem; a refusal may add members a client acts on (balance, required, retry hints...).",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI naming the kind of problem.", "uri-reference"),
                ["title"] = Text("A short summary of the kind of problem."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." },
                ["detail"] = Text("What went wrong with this request."),
                ["instance"] = Text("The path of the request.", "uri-reference"),
                ["request_id"] = Text("The request's id (X-Request-Id): quote it when reporting the problem."),
                ["trace_id"] = Text("The W3C trace id of the request."),
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Validation errors: each field (snake_case, as sent) with its messages.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            },
            Required = new HashSet<string> { "title", "status", "request_id" },
            AdditionalPropertiesAllowed = true,
        };
    }
}
