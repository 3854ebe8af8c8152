using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Describes page, cursor and limit on every numbered list that takes a cursor (see <see cref="NumberedCursor"/>), in
/// one place; [Description] on an [AsParameters] member breaks the document generator (an attribute cast inside
/// Microsoft.AspNetCore.OpenApi).
/// </summary>
internal sealed class PagingParameterDocs : IOpenApiOperationTransformer
{
    public Task TransformAsync(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        var parameters = operation
            .Parameters?.OfType<OpenApiParameter>()
            .ToDictionary(p => p.Name ?? "", StringComparer.OrdinalIgnoreCase);
        if (parameters is null || !parameters.ContainsKey("cursor") || !parameters.ContainsKey("page"))
            return Task.CompletedTask;
        parameters["cursor"].Description = PagingDocs.Cursor;
        parameters["page"].Description = PagingDocs.Page;
        if (parameters.TryGetValue("limit", out var limit))
            limit.Description = PagingDocs.Limit;
        return Task.CompletedTask;
    }
}
