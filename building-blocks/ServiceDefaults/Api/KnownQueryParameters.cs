using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Reflection;
using System.Security.Claims;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// A query parameter the endpoint does not bind (a misspelled filter such as start_after) is a 400
/// naming the parameters it accepts, never silently ignored. The accepted names come from the
/// handler's parameters: simple ones not bound from the route, <c>[FromQuery(Name = ...)]</c> and the
/// members of <c>[AsParameters]</c> records. Only route handlers are checked: proxied routes (the
/// gateway's), hubs and health probes are not, access_token is accepted where a token may come in the query, and an
/// endpoint whose URL another party writes may accept any (<see cref="AcceptsAnyQueryParameters"/>).
/// </summary>
public static class KnownQueryParameters
{
    public static IApplicationBuilder UseKnownQueryParameters(this IApplicationBuilder app)
    {
        var accepted = new ConcurrentDictionary<Endpoint, HashSet<string>?>();
        var tokenPaths = app.ApplicationServices.GetRequiredService<IOptions<JwtOptions>>().Value.QueryTokenPaths;
        return app.Use(
            async (context, next) =>
            {
                if (
                    context.Request.Query.Count > 0
                    && context.GetEndpoint() is RouteEndpoint endpoint
                    && accepted.GetOrAdd(endpoint, e => Accepted((RouteEndpoint)e)) is { } names
                )
                {
                    var errors = new ValidationErrors();
                    foreach (var (name, _) in context.Request.Query)
                    {
                        if (names.Contains(name))
                            continue;
                        if (name == "access_token" && tokenPaths.Any(p => context.Request.Path.StartsWithSegments(p)))
                            continue;
                        errors.Add(name, UnknownMembers.Message(name, names, "query parameter"));
                    }
                    errors.ThrowIfAny();
                }
                await next(context);
            }
        );
    }

    /// <summary>
    /// Declares query parameters a handler reads itself (from HttpRequest.Query), so they are accepted.
    /// </summary>
    public static TBuilder AcceptsQueryParameters<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ReadQueryParameters(names));

    /// <summary>
    /// Declares that the endpoint takes whatever its caller adds to the query, refusing none: where another party
    /// writes the URL (an identity provider's redirect back with its scope, authuser or session_state; a mailed link a
    /// mail service tags with utm_ parameters). The handler still binds what it reads.
    /// </summary>
    public static TBuilder AcceptsAnyQueryParameters<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AnyQueryParameters());

    /// <summary>
    /// The query parameter names <paramref name="endpoint"/> binds, or null when it is not a route handler, binds
    /// custom types or accepts any (<see cref="AcceptsAnyQueryParameters"/>).
    /// </summary>
    public static HashSet<string>? Accepted(RouteEndpoint endpoint)
    {
        if (
            endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler
            || endpoint.Metadata.GetMetadata<AnyQueryParameters>() is not null
        )
            return null;
        var route = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in handler.GetParameters())
            if (!Collect(parameter.Name!, parameter.ParameterType, parameter.GetCustomAttributes(true), route, names))
                return null;
        foreach (var declared in endpoint.Metadata.GetOrderedMetadata<ReadQueryParameters>())
            names.UnionWith(declared.Names);
        return names;
    }

    private static readonly Type[] Special =
    [
        typeof(HttpContext),
        typeof(HttpRequest),
        typeof(HttpResponse),
        typeof(ClaimsPrincipal),
        typeof(CancellationToken),
        typeof(IFormFile),
        typeof(IFormFileCollection),
        typeof(IFormCollection),
        typeof(Stream),
        typeof(PipeReader),
    ];

    // False when the parameter binds itself (BindAsync) and so may read any query parameter.
    private static bool Collect(
        string name,
        Type type,
        object[] attributes,
        HashSet<string> route,
        HashSet<string> names
    )
    {
        if (attributes.OfType<AsParametersAttribute>().Any())
        {
            foreach (var (member, memberType, memberAttributes) in Members(type))
                if (!Collect(member, memberType, memberAttributes, route, names))
                    return false;
            return true;
        }
        if (attributes.OfType<IFromQueryMetadata>().FirstOrDefault() is { } fromQuery)
        {
            names.Add(fromQuery.Name ?? name);
            return true;
        }
        if (
            attributes.Any(a =>
                a
                    is IFromRouteMetadata
                        or IFromHeaderMetadata
                        or IFromBodyMetadata
                        or IFromFormMetadata
                        or IFromServiceMetadata
                        or FromKeyedServicesAttribute
            )
        )
            return true;

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (Special.Contains(underlying))
            return true;
        if (underlying.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == "BindAsync"))
            return false;
        if (route.Contains(name))
            return true;
        if (
            IsSimple(underlying)
            || underlying == typeof(StringValues)
            || (underlying.IsArray && IsSimple(underlying.GetElementType()!))
        )
            names.Add(name.ToLowerInvariant()); // matched ignoring case; shown as clients write it
        // Anything else is a service or the body.
        return true;
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string)
            || type.IsEnum
            || type.IsPrimitive
            || type.GetMethod(
                "TryParse",
                BindingFlags.Public | BindingFlags.Static,
                [typeof(string), type.MakeByRefType()]
            )
                is not null
            || type.GetMethod(
                "TryParse",
                BindingFlags.Public | BindingFlags.Static,
                [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]
            )
                is not null;
    }

    // What [AsParameters] binds: the widest public constructor's parameters, and settable properties it does not cover.
    private static IEnumerable<(string Name, Type Type, object[] Attributes)> Members(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var parameters = constructor?.GetParameters() ?? [];
        foreach (var parameter in parameters)
            yield return (parameter.Name!, parameter.ParameterType, parameter.GetCustomAttributes(true));
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (
                property.CanWrite
                && !parameters.Any(p => string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase))
            )
                yield return (property.Name, property.PropertyType, property.GetCustomAttributes(true));
    }
}

/// <summary>
/// Endpoint metadata: query parameters the handler reads itself (see
/// <see cref="KnownQueryParameters.AcceptsQueryParameters"/>).
/// </summary>
public sealed record ReadQueryParameters(IReadOnlyList<string> Names);

/// <summary>
/// Endpoint metadata: no query parameter is refused (see <see cref="KnownQueryParameters.AcceptsAnyQueryParameters"/>).
/// </summary>
public sealed record AnyQueryParameters;
