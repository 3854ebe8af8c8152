using System.Text.RegularExpressions;

namespace Community.Deployment.Tests;

/// <summary>
/// Both overlays, as kustomize renders them, keep the rules every workload of deploy/k8s/README.md
/// follows: every service and the gateway deployed, probes, resources, non-root with a read-only
/// root file system, an HPA and a PDB each, Secrets only by reference, model endpoints in the
/// services' own ConfigMaps with optional API keys and egress on 443, inbound traffic only
/// through the gateway, and the hubs' WebSocket timeouts on the Ingress; memory for the image
/// re-encoders, SMTP egress for every workload given a mail server, and a bucket of each
/// environment's own for every object store.
/// </summary>
public sealed partial class OverlayRulesTests
{
    public static TheoryData<string> Overlays => ["overlays/production", "overlays/staging"];

    public static TheoryData<string, string> OverlayNamespaces =>
        new() { { "overlays/production", "community" }, { "overlays/staging", "community-staging" } };

    private static readonly string[] Workloads = [.. ResourceNames.Services, ResourceNames.Gateway];

    // A setting's last section (list indexes aside) that names a credential: Smtp__Password,
    // S3__SecretKey, Model__ApiKey, Revocations__FeedKey, Stripe__WebhookSecrets__0...
    [GeneratedRegex("(password|secrets?|key|token)$", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialSection();

    private static bool IsSecretLike(string setting)
    {
        var sections = setting.Split("__").Reverse().SkipWhile(s => s.All(char.IsAsciiDigit)).ToList();
        return setting.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
            || (sections.Count > 0 && CredentialSection().IsMatch(sections[0]));
    }

    [Theory, MemberData(nameof(OverlayNamespaces))]
    public void Every_service_and_the_gateway_is_deployed_in_the_overlays_namespace_from_a_pinned_image(
        string overlay,
        string ns
    )
    {
        var objects = Kustomize.Render(overlay);
        var deployments = OfKind(objects, "Deployment");

        Assert.Equal(Workloads.Order(), deployments.Select(Name).Order());
        Assert.All(objects.Where(o => Kind(o) != "Namespace"), o => Assert.Equal(ns, Str(o, "metadata", "namespace")));
        Assert.Contains(OfKind(objects, "Namespace"), n => Name(n) == ns);
        foreach (var deployment in deployments)
        {
            var image = Str(Container(deployment), "image");
            // the overlay's `images:` entry replaced the base's unpinned community/<name>
            Assert.Matches($"^registry\\.example\\.com/community/{Regex.Escape(Name(deployment))}:[^:]+$", image);
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_deployment_has_startup_liveness_and_readiness_probes_and_resources(string overlay)
    {
        foreach (var deployment in OfKind(Kustomize.Render(overlay), "Deployment"))
        {
            foreach (var container in Containers(deployment))
            {
                var name = Name(deployment);
                Assert.True(
                    Str(container, "startupProbe", "httpGet", "path") == "/health/live",
                    $"{name}: startupProbe on /health/live"
                );
                Assert.True(
                    Str(container, "livenessProbe", "httpGet", "path") == "/health/live",
                    $"{name}: livenessProbe on /health/live"
                );
                Assert.True(
                    Str(container, "readinessProbe", "httpGet", "path") == "/health/ready",
                    $"{name}: readinessProbe on /health/ready"
                );
                foreach (var path in new[] { "requests/cpu", "requests/memory", "limits/cpu", "limits/memory" })
                {
                    Assert.False(
                        string.IsNullOrEmpty(Str(container, ["resources", .. path.Split('/')])),
                        $"{name}: resources.{path.Replace('/', '.')}"
                    );
                }
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_deployment_runs_as_non_root_with_a_read_only_root_file_system_and_an_empty_dir_for_tmp(
        string overlay
    )
    {
        foreach (var deployment in OfKind(Kustomize.Render(overlay), "Deployment"))
        {
            var name = Name(deployment);
            var pod = PodSpec(deployment);
            Assert.True(Str(pod, "securityContext", "runAsNonRoot") == "true", $"{name}: pod runAsNonRoot");
            Assert.True(Str(pod, "automountServiceAccountToken") == "false", $"{name}: no ServiceAccount token");
            Assert.True(
                Str(pod, "securityContext", "seccompProfile", "type") == "RuntimeDefault",
                $"{name}: seccomp RuntimeDefault"
            );
            var emptyDirs = Items(pod, "volumes")
                .Where(v => v?["emptyDir"] is not null)
                .Select(v => Str(v, "name"))
                .ToHashSet();
            foreach (var container in Containers(deployment))
            {
                Assert.True(
                    Str(container, "securityContext", "runAsNonRoot") == "true",
                    $"{name}: container runAsNonRoot"
                );
                Assert.True(
                    Str(container, "securityContext", "readOnlyRootFilesystem") == "true",
                    $"{name}: readOnlyRootFilesystem"
                );
                Assert.True(
                    Str(container, "securityContext", "allowPrivilegeEscalation") == "false",
                    $"{name}: allowPrivilegeEscalation false"
                );
                Assert.Contains(
                    "ALL",
                    Items(container, "securityContext", "capabilities", "drop").Select(c => c?.GetValue<string>())
                );
                Assert.Contains(
                    Items(container, "volumeMounts"),
                    m => Str(m, "mountPath") == "/tmp" && emptyDirs.Contains(Str(m, "name"))
                );
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_deployment_has_an_autoscaler_and_a_disruption_budget_of_its_own(string overlay)
    {
        var objects = Kustomize.Render(overlay);
        foreach (var deployment in OfKind(objects, "Deployment"))
        {
            var name = Name(deployment);
            Assert.Null(deployment["spec"]?["replicas"]); // the HPA owns the count
            var hpa = Assert.Single(
                OfKind(objects, "HorizontalPodAutoscaler"),
                h => Str(h, "spec", "scaleTargetRef", "name") == name
            );
            Assert.Equal("Deployment", Str(hpa, "spec", "scaleTargetRef", "kind"));
            Assert.True(
                int.Parse(Str(hpa, "spec", "minReplicas")!) >= 1
                    && int.Parse(Str(hpa, "spec", "maxReplicas")!) >= int.Parse(Str(hpa, "spec", "minReplicas")!),
                $"{name}: HPA bounds"
            );

            var podLabels = Labels(deployment["spec"]?["template"]);
            var budget = Assert.Single(
                OfKind(objects, "PodDisruptionBudget"),
                p => Selects(p["spec"]?["selector"], podLabels)
            );
            // one pod at a time: a drain never takes all but one of a service's pods at once, nor is it blocked
            Assert.Null(budget["spec"]?["minAvailable"]);
            Assert.Equal("1", Str(budget, "spec", "maxUnavailable"));
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void The_ingress_controller_reaches_cert_managers_http01_solver_and_nothing_else_does(string overlay)
    {
        var solverPods = new JsonObject { ["acme.cert-manager.io/http01-solver"] = "true" };
        var rules = OfKind(Kustomize.Render(overlay), "NetworkPolicy")
            .Where(p => (p["spec"]?["podSelector"] as JsonObject)?.Count > 0)
            .Where(p => Selects(p["spec"]?["podSelector"], solverPods))
            .SelectMany(p => Items(p, "spec", "ingress"))
            .ToList();
        var rule = Assert.Single(rules);
        var peer = Assert.Single(Items(rule, "from"));
        Assert.Equal("ingress-nginx", Str(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Null(peer?["podSelector"]);
        var port = Assert.Single(Items(rule, "ports"));
        Assert.Equal("TCP", Str(port, "protocol"));
        Assert.Equal("8089", Str(port, "port"));
    }

    // Workloads that decode uploaded images in full to re-encode them (events' photos and covers, messaging's
    // attachments): up to 50 megapixels at 4 bytes each, 200 MB of native memory, twice that when the photo is
    // turned upright; two such uploads at once next to the runtime need this much.
    private static readonly string[] ImageReencoders = [ResourceNames.Events, ResourceNames.Messaging];
    private const long ImageReencoderMemoryLimitMi = 1536;

    [Theory, MemberData(nameof(Overlays))]
    public void The_workloads_that_reencode_images_may_decode_two_full_size_photos_at_once(string overlay)
    {
        var deployments = OfKind(Kustomize.Render(overlay), "Deployment");
        foreach (var service in ImageReencoders)
        {
            var container = Container(Assert.Single(deployments, d => Name(d) == service));
            var limit = Mebibytes(Str(container, "resources", "limits", "memory"));
            Assert.True(
                limit >= ImageReencoderMemoryLimitMi,
                $"{service}: memory limit {limit}Mi, at least {ImageReencoderMemoryLimitMi}Mi"
            );
            Assert.True(
                Mebibytes(Str(container, "resources", "requests", "memory")) <= limit,
                $"{service}: memory request above the limit"
            );
        }
    }

    // A Kubernetes memory quantity in Mi: 1536Mi, 2Gi, 512M, 1G, or bytes.
    private static double Mebibytes(string? quantity)
    {
        Assert.False(string.IsNullOrEmpty(quantity), "no memory quantity");
        (string Suffix, double Bytes)[] units =
        [
            ("Ki", 1024.0),
            ("Mi", 1024.0 * 1024),
            ("Gi", 1024.0 * 1024 * 1024),
            ("k", 1e3),
            ("M", 1e6),
            ("G", 1e9),
        ];
        var (number, bytes) = (quantity, 1.0);
        foreach (var unit in units)
        {
            if (quantity.EndsWith(unit.Suffix, StringComparison.Ordinal))
            {
                (number, bytes) = (quantity[..^unit.Suffix.Length], unit.Bytes);
                break;
            }
        }
        return double.Parse(number, System.Globalization.CultureInfo.InvariantCulture) * bytes / (1024.0 * 1024);
    }

    // Smtp__Port's default (STARTTLS); the port comes from the smtp-secrets Secret, which the manifests cannot read.
    private const string SmtpPort = "587";

    [Theory, MemberData(nameof(Overlays))]
    public void Every_workload_given_a_mail_server_may_reach_it_on_the_smtp_port(string overlay)
    {
        var objects = Kustomize.Render(overlay);
        var mailers = OfKind(objects, "Deployment")
            .Where(d => Containers(d).Any(c => Items(c, "env").Any(e => Str(e, "name") == "Smtp__Host")))
            .ToList();
        // identity's password-reset and registration mail, messaging's notification digest
        Assert.Contains(mailers, d => Name(d) == ResourceNames.Identity);
        Assert.Contains(mailers, d => Name(d) == ResourceNames.Messaging);
        foreach (var deployment in mailers)
        {
            var podLabels = Labels(deployment["spec"]?["template"]);
            var egress = OfKind(objects, "NetworkPolicy")
                .Where(p =>
                    Selects(p["spec"]?["podSelector"], podLabels)
                    && Items(p, "spec", "policyTypes").Any(t => t?.GetValue<string>() == "Egress")
                )
                .ToList();
            // unrestricted, or a rule admits the port on an address outside the cluster (a mail server has none
            // inside): any destination, or an ipBlock
            Assert.True(
                egress.Count == 0
                    || egress
                        .SelectMany(p => Items(p, "spec", "egress"))
                        .Any(rule =>
                            (!Items(rule, "to").Any() || Items(rule, "to").Any(peer => peer?["ipBlock"] is not null))
                            && (
                                !Items(rule, "ports").Any()
                                || Items(rule, "ports")
                                    .Any(p => Str(p, "port") == SmtpPort && (Str(p, "protocol") ?? "TCP") == "TCP")
                            )
                        ),
                $"{Name(deployment)} gets Smtp__Host but its NetworkPolicy does not let it reach port {SmtpPort}"
            );
        }
    }

    [Fact]
    public void Staging_and_production_keep_their_objects_in_buckets_of_their_own()
    {
        var production = Buckets("overlays/production");
        var staging = Buckets("overlays/staging");
        // identity's profile pictures, events' photos, messaging's attachments, and any store added later
        var stores = production.Keys.Select(k => k.Split(':')[0]).ToList();
        foreach (var service in new[] { ResourceNames.Identity, ResourceNames.Events, ResourceNames.Messaging })
        {
            Assert.Contains(service, stores);
        }
        Assert.Equal(production.Keys.Order(), staging.Keys.Order());
        // a bucket set only in the base is the same in both: each overlay patches its own
        Assert.DoesNotContain(staging, store => production.ContainsValue(store.Value));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void An_outside_sign_in_returns_only_to_exact_client_pages_never_a_whole_origin(string overlay)
    {
        var config = Assert.Single(OfKind(Kustomize.Render(overlay), "ConfigMap"), c => Name(c) == "community-config");
        var pages = (config["data"] as JsonObject ?? [])
            .Where(p => p.Key.StartsWith("Identity__ExternalLoginClientRedirects__", StringComparison.Ordinal))
            .Select(p => new Uri(p.Value!.GetValue<string>()))
            .ToList();
        Assert.NotEmpty(pages);
        // a page of one origin (its one-time code must not land on any page that may leak its address)
        Assert.All(pages, page => Assert.True(page.AbsolutePath.Trim('/').Length > 0, $"{page} is a whole origin"));
    }

    [Fact]
    public void Staging_keeps_its_Redis_keys_and_backplane_channels_apart_from_productions()
    {
        // Where each Redis user's keys (and, for real time, the backplane's channels) start, defaults included.
        (string Workload, string Setting, string Default)[] prefixes =
        [
            (ResourceNames.Gateway, "RateLimits__RedisKeyPrefix", "gateway:ratelimits:"),
            (ResourceNames.Gateway, "RateLimits__InvalidTokens__RedisKeyPrefix", "gateway:invalid-tokens:"),
            (ResourceNames.Messaging, "RealTime__RedisKeyPrefix", "realtime:"),
            (ResourceNames.Messaging, "RateLimits__InvalidTokens__RedisKeyPrefix", "messaging:invalid-tokens:"),
        ];
        string Prefix(string overlay, string workload, string setting, string fallback)
        {
            var deployment = Assert.Single(OfKind(Kustomize.Render(overlay), "Deployment"), d => Name(d) == workload);
            var env = Items(Container(deployment), "env").LastOrDefault(e => Str(e, "name") == setting);
            return env is null ? fallback : Str(env, "value")!;
        }
        var production = prefixes.Select(p => Prefix("overlays/production", p.Workload, p.Setting, p.Default)).ToList();
        var staging = prefixes.Select(p => Prefix("overlays/staging", p.Workload, p.Setting, p.Default)).ToList();
        // No staging prefix is, or starts with, one of production's (nor the other way round).
        foreach (var mine in staging)
        foreach (var theirs in production)
            Assert.False(
                mine.StartsWith(theirs, StringComparison.Ordinal) || theirs.StartsWith(mine, StringComparison.Ordinal),
                $"staging's {mine} overlaps production's {theirs}"
            );
    }

    /// <summary>
    /// The bucket of every S3 store a workload of <paramref name="overlay"/> is given credentials for
    /// (<c>X__S3__AccessKey</c>), by "workload: X__S3__Bucket", from its env or its ConfigMaps (envFrom).
    /// </summary>
    private static Dictionary<string, string> Buckets(string overlay)
    {
        var objects = Kustomize.Render(overlay);
        var configMaps = OfKind(objects, "ConfigMap");
        var buckets = new Dictionary<string, string>();
        foreach (var deployment in OfKind(objects, "Deployment"))
        {
            foreach (var container in Containers(deployment))
            {
                var env = Items(container, "env").ToList();
                var settings = Items(container, "envFrom")
                    .Select(e => Str(e, "configMapRef", "name"))
                    .Select(name => configMaps.SingleOrDefault(c => Name(c) == name))
                    .SelectMany(c => c?["data"] as JsonObject ?? [])
                    .Select(p => (p.Key, Value: p.Value?.GetValue<string>()))
                    .Concat(env.Select(e => (Key: Str(e, "name")!, Value: Str(e, "value"))))
                    .ToList();
                foreach (var credential in env.Select(e => Str(e, "name")!))
                {
                    if (!credential.EndsWith("__S3__AccessKey", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    var setting = credential[..^"AccessKey".Length] + "Bucket";
                    var bucket = settings.LastOrDefault(s => s.Key == setting).Value;
                    Assert.False(string.IsNullOrEmpty(bucket), $"{overlay}: {Name(deployment)} has no {setting}");
                    buckets.Add($"{Name(deployment)}: {setting}", bucket);
                }
            }
        }
        return buckets;
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Secrets_are_referenced_by_name_and_key_never_written_into_the_manifests(string overlay)
    {
        var objects = Kustomize.Render(overlay);
        Assert.DoesNotContain(objects, o => Kind(o) == "Secret");
        foreach (var configMap in OfKind(objects, "ConfigMap"))
        {
            var keys = (configMap["data"] as JsonObject)?.Select(p => p.Key) ?? [];
            Assert.DoesNotContain(keys, IsSecretLike);
        }
        foreach (var deployment in OfKind(objects, "Deployment"))
        {
            foreach (var env in Containers(deployment).SelectMany(c => Items(c, "env")))
            {
                var variable = Str(env, "name")!;
                if (IsSecretLike(variable))
                {
                    Assert.True(
                        env?["value"] is null
                            && !string.IsNullOrEmpty(Str(env, "valueFrom", "secretKeyRef", "name"))
                            && !string.IsNullOrEmpty(Str(env, "valueFrom", "secretKeyRef", "key")),
                        $"{Name(deployment)}: {variable} must come from a secretKeyRef"
                    );
                }
            }
        }
        foreach (var service in ResourceNames.Services)
        {
            var deployment = Assert.Single(OfKind(objects, "Deployment"), d => Name(d) == service);
            var database = Assert.Single(
                Items(Container(deployment), "env"),
                e => Str(e, "name") == "ConnectionStrings__" + ResourceNames.DatabaseOf(service)
            );
            Assert.Equal(service + "-secrets", Str(database, "valueFrom", "secretKeyRef", "name"));
            Assert.Contains(
                Items(Container(deployment), "env"),
                e =>
                    Str(e, "name") == "ConnectionStrings__" + ResourceNames.RabbitMq
                    && Str(e, "valueFrom", "secretKeyRef", "name") == "rabbitmq-secrets"
            );
        }
    }

    // The services that call OpenAI-compatible endpoints (ServiceDefaults.Ai): their own ConfigMap (endpoints and
    // models, base/<service>/config.yaml) and an optional Secret for each API key (deployment-patch.yaml there).
    private static readonly (
        string Service,
        string ConfigMap,
        string[] Settings,
        (string Variable, string Secret, string Key)[] ApiKeys
    )[] ModelClients =
    [
        (
            ResourceNames.AiCompanion,
            "ai-companion-config",
            ["Companion__Model__Model"],
            [("Companion__Model__ApiKey", "ai-companion-model", "api-key")]
        ),
        (
            ResourceNames.Social,
            "social-config",
            ["Social__Embeddings__Model", "Social__Embeddings__Dimensions", "Social__ProfileAnalysis__Model"],
            [
                ("Social__Embeddings__ApiKey", "social-ai", "embeddings-api-key"),
                ("Social__ProfileAnalysis__ApiKey", "social-ai", "analysis-api-key"),
            ]
        ),
    ];

    [Theory, MemberData(nameof(Overlays))]
    public void Model_endpoints_come_from_the_services_configmap_their_keys_from_optional_secrets_over_https(
        string overlay
    )
    {
        var objects = Kustomize.Render(overlay);
        foreach (var (service, configMapName, settings, apiKeys) in ModelClients)
        {
            var container = Container(Assert.Single(OfKind(objects, "Deployment"), d => Name(d) == service));
            Assert.Contains(Items(container, "envFrom"), e => Str(e, "configMapRef", "name") == configMapName);
            var configMap = Assert.Single(OfKind(objects, "ConfigMap"), c => Name(c) == configMapName);
            Assert.All(settings, s => Assert.False(string.IsNullOrEmpty(Str(configMap, "data", s)), $"{service}: {s}"));

            var env = Items(container, "env").ToList();
            foreach (var (variable, secret, key) in apiKeys)
            {
                // by reference, optional (no key for a local model server, none without an endpoint), never a value
                var reference = Assert.Single(env, e => Str(e, "name") == variable);
                Assert.Null(reference?["value"]);
                Assert.Equal(secret, Str(reference, "valueFrom", "secretKeyRef", "name"));
                Assert.Equal(key, Str(reference, "valueFrom", "secretKeyRef", "key"));
                Assert.Equal("true", Str(reference, "valueFrom", "secretKeyRef", "optional"));
                Assert.DoesNotContain(OfKind(objects, "ConfigMap"), c => Str(c, "data", variable) is not null);
                Assert.DoesNotContain(objects, o => Kind(o) == "Secret" && Name(o) == secret);
            }

            // a hosted model API has no fixed address: any public address on 443
            var policy = Assert.Single(OfKind(objects, "NetworkPolicy"), p => Name(p) == service);
            Assert.Contains(
                Items(policy, "spec", "egress"),
                r =>
                    Items(r, "to").Any(t => Str(t, "ipBlock", "cidr") == "0.0.0.0/0")
                    && Items(r, "ports").Any(p => Str(p, "port") == "443" && Str(p, "protocol") == "TCP")
            );
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Egress_on_443_reaches_public_addresses_only_never_the_cluster_or_the_network_around_it(string overlay)
    {
        // Hosted stores, model APIs and providers have no fixed addresses, so 443 is open to any address but the
        // private ranges: a service's HTTPS egress reaches nothing of the cluster (the API server, other services).
        string[] privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];
        string[] privateRangesV6 = ["fc00::/7", "fe80::/10"];
        var rules = OfKind(Kustomize.Render(overlay), "NetworkPolicy")
            .SelectMany(p => Items(p, "spec", "egress").Select(r => (Policy: Name(p), Rule: r)))
            .Where(x => Items(x.Rule, "ports").Any(p => Str(p, "port") == "443"))
            .ToList();
        Assert.NotEmpty(rules);
        foreach (var (policy, rule) in rules)
        {
            var peers = Items(rule, "to").ToList();
            Assert.True(peers.Count > 0, $"{policy}: 443 to any address, the cluster's own included");
            var blocks = peers.Where(p => p?["ipBlock"] is not null).ToList();
            foreach (var peer in blocks)
            {
                var except = Items(peer, "ipBlock", "except").Select(e => e?.GetValue<string>()).ToList();
                var v6 = Str(peer, "ipBlock", "cidr")!.Contains(':');
                Assert.All(v6 ? privateRangesV6 : privateRanges, r => Assert.Contains(r, except));
            }
            // public addresses of both families (an IPv6 or dual-stack cluster reaches its provider over either)
            if (blocks.Count > 0)
                Assert.Equal(
                    ["0.0.0.0/0", "::/0"],
                    blocks.Select(p => Str(p, "ipBlock", "cidr")).Order(StringComparer.Ordinal)
                );
        }
    }

    [Fact]
    public void Without_an_endpoint_in_the_base_the_services_run_their_offline_fallbacks()
    {
        var configMaps = OfKind(Kustomize.Render("base"), "ConfigMap");
        foreach (var (service, configMapName, _, _) in ModelClients)
        {
            var data = Assert.Single(configMaps, c => Name(c) == configMapName)["data"] as JsonObject ?? [];
            Assert.False(
                data.Any(p => p.Key.EndsWith("__Endpoint", StringComparison.Ordinal)),
                $"{service}: an endpoint in the base (set it per environment in an overlay)"
            );
        }
        // semantic search's vectors are stored in PostgreSQL cube columns: at most 100 dimensions
        var social = Assert.Single(configMaps, c => Name(c) == "social-config");
        Assert.InRange(int.Parse(Str(social, "data", "Social__Embeddings__Dimensions")!), 1, 100);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Only_the_gateway_takes_traffic_from_outside_and_services_take_it_only_from_the_gateway(string overlay)
    {
        var objects = Kustomize.Render(overlay);
        var policies = OfKind(objects, "NetworkPolicy");
        Assert.Contains(
            policies,
            p =>
                (p["spec"]?["podSelector"] as JsonObject)?.Count == 0
                && Items(p, "spec", "policyTypes").Any(t => t?.GetValue<string>() == "Ingress")
                && p["spec"]?["ingress"] is null
        );

        var gatewayPods = new JsonObject
        {
            ["app.kubernetes.io/name"] = ResourceNames.Gateway,
            ["app.kubernetes.io/part-of"] = "community",
        };
        foreach (var deployment in OfKind(objects, "Deployment"))
        {
            var name = Name(deployment);
            var podLabels = Labels(deployment["spec"]?["template"]);
            var rules = policies
                .Where(p => Selects(p["spec"]?["podSelector"], podLabels))
                .SelectMany(p => Items(p, "spec", "ingress"))
                .ToList();
            Assert.NotEmpty(rules);
            foreach (var rule in rules)
            {
                var peers = Items(rule, "from").ToList();
                Assert.True(peers.Count > 0, $"{name}: an ingress rule without `from` admits everyone");
                Assert.All(Items(rule, "ports"), p => Assert.Equal("8080", Str(p, "port")));
                foreach (var peer in peers)
                {
                    Assert.True(peer?["ipBlock"] is null, $"{name}: no ipBlock peers");
                    if (name == ResourceNames.Gateway)
                    {
                        // from the ingress controller's namespace only
                        Assert.Null(peer?["podSelector"]);
                        Assert.Equal(
                            "ingress-nginx",
                            Str(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name")
                        );
                        continue;
                    }
                    Assert.True(peer?["namespaceSelector"] is null, $"{name}: no peers from other namespaces");
                    var from = peer?["podSelector"]?["matchLabels"] as JsonObject;
                    var fromGateway = from is not null && JsonNode.DeepEquals(from, gatewayPods);
                    // identity alone also answers the other Community pods (JWKS, the revocation feed)
                    var fromCommunity =
                        name == ResourceNames.Identity
                        && from is not null
                        && from.Count == 1
                        && Str(from, "app.kubernetes.io/part-of") == "community";
                    Assert.True(fromGateway || fromCommunity, $"{name}: admits {peer?.ToJsonString()}");
                }
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void The_ingress_leads_only_to_the_gateway_and_keeps_the_hubs_websockets_open(string overlay)
    {
        var ingresses = OfKind(Kustomize.Render(overlay), "Ingress");
        var paths = ingresses
            .SelectMany(i =>
                Items(i, "spec", "rules").SelectMany(r => Items(r, "http", "paths")).Select(p => (Ingress: i, Path: p))
            )
            .ToList();
        Assert.All(paths, p => Assert.Equal(ResourceNames.Gateway, Str(p.Path, "backend", "service", "name")));
        Assert.Contains(paths, p => Str(p.Path, "path") == "/");

        var hubs = Assert.Single(paths, p => Str(p.Path, "path") == "/hubs");
        Assert.Equal("Prefix", Str(hubs.Path, "pathType"));
        foreach (
            var annotation in new[]
            {
                "nginx.ingress.kubernetes.io/proxy-read-timeout",
                "nginx.ingress.kubernetes.io/proxy-send-timeout",
            }
        )
        {
            Assert.True(
                int.Parse(Str(hubs.Ingress, "metadata", "annotations", annotation) ?? "0") >= 3600,
                $"/hubs: {annotation} of at least an hour"
            );
        }
        // an address that carries a token (the hubs' access token, a mailed link's) is kept out of the access log
        foreach (
            var path in new[]
            {
                "/hubs",
                "/reset-password",
                "/confirm-registration",
                "/api/v1/waitlist/status",
                "/api/v1/auth/external",
                "/app/signed-in",
                "/app/waitlist",
            }
        )
        {
            var carrier = Assert.Single(paths, p => Str(p.Path, "path") == path).Ingress;
            Assert.Equal(
                "false",
                Str(carrier, "metadata", "annotations", "nginx.ingress.kubernetes.io/enable-access-log")
            );
        }
        Assert.Equal(
            "true",
            Str(
                Assert.Single(paths, p => Str(p.Path, "path") == "/").Ingress,
                "metadata",
                "annotations",
                "nginx.ingress.kubernetes.io/enable-access-log"
            ) ?? "true"
        );
        // and the mailed links lead to those paths on that host
        var config = Assert.Single(OfKind(Kustomize.Render(overlay), "ConfigMap"), c => Name(c) == "community-config");
        var host = Str(Items(ingresses[0], "spec", "rules").First(), "host");
        foreach (var link in new[] { "PasswordResetUrl", "RegistrationConfirmUrl", "WaitlistStatusUrl" })
        {
            var url = new Uri(Str(config, "data", "Identity__" + link)!);
            Assert.Equal(host, url.Host);
            Assert.Contains(paths, p => Str(p.Path, "path") == url.AbsolutePath);
        }
        // every Ingress of the environment serves the same host with TLS
        Assert.Single(ingresses.SelectMany(i => Items(i, "spec", "rules")).Select(r => Str(r, "host")).Distinct());
        Assert.All(ingresses, i => Assert.NotEmpty(Items(i, "spec", "tls")));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_process_stops_within_its_pods_grace_after_the_pre_stop_pause(string overlay)
    {
        var rendered = Kustomize.Render(overlay);
        var config = Assert.Single(OfKind(rendered, "ConfigMap"), c => Name(c) == "community-config");
        // What the services read (ServiceDefaultsExtensions.ShutdownTimeout), set longer than the local 5 s.
        var stop = int.Parse(Str(config, "data", "Hosting__ShutdownSeconds")!);
        Assert.InRange(stop, 6, 300);
        foreach (var deployment in OfKind(rendered, "Deployment"))
        {
            var name = Name(deployment);
            var grace = int.Parse(Str(PodSpec(deployment), "terminationGracePeriodSeconds") ?? "30");
            foreach (var container in Containers(deployment))
            {
                var pause = Items(container, "lifecycle", "preStop", "exec", "command").Select(c => c!.ToString());
                var seconds = pause.FirstOrDefault() == "sleep" ? int.Parse(pause.Last()) : 0;
                // A margin for the runtime to exit after its host stops.
                Assert.True(
                    seconds + stop + 3 <= grace,
                    $"{name}: a {seconds} s pause and a {stop} s stop do not fit a {grace} s grace"
                );
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_service_taking_uploads_spools_less_of_them_than_its_tmp_holds(string overlay)
    {
        // The blob section of each service that takes uploads (AddBlobStore): the body of every upload in flight is
        // spooled to /tmp, and a pod whose emptyDir outgrows its sizeLimit is evicted.
        var sections = new Dictionary<string, string>
        {
            [ResourceNames.Identity] = "Identity__Blobs",
            [ResourceNames.Events] = "Events__Photos",
            [ResourceNames.Messaging] = "Messaging__Attachments",
        };
        var rendered = Kustomize.Render(overlay);
        foreach (var deployment in OfKind(rendered, "Deployment").Where(d => sections.ContainsKey(Name(d))))
        {
            var name = Name(deployment);
            var container = Container(deployment);
            var tmp = Str(Assert.Single(Items(container, "volumeMounts"), m => Str(m, "mountPath") == "/tmp"), "name");
            var volume = Assert.Single(Items(PodSpec(deployment), "volumes"), v => Str(v, "name") == tmp);
            var size = Quantity(Str(volume, "emptyDir", "sizeLimit")!);
            var key = sections[name] + "__UploadSpoolBytes";
            var set = Items(container, "env").SingleOrDefault(e => Str(e, "name") == key);
            var spool = set is null ? new BlobStoreOptions().UploadSpoolBytes : long.Parse(Str(set, "value")!);
            // Room left for what else the process keeps there (the runtime's diagnostics socket, small temp files).
            Assert.True(
                spool + 16 * Mebi <= size,
                $"{name}: uploads may spool {spool} bytes to a /tmp of {size} bytes"
            );
        }
    }

    private const long Mebi = 1024 * 1024;

    /// <summary>A Kubernetes quantity of bytes in the binary units these manifests use (Mi, Gi).</summary>
    private static long Quantity(string text) =>
        text.EndsWith("Gi", StringComparison.Ordinal) ? long.Parse(text[..^2]) * 1024 * Mebi
        : text.EndsWith("Mi", StringComparison.Ordinal) ? long.Parse(text[..^2]) * Mebi
        : throw new InvalidDataException($"a size this test does not read: {text}");

    [Theory, MemberData(nameof(Overlays))]
    public void The_gateway_knows_the_address_of_every_service(string overlay)
    {
        var config = Assert.Single(OfKind(Kustomize.Render(overlay), "ConfigMap"), c => Name(c) == "community-config");
        foreach (var service in ResourceNames.Services)
        {
            Assert.Equal("http://" + service, Str(config, "data", "Services__" + service));
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void The_hubs_are_pinned_to_one_messaging_pod_found_through_a_headless_service_the_gateway_may_reach(
        string overlay
    )
    {
        var objects = Kustomize.Render(overlay);
        var headless = Assert.Single(OfKind(objects, "Service"), s => Name(s) == "messaging-pods");
        Assert.Equal("None", Str(headless, "spec", "clusterIP"));
        var messaging = Assert.Single(OfKind(objects, "Deployment"), d => Name(d) == ResourceNames.Messaging);
        var podLabels = Labels(messaging["spec"]?["template"]);
        Assert.True(
            Selects(new JsonObject { ["matchLabels"] = headless["spec"]?["selector"]?.DeepClone() }, podLabels),
            "messaging-pods selects no messaging pod"
        );
        // a headless Service maps no ports: clients use the container's
        var port = Assert.Single(Items(headless, "spec", "ports"));
        Assert.Equal("8080", Str(port, "port"));
        Assert.Contains(
            Items(Container(messaging), "ports"),
            p => Str(p, "containerPort") == "8080" && Str(p, "name") == Str(port, "targetPort")
        );

        var gateway = Assert.Single(OfKind(objects, "Deployment"), d => Name(d) == ResourceNames.Gateway);
        var env = Items(Container(gateway), "env").ToDictionary(e => Str(e, "name")!, e => Str(e, "value"));
        Assert.Equal($"http://messaging-pods:{Str(port, "port")}", env["PinnedServices__messaging"]);
        Assert.Equal("true", env["DnsDestinations__Enabled"]);
        Assert.True(
            TimeSpan.Parse(env["DnsDestinations__RefreshPeriod"]!, System.Globalization.CultureInfo.InvariantCulture)
                <= TimeSpan.FromSeconds(30),
            "pods that come and go are seen within 30 s"
        );

        // straight to the pods, so the policy that admits the gateway to messaging's pods must cover the headless port
        var gatewayLabels = Labels(gateway["spec"]?["template"]);
        var admitted = OfKind(objects, "NetworkPolicy")
            .Where(p => Selects(p["spec"]?["podSelector"], podLabels))
            .SelectMany(p => Items(p, "spec", "ingress"))
            .Where(r =>
                Items(r, "from")
                    .Any(peer => peer?["namespaceSelector"] is null && Selects(peer?["podSelector"], gatewayLabels))
            )
            .SelectMany(r => Items(r, "ports"))
            .Select(p => Str(p, "port"));
        Assert.Contains(Str(port, "port"), admitted);
        // and nothing limits the gateway's own egress (or, if something does, it admits messaging's pods)
        var gatewayEgress = OfKind(objects, "NetworkPolicy")
            .Where(p =>
                Selects(p["spec"]?["podSelector"], gatewayLabels)
                && Items(p, "spec", "policyTypes").Any(t => t?.GetValue<string>() == "Egress")
            )
            .ToList();
        Assert.All(
            gatewayEgress,
            p =>
                Assert.Contains(
                    Items(p, "spec", "egress"),
                    r =>
                        Items(r, "to").Any(peer => Selects(peer?["podSelector"], podLabels))
                        && Items(r, "ports").Any(x => Str(x, "port") == "8080")
                )
        );
    }
}
