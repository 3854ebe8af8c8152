namespace Community.Payments.Providers;

/// <summary>
/// 502: the payment provider did not answer, or another request with the same key is still waiting for it (a refund
/// intent left behind is finished later under the same key). A refusal is not this: it is recorded as a failed refund.
/// </summary>
public sealed class ProviderUnavailableException(string message) : DomainException(message)
{
    public override int StatusCode => 502;
    public override string Title => "Payment provider unavailable";
}
