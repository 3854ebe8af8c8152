using System.Text.RegularExpressions;

namespace Community.Identity.Users;

/// <summary>How identity normalises and validates what people type.</summary>
public static partial class Rules
{
    public const int MaxInterests = 20;
    public const int MinimumAge = 13;
    public static readonly string[] Genders = [.. Community.Contracts.Genders.All];
    public static readonly string[] IdentityBadges =
    [
        "Connector",
        "Creator",
        "Thinker",
        "Builder",
        "Explorer",
        "Visionary",
        "Calm Presence",
        "Funny Friend",
        "Listener",
        "Leader",
    ];

    [GeneratedRegex("^[a-z0-9_.]{3,30}$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    public static string NormalizeUsername(string value) => value.Trim().ToLowerInvariant();

    public static string NormalizeEmail(string value) => value.Trim().ToLowerInvariant();

    public static string NormalizePhone(string value) => value.Trim().Replace(" ", "").Replace("-", "");

    public static void Username(ValidationErrors errors, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add("username", "username is required.");
        else if (!UsernamePattern().IsMatch(NormalizeUsername(value)))
            errors.Add("username", "username must be 3-30 characters of a-z, 0-9, '_' and '.'.");
    }

    public static void Phone(ValidationErrors errors, string? value)
    {
        if (value is not null && !E164().IsMatch(NormalizePhone(value)))
            errors.Add("phone", "phone must be in E.164 form, e.g. +971501234567.");
    }

    public static void Password(ValidationErrors errors, string? value, string? username, string field = "password")
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(field, $"{field} is required.");
            return;
        }
        if (
            value.Length < 10
            || value.Length > 128
            || !value.Any(char.IsLetter)
            || value.All(char.IsLetter)
            || (
                username is not null
                && NormalizeUsername(username) is { Length: >= 3 } name
                && value.Contains(name, StringComparison.OrdinalIgnoreCase)
            )
        )
            errors.Add(
                field,
                "The password must be 10-128 characters, contain letters and at least one digit or symbol, "
                    + "and not contain the username."
            );
    }

    /// <summary>Profile links are stored in 500 characters.</summary>
    public const int MaxUrlLength = 500;

    /// <summary>The date ages count from.</summary>
    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public static int? Age(DateOnly? dateOfBirth, DateOnly today)
    {
        if (dateOfBirth is not { } born)
            return null;
        var age = today.Year - born.Year;
        return born > today.AddYears(-age) ? age - 1 : age;
    }

    /// <summary>Trimmed, lower-case, de-duplicated tags.</summary>
    public static List<string> Tags(
        ValidationErrors errors,
        string field,
        IEnumerable<string?> values,
        int maxCount,
        int maxLength
    )
    {
        var tags = values.Select(v => v?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (tags.Count > maxCount)
            errors.Add(field, $"{field} may hold at most {maxCount} entries.");
        if (tags.Any(t => t.Length == 0 || t.Length > maxLength))
            errors.Add(field, $"each of {field} must be 1-{maxLength} characters.");
        return tags;
    }
}
