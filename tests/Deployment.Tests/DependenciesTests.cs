using System.Text.RegularExpressions;

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

    [Fact]
    public void Redis_answers_only_with_a_password_and_only_the_gateway_and_messaging_reach_it()
    {
        var objects = Kustomize.Render("dependencies");
        var redis = Assert.Single(
            objects,
            o =>
                o["kind"]?.GetValue<string>() == "Deployment"
                && o["metadata"]?["name"]?.GetValue<string>() == "community-redis"
        );
        var container = redis["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        var args = container["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        var requirepass = args.IndexOf("--requirepass");
        Assert.True(requirepass >= 0 && args[requirepass + 1] == "$(REDIS_PASSWORD)", string.Join(" ", args));
        var password = container["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "REDIS_PASSWORD")!;
        Assert.Equal("community-redis-auth", password["valueFrom"]?["secretKeyRef"]?["name"]?.GetValue<string>());

        var policy = Assert.Single(
            objects,
            o =>
                o["kind"]?.GetValue<string>() == "NetworkPolicy"
                && o["spec"]?["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"]?.GetValue<string>()
                    == "community-redis"
        );
        var rule = Assert.Single(policy["spec"]!["ingress"]!.AsArray())!;
        var peer = Assert.Single(rule["from"]!.AsArray())!;
        var names = peer["podSelector"]!["matchExpressions"]!
            .AsArray()
            .Single(e => e!["key"]!.GetValue<string>() == "app.kubernetes.io/name")!;
        Assert.Equal("In", names["operator"]!.GetValue<string>());
        Assert.Equal(
            [ResourceNames.Gateway, ResourceNames.Messaging],
            names["values"]!.AsArray().Select(v => v!.GetValue<string>()).Order()
        );
        Assert.Equal("6379", Assert.Single(rule["ports"]!.AsArray())!["port"]!.ToString());

        // The services are told to connect with it (README.md's redis-secrets).
        var readme = File.ReadAllText(Path.Combine(Kustomize.RepositoryRoot, "deploy", "k8s", "README.md"));
        Assert.Contains("community-redis.community-data.svc:6379,password=${REDIS_PASSWORD}", readme);
    }

    [Theory]
    [InlineData("community-pg", "5432", "cnpg-system")]
    [InlineData("community-rabbitmq", "5672", "rabbitmq-system")]
    public void Only_the_services_reach_the_database_and_the_broker_beside_their_operator_and_their_own_nodes(
        string name,
        string clientPort,
        string operatorNamespace
    )
    {
        var policy = Assert.Single(
            Kustomize.Render("dependencies"),
            o => o["kind"]?.GetValue<string>() == "NetworkPolicy" && o["metadata"]?["name"]?.GetValue<string>() == name
        );
        Assert.Equal(["Ingress"], policy["spec"]!["policyTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        var rules = policy["spec"]!["ingress"]!.AsArray().Select(r => r!).ToList();
        foreach (var rule in rules)
        {
            var peers = rule["from"]?.AsArray() ?? [];
            Assert.True(peers.Count > 0, $"{name}: a rule that admits every pod");
            foreach (var peer in peers)
            {
                var namespaces = peer!["namespaceSelector"]?["matchLabels"];
                if (namespaces is null)
                {
                    // no namespace selector: pods of community-data, which must be the cluster's own nodes
                    var own = peer["podSelector"]!.ToJsonString();
                    Assert.True(own.Contains("cnpg.io/cluster") || own.Contains(name), own);
                }
                else if (namespaces["kubernetes.io/metadata.name"] is { } operatorPeer)
                {
                    Assert.Equal(operatorNamespace, operatorPeer.GetValue<string>());
                }
                else
                {
                    // the platform's namespaces: only the six services, and only on the client port
                    Assert.Equal("community", namespaces["app.kubernetes.io/part-of"]?.GetValue<string>());
                    var names = peer["podSelector"]!["matchExpressions"]!
                        .AsArray()
                        .Single(e => e!["key"]!.GetValue<string>() == "app.kubernetes.io/name")!;
                    Assert.Equal("In", names["operator"]!.GetValue<string>());
                    Assert.Equal(
                        ResourceNames.Services.Order(),
                        names["values"]!.AsArray().Select(v => v!.GetValue<string>()).Order()
                    );
                    Assert.Equal(clientPort, Assert.Single(rule["ports"]!.AsArray())!["port"]!.ToString());
                }
            }
        }
        Assert.Contains(
            rules,
            r =>
                r["from"]!
                    .AsArray()
                    .Any(p => p!["namespaceSelector"]?["matchLabels"]?["app.kubernetes.io/part-of"] is not null)
        );
    }

    [Fact]
    public void The_cluster_takes_every_pool_of_every_pod_at_the_largest_scale_during_a_rollout()
    {
        var cluster = Assert.Single(Kustomize.Render("dependencies"), o => o["kind"]?.GetValue<string>() == "Cluster");
        var maxConnections = int.Parse(
            cluster["spec"]!["postgresql"]!["parameters"]!["max_connections"]!.GetValue<string>()
        );
        // The pool sizes are in the connection strings README.md has operators put in each service's Secret.
        var readme = File.ReadAllText(Path.Combine(Kustomize.RepositoryRoot, "deploy", "k8s", "README.md"));
        var pools = Regex
            .Matches(readme, @"Database=(\w+);[^""]*Maximum Pool Size=(\d+)")
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        var production = Kustomize.Render("overlays/production");
        var needed = 0;
        foreach (var service in ResourceNames.Services)
        {
            var pool = pools[ResourceNames.DatabaseNameOf(service)];
            var hpa = Assert.Single(
                production,
                o =>
                    o["kind"]?.GetValue<string>() == "HorizontalPodAutoscaler"
                    && o["metadata"]?["name"]?.GetValue<string>() == service
            );
            var deployment = Assert.Single(
                production,
                o =>
                    o["kind"]?.GetValue<string>() == "Deployment"
                    && o["metadata"]?["name"]?.GetValue<string>() == service
            );
            var surge = int.Parse(deployment["spec"]!["strategy"]!["rollingUpdate"]!["maxSurge"]!.ToString());
            // The surge's new pod opens its pool while an old one still stops (maxSurge does not count it).
            needed += pool * (int.Parse(hpa["spec"]!["maxReplicas"]!.ToString()) + surge + 1);
        }
        // PostgreSQL's superuser_reserved_connections (3), and room for the operator's own sessions.
        Assert.True(
            maxConnections >= needed + 3 + 10,
            $"max_connections {maxConnections} is short of {needed} pooled connections and 13 reserved"
        );
    }
}
