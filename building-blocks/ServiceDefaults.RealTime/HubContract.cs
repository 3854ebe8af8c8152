using System.ComponentModel;
using System.Reflection;
using System.Text.Json;

namespace Community.ServiceDefaults.RealTime;

/// <summary>What a hub sends to clients under one name: the type of its one argument is part of the contract.</summary>
public interface IHubEvent
{
    string Name { get; }

    string Summary { get; }

    Type PayloadType { get; }
}

/// <summary>
/// A hub event whose payload is a <typeparamref name="TPayload"/>; pushes take one of these, so what is sent is what
/// the AsyncAPI document says (<see cref="HubAsyncApi"/>). It reads as its wire name where a string is wanted.
/// </summary>
public sealed record HubEvent<TPayload>(string Name, string Summary) : IHubEvent
{
    public Type PayloadType => typeof(TPayload);

    public static implicit operator string(HubEvent<TPayload> hubEvent) => hubEvent.Name;

    public override string ToString() => Name;
}

public static class HubEvents
{
    /// <summary>The events a class declares as static fields, in declaration order.</summary>
    public static IReadOnlyList<IHubEvent> DeclaredIn(Type holder) =>
        [
            .. holder
                .GetFields(BindingFlags.Public | BindingFlags.Static)
                .OrderBy(f => f.MetadataToken)
                .Where(f => typeof(IHubEvent).IsAssignableFrom(f.FieldType))
                .Select(f => (IHubEvent)f.GetValue(null)!),
        ];
}

/// <summary>An argument of a hub method, named as clients see it (snake_case).</summary>
public sealed record HubParameter(string Name, Type Type, bool Nullable);

/// <summary>
/// A hub method clients call: its arguments in order, its result type (null when it answers nothing).
/// </summary>
public sealed record HubMethod(string Name, string? Summary, IReadOnlyList<HubParameter> Parameters, Type? Result)
{
    /// <summary>
    /// The methods a client may call on <paramref name="hub"/>, in declaration order, as SignalR binds them.
    /// </summary>
    public static IReadOnlyList<HubMethod> Of(Type hub)
    {
        var nullability = new NullabilityInfoContext();
        return
        [
            .. hub.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m =>
                    !m.IsSpecialName && m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync))
                )
                .OrderBy(m => m.MetadataToken)
                .Select(m => new HubMethod(
                    m.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? m.Name,
                    m.GetCustomAttribute<DescriptionAttribute>()?.Description,
                    [
                        .. m.GetParameters()
                            .Where(p => p.ParameterType != typeof(CancellationToken))
                            .Select(p => Parameter(p, nullability)),
                    ],
                    ResultOf(m.ReturnType)
                )),
        ];
    }

    private static HubParameter Parameter(ParameterInfo parameter, NullabilityInfoContext nullability) =>
        new(
            JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter.Name!),
            parameter.ParameterType,
            Nullable.GetUnderlyingType(parameter.ParameterType) is not null
                || nullability.Create(parameter).ReadState == NullabilityState.Nullable
        );

    private static Type? ResultOf(Type returned)
    {
        if (returned == typeof(void) || returned == typeof(Task) || returned == typeof(ValueTask))
            return null;
        var generic = returned.IsGenericType ? returned.GetGenericTypeDefinition() : null;
        return generic == typeof(Task<>) || generic == typeof(ValueTask<>)
            ? returned.GetGenericArguments()[0]
            : returned;
    }
}

/// <summary>The methods of every hub the service maps, by name: how a refused call's arguments are explained.</summary>
public sealed class HubSignatures
{
    private readonly Dictionary<string, List<HubMethod>> _byName = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Add(Type hub)
    {
        lock (_lock)
            foreach (var method in HubMethod.Of(hub))
            {
                var same = _byName.TryGetValue(method.Name, out var list) ? list : _byName[method.Name] = [];
                same.Add(method);
            }
    }

    /// <summary>The method <paramref name="name"/> taking <paramref name="types"/>, if a mapped hub has it.</summary>
    public HubMethod? Find(string name, IReadOnlyList<Type> types)
    {
        lock (_lock)
            return _byName.TryGetValue(name, out var list)
                ? list.FirstOrDefault(m => m.Parameters.Select(p => p.Type).SequenceEqual(types)) ?? list[0]
                : null;
    }
}
