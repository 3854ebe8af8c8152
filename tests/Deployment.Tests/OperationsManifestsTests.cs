namespace Community.Deployment.Tests;

/// <summary>
/// What operations need beside the workloads (deploy/k8s/README.md): every workload's egress restricted, the
/// PostgreSQL cluster archived and backed up nightly with a restore that reads those backups, and a collector
/// where the services' telemetry endpoint points.
/// </summary>
public sealed class OperationsManifestsTests
{
    private const string BarmanPlugin = "barman-cloud.cloudnative-pg.io";

    public static TheoryData<string> Overlays => ["overlays/production", "overlays/staging"];

    [Theory, MemberData(nameof(Overlays))]
    public void Every_workload_restricts_its_egress_and_only_the_services_with_a_database_reach_it(string overlay)
    {
        var policies = OfKind(Kustomize.Render(overlay), "NetworkPolicy");
        foreach (var workload in ResourceNames.Services.Append(ResourceNames.Gateway))
        {
            var policy = Assert.Single(policies, p => Str(p, "metadata", "name") == workload);
            Assert.Contains("Egress", Items(policy, "spec", "policyTypes").Select(t => t?.GetValue<string>()));
            var egress = Items(policy, "spec", "egress").ToList();
            Assert.NotEmpty(egress);
            var ports = egress.SelectMany(rule => Items(rule, "ports")).Select(p => Str(p, "port")).ToHashSet();
            Assert.Contains("53", ports);
            if (workload == ResourceNames.Gateway)
            {
                // a proxy: the services, Redis, the collector; never the databases or the broker
                Assert.DoesNotContain("5432", ports);
                Assert.DoesNotContain("5672", ports);
                Assert.Contains("6379", ports);
            }
            else
            {
                Assert.Contains("5432", ports);
            }
        }
    }

    [Fact]
    public void The_database_cluster_archives_to_an_object_store_and_is_backed_up_every_night()
    {
        var objects = Kustomize.Render("dependencies");
        var cluster = Assert.Single(OfKind(objects, "Cluster"));
        var plugin = Assert.Single(Items(cluster, "spec", "plugins"), p => Str(p, "name") == BarmanPlugin);
        Assert.Equal("true", Str(plugin, "isWALArchiver"));
        var storeName = Str(plugin, "parameters", "barmanObjectName");

        var store = Assert.Single(OfKind(objects, "ObjectStore"), s => Str(s, "metadata", "name") == storeName);
        Assert.NotNull(Str(store, "spec", "retentionPolicy"));
        Assert.StartsWith("s3://", Str(store, "spec", "configuration", "destinationPath"));
        foreach (var credential in new[] { "accessKeyId", "secretAccessKey" })
        {
            // by reference to a Secret, never a value in the manifest
            var reference = store["spec"]?["configuration"]?["s3Credentials"]?[credential] as JsonObject;
            Assert.NotNull(reference);
            Assert.Equal(["key", "name"], reference.Select(p => p.Key).Order());
        }

        var schedule = Assert.Single(OfKind(objects, "ScheduledBackup"));
        Assert.Equal(Str(cluster, "metadata", "name"), Str(schedule, "spec", "cluster", "name"));
        Assert.Equal("plugin", Str(schedule, "spec", "method"));
        Assert.Equal(BarmanPlugin, Str(schedule, "spec", "pluginConfiguration", "name"));
        Assert.Equal(6, Str(schedule, "spec", "schedule")!.Split(' ').Length);
    }

