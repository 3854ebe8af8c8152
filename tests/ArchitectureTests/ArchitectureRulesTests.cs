using System.Reflection;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using ArchAssembly = ArchUnitNET.Domain.Assembly;

namespace Community.ArchitectureTests;

/// <summary>
/// The rules that keep six services alike and apart (README, "Conventions"): a service never uses another service's
/// code, the building blocks never use a service's, and the gateway stays a proxy (no EF Core, no MassTransit).
/// </summary>
public sealed class ArchitectureRulesTests
{
    public static readonly string[] Services =
    [
        "Community.Identity",
        "Community.Social",
        "Community.Messaging",
        "Community.Events",
        "Community.Payments",
        "Community.AiCompanion",
    ];

    public static readonly string[] BuildingBlocks =
    [
        "Community.Contracts",
        "Community.ServiceDefaults",
        "Community.ServiceDefaults.Data",
        "Community.ServiceDefaults.Messaging",
        "Community.ServiceDefaults.RealTime",
        "Community.ServiceDefaults.Blobs",
        "Community.LocalInfrastructure",
        "Community.Testing",
    ];

    public const string Gateway = "Community.Gateway";

    internal static readonly Architecture Architecture = new ArchLoader()
        .LoadAssemblies([.. Services.Concat(BuildingBlocks).Append(Gateway).Select(System.Reflection.Assembly.Load)])
        .Build();

    public static TheoryData<string> EachService => new(Services);

    [Theory]
    [MemberData(nameof(EachService))]
    public void No_two_public_types_of_a_service_share_a_name(string service)
    {
        // The OpenAPI document names each schema after its type alone: two records of one name in two features give
        // the contract one schema for both, so one operation is documented with the other's shape.
        var clashes = System
            .Reflection.Assembly.Load(service)
            .GetExportedTypes()
            .Where(t => !t.IsNested && !t.IsGenericTypeDefinition && t.Name != "Program")
            .GroupBy(t => t.Name)
            .Where(g => g.Count() > 1)
            .Select(g => string.Join(" and ", g.Select(t => t.FullName)))
            .ToList();
        Assert.True(clashes.Count == 0, string.Join("; ", clashes));
    }

    [Theory]
    [MemberData(nameof(EachService))]
    public void A_service_references_no_other_service(string service)
    {
        var others = Services.Where(s => s != service).ToHashSet();
        Assert.DoesNotContain(
            System.Reflection.Assembly.Load(service).GetReferencedAssemblies(),
            a => others.Contains(a.Name!)
        );

        Types()
            .That()
            .ResideInAssembly(Load(service))
            .Should()
            .NotDependOnAny(Types().That().ResideInAssembly(Load(others.First()), [.. others.Skip(1).Select(Load)]))
            .Check(Architecture);
    }

    [Fact]
    public void Building_blocks_reference_no_service_and_not_the_gateway()
    {
        var forbidden = Services.Append(Gateway).ToHashSet();
        foreach (var block in BuildingBlocks)
            Assert.DoesNotContain(
                System.Reflection.Assembly.Load(block).GetReferencedAssemblies(),
                a => forbidden.Contains(a.Name!)
            );

        Types()
            .That()
            .ResideInAssembly(Load(BuildingBlocks[0]), [.. BuildingBlocks.Skip(1).Select(Load)])
            .Should()
            .NotDependOnAny(Types().That().ResideInAssembly(Load(Gateway), [.. Services.Select(Load)]))
            .Check(Architecture);
    }

    [Fact]
    public void The_gateway_uses_neither_ef_core_nor_masstransit()
    {
        var gateway = System.Reflection.Assembly.Load(Gateway);
        Assert.DoesNotContain(
            Closure(gateway),
            name =>
                name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
                || name.StartsWith("MassTransit", StringComparison.Ordinal)
        );
    }

    private static ArchAssembly Load(string name) =>
        Architecture.Assemblies.Single(a =>
            a.Name == name || a.FullName.StartsWith(name + ",", StringComparison.Ordinal)
        );

    // Every assembly the gateway loads through its references, ours followed transitively, the framework's not opened.
    private static HashSet<string> Closure(System.Reflection.Assembly root)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<AssemblyName>(root.GetReferencedAssemblies());
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Name!) || !next.Name!.StartsWith("Community.", StringComparison.Ordinal))
                continue;
            foreach (var reference in System.Reflection.Assembly.Load(next).GetReferencedAssemblies())
                pending.Push(reference);
        }
        return seen;
    }
}
