using Community.Contracts;

namespace Community.AppHost.Tests;

public sealed class ServiceEnvironmentTests
{
    private const string Gateway = "http://192.168.1.20:9000";

    private static readonly IReadOnlyList<ServiceDefinition> Services = Resources
        .Declared.Where(s =>
            s.Name is ResourceNames.Identity or ResourceNames.Events or ResourceNames.Payments or ResourceNames.Gateway
        )
        .ToList();

    private static readonly PlatformEnvironment Platform = new(
        Gateway,
        Services.ToDictionary(s => s.Name, s => s.IsGateway ? Gateway : $"http://127.0.0.1:{5000 + s.Name.Length}"),
        Services.Where(s => s.UsesDatabase).ToDictionary(s => s.Name, s => $"Host=127.0.0.1;Database={s.Name}"),
        "amqp://guest:guest@127.0.0.1:5672/community",
        Redis: "127.0.0.1:6379"
    );

    private static Dictionary<string, string> EnvironmentOf(string name) =>
        ServiceEnvironment.For(Services.Single(s => s.Name == name), Services, Platform);

    [Fact]
    public void Services_believe_forwarded_headers_from_the_gateway_on_loopback_and_the_gateway_believes_none()
    {
        foreach (var service in Services.Where(s => !s.IsGateway))
            Assert.Equal("127.0.0.1", EnvironmentOf(service.Name)["Http__TrustedNetworks__0"]);
        Assert.False(EnvironmentOf(ResourceNames.Gateway).ContainsKey("Http__TrustedNetworks__0"));
    }

    [Fact]
    public void Every_service_and_the_gateway_share_the_runs_revocation_feed_key()
    {
        var platform = Platform with { RevocationFeedKey = "k3y" };
        foreach (var service in Services)
            Assert.Equal("k3y", ServiceEnvironment.For(service, Services, platform)["Revocations__FeedKey"]);
    }

