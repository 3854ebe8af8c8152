namespace Community.Payments.Data;

/// <summary>
/// A Stripe event id seen: a redelivery finds its row and changes nothing. Not its body, which carries the payer's
/// details.
/// </summary>
public sealed class WebhookEvent
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>
    /// Always null: the body was kept by earlier releases and cleared (migration 0014); the column goes once no pod
    /// of theirs writes it.
    /// </summary>
    public string? Payload { get; set; }
}
