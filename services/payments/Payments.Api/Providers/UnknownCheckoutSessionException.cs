namespace Community.Payments.Providers;

/// <summary>
/// The provider does not know a checkout session it opened for us (Stripe's 404 resource_missing): it was opened with
/// other keys (test ones before live, another account). Nothing we can ask can take its payment or tell us of one.
/// </summary>
public sealed class UnknownCheckoutSessionException(string message, Exception inner)
    : HttpRequestException(message, inner, System.Net.HttpStatusCode.NotFound);
