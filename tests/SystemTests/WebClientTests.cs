extern alias IdentityApi;
extern alias MessagingApi;
using System.Collections.Concurrent;
using System.Diagnostics;
using Community.LocalInfrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using ISmsSender = IdentityApi::Community.Identity.Verification.ISmsSender;
using MessagingProgram = MessagingApi::Program;
using SmsMessage = IdentityApi::Community.Identity.Verification.SmsMessage;

namespace Community.SystemTests;

/// <summary>
/// The whole platform behind the real gateway, which serves the built web client (clients/web/dist) at /app/ as
/// AppHost does; messaging can be stopped and started again on its port mid-test, as a crash and restart would.
/// </summary>
public sealed class WebClientFixture : PlatformFixture
{
    private IsolatedResources _messagingResources = null!;
    private int _messagingPort;

    public ServiceHost<MessagingProgram>? Messaging { get; private set; }

    public static readonly string WebFolder = Path.Combine(RepositoryRoot.Find(), "clients", "web");

    protected override string Name => nameof(WebClientTests);

    /// <summary>Identity's e-mail: the scripts ask for what a mail holds (a reset token) as its reader would.</summary>
    public SmtpSink Smtp { get; } = new();

    /// <summary>The admin identity seeds at start (Identity:Admins); its password is made for this run.</summary>
    public const string AdminUsername = "root_admin";

