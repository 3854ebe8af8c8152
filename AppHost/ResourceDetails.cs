using System.Text.RegularExpressions;

namespace Community.AppHost;

/// <summary>What the dashboard shows of a resource's environment: every value, secrets masked.</summary>
internal static partial class ResourceDetails
{
    public const string Mask = "****";

    private static readonly string[] SecretWords = ["KEY", "SECRET", "PASSWORD", "TOKEN"];

    /// <summary>
    /// The value as shown: <see cref="Mask"/> when the name says it is a secret; a connection string's password (and a
    /// URI's user password) masked within it.
    /// </summary>
    public static string Masked(string name, string value)
    {
        if (SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)))
            return Mask;
        var masked = PasswordPart().Replace(value, m => m.Groups[1].Value + "=" + Mask);
        return UriPassword().Replace(masked, m => m.Groups[1].Value + ":" + Mask + "@");
    }

    /// <summary>The environment sorted by name, each value masked as <see cref="Masked"/> says.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Environment(
        IReadOnlyDictionary<string, string> variables
    ) =>
        [
            .. variables
                .OrderBy(v => v.Key, StringComparer.Ordinal)
                .Select(v => KeyValuePair.Create(v.Key, Masked(v.Key, v.Value))),
        ];

    // Npgsql's Password=/Pwd=, StackExchange.Redis' password=, up to the next separator
    [GeneratedRegex(@"\b(password|pwd)\s*=\s*[^;,]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPart();

    // amqp://user:password@host
    [GeneratedRegex(@"(\w+://[^:/@\s]+):[^@/\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();
}
