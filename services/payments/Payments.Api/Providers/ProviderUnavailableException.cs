namespace Community.Payments.Providers;

/// <summary>
/// 502: the payment provider refused or did not answer (a refund intent left behind is finished later under the same
/// key).
/// </summary>
public sealed class ProviderUnavailableException(string message) : DomainException(message)
{
    public override int StatusCode => 502;
    public override string Title => "Payment provider unavailable";
}