    public string AdminPassword { get; } =
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Identity:Admins:0:Username"] = AdminUsername;
        settings["Identity:Admins:0:Email"] = "root.admin@example.com";
        settings["Identity:Admins:0:Password"] = AdminPassword;
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Smtp:EnableSsl"] = "false";
        var gateway = $"http://127.0.0.1:{GatewayPort}";
        // the waitlist e-mail's link: the web client's page
        settings["Identity:WaitlistStatusUrl"] = $"{gateway}/app/waitlist?token=";
        // Sign-in with an outside provider: the test's OpenID provider, which signs Lina in at once.
        settings["Identity:GatewayUrl"] = gateway;
        settings["Identity:ExternalLoginClientRedirects:0"] = $"{gateway}/app/";
        settings["Identity:ExternalLogin:demo:Issuer"] = Provider.Issuer;
        settings["Identity:ExternalLogin:demo:ClientId"] = FakeOidcProvider.ClientId;
        settings["Identity:ExternalLogin:demo:ClientSecret"] = Provider.ClientSecret;
        settings["Identity:ExternalLogin:demo:RequireHttps"] = "false";
        settings["Identity:ExternalLogin:demo:DisplayName"] = "Demo ID";
    }

    /// <summary>The outside provider the web client offers ("Continue with Demo ID").</summary>
    public FakeOidcProvider Provider { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Provider = await FakeOidcProvider.StartAsync();
        Provider.NextUser = new FakeOidcUser("sub-lina", "lina@example.com", EmailVerified: true, Name: "Lina Haddad");
        await base.InitializeAsync();
    }

    /// <summary>
    /// The token of the latest e-mail to <paramref name="address"/> that gives one after <paramref name="label"/>
    /// ("Reset token", "Confirmation token"), once it came.
    /// </summary>
    public Task<string> MailedTokenAsync(string label, string address) =>
        MailedAsync(label, address, label + @": (\S+)");

    /// <summary>
    /// The first link of the latest e-mail to <paramref name="address"/> that holds <paramref name="label"/>.
    /// </summary>
    public Task<string> MailedLinkAsync(string label, string address) => MailedAsync(label, address, @"(https?://\S+)");

    /// <summary>What <paramref name="pattern"/>'s group finds in the latest such e-mail.</summary>
    private Task<string> MailedAsync(string label, string address, string pattern) =>
        ArrivedAsync(
            () =>
                Smtp.Messages.LastOrDefault(m =>
                    m.To.Any(t => t.Contains(address, StringComparison.OrdinalIgnoreCase))
                    && m.Body.Contains(label + ": ", StringComparison.Ordinal)
                )
                    is { } mail
                    ? System.Text.RegularExpressions.Regex.Match(mail.Body, pattern).Groups[1].Value
                    : null,
            $"No e-mail to {address} with a {label} arrived."
        );

    /// <summary>What <paramref name="find"/> finds once it finds something, asked until the usual deadline.</summary>
    private static async Task<string> ArrivedAsync(Func<string?> find, string failure)
    {
        string? found = null;
        await Eventually.TrueAsync(() => Task.FromResult((found = find()) is not null), failure);
        return found!;
    }

    /// <summary>Identity's text messages, as the phones they were sent to would receive them.</summary>
    public TextedMessages Texts { get; } = new();

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton<ISmsSender>(Texts);
    }

    /// <summary>The code of the latest text message to <paramref name="phone"/>, once it came.</summary>
    public Task<string> TextedCodeAsync(string phone) =>
        ArrivedAsync(
            () =>
                Texts.Sent.LastOrDefault(m => m.To == phone) is { } text
                    ? System.Text.RegularExpressions.Regex.Match(text.Text, @"\b(\d{6})\b").Groups[1].Value
                    : null,
            $"No text message to {phone} arrived."
        );

    protected override void ConfigureGateway(IDictionary<string, string?> settings)
    {
        settings["WebClient:Root"] = Path.Combine(WebFolder, "dist");
        // messaging is stopped on purpose mid-test: its forwarding failures are expected
        settings["Logging:LogLevel:Community.Gateway.Forwarding"] = "Error";
    }

    protected override async Task<Uri> MessagingAsync()
    {
        _messagingResources = await IsolateAsync(ResourceNames.Messaging);
        await StartMessagingAsync();
        _messagingPort = Messaging!.BaseAddress.Port;
        return Messaging.BaseAddress;
    }

    /// <summary>Stops messaging as a crash would end it: its hub connections drop, its port stops answering.</summary>
    public async Task StopMessagingAsync()
    {
        if (Messaging is null)
            return;
        // the bus first, and fully: a consumer left open on the broker by an in-process host (a crashed process's
        // connection would simply close) would keep taking messages the restarted instance never sees
        await Messaging.Services.GetRequiredService<IBusControl>().StopAsync(TimeSpan.FromSeconds(30));
        try
        {
            await Messaging.DisposeAsync();
        }
        finally
        {
            // started again by the script's runner even when stopping failed, so the next test finds it
            Messaging = null;
        }
    }

    /// <summary>Starts messaging (again) on its port, with its database and queues as they were.</summary>
    public async Task StartMessagingAsync()
    {
        Messaging = StartService<MessagingProgram>(ResourceNames.Messaging, _messagingResources, port: _messagingPort);
        await BusReadyAsync(Messaging);
    }

    public override async Task DisposeAsync()
    {
        // at the end nothing restarts on these queues: the host's own stop stops the bus (stopping it first as well
        // would have the host stop a stopped bus, which MassTransit logs as a warning)
        if (Messaging is not null)
            await Messaging.DisposeAsync();
        Messaging = null;
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

/// <summary>
/// The reference web client (clients/web) in Chromium, served by the gateway: its node script
/// (clients/web/test/browser.mjs, playwright-core) drives two people through it; the script asks this test to stop
/// and start messaging mid-conversation by printing a line, and goes on when it is answered on its standard input.
/// </summary>
public sealed class WebClientTests(WebClientFixture fx, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<WebClientFixture>
{
    private static readonly SemaphoreSlim Building = new(1, 1);

    /// <summary>Where the screenshots go: WEB_SCREENSHOTS, else .local/test-results/web-client.</summary>
    private static string ScreenshotFolder =>
        Environment.GetEnvironmentVariable("WEB_SCREENSHOTS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(RepositoryRoot.Find(), ".local", "test-results", "web-client");

    [Fact]
    public async Task Two_people_chat_live_in_a_thread_through_a_messaging_restart_and_every_view_is_accessible()
    {
        await EnsureBuiltAsync();
        ChildProcess.AssertBrowserInstalled(WebClientFixture.WebFolder);
        var (exitCode, log) = await RunScriptAsync("test/browser.mjs", TimeSpan.FromMinutes(6));
        output.WriteLine(log);
        Assert.True(exitCode == 0, $"the web client's browser test failed (exit code {exitCode}):\n{log}");
    }

    [Fact]
    public async Task A_paid_ticket_shows_its_qr_code_a_connection_becomes_messages_and_the_companion_streams()
    {
        await EnsureBuiltAsync();
        ChildProcess.AssertBrowserInstalled(WebClientFixture.WebFolder);
        var (exitCode, log) = await RunScriptAsync("test/journeys.mjs", TimeSpan.FromMinutes(5));
        output.WriteLine(log);
        Assert.True(exitCode == 0, $"the web client's browser test failed (exit code {exitCode}):\n{log}");
    }

    [Fact]
    public async Task The_web_clients_unit_tests_pass()
    {
        await EnsureBuiltAsync();
        // vitest in happy-dom (clients/web/src/**/*.test.ts[x]): how a list loads, fails, keeps and follows pushes, and
        // an action with no answer; it fails when it finds no test file
        var (exitCode, log) = await ChildProcess.RunAsync(
            WebClientFixture.WebFolder,
            "node",
            ["node_modules/vitest/vitest.mjs", "run", "--reporter=verbose"],
            new Dictionary<string, string> { ["NO_COLOR"] = "1" }
        );
        output.WriteLine(log);
        Assert.True(exitCode == 0, $"the web client's unit tests failed (exit code {exitCode}):\n{log}");
    }

    /// <summary>npm ci (when the lock file is newer than node_modules) and the build, once per test run.</summary>
    private static async Task EnsureBuiltAsync()
    {
        await Building.WaitAsync();
        try
        {
            await ClientSdk.EnsureInstalledAsync(); // the app is built from the SDK's source and its dependencies
            var folder = WebClientFixture.WebFolder;
            var marker = Path.Combine(folder, "node_modules", ".package-lock.json");
            if (
                !File.Exists(marker)
                || File.GetLastWriteTimeUtc(marker)
                    < File.GetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json"))
            )
            {
                var (installed, npm) = await ChildProcess.RunAsync(
                    folder,
                    "npm",
                    ["ci", "--no-audit", "--no-fund"],
                    new Dictionary<string, string> { ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1" }
                );
                Assert.True(installed == 0, $"npm ci in clients/web failed:\n{npm}");
            }
            var (built, build) = await ChildProcess.RunAsync(folder, "npm", ["run", "build"]);
            Assert.True(built == 0, $"the web client's build failed:\n{build}");
        }
        finally
        {
            Building.Release();
        }
    }

    /// <summary>
    /// Runs the script, answering its requests ("stop messaging", "start messaging") on its standard input.
    /// </summary>
    private async Task<(int ExitCode, string Log)> RunScriptAsync(string script, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = WebClientFixture.WebFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var argument in new[]
            {
                script,
                fx.Gateway.BaseAddress.ToString().TrimEnd('/'),
                ChildProcess.Chromium,
                ScreenshotFolder,
            }
        )
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                lock (log)
                    log.AppendLine(line);
                if (line == "@@ stop messaging")
                {
                    await fx.StopMessagingAsync();
                    await process.StandardInput.WriteLineAsync("stopped");
                }
                else if (line == "@@ start messaging")
                {
                    await fx.StartMessagingAsync();
                    await process.StandardInput.WriteLineAsync("started");
                }
                else if (line.StartsWith("@@ reset token ", StringComparison.Ordinal))
                    await process.StandardInput.WriteLineAsync(
                        await fx.MailedTokenAsync("Reset token", line["@@ reset token ".Length..])
                    );
                else if (line.StartsWith("@@ texted code ", StringComparison.Ordinal))
                    await process.StandardInput.WriteLineAsync(
                        await fx.TextedCodeAsync(line["@@ texted code ".Length..])
                    );
                else if (line == "@@ admin password")
                    await process.StandardInput.WriteLineAsync(fx.AdminPassword);
                else if (line.StartsWith("@@ waitlist link ", StringComparison.Ordinal))
                    await process.StandardInput.WriteLineAsync(
                        await fx.MailedLinkAsync("Status token", line["@@ waitlist link ".Length..])
                    );
                else if (line.StartsWith("@@ confirmation token ", StringComparison.Ordinal))
                    await process.StandardInput.WriteLineAsync(
                        await fx.MailedTokenAsync("Confirmation token", line["@@ confirmation token ".Length..])
                    );
                await process.StandardInput.FlushAsync();
            }
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalSeconds:0} s\n{log}{await stderr}");
        }
        finally
        {
            if (fx.Messaging is null)
                await fx.StartMessagingAsync();
        }
        return (process.ExitCode, log + await stderr);
    }
}

/// <summary>Identity's text messages, kept in the order sent (no provider is run in tests).</summary>
public sealed class TextedMessages : ISmsSender
{
    public ConcurrentQueue<SmsMessage> Sent { get; } = new();

    public Task SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        Sent.Enqueue(message);
        return Task.CompletedTask;
    }
}
