using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>
/// Descriptions read as text, not as the XML comments they came from: the line breaks and indentation of a wrapped
/// comment become single spaces (a blank line still separates paragraphs), so wrapping a comment at 120 columns
/// never changes the contract.
/// </summary>
internal sealed partial class ContractDescriptions : IOpenApiDocumentTransformer
{
    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public Task TransformAsync(
        OpenApiDocument document,
        OpenApiDocumentTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        var seen = new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance);
        foreach (var schema in document.Components?.Schemas?.Values ?? [])
            Walk(schema, seen);
        foreach (var operation in OperationsOf(document))
        {
            operation.Summary = Text(operation.Summary);
            operation.Description = Text(operation.Description);
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                parameter.Description = Text(parameter.Description);
                Walk(parameter.Schema, seen);
            }
            if (operation.RequestBody is OpenApiRequestBody body)
            {
                body.Description = Text(body.Description);
                foreach (var media in body.Content?.Values ?? [])
                    Walk(media.Schema, seen);
            }
            foreach (var response in operation.Responses?.Values.OfType<OpenApiResponse>() ?? [])
            {
                response.Description = Text(response.Description);
                foreach (var media in response.Content?.Values ?? [])
                    Walk(media.Schema, seen);
            }
        }
        return Task.CompletedTask;
    }

    private static IEnumerable<OpenApiOperation> OperationsOf(OpenApiDocument document) =>
        document.Paths?.Values.SelectMany(p => (IEnumerable<OpenApiOperation>?)p.Operations?.Values ?? []) ?? [];

    private static void Walk(IOpenApiSchema? schema, HashSet<IOpenApiSchema> seen)
    {
        if (schema is null || !seen.Add(schema))
            return;
        switch (schema)
        {
            // only a description of its own: the getter falls back to the target's, which is walked as a component
            case OpenApiSchemaReference reference:
                if (reference.Reference.Description is { } own)
                    reference.Reference.Description = Text(own);
                return;
            case OpenApiSchema inline:
                inline.Description = Text(inline.Description);
                break;
        }
        foreach (var property in schema.Properties?.Values ?? [])
            Walk(property, seen);
        foreach (var part in (schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? []))
            Walk(part, seen);
        Walk(schema.Items, seen);
        Walk(schema.AdditionalProperties, seen);
    }

    private static string? Text(string? description) =>
        description is null
            ? null
            : string.Join(
                "\n\n",
                ParagraphBreak()
                    .Split(description.Replace("\r\n", "\n").Trim())
                    .Select(paragraph => Whitespace().Replace(paragraph, " ").Trim())
            );
}
