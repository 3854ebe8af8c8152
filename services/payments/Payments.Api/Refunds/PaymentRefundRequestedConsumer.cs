using Community.Contracts.Payments;
using Community.ServiceDefaults.Errors;
using MassTransit;

namespace Community.Payments.Refunds;

/// <summary>
/// Makes one requested refund. Not an inbox consumer: the provider must be asked outside any
/// transaction, and the refund id (the provider's idempotency key) already makes a redelivered
/// message replay the recorded refund, or resume one left requested, instead of refunding twice.
/// A provider that does not answer throws, so the message is retried (then dead-lettered, and
/// <see cref="RefundIntentRecovery"/> finishes it).
/// </summary>
public sealed class PaymentRefundRequestedConsumer(Refunder refunder, ILogger<PaymentRefundRequestedConsumer> logger) : IConsumer<PaymentRefundRequested>
{
    public async Task Consume(ConsumeContext<PaymentRefundRequested> context)
    {
        var m = context.Message;
        try
        {
            var refund = await refunder.RefundAsync(m.PaymentId, m.AmountCents, m.Reason, m.RequestedBy, m.RefundId, context.CancellationToken);
            logger.LogInformation("Requested refund {RefundId} of payment {PaymentId}: {Status}", refund.Id, m.PaymentId, refund.Status);
        }
        catch (DomainException exception) when (exception is BusinessRuleException or NotFoundException)
        {
            // Nothing left to refund (someone refunded it meanwhile) or nothing to refund by: retrying changes nothing.
            logger.LogWarning("Requested refund {RefundId} of payment {PaymentId} was not made: {Reason}", m.RefundId, m.PaymentId, exception.Message);
        }
    }
}
