using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Mail;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Tests.Mail;

/// <summary>
/// A mail server's refusal is a 503 whose cause (which callers log) says what failed and the server's codes: never the
/// server's words, which name the recipient, nor the exception that holds them.
/// </summary>
public sealed class SmtpRefusalTests
{
    [Fact]
    public async Task A_refused_recipient_is_a_503_whose_cause_names_no_address()
    {
        await using var sink = new SmtpSink { Refuses = to => to.StartsWith("jane.unknown", StringComparison.Ordinal) };
        var sender = new SmtpEmailSender(
            Options.Create(
                new SmtpOptions
                {
                    Host = "127.0.0.1",
                    Port = sink.Port,
                    EnableSsl = false,
                }
            )
        );

        var refused = await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            sender.SendAsync(new EmailMessage("jane.unknown@example.com", "Hello", "Body"), CancellationToken.None)
        );

        var cause = Assert.IsType<string>(refused.Data["cause"]);
        Assert.Contains("550", cause);
        Assert.Equal(true, refused.Data[SmtpEmailSender.RefusedForGood]);
        Assert.DoesNotContain("jane.unknown", cause);
        Assert.DoesNotContain("jane.unknown", refused.ToString());
        Assert.Null(refused.InnerException);

        // The same sender reaches the sink for an address it accepts: the refusal above was the server's answer.
        await sender.SendAsync(new EmailMessage("someone@example.com", "Hello", "Body"), CancellationToken.None);
        await sink.WaitForAsync("someone@example.com");
    }

    [Fact]
    public async Task A_server_out_of_reach_is_a_503_to_try_again()
    {
        using var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();
        var sender = new SmtpEmailSender(
            Options.Create(
                new SmtpOptions
                {
                    Host = "127.0.0.1",
                    Port = port,
                    EnableSsl = false,
                }
            )
        );

        var failed = await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            sender.SendAsync(new EmailMessage("someone@example.com", "Hello", "Body"), CancellationToken.None)
        );
        Assert.Equal(false, failed.Data[SmtpEmailSender.RefusedForGood]);
    }
}
