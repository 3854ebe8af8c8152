namespace Community.Payments.Data;

public static class PaymentMethods
{
    public static readonly string[] All = ["card", "alipay", "wechat_pay"];
}

public static class PaymentStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Expired = "expired";
    public const string Refunded = "refunded";
    public const string PartiallyRefunded = "partially_refunded";
    public static readonly string[] All = [Pending, Succeeded, Failed, Expired, Refunded, PartiallyRefunded];
}

/// <summary>Something a selling service put up for sale to one user, at its price.</summary>
public sealed class SellableItem
{
    public Guid ReferenceId { get; set; }
    public string Purpose { get; set; } = "";
    public Guid UserId { get; set; }
    public long AmountCents { get; set; }
    public string? Currency { get; set; }
    public int? PriceCredits { get; set; }
    public Guid? EventId { get; set; }
    public Guid? SellerUserId { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Payment
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Purpose { get; set; } = "";
    public Guid ReferenceId { get; set; }

    /// <summary>What exactly was bought when the reference alone does not say (tier, boost days, credit pack).</summary>
    public string? Product { get; set; }
    public Guid? SellerUserId { get; set; }
    public long AmountCents { get; set; }
    public string Currency { get; set; } = "";
    public string Status { get; set; } = PaymentStatus.Pending;
    public string Provider { get; set; } = "";
    public string PaymentMethod { get; set; } = "card";
    public string? SessionId { get; set; }
    public string? CheckoutUrl { get; set; }
    public string? PaymentIntentId { get; set; }

    /// <summary>The provider's subscription a subscription checkout created; its later webhooks name it.</summary>
    public string? ProviderSubscriptionId { get; set; }
    public string SuccessUrl { get; set; } = "";
    public string CancelUrl { get; set; } = "";
    public long RefundedCents { get; set; }
    public string? FailureReason { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? SucceededAt { get; set; }

    public bool IsSettled =>
        Status is PaymentStatus.Succeeded or PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded;
    public long RefundableCents => IsSettled ? AmountCents - RefundedCents : 0;
}

public sealed class Refund
{
    public Guid Id { get; set; }
    public Guid PaymentId { get; set; }
    public long AmountCents { get; set; }
    public string Reason { get; set; } = "";
    public Guid? RequestedBy { get; set; }
    public string? ProviderRefundId { get; set; }

    /// <summary>pending, succeeded or failed (see <see cref="Refunds.RefundStatus"/>); a pending refund already counts in the payment's refunded total.</summary>
    public string Status { get; set; } = "pending";
    public string? FailureReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it succeeded or failed.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
}

public sealed class WebhookEvent
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public string Payload { get; set; } = "{}";
}

public sealed class SandboxSecret
{
    public int Id { get; set; }
    public string Secret { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