    [Fact]
    public void Services_export_to_the_dashboard_over_http_protobuf_unless_the_operator_named_a_collector()
    {
        var none = new Dictionary<string, string>();
        Assert.Equal(
            ("http://localhost:8081", "http/protobuf"),
            ServiceEnvironment.OtlpTarget("http://localhost:8081", none.GetValueOrDefault)
        );
        var own = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317" };
        Assert.Equal(
            ("http://collector:4317", (string?)null),
            ServiceEnvironment.OtlpTarget("http://localhost:8081", own.GetValueOrDefault)
        );
        own["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        Assert.Equal(
            ("http://collector:4317", "http/protobuf"),
            ServiceEnvironment.OtlpTarget("http://localhost:8081", own.GetValueOrDefault)
        );

        var platform = Platform with { OtlpEndpoint = "http://localhost:8081", OtlpProtocol = "http/protobuf" };
        foreach (var service in Services)
        {
            var environment = ServiceEnvironment.For(service, Services, platform);
            Assert.Equal("http://localhost:8081", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
            Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
            Assert.Equal(service.Name, environment["OTEL_SERVICE_NAME"]);
            Assert.True(int.Parse(environment["OTEL_METRIC_EXPORT_INTERVAL"]) > 0);
        }
        // no endpoint, no export settings (the collector's own protocol is left to the SDK's default)
        Assert.False(EnvironmentOf(ResourceNames.Identity).ContainsKey("OTEL_EXPORTER_OTLP_PROTOCOL"));
    }

    [Fact]
    public void Checkout_urls_start_at_the_gateway_url()
    {
        Assert.Equal(Gateway, EnvironmentOf(ResourceNames.Payments)["Payments__PublicBaseUrl"]);
    }

    [Fact]
    public void Password_reset_links_start_at_the_gateway_url()
    {
        Assert.Equal(
            $"{Gateway}/reset-password?token=",
            EnvironmentOf(ResourceNames.Identity)["Identity__PasswordResetUrl"]
        );
    }

    [Fact]
    public void Registration_confirmation_links_start_at_the_gateway_url()
    {
        Assert.Equal(
            $"{Gateway}/confirm-registration?token=",
            EnvironmentOf(ResourceNames.Identity)["Identity__RegistrationConfirmUrl"]
        );
    }

    [Fact]
    public void No_public_url_keeps_the_default_address()
    {
        foreach (var service in Services)
        {
            var environment = ServiceEnvironment.For(service, Services, Platform);
            foreach (var (key, value) in ServiceEnvironment.PublicUrls(Gateway))
            {
                Assert.Equal(value, environment[key]);
                Assert.StartsWith(Gateway + "/", value + "/", StringComparison.Ordinal);
                Assert.DoesNotContain("localhost:8080", value, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Each_service_gets_its_own_database_the_broker_and_every_service_address()
    {
        var events = EnvironmentOf(ResourceNames.Events);

        Assert.Equal(Platform.Addresses[ResourceNames.Events], events["ASPNETCORE_URLS"]);
        Assert.Equal(
            Platform.Databases[ResourceNames.Events],
            events[$"ConnectionStrings__{ResourceNames.DatabaseOf(ResourceNames.Events)}"]
        );
        Assert.DoesNotContain($"ConnectionStrings__{ResourceNames.DatabaseOf(ResourceNames.Identity)}", events.Keys);
        Assert.Equal(Platform.Broker, events[$"ConnectionStrings__{ResourceNames.RabbitMq}"]);
        Assert.Equal(Platform.Redis, events[$"ConnectionStrings__{ResourceNames.Redis}"]);
        Assert.Equal(Platform.Addresses[ResourceNames.Payments], events[$"Services__{ResourceNames.Payments}"]);
        Assert.DoesNotContain($"Services__{ResourceNames.Gateway}", events.Keys);
    }

    [Fact]
    public void The_gateway_listens_on_the_gateway_url_without_database_or_broker_and_keeps_its_rate_limits_in_redis()
    {
        var gateway = EnvironmentOf(ResourceNames.Gateway);

        Assert.Equal(Gateway, gateway["ASPNETCORE_URLS"]);
        Assert.Equal(Platform.Redis, gateway[$"ConnectionStrings__{ResourceNames.Redis}"]);
        Assert.Equal(
            [$"ConnectionStrings__{ResourceNames.Redis}"],
            gateway.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
        );
    }

    [Fact]
    public void By_default_the_gateway_allows_the_local_dev_servers_origins_and_no_service_gets_them()
    {
        var platform = Platform with { CorsOrigins = AppHostOptions.Parse([]).CorsOrigins };

        var gateway = ServiceEnvironment.For(Services.Single(s => s.IsGateway), Services, platform);
        var allowed = gateway
            .Where(e => e.Key.StartsWith("Cors__AllowedOrigins__", StringComparison.Ordinal))
            .OrderBy(e => int.Parse(e.Key["Cors__AllowedOrigins__".Length..]))
            .Select(e => e.Value)
            .ToList();
        Assert.Equal(AppHostOptions.DefaultCorsOrigins, allowed);
        foreach (
            var origin in new[]
            {
                "http://localhost:5173",
                "http://127.0.0.1:5173",
                "http://localhost:3000",
                "http://localhost:4200",
            }
        )
            Assert.Contains(origin, allowed);
        Assert.DoesNotContain("http://localhost:8081", allowed);
        foreach (var service in Services.Where(s => !s.IsGateway))
            Assert.DoesNotContain(
                ServiceEnvironment.For(service, Services, platform).Keys,
                k => k.StartsWith("Cors__", StringComparison.Ordinal)
            );
    }

    [Theory]
    [InlineData("default,http://localhost:8000/", "http://localhost:8000")]
    [InlineData("https://app.example,none", "https://app.example")]
    public void The_cors_origins_option_replaces_or_adds_to_the_defaults(string value, string added)
    {
        var options = AppHostOptions.Parse(["--cors-origins", value]);

        var gateway = ServiceEnvironment.For(
            Services.Single(s => s.IsGateway),
            Services,
            Platform with
            {
                CorsOrigins = options.CorsOrigins,
            }
        );
        var allowed = gateway
            .Where(e => e.Key.StartsWith("Cors__AllowedOrigins__", StringComparison.Ordinal))
            .Select(e => e.Value)
            .ToList();
        Assert.Contains(added, allowed);
        Assert.Equal(value.StartsWith("default", StringComparison.Ordinal), allowed.Contains("http://localhost:5173"));
        Assert.All(
            Enumerable.Range(0, allowed.Count),
            i => Assert.True(gateway.ContainsKey($"Cors__AllowedOrigins__{i}"))
        );
    }

    [Fact]
    public void No_cors_origins_gives_the_gateway_none()
    {
        var options = AppHostOptions.Parse(["--cors-origins=none"]);

        Assert.Empty(options.CorsOrigins);
        Assert.DoesNotContain(
            ServiceEnvironment
                .For(Services.Single(s => s.IsGateway), Services, Platform with { CorsOrigins = options.CorsOrigins })
                .Keys,
            k => k.StartsWith("Cors__", StringComparison.Ordinal)
        );
    }

    [Theory]
    [InlineData("*")]
    [InlineData("http://*.example")]
    [InlineData("http://localhost:5173/app")]
    [InlineData("localhost:5173")]
    [InlineData("ftp://localhost")]
    public void An_inexact_cors_origin_is_refused(string origin)
    {
        var error = Assert.Throws<ArgumentException>(() => AppHostOptions.Parse(["--cors-origins", origin]));
        Assert.Contains("exact origins", error.Message);
    }

    [Fact]
    public void The_gateway_url_option_is_normalised_before_it_reaches_the_services()
    {
        var options = AppHostOptions.Parse(["--gateway-url", "http://example.test:9000/"]);

        Assert.Equal("http://example.test:9000", options.GatewayUrl);
        Assert.Equal(
            "http://example.test:9000/reset-password?token=",
            ServiceEnvironment.PublicUrls(options.GatewayUrl)["Identity__PasswordResetUrl"]
        );
        Assert.Equal(
            "http://example.test:9000/confirm-registration?token=",
            ServiceEnvironment.PublicUrls(options.GatewayUrl)["Identity__RegistrationConfirmUrl"]
        );
        Assert.Equal(
            "http://example.test:9000/app/waitlist?token=",
            ServiceEnvironment.PublicUrls(options.GatewayUrl)["Identity__WaitlistStatusUrl"]
        );
        Assert.Equal(
            "http://example.test:9000",
            ServiceEnvironment.PublicUrls(options.GatewayUrl)["Identity__GatewayUrl"]
        );
        Assert.Equal(
            "http://example.test:9000/app/signed-in",
            ServiceEnvironment.PublicUrls(options.GatewayUrl)["Identity__ExternalLoginClientRedirects__0"]
        );
        // every URL a service hands out is among them: none is left at the default port
        Assert.DoesNotContain(
            ServiceEnvironment.PublicUrls(options.GatewayUrl).Values,
            url => url.Contains(":8080", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void In_development_identity_gets_the_local_admin_and_no_other_service_does()
    {
        var admin = new LocalAdmin("admin", "admin@community.localhost", LocalAdmin.GeneratePassword());
        var platform = Platform with { Admin = admin };

        var identity = ServiceEnvironment.For(
            Services.Single(s => s.Name == ResourceNames.Identity),
            Services,
            platform
        );
        Assert.Equal("admin", identity["Identity__Admins__0__Username"]);
        Assert.Equal(admin.Email, identity["Identity__Admins__0__Email"]);
        Assert.Equal(admin.Password, identity["Identity__Admins__0__Password"]);
        foreach (var other in Services.Where(s => s.Name != ResourceNames.Identity))
        {
            Assert.DoesNotContain(
                ServiceEnvironment.For(other, Services, platform).Keys,
                k => k.StartsWith("Identity__Admins", StringComparison.Ordinal)
            );
        }
    }

    [Fact]
    public void Outside_development_no_admin_is_ever_given()
    {
        var platform = Platform with
        {
            Admin = new LocalAdmin("admin", "admin@community.localhost", "x1x1x1x1x1x1"),
            EnvironmentName = "Production",
        };

        var identity = ServiceEnvironment.For(
            Services.Single(s => s.Name == ResourceNames.Identity),
            Services,
            platform
        );

        Assert.Equal("Production", identity["ASPNETCORE_ENVIRONMENT"]);
        Assert.DoesNotContain(identity.Keys, k => k.StartsWith("Identity__Admins", StringComparison.Ordinal));
    }

    [Fact]
    public void The_local_admin_is_generated_once_and_kept_for_later_runs()
    {
        var file = Path.Combine(Path.GetTempPath(), $"apphost-tests-{Guid.NewGuid():N}", LocalAdmin.FileName);
        try
        {
            var (first, created) = LocalAdmin.LoadOrCreate(file);
            var (again, createdAgain) = LocalAdmin.LoadOrCreate(file);

            Assert.True(created);
            Assert.False(createdAgain);
            Assert.Equal(first, again);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
            Assert.NotEqual(first.Password, LocalAdmin.GeneratePassword());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public void A_kept_local_admin_file_that_others_can_read_is_made_owner_only()
    {
        if (OperatingSystem.IsWindows())
            return;
        var file = Path.Combine(Path.GetTempPath(), $"apphost-tests-{Guid.NewGuid():N}", LocalAdmin.FileName);
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var loose = ownerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllLines(file, ["admin", "admin@community.localhost", "x1x1x1x1x1x1"]);
            File.SetUnixFileMode(file, loose);

            var (kept, created) = LocalAdmin.LoadOrCreate(file);

            Assert.False(created);
            Assert.Equal("x1x1x1x1x1x1", kept.Password);
            Assert.Equal(ownerOnly, File.GetUnixFileMode(file));

            // an unusable one is replaced by a new owner-only file
            File.WriteAllText(file, "admin\n");
            File.SetUnixFileMode(file, loose);
            var (replaced, createdAgain) = LocalAdmin.LoadOrCreate(file);
            Assert.True(createdAgain);
            Assert.Equal(replaced, LocalAdmin.LoadOrCreate(file).Admin);
            Assert.Equal(ownerOnly, File.GetUnixFileMode(file));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public void Generated_passwords_meet_identity_s_password_rule()
    {
        for (var i = 0; i < 200; i++)
        {
            var password = LocalAdmin.GeneratePassword();
            Assert.InRange(password.Length, 10, 128);
            Assert.Contains(password, char.IsLetter);
            Assert.Contains(password, char.IsDigit);
            Assert.DoesNotContain("admin", password, StringComparison.OrdinalIgnoreCase);
        }
    }
}
