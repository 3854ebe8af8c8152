namespace Community.Payments.Providers;

/// <summary>How a failed provider call is read: a definite no, or an answer that may still have been made.</summary>
public static class ProviderRefusals
{
    /// <summary>
    /// A 4xx other than 409 (a concurrent request with the key) or 429 is a definite no: the provider made nothing. Not
    /// 401 or 403 either: our key was refused (rotated, revoked, short of a permission), which an operator mends, after
    /// which the same request goes through.
    /// </summary>
    public static bool IsRefusal(this HttpRequestException exception) =>
        (int?)exception.StatusCode is >= 400 and < 500 and not 401 and not 403 and not 409 and not 429;
}
