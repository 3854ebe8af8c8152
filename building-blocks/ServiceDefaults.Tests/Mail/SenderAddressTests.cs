using Community.ServiceDefaults.Mail;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Tests.Mail;

/// <summary>
/// Production refuses to start mailing from the development default's address (or none it can read): relays refuse a
/// .local sender and receivers file it as spam, while the requests that mail answer that their mail is on its way.
/// </summary>
public sealed class SenderAddressTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Community <no-reply@community.local>")]
    [InlineData("not an address")]
    [InlineData("no-reply@localhost")]
    public void Production_refuses_a_missing_or_development_sender(string? from)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Build(Environments.Production, from));
        Assert.Contains("Smtp:From", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "Community <no-reply@example.com>")]
    [InlineData("Production", "no-reply@mail.example.org")]
    [InlineData("Development", null)]
    [InlineData("Staging", "Community <no-reply@community.local>")]
    public void A_real_sender_or_a_development_environment_starts(string environment, string? from)
    {
        using var host = Build(environment, from);
        Assert.IsType<SmtpEmailSender>(host.Services.GetRequiredService<IEmailSender>());
    }

    private static IHost Build(string environment, string? from)
    {
        var builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { EnvironmentName = environment }
        );
        var settings = new Dictionary<string, string?> { ["Smtp:Host"] = "smtp.example.com" };
        if (from is not null)
            settings["Smtp:From"] = from;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddEmailSender();
        return builder.Build();
    }
}
