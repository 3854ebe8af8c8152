using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// The <c>Idempotency-Key</c> request header: one value of 1-255 printable ASCII characters, trimmed.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const string Field = "idempotency_key";
    public const int MaxLength = 255;

    /// <summary>
    /// The caller's key, or null when none (or a blank one) was sent; a malformed key is added to
    /// <paramref name="errors"/>.
    /// </summary>
    public static string? Read(HttpRequest request, ValidationErrors errors)
    {
        var values = request.Headers[Header];
        if (values.Count > 1)
        {
            errors.Add(Field, $"Send the {Header} header once.");
            return null;
        }
        var key = values.ToString().Trim();
        if (key.Length == 0)
            return null;
        if (key.Length > MaxLength)
            errors.Add(Field, $"The {Header} header must be at most {MaxLength} characters.");
        else if (!key.All(c => c is >= ' ' and <= '~'))
            errors.Add(Field, $"The {Header} header must be printable ASCII.");
        else
            return key;
        return null;
    }
}
