using Community.ServiceDefaults.Errors;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Community.ServiceDefaults.Mail;

public sealed record EmailMessage(string To, string Subject, string Body);

/// <summary>
/// Sends a service's e-mail: SMTP when Smtp:Host is configured, the log otherwise (development); see
/// <see cref="EmailSetup.AddEmailSender"/>.
/// </summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

public sealed class SmtpOptions
{
    public const string Section = "Smtp";
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public bool EnableSsl { get; set; } = true;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Community <no-reply@community.local>";
}

/// <summary>
/// SMTP through MailKit: STARTTLS when EnableSsl (TLS from the first byte on port 465), plain otherwise.
/// </summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var mail = new MimeMessage();
        mail.From.Add(
            MailboxAddress.TryParse(settings.From, out var from)
                ? from
                : new MailboxAddress("Community", "no-reply@community.local")
        );
        mail.To.Add(MailboxAddress.Parse(message.To));
        mail.Subject = message.Subject;
        mail.Body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = message.Body };
        var security =
            !settings.EnableSsl ? SecureSocketOptions.None
            : settings.Port == 465 ? SecureSocketOptions.SslOnConnect
            : SecureSocketOptions.StartTls;
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(settings.Host!, settings.Port, security, cancellationToken);
            if (settings.Username is not null)
                await client.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);
            await client.SendAsync(mail, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e)
            when (e
                    is MailKit.Net.Smtp.SmtpCommandException
                        or MailKit.Net.Smtp.SmtpProtocolException
                        or MailKit.ServiceNotConnectedException
                        or MailKit.Security.AuthenticationException
                        or SslHandshakeException
                        or System.Net.Sockets.SocketException
                        or IOException
                && !cancellationToken.IsCancellationRequested
            )
        {
            // A mail server that is down is the caller's 503 (try again), never a 500. Its cause (logged by callers) is
            // what failed and the server's codes, never its text, nor the exception: a refusal's reply names the
            // recipient ("<jane@example.com>: Recipient address rejected"), and no address goes to the logs.
            throw new ServiceUnavailableException(
                "The e-mail could not be sent just now; try again shortly.",
                TimeSpan.FromSeconds(30)
            )
            {
                Data = { ["cause"] = CauseOf(e), [RefusedForGood] = IsRefusedForGood(e) },
            };
        }
    }

    /// <summary>
    /// The key of a send's failure (<see cref="ServiceUnavailableException.Data"/>) that is true when the mail server
    /// refused the recipient or the message for good (a 5xx reply to RCPT TO or DATA: no such mailbox, rejected
    /// content): trying the same mail again at once fails again, so a batch of mails goes on to the next one.
    /// </summary>
    public const string RefusedForGood = "refused_for_good";

    private static bool IsRefusedForGood(Exception e) =>
        e
            is SmtpCommandException
            {
                ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted
            } refused
        && (int)refused.StatusCode is >= 500 and < 600;

    /// <summary>What went wrong with the mail server, without anything it said in words.</summary>
    private static string CauseOf(Exception e) =>
        e switch
        {
            SmtpCommandException refused =>
                $"the mail server refused ({refused.ErrorCode}, {(int)refused.StatusCode} {refused.StatusCode})",
            SmtpProtocolException => "the mail server broke the SMTP protocol",
            MailKit.Security.AuthenticationException => "the mail server refused the credentials",
            SslHandshakeException => "the TLS handshake with the mail server failed",
            System.Net.Sockets.SocketException socket => $"the mail server is out of reach ({socket.SocketErrorCode})",
            _ => $"the connection to the mail server failed ({e.GetType().Name})",
        };
}

public sealed class LogEmailSender(ILogger<LogEmailSender> logger) : IEmailSender
{
    public Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "E-mail (no SMTP configured) to {To}: {Subject}\n{Body}",
            message.To,
            message.Subject,
            message.Body
        );
        return Task.CompletedTask;
    }
}

public static class EmailSetup
{
    /// <summary>
    /// Registers <see cref="IEmailSender"/>: SMTP when Smtp:Host is set, otherwise the log sender, which
    /// Production refuses because mailed links (password resets, sign-in confirmations) must never reach the logs.
    /// </summary>
    public static IHostApplicationBuilder AddEmailSender(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<SmtpOptions>(builder.Configuration.GetSection(SmtpOptions.Section));
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{SmtpOptions.Section}:Host"]))
        {
            if (builder.Environment.IsProduction())
                EnsureRealSender(builder.Configuration[$"{SmtpOptions.Section}:From"]);
            builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        }
        else if (builder.Environment.IsProduction())
            throw new InvalidOperationException(
                "Smtp:Host must be configured in Production: mailed links are never logged there."
            );
        else
            builder.Services.AddSingleton<IEmailSender, LogEmailSender>();
        return builder;
    }

    /// <summary>
    /// Production mails from an address of its own: without one every mail would say it is from the development
    /// default's .local domain, which relays that want a verified sender refuse and receivers' SPF/DMARC checks fail,
    /// while reset and confirmation requests still answer that their mail is on its way.
    /// </summary>
    private static void EnsureRealSender(string? from)
    {
        if (
            string.IsNullOrWhiteSpace(from)
            || !MailboxAddress.TryParse(from, out var sender)
            || !sender.Domain.Contains('.')
            || sender.Domain.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
        )
            throw new InvalidOperationException(
                "Smtp:From must be configured in Production as the sender's address (\"Community "
                    + "<no-reply@example.com>\"), of a domain the SMTP relay sends for: it is missing, unreadable or "
                    + ".local."
            );
    }
}
