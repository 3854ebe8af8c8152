using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Stripe;

namespace Community.Payments.Webhooks;

public sealed record WebhookReceipt(bool Received, bool Duplicate);

public static class WebhookApi
{
    public static RouteGroupBuilder MapWebhookApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/webhooks").WithTags("Webhooks").AllowAnonymous().ProducesValidationProblem();
        group
            .MapPost("/stripe", Receive)
            .WithName("StripeWebhook")
            .WithSummary("Stripe's signed webhook (anonymous; the Stripe-Signature header is the credential)")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    /// <summary>
    /// Verifies the signature over the raw bytes, records the event id, applies the event and writes
    /// the resulting integration events to the outbox, all in one short transaction: a redelivery
    /// finds the id and changes nothing; anything unverifiable is refused and changes nothing.
    /// </summary>
    private static async Task<Ok<WebhookReceipt>> Receive(
        HttpRequest request,
        PaymentsDbContext db,
        WebhookSecrets secrets,
        IEnumerable<IWebhookHandler> handlers,
        TimeProvider clock,
        ILogger<WebhookReceipt> logger,
        CancellationToken cancellationToken
    )
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        var now = clock.GetUtcNow();

        var json = Encoding.UTF8.GetString(body);
        var stripeEvent = ConstructEvent(
            json,
            request.Headers["Stripe-Signature"],
            await secrets.AllAsync(cancellationToken),
            now,
            out var refusal
        );
        if (stripeEvent is null)
        {
            logger.LogWarning("Webhook refused: {Reason}", refusal);
            throw refusal?.StartsWith(NotAnEvent, StringComparison.Ordinal) == true
                ? new RequestValidationException("body", "The body is not a Stripe event (id, type, data.object).")
                : new RequestValidationException(
                    "stripe_signature",
                    "The Stripe-Signature header does not verify for this body."
                );
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var first = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO webhook_events (id, type, received_at)
            VALUES ({stripeEvent.Id}, {stripeEvent.Type}, {now})
            ON CONFLICT (id) DO NOTHING
            """,
            cancellationToken
        );
        if (first == 0)
        {
            logger.LogInformation(
                "Webhook event {EventId} ({Type}) already processed",
                stripeEvent.Id,
                stripeEvent.Type
            );
            return TypedResults.Ok(new WebhookReceipt(true, true));
        }

        foreach (var handler in handlers.Where(h => h.EventTypes.Contains(stripeEvent.Type)))
            await handler.HandleAsync(stripeEvent, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(true, false));
    }

    private const string NotAnEvent = "the body is not a Stripe event";

    /// <summary>
    /// The event, when one of <paramref name="secrets"/> (several while rotating) signed it within Stripe's
    /// tolerance of <paramref name="now"/> and it is of Stripe.net's API version, which our webhook endpoints
    /// are created with; otherwise null and why not (for the log, never for the caller).
    /// </summary>
    public static Event? ConstructEvent(
        string json,
        string? header,
        IReadOnlyCollection<string> secrets,
        DateTimeOffset now,
        out string? refusal
    )
    {
        refusal = secrets.Count == 0 ? "no webhook secret configured" : "no Stripe-Signature header";
        if (string.IsNullOrWhiteSpace(header))
            return null;
        var reasons = new List<string>();
        foreach (var secret in secrets)
        {
            try
            {
                var stripeEvent = EventUtility.ConstructEvent(
                    json,
                    header,
                    secret,
                    EventUtility.DefaultTimeTolerance,
                    now.ToUnixTimeSeconds(),
                    throwOnApiVersionMismatch: true
                );
                refusal = stripeEvent is { Id: not null, Type: not null, Data.Object: not null } ? null : NotAnEvent;
                return refusal is null ? stripeEvent : null;
            }
            catch (StripeException exception)
            {
                // Unsigned by this secret, stale, or of another API version: the next secret may still sign it.
                reasons.Add(exception.Message);
                refusal = string.Join(" / ", reasons.Distinct());
            }
            catch (Exception exception)
            {
                // Stripe.net parses only after verifying: signed by this secret, but not an event it can read
                // (its parser throws JsonException, InvalidOperationException and others for such bodies).
                refusal = $"{NotAnEvent} ({exception.GetType().Name}: {exception.Message})";
                return null;
            }
        }
        return null;
    }
}
