using Community.ServiceDefaults.Errors;

namespace Community.Payments.Providers;

/// <summary>502: the payment provider failed; nothing was changed.</summary>
public sealed class ProviderUnavailableException(string message) : DomainException(message)
{
    public override int StatusCode => 502;
    public override string Title => "Payment provider unavailable";
}
