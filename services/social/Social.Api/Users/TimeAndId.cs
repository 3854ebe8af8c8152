using System.Globalization;

namespace Community.Social.Users;

/// <summary>A keyset position in lists ordered newest first: a time (UTC ticks, exact) and the row's other user as tie-breaker.</summary>
public readonly record struct TimeAndId(DateTimeOffset At, Guid Id)
{
    public static string Format(DateTimeOffset at, Guid id) => at.UtcTicks.ToString(CultureInfo.InvariantCulture) + "_" + id.ToString("N");

    public static TimeAndId? Parse(string position)
    {
        var parts = position.Split('_');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks is >= 0 and <= 3155378975999999999 && Guid.TryParseExact(parts[1], "N", out var id)
            ? new(new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }
}
