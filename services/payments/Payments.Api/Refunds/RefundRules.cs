namespace Community.Payments.Refunds;

/// <summary>What every feature that asks for a refund follows.</summary>
public static class RefundRules
{
    /// <summary>
    /// A refund id that is the same every time the same cause asks (a message redelivered, a retried request).
    /// </summary>
    public static Guid DeterministicId(string cause, Guid paymentId) => StableIds.From($"{cause}|{paymentId}");
}
