using System.Text.Json;

namespace Community.Payments.Webhooks;

/// <summary>The parts of a Stripe event we read: id, type, and data.object.</summary>
public sealed record StripeEvent(string Id, string Type, JsonElement Object)
{
    public static StripeEvent? Parse(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
        && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object
            ? new StripeEvent(id.GetString()!, type.GetString()!, obj)
            : null;

    public string? String(string name) =>
        Object.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public long? Long(string name) =>
        Object.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    public bool? Bool(string name) =>
        Object.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    public string? Metadata(string name) =>
        Object.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Our payment id, from the metadata we put on every session and payment intent.</summary>
    public Guid? PaymentId => Guid.TryParse(Metadata("payment_id"), out var id) ? id : null;
}

/// <summary>Handles some Stripe event types inside the webhook's transaction (changes saved with the event id).</summary>
public interface IWebhookHandler
{
    IReadOnlyCollection<string> EventTypes { get; }
    Task HandleAsync(StripeEvent stripeEvent, CancellationToken cancellationToken);
}
