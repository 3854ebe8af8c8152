using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Describes page and cursor in one place: on a numbered list (page and cursor, see <see cref="NumberedCursor"/>) and
/// on a keyset list (cursor alone). Limit's bounds and default come from its
/// <see cref="PageSizeAttribute"/>.
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
            .Where(p => p.In == ParameterLocation.Query)
            .ToDictionary(p => p.Name ?? "", StringComparer.OrdinalIgnoreCase);
        if (parameters is null)
            return Task.CompletedTask;
        var (page, cursor) = (parameters.GetValueOrDefault("page"), parameters.GetValueOrDefault("cursor"));
        if (page is not null)
            page.Description = PagingDocs.Page;
        if (cursor is not null)
            cursor.Description = page is null ? PagingDocs.KeysetCursor : PagingDocs.Cursor;
        return Task.CompletedTask;
    }
}
