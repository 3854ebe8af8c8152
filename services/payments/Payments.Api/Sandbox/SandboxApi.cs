using System.Net;
using System.Text;
using System.Text.Json;
using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Stripe;

namespace Community.Payments.Sandbox;

/// <summary>
/// The sandbox provider's checkout page. Pay and Decline are plain HTML forms (no JavaScript);
/// each makes this service send itself the webhook Stripe would send, signed the way Stripe signs.
/// Like Stripe's hosted page, a payment leaves for the success URL while a declined card (or an
/// expired session) comes back to the page, which says so; a declined buyer may pay again or
/// follow "Cancel and return" to the cancel URL.
/// </summary>
public static class SandboxApi
{
    public const string WebhookClient = "sandbox-webhooks";

    public static RouteGroupBuilder MapSandboxApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sandbox/checkout").WithTags("Sandbox").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/{sessionId}", Page);
        group.MapPost(
            "/{sessionId}/pay",
            (string sessionId, HttpContext http, CancellationToken ct) => CompleteAsync(sessionId, paid: true, http, ct)
        );
        group.MapPost(
            "/{sessionId}/decline",
            (string sessionId, HttpContext http, CancellationToken ct) =>
                CompleteAsync(sessionId, paid: false, http, ct)
        );
        return group;
    }

    private static async Task<Results<ContentHttpResult, NotFound>> Page(
        string sessionId,
        PaymentsDbContext db,
        WebhookSecrets secrets,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        if (!secrets.SandboxActive)
            return TypedResults.NotFound();
        var payment = await db
            .Payments.AsNoTracking()
            .FirstOrDefaultAsync(p => p.SessionId == sessionId, cancellationToken);
        if (payment is null)
            return TypedResults.NotFound();
        var amount = MinorUnits.Format(payment.AmountCents, payment.Currency);
        var what = WebUtility.HtmlEncode(
            $"{payment.Purpose.Replace('_', ' ')} ({payment.PaymentMethod.Replace('_', ' ')})"
        );
        var page = WebUtility.HtmlEncode(PagePath(sessionId));
        // While pending, a failure reason is the last declined attempt.
        var declined = payment.FailureReason is { } code
            ? $"""<p role="alert">Your last attempt was declined ({WebUtility.HtmlEncode(code)}). """
                + "Pay again, or cancel.</p>"
            : "";
        var body = payment.Status switch
        {
            PaymentStatus.Pending => $"""
                {declined}
                <p>Pay <strong>{amount}</strong> for {what}?</p>
                <form method="post" action="{page}/pay"><button type="submit">Pay {amount}</button></form>
                <form method="post" action="{page}/decline"><button type="submit">Decline</button></form>
                <p><a href="{WebUtility.HtmlEncode(payment.CancelUrl)}">Cancel and return</a></p>
                """,
            _ when payment.IsSettled => "<p>This checkout is paid.</p>"
                + $"""<p><a href="{WebUtility.HtmlEncode(payment.SuccessUrl)}">Return</a></p>""",
            PaymentStatus.Expired => "<p>This checkout has expired; nothing was charged.</p>"
                + $"""<p><a href="{WebUtility.HtmlEncode(payment.CancelUrl)}">Return</a></p>""",
            _ => $"""<p>This checkout failed ({WebUtility.HtmlEncode(payment.FailureReason ?? payment.Status)}); """
                + "nothing was charged.</p>"
                + $"""<p><a href="{WebUtility.HtmlEncode(payment.CancelUrl)}">Return</a></p>""",
        };
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body><h1>Sandbox checkout</h1><p>No real money moves here.</p>{body}</body></html>
            """;
        SetPageHeaders(response, payment.SuccessUrl, payment.CancelUrl);
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>
    /// A page that takes payments is framed by nobody and runs nothing but its own forms; the forms may lead on
    /// (after their redirect) only to this page and the buyer's own success and cancel pages.
    /// </summary>
    private static void SetPageHeaders(HttpResponse response, params string[] returnUrls)
    {
        var formTargets = returnUrls
            .Select(url =>
                Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                    ? uri.GetLeftPart(UriPartial.Authority)
                    : null
            )
            .OfType<string>()
            .Prepend("'self'")
            .Distinct();
        response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; form-action {string.Join(' ', formTargets)}; base-uri 'none'; frame-ancestors 'none'";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
    }

    private static async Task<IResult> CompleteAsync(
        string sessionId,
        bool paid,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        var services = http.RequestServices;
        var secrets = services.GetRequiredService<WebhookSecrets>();
        if (!secrets.SandboxActive)
            return TypedResults.NotFound();
        var db = services.GetRequiredService<PaymentsDbContext>();
        var payment = await db
            .Payments.AsNoTracking()
            .FirstOrDefaultAsync(p => p.SessionId == sessionId, cancellationToken);
        if (payment is null)
            return TypedResults.NotFound();
        if (payment.Status != PaymentStatus.Pending)
            return TypedResults.Redirect(payment.IsSettled ? payment.SuccessUrl : PagePath(sessionId));

        var clock = services.GetRequiredService<TimeProvider>();
        var now = clock.GetUtcNow();
        // Like Stripe: an expired session cannot be paid; it reports its expiry instead.
        var expired = now >= payment.ExpiresAt;
        paid &= !expired;
        var metadata = new Dictionary<string, string>
        {
            ["payment_id"] = payment.Id.ToString(),
            ["purpose"] = payment.Purpose,
            ["reference_id"] = payment.ReferenceId.ToString(),
            ["user_id"] = payment.UserId.ToString(),
            ["product"] = payment.Product ?? "",
        };
        var intent = "pi_sandbox_" + payment.Id.ToString("N");
        object stripeEvent =
            paid
                ? StripeShaped(
                    "checkout.session.completed",
                    now,
                    new Dictionary<string, object?>
                    {
                        ["id"] = sessionId,
                        ["object"] = "checkout.session",
                        ["status"] = "complete",
                        ["payment_status"] = "paid",
                        ["mode"] = payment.Purpose == PaymentPurposes.Subscription ? "subscription" : "payment",
                        ["amount_total"] = payment.AmountCents,
                        ["currency"] = payment.Currency.ToLowerInvariant(),
                        ["payment_intent"] = payment.Purpose == PaymentPurposes.Subscription ? null : intent,
                        ["subscription"] =
                            payment.Purpose == PaymentPurposes.Subscription
                                ? "sub_sandbox_" + payment.Id.ToString("N")
                                : null,
                        ["metadata"] = metadata,
                    }
                )
            : expired
                ? StripeShaped(
                    "checkout.session.expired",
                    now,
                    new Dictionary<string, object?>
                    {
                        ["id"] = sessionId,
                        ["object"] = "checkout.session",
                        ["status"] = "expired",
                        ["payment_status"] = "unpaid",
                        ["amount_total"] = payment.AmountCents,
                        ["currency"] = payment.Currency.ToLowerInvariant(),
                        ["metadata"] = metadata,
                    }
                )
            : StripeShaped(
                "payment_intent.payment_failed",
                now,
                new Dictionary<string, object?>
                {
                    ["id"] = intent,
                    ["object"] = "payment_intent",
                    ["status"] = "requires_payment_method",
                    ["amount"] = payment.AmountCents,
                    ["currency"] = payment.Currency.ToLowerInvariant(),
                    ["last_payment_error"] = new Dictionary<string, object?>
                    {
                        ["code"] = "card_declined",
                        ["decline_code"] = "generic_decline",
                        ["message"] = "Your card was declined.",
                    },
                    ["metadata"] = metadata,
                }
            );

        var body = JsonSerializer.SerializeToUtf8Bytes(stripeEvent);
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookUrl(services));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add(
            "Stripe-Signature",
            EventUtility.GenerateSignatureHeader(
                Encoding.UTF8.GetString(body),
                await secrets.SandboxSecretAsync(cancellationToken),
                now.ToUnixTimeSeconds()
            )
        );
        // The webhook is idempotent by event id, so a retry of this POST is safe.
        request.Headers.Add("Idempotency-Key", ((Dictionary<string, object?>)stripeEvent)["id"]!.ToString());
        var response = await services
            .GetRequiredService<IHttpClientFactory>()
            .CreateClient(WebhookClient)
            .SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return TypedResults.Problem(
                $"The sandbox webhook was refused with {(int)response.StatusCode}.",
                statusCode: 502
            );
        return TypedResults.Redirect(paid ? payment.SuccessUrl : PagePath(sessionId));
    }

    // Relative: the browser came through whatever address it was given (the gateway's), and goes back the same way.
    private static string PagePath(string sessionId) => "/sandbox/checkout/" + Uri.EscapeDataString(sessionId);

    private static Dictionary<string, object?> StripeShaped(
        string type,
        DateTimeOffset now,
        Dictionary<string, object?> obj
    ) =>
        new()
        {
            ["id"] = "evt_sandbox_" + Guid.NewGuid().ToString("N"),
            ["object"] = "event",
            ["type"] = type,
            ["api_version"] = StripeConfiguration.ApiVersion,
            ["created"] = now.ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["data"] = new Dictionary<string, object?> { ["object"] = obj },
        };

    /// <summary>Configured, or this instance's own address: the webhook goes straight back to us.</summary>
    private static string WebhookUrl(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Sandbox.WebhookUrl;
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        var address = services
            .GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        var own = address
            .Replace("://+", "://127.0.0.1")
            .Replace("://*", "://127.0.0.1")
            .Replace("[::]", "127.0.0.1")
            .Replace("0.0.0.0", "127.0.0.1");
        return own.TrimEnd('/') + "/webhooks/stripe";
    }
}
