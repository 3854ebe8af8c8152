using System.Collections;
using System.Reflection;

namespace Community.ServiceDefaults.OpenApi;

/// <summary>
/// A request body with a realistic example the API accepts, shown in the document (snake_case, nulls left out).
/// </summary>
public interface IRequestExample<TSelf>
    where TSelf : IRequestExample<TSelf>
{
    static abstract TSelf Example { get; }
}

/// <summary>
/// A query or path parameter the handler refuses to go without (its 400 names it), documented as required. Not
/// <c>[Required]</c>: ASP.NET Core's document generator fails on a validation attribute on an [AsParameters] record's
/// member, and the parameter still binds as optional so that its absence is the handler's problem, not the binder's.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class RequiredParameterAttribute : Attribute;

/// <summary>
/// The member holds one of the strings the static <paramref name="member"/> of <paramref name="holder"/> lists (the
/// list the validation checks against), documented as the schema's enum so the two cannot drift.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ValuesOfAttribute(Type holder, string member = "All") : Attribute
{
    public IReadOnlyList<string> Values { get; } = Read(holder, member);

    private static string[] Read(Type holder, string member)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        var value = holder.GetField(member, flags)?.GetValue(null) ?? holder.GetProperty(member, flags)?.GetValue(null);
        return value is IEnumerable values and not string
            ? [.. values.Cast<object?>().Select(v => v?.ToString()).OfType<string>()]
            : throw new ArgumentException($"{holder.Name}.{member} is not a static list of values.");
    }
}