    [Fact]
    public void The_restore_recovers_from_the_backups_the_cluster_writes()
    {
        var dependencies = Kustomize.Render("dependencies");
        var original = Assert.Single(OfKind(dependencies, "Cluster"));
        var store = Str(Items(original, "spec", "plugins").Single(), "parameters", "barmanObjectName");

        var restored = Assert.Single(OfKind(Kustomize.Render("dependencies/restore"), "Cluster"));
        Assert.NotEqual(Str(original, "metadata", "name"), Str(restored, "metadata", "name"));
        Assert.Equal(Str(original, "metadata", "namespace"), Str(restored, "metadata", "namespace"));
        var source = Str(restored, "spec", "bootstrap", "recovery", "source");
        var external = Assert.Single(Items(restored, "spec", "externalClusters"), c => Str(c, "name") == source);
        Assert.Equal(BarmanPlugin, Str(external, "plugin", "name"));
        Assert.Equal(store, Str(external, "plugin", "parameters", "barmanObjectName"));
        Assert.Equal(Str(original, "metadata", "name"), Str(external, "plugin", "parameters", "serverName"));
        // it must not archive into the history it restores from
        Assert.Empty(Items(restored, "spec", "plugins"));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void The_restored_cluster_can_take_the_originals_place(string overlay)
    {
        var original = Assert.Single(OfKind(Kustomize.Render("dependencies"), "Cluster"));
        var restored = Assert.Single(OfKind(Kustomize.Render("dependencies/restore"), "Cluster"));
        // sized for the same services and replicas
        Assert.Equal(
            Str(original, "spec", "postgresql", "parameters", "max_connections"),
            Str(restored, "spec", "postgresql", "parameters", "max_connections")
        );
        Assert.Equal(original["spec"]!["resources"]!.ToJsonString(), restored["spec"]!["resources"]!.ToJsonString());
        // and every service may reach its instances once pointed at it (README.md, "Backups and restore"); staging has
        // a cluster of its own (its copy named community-pg-staging), never production's (dependencies/README.md)
        var production = new[] { Str(original, "metadata", "name")!, Str(restored, "metadata", "name")! };
        string[] staging = ["community-pg-staging", "community-pg-staging-restore"];
        var (ours, theirs) = overlay.EndsWith("staging", StringComparison.Ordinal)
            ? (staging, production)
            : (production, staging);
        var policies = OfKind(Kustomize.Render(overlay), "NetworkPolicy");
        foreach (var service in ResourceNames.Services)
        {
            var policy = Assert.Single(policies, p => Str(p, "metadata", "name") == service);
            bool Reaches(string cluster) =>
                Items(policy, "spec", "egress")
                    .Where(rule => Items(rule, "ports").Any(p => Str(p, "port") == "5432"))
                    .SelectMany(rule => Items(rule, "to"))
                    .Any(peer =>
                        Str(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name")
                            == Str(original, "metadata", "namespace")
                        && AdmitsClusterPods(peer?["podSelector"], cluster)
                    );
            foreach (var name in ours)
                Assert.True(
                    Reaches(name),
                    $"{overlay}: {service} cannot reach the pods of the PostgreSQL cluster {name}"
                );
            foreach (var name in theirs)
                Assert.False(Reaches(name), $"{overlay}: {service} may reach the other environment's cluster {name}");
        }
    }

    /// <summary>Whether a pod selector takes the pods CloudNativePG labels as <paramref name="cluster"/>'s.</summary>
    private static bool AdmitsClusterPods(JsonNode? selector, string cluster)
    {
        const string Label = "cnpg.io/cluster";
        var labels = selector?["matchLabels"] as JsonObject ?? [];
        if (labels.Any(l => l.Key != Label) || (Str(labels, Label) is { } value && value != cluster))
            return false;
        return Items(selector, "matchExpressions")
            .All(e =>
                Str(e, "key") == Label
                && Str(e, "operator") == "In"
                && Items(e, "values").Any(v => v?.GetValue<string>() == cluster)
            );
    }

    // Each environment: its overlay, the namespace that overlay deploys to, the kustomization of ../dependencies that
    // renders its Redis and its PostgreSQL clusters' NetworkPolicy, its Redis' name, and its PostgreSQL clusters' (its
    // own and the one restored from its backups; staging's are copies made by hand, dependencies/README.md).
    private static readonly (
        string Overlay,
        string Namespace,
        string Dependencies,
        string Redis,
        string[] Postgres
    )[] Environments =
    [
        (
            "overlays/production",
            "community",
            "dependencies",
            "community-redis",
            ["community-pg", "community-pg-restore"]
        ),
        (
            "overlays/staging",
            "community-staging",
            "dependencies/staging",
            "community-redis-staging",
            ["community-pg-staging", "community-pg-staging-restore"]
        ),
    ];

    /// <summary>
    /// Staging has a Redis of its own, as it has a PostgreSQL cluster of its own: every live message and rate limit
    /// window of production crosses production's, so no staging pod may reach it (nor production's reach staging's).
    /// </summary>
    [Fact]
    public void Staging_and_production_each_reach_only_a_Redis_of_their_own()
    {
        var dataNamespace = Assert.Single(OfKind(Kustomize.Render("dependencies"), "Namespace"));
        var environments = Environments
            .Select(e =>
            {
                var dependencies = Kustomize.Render(e.Dependencies);
                var redis = Assert.Single(
                    OfKind(dependencies, "Deployment"),
                    d => Str(d, "metadata", "name") == e.Redis
                );
                Assert.Equal(Str(dataNamespace, "metadata", "name"), Str(redis, "metadata", "namespace"));
                var overlay = Kustomize.Render(e.Overlay);
                return (
                    Environment: e,
                    RedisPods: Labels(redis["spec"]?["template"]),
                    RedisPolicy: Assert.Single(
                        OfKind(dependencies, "NetworkPolicy"),
                        p => Matches(p["spec"]?["podSelector"], Labels(redis["spec"]?["template"]))
                    ),
                    Overlay: overlay,
                    NamespaceLabels: NamespaceLabels(Assert.Single(OfKind(overlay, "Namespace")))
                );
            })
            .ToList();
        foreach (var mine in environments)
        foreach (var theirs in environments)
        {
            var own = mine.Environment == theirs.Environment;
            foreach (var client in new[] { ResourceNames.Gateway, ResourceNames.Messaging })
            {
                var deployment = Assert.Single(
                    OfKind(mine.Overlay, "Deployment"),
                    d => Str(d, "metadata", "name") == client
                );
                var pods = Labels(deployment["spec"]?["template"]);
                // mine's client may reach theirs' Redis pods (egress)...
                var policy = Assert.Single(
                    OfKind(mine.Overlay, "NetworkPolicy"),
                    p => Str(p, "metadata", "name") == client
                );
                var reaches = Items(policy, "spec", "egress")
                    .Where(rule =>
                        !Items(rule, "ports").Any() || Items(rule, "ports").Any(p => Str(p, "port") == "6379")
                    )
                    .Any(rule =>
                        !Items(rule, "to").Any()
                        || Items(rule, "to")
                            .Any(peer =>
                                peer?["namespaceSelector"] is { } namespaces
                                && Matches(namespaces, NamespaceLabels(dataNamespace))
                                && Matches(peer["podSelector"], theirs.RedisPods)
                            )
                    );
                var verb = own ? "cannot reach" : "may reach";
                Assert.True(own == reaches, $"{mine.Environment.Overlay}: {client} {verb} {theirs.Environment.Redis}");
                // ... and theirs' Redis admits mine's client (ingress)
                var admits = Admits(theirs.RedisPolicy, "6379", mine.NamespaceLabels, pods);
                var answer = own ? "refuses" : "admits";
                Assert.True(
                    own == admits,
                    $"{theirs.Environment.Redis} {answer} {client} of {mine.Environment.Namespace}"
                );
            }
        }
    }

    /// <summary>
    /// Staging has a PostgreSQL cluster of its own, and each environment's clusters admit that environment's six
    /// services alone: staging's Secrets and pods are less guarded than production's, so no staging pod may reach
    /// production's databases, even with a stolen password (nor production's reach staging's). Each policy selects
    /// its own clusters' pods only: one that took the other environment's would let its clients in there too.
    /// </summary>
    [Fact]
    public void Staging_and_production_each_admit_only_their_own_services_to_their_PostgreSQL_clusters()
    {
        var dataNamespace = Assert.Single(OfKind(Kustomize.Render("dependencies"), "Namespace"));
        // production's clusters are the ones dependencies and dependencies/restore render
        Assert.Equal(
            Environments[0].Postgres,
            new[] { "dependencies", "dependencies/restore" }.Select(folder =>
                Str(Assert.Single(OfKind(Kustomize.Render(folder), "Cluster")), "metadata", "name")
            )
        );
        var environments = Environments
            .Select(e =>
            {
                var policy = Assert.Single(
                    OfKind(Kustomize.Render(e.Dependencies), "NetworkPolicy"),
                    p => Matches(p["spec"]?["podSelector"], ClusterPod(e.Postgres[0]))
                );
                Assert.Equal(Str(dataNamespace, "metadata", "name"), Str(policy, "metadata", "namespace"));
                var overlay = Kustomize.Render(e.Overlay);
                return (
                    Environment: e,
                    Policy: policy,
                    Overlay: overlay,
                    NamespaceLabels: NamespaceLabels(Assert.Single(OfKind(overlay, "Namespace")))
                );
            })
            .ToList();
        foreach (var mine in environments)
        foreach (var theirs in environments)
        {
            var own = mine.Environment == theirs.Environment;
            var policy = Str(theirs.Policy, "metadata", "name");
            var answer = own ? "refuses" : "admits";
            foreach (var cluster in mine.Environment.Postgres)
            {
                // theirs' policy selects the pods of mine's clusters (its own and its restore's) only if they are its
                // own...
                var selects = Matches(theirs.Policy["spec"]?["podSelector"], ClusterPod(cluster));
                Assert.True(own == selects, $"{policy} {(own ? "leaves out" : "selects")} the pods of {cluster}");
                // ... and admits their instances (replication) only then
                var replicates = Admits(theirs.Policy, "5432", NamespaceLabels(dataNamespace), ClusterPod(cluster));
                Assert.True(own == replicates, $"{policy} {answer} the instances of {cluster}");
            }
            // theirs' clusters admit mine's services only if they are their own
            foreach (var service in ResourceNames.Services)
            {
                var deployment = Assert.Single(
                    OfKind(mine.Overlay, "Deployment"),
                    d => Str(d, "metadata", "name") == service
                );
                var pods = Labels(deployment["spec"]?["template"]);
                var admits = Admits(theirs.Policy, "5432", mine.NamespaceLabels, pods);
                Assert.True(own == admits, $"{policy} {answer} {service} of {mine.Environment.Namespace}");
            }
        }
    }

    /// <summary>The labels CloudNativePG gives an instance of <paramref name="cluster"/>.</summary>
    private static JsonObject ClusterPod(string cluster) =>
        new() { ["cnpg.io/cluster"] = cluster, ["cnpg.io/podRole"] = "instance" };

    /// <summary>
    /// Whether an ingress policy admits, on <paramref name="port"/>, pods so labelled in a namespace so labelled (with
    /// its name, <see cref="NamespaceLabels"/>): a peer without a namespace selector takes the policy's own namespace.
    /// </summary>
    private static bool Admits(JsonObject policy, string port, JsonObject namespaceLabels, JsonObject pods) =>
        Items(policy, "spec", "ingress")
            .Where(rule => !Items(rule, "ports").Any() || Items(rule, "ports").Any(p => Str(p, "port") == port))
            .Any(rule =>
                !Items(rule, "from").Any()
                || Items(rule, "from")
                    .Any(peer =>
                        peer?["ipBlock"] is not null
                        || (
                            (
                                peer?["namespaceSelector"] is { } namespaces
                                    ? Matches(namespaces, namespaceLabels)
                                    : Str(namespaceLabels, "kubernetes.io/metadata.name")
                                        == Str(policy, "metadata", "namespace")
                            ) && Matches(peer?["podSelector"], pods)
                        )
                    )
            );

    /// <summary>A namespace's labels, with the one Kubernetes gives every namespace (its name).</summary>
    private static JsonObject NamespaceLabels(JsonObject ns)
    {
        var labels = Labels(ns).DeepClone().AsObject();
        labels["kubernetes.io/metadata.name"] = Str(ns, "metadata", "name");
        return labels;
    }

    /// <summary>Whether a label selector (matchLabels, matchExpressions; none: any) takes these labels.</summary>
    private static bool Matches(JsonNode? selector, JsonObject labels) =>
        (selector?["matchLabels"] as JsonObject ?? []).All(l => Str(labels, l.Key) == l.Value?.GetValue<string>())
        && Items(selector, "matchExpressions")
            .All(e =>
            {
                var value = Str(labels, Str(e, "key")!);
                var values = Items(e, "values").Select(v => v?.GetValue<string>()).ToList();
                return Str(e, "operator") switch
                {
                    "In" => value is not null && values.Contains(value),
                    "NotIn" => value is null || !values.Contains(value),
                    "Exists" => value is not null,
                    "DoesNotExist" => value is null,
                    var op => throw new InvalidDataException($"a selector operator this test does not read: {op}"),
                };
            });

    [Fact]
    public void The_collector_listens_where_the_services_send_telemetry_and_is_scraped()
    {
        var config = Assert.Single(
            OfKind(Kustomize.Render("base"), "ConfigMap"),
            c => Str(c, "metadata", "name") == "community-config"
        );
        var endpoint = new Uri(Str(config, "data", "OTEL_EXPORTER_OTLP_ENDPOINT")!);
        var host = endpoint.Host.Split('.');

        var objects = Kustomize.Render("observability");
        var service = Assert.Single(OfKind(objects, "Service"), s => Str(s, "metadata", "name") == host[0]);
        Assert.Equal(host[1], Str(service, "metadata", "namespace"));
        var port = Assert.Single(Items(service, "spec", "ports"), p => Str(p, "port") == endpoint.Port.ToString());
        Assert.Equal("otlp-grpc", Str(port, "name"));

        var deployment = Assert.Single(OfKind(objects, "Deployment"));
        Assert.True(
            Labels(deployment["spec"]?["template"])
                .All(l =>
                    Str(service, "spec", "selector", l.Key) is null
                    || Str(service, "spec", "selector", l.Key) == l.Value!.GetValue<string>()
                )
        );
        var monitor = Assert.Single(OfKind(objects, "ServiceMonitor"));
        var scraped = Str(Items(monitor, "spec", "endpoints").Single(), "port");
        Assert.Contains(Items(service, "spec", "ports"), p => Str(p, "name") == scraped);
    }

    /// <summary>
    /// Traces and logs leave the collector for stores of their own, each named by the collector's environment: a
    /// trace store (Tempo) refuses logs, so one exporter for both would drop every log batch.
    /// </summary>
    [Fact]
    public void The_collector_sends_traces_and_logs_each_to_a_store_that_takes_them()
    {
        var objects = Kustomize.Render("observability");
        var map = Assert.Single(OfKind(objects, "ConfigMap"), c => Str(c, "metadata", "name") == "otel-collector");
        var config = Kustomize.ParseDocument(Str(map, "data", "collector.yaml")!);
        string Exporter(string pipeline) =>
            Assert.Single(config["service"]!["pipelines"]![pipeline]!["exporters"]!.AsArray())!.GetValue<string>();
        var container = Assert.Single(
            Items(Assert.Single(OfKind(objects, "Deployment")), "spec", "template", "spec", "containers")
        );
        string Destination(string exporter)
        {
            var endpoint = config["exporters"]![exporter]!["endpoint"]!.GetValue<string>();
            var variable = System.Text.RegularExpressions.Regex.Match(endpoint, @"^\$\{env:(\w+)\}$").Groups[1].Value;
            return Str(Assert.Single(Items(container, "env"), e => Str(e, "name") == variable), "value")!;
        }

        Assert.NotEqual(Exporter("traces"), Exporter("logs"));
        Assert.Contains("tempo", Destination(Exporter("traces")));
        Assert.Contains("loki", Destination(Exporter("logs")));
        Assert.EndsWith("/otlp", Destination(Exporter("logs")));
    }

    [Fact]
    public void Only_the_platforms_namespaces_send_the_collector_telemetry_and_it_holds_no_api_token()
    {
        var objects = Kustomize.Render("observability");
        var deployment = Assert.Single(OfKind(objects, "Deployment"));
        Assert.Equal("false", Str(deployment, "spec", "template", "spec", "automountServiceAccountToken"));
        Assert.Single(OfKind(objects, "PodDisruptionBudget"));

        var policy = Assert.Single(OfKind(objects, "NetworkPolicy"));
        var rules = Items(policy, "spec", "ingress").ToList();
        foreach (var otlp in new[] { "4317", "4318" })
        {
            var rule = Assert.Single(rules, r => Items(r, "ports").Any(p => Str(p, "port") == otlp));
            var from = Assert.Single(Items(rule, "from"));
            Assert.Equal("community", Str(from, "namespaceSelector", "matchLabels", "app.kubernetes.io/part-of"));
        }
        // The scraper's port is the one open to any namespace.
        var open = Assert.Single(rules, r => !Items(r, "from").Any());
        Assert.Equal(["8889"], Items(open, "ports").Select(p => Str(p, "port")));
    }

    private static List<JsonObject> OfKind(IEnumerable<JsonObject> objects, string kind) =>
        [.. objects.Where(o => Str(o, "kind") == kind)];

    private static JsonObject Labels(JsonNode? withMetadata) =>
        withMetadata?["metadata"]?["labels"] as JsonObject ?? [];

    private static IEnumerable<JsonNode?> Items(JsonNode? node, params string[] path)
    {
        foreach (var step in path)
            node = node?[step];
        return node as JsonArray ?? [];
    }

    private static string? Str(JsonNode? node, params string[] path)
    {
        foreach (var step in path)
            node = node?[step];
        return node?.GetValue<string>();
    }
}
