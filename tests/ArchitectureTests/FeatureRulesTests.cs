namespace Community.ArchitectureTests;

/// <summary>
/// Inside a service, features meet only through each other's public face (docs/conventions.md, "Features"): a type in
/// <c>Community.X.A</c> may use from another feature <c>Community.X.B</c> only a type named <c>...Access</c>,
/// <c>...Queries</c>, <c>...Rules</c> or <c>...Dto</c> (or one nested in them). The service's root namespace (its
/// wiring) and
/// <c>Data</c> (the DbContext, the entities and their mappings) are shared; <c>Data</c> uses no feature.
/// </summary>
public sealed class FeatureRulesTests
{
    private static readonly string[] PublicFace = ["Access", "Queries", "Rules", "Dto"];

    public static TheoryData<string> EachService => new(ArchitectureRulesTests.Services);

    [Theory]
    [MemberData(nameof(EachService))]
    public void Features_use_each_other_only_through_their_public_face(string service)
    {
        var violations = CrossFeatureUses(service)
            .Where(use => use.To != "Data" && !IsPublicFace(use.Target))
            .Select(use => $"{use.Source} ({use.From}) uses {use.Target} ({use.To})")
            .Distinct()
            .Order()
            .ToList();

        Assert.True(
            violations.Count == 0,
            "Cross-feature uses outside the public face:\n" + string.Join("\n", violations)
        );
    }

    [Theory]
    [MemberData(nameof(EachService))]
    public void Data_uses_no_feature(string service)
    {
        var violations = CrossFeatureUses(service)
            .Where(use => use.From == "Data")
            .Select(use => $"{use.Source} uses {use.Target} ({use.To})")
            .Distinct()
            .Order()
            .ToList();

        Assert.True(violations.Count == 0, "Data depends on features:\n" + string.Join("\n", violations));
    }

    private sealed record Use(string Source, string From, string Target, string To);

    private static IEnumerable<Use> CrossFeatureUses(string service)
    {
        var prefix = service + ".";
        foreach (var type in ArchitectureRulesTests.Architecture.Types)
        {
            var from = Feature(type.FullName, prefix);
            if (from is null)
                continue;
            foreach (var dependency in type.Dependencies)
            {
                var to = Feature(dependency.Target.FullName, prefix);
                if (to is null || to == from)
                    continue;
                yield return new Use(TopLevel(type.FullName), from, TopLevel(dependency.Target.FullName), to);
            }
        }
    }

    // The second namespace segment under the service (Community.Events.Catalogue.X -> Catalogue); null for the
    // service's root namespace and for anything outside the service.
    private static string? Feature(string fullName, string prefix)
    {
        if (!fullName.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var rest = fullName[prefix.Length..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? null : rest[..dot];
    }

    private static string TopLevel(string fullName)
    {
        var plus = fullName.IndexOf('+');
        var name = plus < 0 ? fullName : fullName[..plus];
        var generic = name.IndexOf('`');
        return generic < 0 ? name : name[..generic];
    }

    private static bool IsPublicFace(string fullName)
    {
        var name = fullName[(fullName.LastIndexOf('.') + 1)..];
        return PublicFace.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal));
    }
}
