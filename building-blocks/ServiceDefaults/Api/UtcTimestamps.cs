using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Every instant the platform writes reads the same: UTC, a <c>Z</c>, and six fractional digits
/// (<c>2026-11-24T12:49:05.123456Z</c>), PostgreSQL's own precision, so a value read back from the
/// database equals the one a create answered with. Any ISO 8601 instant with an offset is read; one without is a 400.
/// </summary>
public static class UtcTimestamps
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string Write(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>
    /// The instant as PostgreSQL keeps it (UTC, whole microseconds), so what a response echoes is what a later read
    /// returns, and an edit that sends a value back unchanged is not taken for a change.
    /// </summary>
    public static DateTimeOffset AsStored(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    /// <summary>
    /// An ISO 8601 instant with its offset (<c>Z</c> or <c>±hh:mm</c>). The JSON reader takes a date alone, or a time
    /// without an offset, as the server's local time: which instant that is depends on the machine, so it is refused.
    /// </summary>
    public static DateTimeOffset ReadInstant(ref Utf8JsonReader reader)
    {
        var value = reader.GetDateTimeOffset();
        var text = reader.GetString()!;
        var time = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (time < 0 || text.AsSpan(time).IndexOfAny("Zz+-") < 0)
            throw new JsonException(
                $"\"{text}\" has no offset: send an ISO 8601 date and time with Z or an offset, such as "
                    + "2026-12-04T19:00:00Z or 2026-12-04T19:00:00+01:00."
            );
        return value;
    }
}

/// <summary>
/// Writes a <see cref="DateTimeOffset"/> as <see cref="UtcTimestamps.Format"/>, and reads one with any offset as the
/// same instant in UTC (the only offset Npgsql writes to timestamptz).
/// </summary>
public sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        UtcTimestamps.ReadInstant(ref reader).ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(UtcTimestamps.Write(value));
}

/// <summary>
/// Writes a <see cref="DateTime"/> as <see cref="UtcTimestamps.Format"/>; one without a kind is taken as UTC
/// (every timestamp the platform stores is timestamptz, which Npgsql reads as UTC).
/// </summary>
public sealed class UtcDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTime();

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(
            UtcTimestamps.Write(
                value.Kind switch
                {
                    DateTimeKind.Local => new DateTimeOffset(value),
                    _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)),
                }
            )
        );
}

/// <summary>
/// For the few members that are local on purpose (an event's <c>starts_at_local</c>: its own wall-clock time):
/// the instant with its offset kept, six fractional digits (<c>2026-12-04T19:00:00.000000+01:00</c>).
/// </summary>
public sealed class LocalDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        UtcTimestamps.ReadInstant(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(Format, CultureInfo.InvariantCulture));
}
