using Microsoft.AspNetCore.OpenApi;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>The transformers every service's OpenAPI document gets (the contract issue 28 states).</summary>
public static class ContractOpenApi
{
    /// <summary>
    /// Each service calls <c>builder.Services.AddOpenApi(o =&gt; o.AddContract())</c> in its own project: the
    /// XML-comment source generator only sees AddOpenApi calls in the project it compiles, so a call made here would
    /// lose the docs.
    /// </summary>
    public static OpenApiOptions AddContract(this OpenApiOptions options)
    {
        // PageOf<EventDto> is PageOfEventDto, not the generator's PageOfOfEventDto
        options.CreateSchemaReferenceId = type =>
            OpenApiOptions.CreateDefaultSchemaReferenceId(type)?.Replace("OfOf", "Of", StringComparison.Ordinal);
        options.AddDocumentTransformer<Auth.BearerSecurityDocument>();
        options.AddOperationTransformer<Auth.BearerSecurityDocument>();
        options.AddOperationTransformer<Api.PagingParameterDocs>();
        options.AddOperationTransformer<ContractOperations>();
        options.AddDocumentTransformer<ContractDocument>();
        options.AddDocumentTransformer<ContractDescriptions>();
        options.AddSchemaTransformer<TypedSchemas>();
        return options;
    }
}
