namespace Community.Deployment.Tests;

/// <summary>
/// The example PostgreSQL cluster (deploy/k8s/dependencies) has every service's database, owned by its own login role.
/// </summary>
public sealed class DependenciesTests
{
    [Fact]
    public void Every_service_has_its_own_database_and_owner_role()
    {
        var objects = Kustomize.Render("dependencies");
        var cluster = Assert.Single(objects, o => o["kind"]?.GetValue<string>() == "Cluster");
        var initdb = cluster["spec"]?["bootstrap"]?["initdb"];
        var roles = (cluster["spec"]?["managed"]?["roles"] as JsonArray ?? [])
            .Where(r => r?["login"]?.GetValue<string>() == "true")
            .Select(r => r?["name"]?.GetValue<string>())
            .ToHashSet();
        // the database made at bootstrap, then one Database resource per later service
        var databases = objects
            .Where(o => o["kind"]?.GetValue<string>() == "Database")
            .Select(d => (Name: d["spec"]?["name"]?.GetValue<string>(), Owner: d["spec"]?["owner"]?.GetValue<string>()))
            .Append((Name: initdb?["database"]?.GetValue<string>(), Owner: initdb?["owner"]?.GetValue<string>()))
            .ToList();

        foreach (var service in ResourceNames.Services)
        {
            var name = ResourceNames.DatabaseNameOf(service);
            var database = Assert.Single(databases, d => d.Name == name);
            Assert.Equal(name, database.Owner);
            Assert.True(
                database.Owner == initdb?["owner"]?.GetValue<string>() || roles.Contains(database.Owner),
                $"{name}: owner role {database.Owner} is a managed login role"
            );
        }
    }
}
