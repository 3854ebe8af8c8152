using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>An operation whose 200 is one of two bodies, which clients tell apart by their members.</summary>
public static class EitherAnswer
{
    /// <summary>
    /// Documents the 200 as <c>oneOf</c> <typeparamref name="TFirst"/> or <typeparamref name="TSecond"/>, each a
    /// component named after its type, with <paramref name="description"/> (say when each comes, and how to tell).
    /// </summary>
    public static RouteHandlerBuilder AnswersEither<TFirst, TSecond>(
        this RouteHandlerBuilder builder,
        string description
    ) =>
        builder.AddOpenApiOperationTransformer(
            async (operation, context, cancellationToken) =>
            {
                if (operation.Responses?.TryGetValue("200", out var ok) != true || ok is not OpenApiResponse response)
                    return;
                var oneOf = new List<IOpenApiSchema>();
                foreach (var type in new[] { typeof(TFirst), typeof(TSecond) })
                {
                    if (context.Document!.Components?.Schemas?.ContainsKey(type.Name) != true)
                        context.Document.AddComponent(
                            type.Name,
                            await context.GetOrCreateSchemaAsync(type, null, cancellationToken)
                        );
                    oneOf.Add(new OpenApiSchemaReference(type.Name, context.Document));
                }
                response.Description = description;
                response.Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = oneOf } },
                };
            }
        );
}
