using System.Text.Json;
using Community.Payments.Data;
using Community.Payments.Providers;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Webhooks;

public sealed record WebhookReceipt(bool Received, bool Duplicate);

public static class WebhookApi
{
    public static RouteGroupBuilder MapWebhookApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/webhooks").WithTags("Webhooks").AllowAnonymous().ProducesValidationProblem();
        group.MapPost("/stripe", Receive).WithName("StripeWebhook")
            .WithSummary("Stripe's signed webhook (anonymous; the Stripe-Signature header is the credential)");
        return group;
    }

    /// <summary>
    /// Verifies the signature over the raw bytes, records the event id, applies the event and writes
    /// the resulting integration events to the outbox, all in one short transaction: a redelivery
    /// finds the id and changes nothing; anything unverifiable is refused and changes nothing.
    /// </summary>
    private static async Task<Ok<WebhookReceipt>> Receive(
        HttpRequest request, PaymentsDbContext db, WebhookSecrets secrets, IEnumerable<IWebhookHandler> handlers, TimeProvider clock,
        ILogger<WebhookReceipt> logger, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        var now = clock.GetUtcNow();

        var allSecrets = await secrets.AllAsync(cancellationToken);
        var refusal = WebhookSignature.Verify(request.Headers["Stripe-Signature"], body, allSecrets, now);
        if (refusal is not null)
        {
            logger.LogWarning("Webhook refused: {Reason}", refusal);
            throw new RequestValidationException("stripe_signature", "The Stripe-Signature header does not verify for this body.");
        }

        StripeEvent? stripeEvent;
        try
        {
            stripeEvent = StripeEvent.Parse(JsonDocument.Parse(body).RootElement.Clone());
        }
        catch (JsonException)
        {
            stripeEvent = null;
        }
        if (stripeEvent is null) throw new RequestValidationException("body", "The body is not a Stripe event (id, type, data.object).");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var first = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO webhook_events (id, type, received_at, payload) VALUES ({stripeEvent.Id}, {stripeEvent.Type}, {now}, {System.Text.Encoding.UTF8.GetString(body)}) ON CONFLICT (id) DO NOTHING",
            cancellationToken);
        if (first == 0)
        {
            logger.LogInformation("Webhook event {EventId} ({Type}) already processed", stripeEvent.Id, stripeEvent.Type);
            return TypedResults.Ok(new WebhookReceipt(true, true));
        }

        foreach (var handler in handlers.Where(h => h.EventTypes.Contains(stripeEvent.Type)))
            await handler.HandleAsync(stripeEvent, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new WebhookReceipt(true, false));
    }
}
