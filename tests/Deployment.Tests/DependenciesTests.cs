using System.Text.RegularExpressions;

namespace Community.Deployment.Tests;

/// <summary>
/// The example dependencies (deploy/k8s/dependencies): the PostgreSQL cluster has every service's database, owned by
/// its own login role; each environment has its own Redis and its own broker user, limited to its vhost; what runs
/// several pods loses one at a time to a drain.
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

    // Each environment's Redis: the kustomization that renders it, its name, its password's Secret, and the
    // configuration string README.md has operators put in that environment's redis-secrets.
    public static TheoryData<string, string, string, string> Redises =>
        new()
        {
            {
                "dependencies",
                "community-redis",
                "community-redis-auth",
                "community-redis.community-data.svc:6379,password=${REDIS_PASSWORD}"
            },
            {
                "dependencies/staging",
                "community-redis-staging",
                "community-redis-staging-auth",
                "community-redis-staging.community-data.svc:6379,password=${STAGING_REDIS_PASSWORD}"
            },
        };

    [Theory, MemberData(nameof(Redises))]
    public void Redis_answers_only_with_a_password_and_only_the_gateway_and_messaging_reach_it(
        string folder,
        string name,
        string passwordSecret,
        string configuration
    )
    {
        var objects = Kustomize.Render(folder);
        var redis = Assert.Single(
            objects,
            o => o["kind"]?.GetValue<string>() == "Deployment" && o["metadata"]?["name"]?.GetValue<string>() == name
        );
        var container = redis["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        var args = container["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        var requirepass = args.IndexOf("--requirepass");
        Assert.True(requirepass >= 0 && args[requirepass + 1] == "$(REDIS_PASSWORD)", string.Join(" ", args));
        // every Secret the pod reads is this Redis' own (redis-cli's password too)
        var secrets = container["env"]!
            .AsArray()
            .Select(e => e!["valueFrom"]?["secretKeyRef"]?["name"]?.GetValue<string>())
            .OfType<string>()
            .ToList();
        Assert.Contains(
            container["env"]!.AsArray(),
            e =>
                e!["name"]!.GetValue<string>() == "REDIS_PASSWORD"
                && e["valueFrom"]?["secretKeyRef"]?["name"]?.GetValue<string>() == passwordSecret
        );
        Assert.All(secrets, s => Assert.Equal(passwordSecret, s));
        Assert.Equal(
            name,
            redis["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>()
        );

        var policy = Assert.Single(
            objects,
            o =>
                o["kind"]?.GetValue<string>() == "NetworkPolicy"
                && o["spec"]?["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"]?.GetValue<string>() == name
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
        Assert.Contains(configuration, readme);
        Assert.Contains($"get secret {passwordSecret} ", readme);
    }

    /// <summary>
    /// A drain (a node upgrade) evicts at most one pod of a dependency that runs several: RabbitMQ's
    /// pause_minority stops a broker that lost two of its three nodes. CloudNativePG makes the budgets of its
    /// Clusters itself; the RabbitMQ Cluster Operator makes none.
    /// </summary>
    [Fact]
    public void Every_dependency_of_several_pods_that_its_operator_does_not_guard_loses_one_at_a_time_to_a_drain()
    {
        var objects = Kustomize.Render("dependencies").Concat(Kustomize.Render("dependencies/staging")).ToList();
        var budgets = objects.Where(o => o["kind"]?.GetValue<string>() == "PodDisruptionBudget").ToList();
        var guarded = new List<string>();
        foreach (var dependency in objects)
        {
            var name = dependency["metadata"]!["name"]!.GetValue<string>();
            var pods = dependency["kind"]?.GetValue<string>() switch
            {
                // the labels the Cluster Operator puts on the pods of a RabbitmqCluster
                "RabbitmqCluster" => new JsonObject
                {
                    ["app.kubernetes.io/name"] = name,
                    ["app.kubernetes.io/component"] = "rabbitmq",
                    ["app.kubernetes.io/part-of"] = "rabbitmq",
                },
                "Deployment" or "StatefulSet" => dependency["spec"]?["template"]?["metadata"]?["labels"] as JsonObject,
                _ => null,
            };
            if (pods is null || int.Parse(dependency["spec"]?["replicas"]?.GetValue<string>() ?? "1") < 2)
            {
                continue;
            }
            var budget = Assert.Single(
                budgets,
                b =>
                    b["spec"]?["selector"]?["matchLabels"] is JsonObject selector
                    && b["spec"]?["selector"]?["matchExpressions"] is null
                    && selector.All(l => pods[l.Key]?.GetValue<string>() == l.Value?.GetValue<string>())
            );
            Assert.Null(budget["spec"]?["minAvailable"]);
            Assert.Equal("1", budget["spec"]?["maxUnavailable"]?.GetValue<string>());
            guarded.Add(name);
        }
        Assert.Contains("community-rabbitmq", guarded);
    }

    /// <summary>
    /// The services sign in to the broker as a user of their environment's own, limited to that environment's vhost
    /// (rabbitmq-topology.yaml, staging's in staging/), never as the operator's administrator (default-user).
    /// </summary>
    [Fact]
    public void Each_environment_signs_in_to_the_broker_as_its_own_user_limited_to_its_own_vhost()
    {
        const string Administrator = "community-rabbitmq-default-user";
        var broker = Assert.Single(
            Kustomize.Render("dependencies"),
            o => o["kind"]?.GetValue<string>() == "RabbitmqCluster"
        )["metadata"]!["name"]!.GetValue<string>();
        var readme = string.Concat(
            File.ReadAllText(Path.Combine(Kustomize.RepositoryRoot, "deploy", "k8s", "README.md")),
            File.ReadAllText(Path.Combine(Kustomize.RepositoryRoot, "deploy", "k8s", "dependencies", "README.md"))
        );
        var credentials = new List<string>();
        foreach (
            var (folder, vhost) in new[]
            {
                ("dependencies", "community"),
                ("dependencies/staging", "community-staging"),
            }
        )
        {
            var topology = Kustomize
                .Render(folder)
                .Where(o => o["kind"]?.GetValue<string>() is "Vhost" or "User" or "Permission")
                .ToList();
            string Kind(JsonObject o) => o["kind"]!.GetValue<string>();
            Assert.All(
                topology,
                o => Assert.Equal(broker, o["spec"]?["rabbitmqClusterReference"]?["name"]?.GetValue<string>())
            );
            Assert.Contains(topology, o => Kind(o) == "Vhost" && o["spec"]?["name"]?.GetValue<string>() == vhost);
            var user = Assert.Single(topology, o => Kind(o) == "User");
            // no tags: neither administrator nor management (the HTTP API)
            Assert.Empty(user["spec"]?["tags"] as JsonArray ?? []);
            var secret = user["spec"]?["importCredentialsSecret"]?["name"]?.GetValue<string>();
            Assert.NotNull(secret);
            Assert.NotEqual(Administrator, secret);
            credentials.Add(secret);
            var permission = Assert.Single(topology, o => Kind(o) == "Permission");
            Assert.Equal(
                user["metadata"]!["name"]!.GetValue<string>(),
                permission["spec"]?["userReference"]?["name"]?.GetValue<string>()
            );
            Assert.Equal(vhost, permission["spec"]?["vhost"]?.GetValue<string>());

            // README.md makes that Secret with a user name, and the services' URI signs in as it, to that vhost
            var username = Regex.Match(
                readme,
                $@"create secret generic {secret}\s+(?:\\\s+)?--from-literal=username=([\w-]+)"
            );
            Assert.True(username.Success, $"README.md does not create {secret} with a username");
            Assert.Contains(
                $"amqp://{username.Groups[1].Value}:",
                Regex
                    .Matches(readme, $@"amqp://[^@\s]+@{broker}\.community-data\.svc:5672/{Regex.Escape(vhost)}""")
                    .Select(m => m.Value)
                    .Select(uri => uri[..(uri.IndexOf(':', "amqp://".Length) + 1)])
            );
        }
        Assert.Equal(2, credentials.Distinct().Count());
        // every URI README.md builds names one of those vhosts, and none is made from the administrator's Secret
        Assert.All(
            Regex.Matches(readme, $@"amqp://[^@\s]+@{broker}\.community-data\.svc:5672/([\w-]*)"),
            m => Assert.Contains(m.Groups[1].Value, new[] { "community", "community-staging" })
        );
        Assert.DoesNotContain($"get secret {Administrator}", readme);
        foreach (var overlay in new[] { "overlays/production", "overlays/staging" })
        {
            Assert.DoesNotContain(
                Administrator,
                string.Concat(Kustomize.Render(overlay).Select(o => o.ToJsonString()))
            );
        }
    }

    [Theory]
    [InlineData("community-pg", "5432", "cnpg-system", "kubernetes.io/metadata.name=community")]
    [InlineData("community-rabbitmq", "5672", "rabbitmq-system", "app.kubernetes.io/part-of=community")]
    public void Only_the_services_reach_the_database_and_the_broker_beside_their_operator_and_their_own_nodes(
        string name,
        string clientPort,
        string operatorNamespace,
        string clientNamespaces
    )
    {
        // The services' namespaces, by one label: production's alone for its database (staging's cluster has a policy
        // of its own), the platform's (both environments, each on its own vhost) for the shared broker.
        var (clientKey, clientValue) = (clientNamespaces.Split('=')[0], clientNamespaces.Split('=')[1]);
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
                else if (namespaces[clientKey]?.GetValue<string>() != clientValue)
                {
                    Assert.Equal(operatorNamespace, namespaces["kubernetes.io/metadata.name"]?.GetValue<string>());
                }
                else
                {
                    // the services' namespaces: only the six services, and only on the client port
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
                    .Any(p => p!["namespaceSelector"]?["matchLabels"]?[clientKey]?.GetValue<string>() == clientValue)
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
