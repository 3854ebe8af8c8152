using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>
/// Each operation as clients must call it: parameters named as the binder reads them (snake_case), the body type an
/// endpoint declares with <c>.Accepts&lt;T&gt;()</c> when its handler reads raw JSON, every error as the one Problem
/// schema, <c>security: []</c> when anonymous, the headers the pipeline honours (X-Request-Id, Idempotency-Key, ETag
/// and If-Match) and the answers it gives for them (a key's 409 and 422, a stale ETag's 412), the 429 and 503 any
/// operation may meet, parameters marked <c>[RequiredParameter]</c> as required, Retry-After on a 409, 429 or 503,
/// and Location on a redirect.
/// </summary>
internal sealed class ContractOperations : IOpenApiOperationTransformer
{
    public const string ProblemSchema = "Problem";
    public const string MergePatch = "application/merge-patch+json";

    public async Task TransformAsync(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        // The XML-comment generator makes an (internal) handler's <summary> the summary: .WithSummary stays the one
        // line, and the XML comment becomes the description.
        if (
            metadata.OfType<IEndpointSummaryMetadata>().LastOrDefault()?.Summary is { } summary
            && operation.Summary != summary
        )
        {
            operation.Description ??= operation.Summary;
            operation.Summary = summary;
        }
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            if (parameter.In is ParameterLocation.Query or ParameterLocation.Path && parameter.Name is { } name)
            {
                DocumentParameter(
                    parameter,
                    context.Description.ParameterDescriptions.FirstOrDefault(d =>
                        d.Name == name
                        && d.Source
                            == (parameter.In == ParameterLocation.Query ? BindingSource.Query : BindingSource.Path)
                    )
                );
                parameter.Name = ParameterName(name);
                if (parameter.In == ParameterLocation.Path)
                    parameter.Description ??= metadata
                        .OfType<PathParameterDescription>()
                        .LastOrDefault(d => d.Name == parameter.Name)
                        ?.Description;
            }

        await DeclareBodyAsync(operation, context, metadata, cancellationToken);
        AddExample(operation, context, metadata);

        operation.Parameters ??= [];
        operation.Parameters.Add(
            new OpenApiParameter
            {
                Name = RequestId.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description =
                    "The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9._:-]{1,64}$" },
            }
        );
        var idempotency = metadata.OfType<Api.HonoursIdempotencyKey>().LastOrDefault();
        if (idempotency is not null)
            operation.Parameters.Add(
                new OpenApiParameter
                {
                    Name = IdempotencyKey.Header,
                    In = ParameterLocation.Header,
                    Required = false,
                    Description =
                        "Repeating a request with the same key answers the first one's "
                        + "result instead of doing it again.",
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        MinLength = 1,
                        MaxLength = IdempotencyKey.MaxLength,
                    },
                }
            );
        if (idempotency is { Replays: true })
        {
            // The shared middleware's answers to a key (IdempotentRequests): 422 when it was used for another request,
            // 409 (with Retry-After) while the first request with it still runs.
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("409", new OpenApiResponse { Description = "Conflict" });
            operation.Responses.TryAdd("422", new OpenApiResponse { Description = "Unprocessable Entity" });
        }

        var entityTag = metadata.OfType<EntityTagMetadata>().LastOrDefault();
        if (entityTag is { HonoursIfMatch: true })
        {
            operation.Parameters.Add(
                OptionalHeader(
                    HeaderNames.IfMatch,
                    "The ETag the change was made against: a stale one is refused with 412 and nothing "
                        + "changes; none or * updates as is."
                )
            );
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("412", new OpenApiResponse { Description = "Precondition Failed" });
        }

        var validators = metadata.OfType<FileValidatorsMetadata>().Any();
        if (validators)
        {
            operation.Parameters.Add(
                OptionalHeader(
                    HeaderNames.IfNoneMatch,
                    "The ETag of the copy the caller holds: 304 without the bytes while the file is the same."
                )
            );
            operation.Parameters.Add(
                OptionalHeader(
                    HeaderNames.IfModifiedSince,
                    "The Last-Modified of the copy the caller holds (an HTTP date): 304 without the bytes while the "
                        + "file is not newer. Sent with If-None-Match, 304 only when both say the copy is current."
                )
            );
            operation.Parameters.Add(
                OptionalHeader(
                    HeaderNames.IfMatch,
                    "An ETag the answer is wanted for only: 412 when the file is another version."
                )
            );
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd(
                "304",
                new OpenApiResponse { Description = "Not Modified: the copy the request names is current." }
            );
            operation.Responses.TryAdd("412", new OpenApiResponse { Description = "Precondition Failed" });
        }

        // Any operation may meet the edge's windows (the gateway's per address and per user, an invalid token's) and a
        // service or its database out of reach for a moment: 429 and 503, both with Retry-After.
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Too Many Requests" });
        operation.Responses.TryAdd("503", new OpenApiResponse { Description = "Service Unavailable" });

        var problemMembers = metadata.OfType<Errors.ProblemMembers>().ToList();
        // Any JSON body may be refused 415: another media type (the framework's answer), or a charset other than
        // UTF-8 (JsonCharset's, which names the one it reads).
        if (operation.RequestBody?.Content?.Keys.Any(Api.JsonCharset.IsJson) == true)
        {
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("415", new OpenApiResponse { Description = "Unsupported Media Type" });
            if (!problemMembers.Any(m => m.Status == StatusCodes.Status415UnsupportedMediaType))
                problemMembers.Add(
                    new Errors.ProblemMembers(
                        StatusCodes.Status415UnsupportedMediaType,
                        typeof(Api.CharsetRefusal),
                        Always: false
                    )
                );
        }
        var members = await ProblemMembersAsync(context, problemMembers, cancellationToken);
        foreach (var (status, response) in operation.Responses ?? new OpenApiResponses())
        {
            if (response is not OpenApiResponse r)
                continue;
            r.Headers ??= new Dictionary<string, IOpenApiHeader>();
            r.Headers[RequestId.Header] = new OpenApiHeader
            {
                Description = "The request's id, as in logs and problem details.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
            if (entityTag is not null && status.Length == 3 && status[0] == '2')
                r.Headers[HeaderNames.ETag] = new OpenApiHeader
                {
                    Description = "The resource's version, for If-Match on its update.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            if (validators && status is "200" or "304")
            {
                r.Headers[HeaderNames.ETag] = new OpenApiHeader
                {
                    Description = "The file's version, for If-None-Match.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
                r.Headers[HeaderNames.LastModified] = new OpenApiHeader
                {
                    Description = "When the file was stored (an HTTP date), for If-Modified-Since.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
            if (status is "409" or "429" or "503")
                r.Headers[HeaderNames.RetryAfter] = new OpenApiHeader
                {
                    Description =
                        status == "409"
                            ? "When present, the same request may succeed after this many seconds (what it names has "
                                + "not reached this service yet, or the same request is still running); when absent, "
                                + "the conflict stands."
                            : "When present, how many seconds to wait before asking again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                };
            if (status is "301" or "302" or "303" or "307" or "308")
                r.Headers[HeaderNames.Location] = new OpenApiHeader
                {
                    Description = "Where to go next.",
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
                };
            if (status.Length == 3 && status[0] is '4' or '5')
                r.Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new OpenApiMediaType
                    {
                        Schema = members.TryGetValue(status, out var more)
                            ? new OpenApiSchema
                            {
                                AllOf = [new OpenApiSchemaReference(ProblemSchema, context.Document), more],
                            }
                            : new OpenApiSchemaReference(ProblemSchema, context.Document),
                    },
                };
        }
    }

    /// <summary>An optional request header of the operation, a string.</summary>
    private static OpenApiParameter OptionalHeader(string name, string description) =>
        new()
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        };

    /// <summary>
    /// The members an endpoint's problems carry beside the Problem's (<c>ProducesPaymentRequired</c>,
    /// <c>ProducesProblemWith</c>), by status, each a component named after its type; optional ones lose their
    /// required list.
    /// </summary>
    private static async Task<Dictionary<string, IOpenApiSchema>> ProblemMembersAsync(
        OpenApiOperationTransformerContext context,
        IEnumerable<Errors.ProblemMembers> problemMembers,
        CancellationToken cancellationToken
    )
    {
        var byStatus = new Dictionary<string, IOpenApiSchema>();
        foreach (var members in problemMembers)
        {
            var schema = (OpenApiSchema)
                (await context.GetOrCreateSchemaAsync(members.Type, null, cancellationToken)).CreateShallowCopy();
            // Open to the Problem's own members beside them (each part of an allOf is checked against the whole
            // answer).
            schema.AdditionalPropertiesAllowed = true;
            schema.AdditionalProperties = null;
            if (!members.Always)
                schema.Required = null;
            context.Document!.AddComponent(members.Type.Name, schema);
            byStatus[members.Status.ToString(CultureInfo.InvariantCulture)] = new OpenApiSchemaReference(
                members.Type.Name,
                context.Document
            );
        }
        return byStatus;
    }

    // A parameter that takes one of a closed set ([ValuesOf] or [AllowedValues] on it, or on an [AsParameters]
    // record's member) has the set as its enum, as a body's member has; a list's limit ([PageSize]) its bounds and
    // default. One the handler refuses to go without is marked [RequiredParameter] and so documented,
    // though it binds as optional: its absence is the handler's 400, which names it.
    private static void DocumentParameter(OpenApiParameter parameter, ApiParameterDescription? described)
    {
        if (described?.ParameterDescriptor is not IParameterInfoParameterDescriptor { ParameterInfo: { } info })
            return;
        if (info.GetCustomAttribute<RequiredParameterAttribute>() is not null)
            parameter.Required = true;
        if (parameter.Schema is not OpenApiSchema schema)
            return;
        var values =
            info.GetCustomAttribute<ValuesOfAttribute>()?.Values
            ?? info.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => v?.ToString()).OfType<string>();
        if (values is not null)
            TypedSchemas.SetEnum(schema, values);
        if (info.GetCustomAttribute<PageSizeAttribute>() is { } size)
        {
            schema.Minimum = "1";
            schema.Maximum = size.Max.ToString(CultureInfo.InvariantCulture);
            schema.Default = size.Default;
            parameter.Description ??= size.Description;
        }
    }

    /// <summary>
    /// The name as the binder matches it (ignoring case), in snake_case: Limit is limit, userId user_id.
    /// </summary>
    public static string ParameterName(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    // The body type's IRequestExample, written as the service writes JSON (snake_case), without the members it leaves
    // null.
    private static void AddExample(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        IList<object> metadata
    )
    {
        if (operation.RequestBody is not OpenApiRequestBody { Content: { } content })
            return;
        var type =
            metadata
                .OfType<IAcceptsMetadata>()
                .LastOrDefault(a => a.RequestType is { } t && !typeof(JsonNode).IsAssignableFrom(t))
                ?.RequestType
            ?? context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source.Id == "Body")?.Type;
        var contract = type
            ?.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestExample<>));
        if (type is null || contract is null)
            return;
        var example =
            type.GetProperty(nameof(IRequestExample<>.Example), BindingFlags.Public | BindingFlags.Static)
                ?.GetValue(null)
            ?? type.GetInterfaceMap(contract).TargetMethods.Single().Invoke(null, null);
        var json = new JsonSerializerOptions(
            context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions
        )
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        var node = JsonSerializer.SerializeToNode(example, type, json);
        foreach (var (mediaType, media) in content)
            if (mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
                media.Example = node?.DeepClone();
    }

    // A handler that reads raw JSON (a merge patch, a body validated by hand) documents its real body with
    // .Accepts<T>().
    private static async Task DeclareBodyAsync(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        IList<object> metadata,
        CancellationToken cancellationToken
    )
    {
        var declared = metadata
            .OfType<IAcceptsMetadata>()
            .LastOrDefault(a => a.RequestType is { } t && !typeof(JsonNode).IsAssignableFrom(t));
        if (declared?.RequestType is not { } type || operation.RequestBody is not OpenApiRequestBody body)
            return;
        var bodyType = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source.Id == "Body")?.Type;
        if (bodyType is null || !typeof(JsonNode).IsAssignableFrom(bodyType))
            return;
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        var name = type.Name;
        if (HttpMethods.IsPatch(context.Description.HttpMethod ?? "") && schema.Required is { Count: > 0 })
        {
            // A merge patch of a type a create also takes: nothing is required.
            name += "Patch";
            schema = PatchOf(schema);
        }
        // Named after the type, as every other body's schema is.
        context.Document!.AddComponent(name, schema);
        var reference = new OpenApiSchemaReference(name, context.Document);
        var types = declared.ContentTypes.Count > 0 ? declared.ContentTypes.ToList() : ["application/json"];
        if (HttpMethods.IsPatch(context.Description.HttpMethod ?? "") && !types.Contains(MergePatch))
            types.Add(MergePatch);
        body.Content = types.ToDictionary(t => t, _ => new OpenApiMediaType { Schema = reference });
    }

    // What a create requires may be left out of a patch, but not cleared: a null there is refused like a create
    // without it. What a create takes as optional keeps its schema, null (clear it) included.
    private const string PatchRule =
        "As a merge patch (RFC 7396): a member left out keeps its value; null sets one a create may leave out as a "
        + "create without it would (empty, or its default), where the rules allow that, and is refused for one a "
        + "create requires.";

    private static OpenApiSchema PatchOf(OpenApiSchema create)
    {
        var patch = (OpenApiSchema)create.CreateShallowCopy();
        patch.Required = null;
        patch.Description = (create.Description is { Length: > 0 } d ? d + " " : "") + PatchRule;
        return patch;
    }
}
