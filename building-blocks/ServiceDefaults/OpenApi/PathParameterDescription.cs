using Microsoft.AspNetCore.Builder;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>
/// What a route value names, as the OpenAPI document says it: <c>id</c> under /api/v1/events is the event's id.
/// </summary>
/// <param name="Name">The parameter as the document names it (snake_case): <c>user_id</c>, not <c>userId</c>.</param>
public sealed record PathParameterDescription(string Name, string Description);

public static class PathParameterConventions
{
    /// <summary>
    /// Describes the route value <paramref name="name"/> in each endpoint of the builder whose path has it (a group's
    /// endpoints without it are left alone). An endpoint's own description wins over its group's.
    /// </summary>
    public static TBuilder DescribesPathParameter<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PathParameterDescription(name, description));
}
