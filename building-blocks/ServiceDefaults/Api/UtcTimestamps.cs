using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Every instant the platform writes reads the same: UTC, a <c>Z</c>, and six fractional digits
/// (<c>2026-11-24T12:49:05.123456Z</c>), PostgreSQL's own precision, so a value read back from the
/// database equals the one a create answered with. Any ISO 8601 instant with an offset is read.
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
}

/// <summary>
/// Writes a <see cref="DateTimeOffset"/> as <see cref="UtcTimestamps.Format"/>, and reads one with any offset as the
/// same instant in UTC (the only offset Npgsql writes to timestamptz).
/// </summary>
public sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

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
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(Format, CultureInfo.InvariantCulture));
}
