namespace Community.Payments.Data;

/// <summary>A Stripe event id seen: a redelivery finds its row and changes nothing.</summary>
public sealed class WebhookEvent
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The raw body as text: a signed body may carry \u0000, which jsonb refuses.</summary>
    public string Payload { get; set; } = "{}";
}
