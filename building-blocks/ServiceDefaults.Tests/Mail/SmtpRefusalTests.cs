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
        Assert.DoesNotContain("jane.unknown", cause);
        Assert.DoesNotContain("jane.unknown", refused.ToString());
        Assert.Null(refused.InnerException);

        // The same sender reaches the sink for an address it accepts: the refusal above was the server's answer.
        await sender.SendAsync(new EmailMessage("someone@example.com", "Hello", "Body"), CancellationToken.None);
        await sink.WaitForAsync("someone@example.com");
    }
}
