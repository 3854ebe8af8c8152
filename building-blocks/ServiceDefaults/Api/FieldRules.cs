using System.Globalization;
using System.Net.Mail;
using System.Text;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// The common field rules, one message each, added to a request's <see cref="ValidationErrors"/> (so the
/// 400's <c>errors</c> are keyed by the snake_case field). Each returns whether the value passed; an
/// absent (null) value passes every rule but <see cref="Required"/>.
/// </summary>
public static class FieldRules
{
    public const int MaxUrlLength = 2048;

    public static bool Required(this ValidationErrors errors, string field, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
            return true;
        errors.Add(field, $"{field} is required.");
        return false;
    }

    /// <summary>An id the body must carry; the empty Guid counts as absent.</summary>
    public static bool Required(this ValidationErrors errors, string field, Guid? value)
    {
        if (value is { } id && id != Guid.Empty)
            return true;
        errors.Add(field, $"{field} is required.");
        return false;
    }

    public static bool MaxLength(this ValidationErrors errors, string field, string? value, int max)
    {
        if (value is null || value.Length <= max)
            return true;
        errors.Add(field, $"{field} must be at most {max} characters.");
        return false;
    }

    public static bool Length(this ValidationErrors errors, string field, string? value, int min, int max)
    {
        if (value is null || (value.Length >= min && value.Length <= max))
            return true;
        errors.Add(field, $"{field} must be {min}-{max} characters.");
        return false;
    }

    /// <summary>
    /// A name or title shown on one line among others' (a person's, a group's, an event's) and quoted into
    /// notifications and mail: no line break or other control character; no bidirectional override, and embeddings
    /// and isolates only closed again (a phone's keyboard wraps a pasted right-to-left name in an isolate; one left
    /// open, or an override, reorders what follows it on the line); and something visible, not only spaces, marks,
    /// fillers and zero-width characters. Marks that reorder nothing (LRM, RLM) and joiners (emoji, Indic scripts)
    /// are kept.
    /// </summary>
    public static bool OneLine(this ValidationErrors errors, string field, string? value)
    {
        if (value is null)
            return true;
        var visible = false;
        // What is open, innermost last (true: an isolate), read as a renderer does (UAX #9, X6a-X7): a PDF closes only
        // an embedding opened inside the innermost isolate, and a PDI closes its isolate with every embedding opened
        // inside it. Counting each kind alone took "RLE LRI PDF PDI" for closed, while the RLE stays open.
        Stack<bool>? open = null;
        var balanced = true;
        foreach (var rune in value.EnumerateRunes())
        {
            var c = rune.Value;
            if (Rune.IsControl(rune) || c is 0x2028 or 0x2029)
            {
                errors.Add(field, $"{field} must be one line, without control characters.");
                return false;
            }
            switch (c)
            {
                case 0x202A or 0x202B:
                    (open ??= new()).Push(false);
                    break;
                case 0x2066 or 0x2067 or 0x2068:
                    (open ??= new()).Push(true);
                    break;
                case 0x202C:
                    balanced = open is { Count: > 0 } && !open.Pop();
                    break;
                case 0x2069:
                    balanced = open is not null && open.Contains(true);
                    while (balanced && !open!.Pop()) { }
                    break;
                case 0x202D or 0x202E:
                    balanced = false;
                    break;
            }
            if (!balanced)
                break;
            visible |= Visible(rune);
        }
        if (!balanced || open is { Count: > 0 })
        {
            errors.Add(
                field,
                $"{field} must not contain bidirectional overrides, nor embeddings or isolates left open."
            );
            return false;
        }
        if (visible)
            return true;
        errors.Add(field, $"{field} must contain visible characters.");
        return false;
    }

    /// <summary>A character that shows something: not a space, a mark, a format character or a blank filler.</summary>
    private static bool Visible(Rune rune) =>
        rune.Value is not (0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800)
        && Rune.GetUnicodeCategory(rune)
            is not (
                UnicodeCategory.SpaceSeparator
                or UnicodeCategory.Format
                or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.EnclosingMark
                or UnicodeCategory.Control
                or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned
            );

    public static bool OneOf(
        this ValidationErrors errors,
        string field,
        string? value,
        IReadOnlyCollection<string> allowed
    )
    {
        if (value is null || allowed.Contains(value))
            return true;
        errors.Add(field, $"{field} must be one of {string.Join(", ", allowed)}.");
        return false;
    }

    /// <summary>An absolute http(s) URL; with <paramref name="host"/>, on that host or one of its subdomains.</summary>
    public static bool Url(
        this ValidationErrors errors,
        string field,
        string? value,
        int maxLength = MaxUrlLength,
        string? host = null
    )
    {
        if (value is null)
            return true;
        if (
            value.Length > maxLength
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http")
        )
        {
            errors.Add(field, $"{field} must be an absolute http(s) URL of at most {maxLength} characters.");
            return false;
        }
        if (host is null || uri.Host == host || uri.Host.EndsWith("." + host, StringComparison.Ordinal))
            return true;
        errors.Add(field, $"{field} must be a {host} address.");
        return false;
    }

    /// <summary>
    /// A single plain address (no display name) whose domain has a dot; compare it lower-case and trimmed.
    /// </summary>
    public static bool Email(this ValidationErrors errors, string field, string? value)
    {
        if (value is null)
            return true;
        var email = value.Trim().ToLowerInvariant();
        if (
            email.Length <= 254
            && MailAddress.TryCreate(email, out var parsed)
            && parsed.Address == email
            && parsed.Host.Contains('.')
            && !parsed.Host.StartsWith('.')
            && !parsed.Host.EndsWith('.')
        )
            return true;
        errors.Add(field, $"{field} must be a valid e-mail address.");
        return false;
    }

    /// <summary>A filter or other optional text as a handler reads it: trimmed, or null when absent or blank.</summary>
    public static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// An optional text field, trimmed: null when absent or blank, otherwise checked against <paramref name="max"/>.
    /// </summary>
    public static string? OptionalText(this ValidationErrors errors, string field, string? value, int max)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
            return null;
        errors.MaxLength(field, text, max);
        return text;
    }

    /// <summary>An ISO 4217 currency code (compare it upper case) this runtime knows.</summary>
    public static bool Currency(this ValidationErrors errors, string field, string? value)
    {
        if (value is null || IsCurrency(value))
            return true;
        errors.Add(field, $"{field} must be an ISO 4217 code such as \"EUR\".");
        return false;
    }

    /// <summary>Whether <paramref name="code"/> (upper case) is an ISO 4217 currency this runtime knows.</summary>
    public static bool IsCurrency(string code) => Currencies.Contains(code);

    private static readonly HashSet<string> Currencies = KnownCurrencies();

    private static HashSet<string> KnownCurrencies()
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            try
            {
                codes.Add(new RegionInfo(culture.Name).ISOCurrencySymbol);
            }
            catch (ArgumentException) { }
        }
        // Without ICU data the list can be empty; fall back to the most common codes rather than refusing every price.
        if (codes.Count < 20)
            codes.UnionWith([
                "EUR",
                "USD",
                "GBP",
                "CHF",
                "JPY",
                "CNY",
                "CAD",
                "AUD",
                "SEK",
                "NOK",
                "DKK",
                "PLN",
                "CZK",
                "INR",
                "BRL",
                "SGD",
                "HKD",
                "NZD",
                "ZAR",
                "MXN",
            ]);
        return codes;
    }
}
