using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Declares the bearer scheme in every OpenAPI document and puts it on each operation that
/// needs a token, so Swagger UI shows its Authorize button and locks the right operations.
/// Every endpoint needs a token unless it allows anonymous callers (the fallback policy): then it needs none
/// (<c>security: []</c>), or none but reads one sent (<see cref="TokenOptional"/>: <c>[{}, {bearer: []}]</c>).
/// </summary>
internal sealed class BearerSecurityDocument : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeName = "bearer";

    public Task TransformAsync(
        OpenApiDocument document,
        OpenApiDocumentTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from POST /api/v1/auth/login (access_token).",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var bearer = new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [],
        };
        operation.Security =
            !metadata.OfType<IAllowAnonymous>().Any() ? [bearer]
            // {} first: no token is needed; a token sent is read
            : metadata.OfType<TokenOptional>().Any() ? [new OpenApiSecurityRequirement(), bearer]
            : [];
        return Task.CompletedTask;
    }
}
