using Stripe;

namespace Community.Payments.Providers;

/// <summary>
/// Handles some Stripe event types inside the webhook's transaction (changes saved with the event id).
/// </summary>
public interface IWebhookHandler
{
    IReadOnlyCollection<string> EventTypes { get; }
    Task HandleAsync(Event stripeEvent, CancellationToken cancellationToken);
}

/// <summary>What every handler reads off an event's data.object, whatever its type.</summary>
public static class StripeEventReading
{
    public static string? ObjectId(this Event e) => (e.Data.Object as IHasId)?.Id;

    public static string? Metadata(this Event e, string name) =>
        (e.Data.Object as IHasMetadata)?.Metadata?.GetValueOrDefault(name);

    /// <summary>Our payment id, from the metadata we put on every session and payment intent.</summary>
    public static Guid? PaymentId(this Event e) => Guid.TryParse(e.Metadata("payment_id"), out var id) ? id : null;
}
