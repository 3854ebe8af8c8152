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
        var password = RedisConfiguration().IsMatch(value) ? RedisPassword() : PasswordPart();
        var masked = password.Replace(value, m => m.Groups[1].Value + "=" + Mask);
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

    // Npgsql's Password=/Pwd=: quoted (a quote inside doubled) when it holds ';', and anything on to the next ';'
    [GeneratedRegex(
        @"\b(password|pwd)\s*=\s*(?:""(?:[^""]|"""")*""|'(?:[^']|'')*')?[^;]*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    )]
    private static partial Regex PasswordPart();

    // StackExchange.Redis' host:port,password=...: options are split at commas, so a password holds none
    [GeneratedRegex(@"^[^=;,]+(,|$)", RegexOptions.CultureInvariant)]
    private static partial Regex RedisConfiguration();

    [GeneratedRegex(@"\b(password)\s*=\s*[^,]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RedisPassword();

    // amqp://user:password@host; redis://:password@host names no user
    [GeneratedRegex(@"(\w+://[^:/@\s]*):[^@/\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();
}
