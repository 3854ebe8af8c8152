using System.Text.Json;
using Community.ServiceDefaults.Api;

namespace Community.ServiceDefaults.Tests;

public sealed class JsonConventionsTests
{
    private sealed record Sample(string FullName, DateTimeOffset StartsAt);

    [Fact]
    public void Properties_are_written_in_snake_case()
    {
        var options = new JsonSerializerOptions();
        ServiceDefaultsExtensions.ConfigureJson(options);

        var json = JsonSerializer.Serialize(new Sample("Amira", DateTimeOffset.UnixEpoch), options);

        Assert.Equal("""{"full_name":"Amira","starts_at":"1970-01-01T00:00:00.000000Z"}""", json);
    }

    [Theory]
    [InlineData("2026-11-24T14:49:05.1234567+02:00", "2026-11-24T12:49:05.123456Z")]
    [InlineData("2026-11-24T12:49:05Z", "2026-11-24T12:49:05.000000Z")]
    [InlineData("2026-11-24T07:49:05.5-05:00", "2026-11-24T12:49:05.500000Z")]
    public void Instants_are_read_as_UTC_and_written_with_Z_and_six_fractional_digits(string sent, string written)
    {
        var options = new JsonSerializerOptions();
        ServiceDefaultsExtensions.ConfigureJson(options);

        var offset = JsonSerializer.Deserialize<DateTimeOffset>($"\"{sent}\"", options);
        var utc = DateTime.Parse(
            sent,
            System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal
        );

        // read as the same instant in UTC, the one offset Npgsql writes to timestamptz
        Assert.Equal(TimeSpan.Zero, offset.Offset);
        Assert.Equal(utc, offset.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, JsonSerializer.Deserialize<DateTimeOffset?>($"\"{sent}\"", options)!.Value.Offset);
        Assert.Equal($"\"{written}\"", JsonSerializer.Serialize(offset, options));
        Assert.Equal($"\"{written}\"", JsonSerializer.Serialize(utc, options));
        Assert.Equal(
            $"{{\"at\":\"{written}\"}}",
            JsonSerializer.Serialize(new { at = (DateTimeOffset?)offset }, options)
        );
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>("\"next tuesday\"", options));
    }

    [Theory]
    [InlineData("2026-11-24T19:00:00")]
    [InlineData("2026-11-24T19:00:00.5")]
    [InlineData("2026-11-24")]
    [InlineData("2026-11-24T19:00")]
    public void An_instant_without_an_offset_is_refused_not_read_in_the_servers_zone(string sent)
    {
        var options = new JsonSerializerOptions();
        ServiceDefaultsExtensions.ConfigureJson(options);

        var refused = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<DateTimeOffset>($"\"{sent}\"", options)
        );
        Assert.Contains("has no offset", refused.Message);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset?>($"\"{sent}\"", options));
        // The local times the platform writes (an event's starts_at_local) read back only with their offset too.
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateTimeOffset>($"\"{sent}\"", LocalOnly));
        Assert.Equal(
            TimeSpan.FromHours(1),
            JsonSerializer.Deserialize<DateTimeOffset>("\"2026-11-24T19:00:00.000000+01:00\"", LocalOnly).Offset
        );
    }

    private static readonly JsonSerializerOptions LocalOnly = new()
    {
        Converters = { new Community.ServiceDefaults.Api.LocalDateTimeOffsetConverter() },
    };

    [Fact]
    public void A_validation_problem_s_errors_are_written_and_its_keys_read_through_the_text_check()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(options);

        var json = JsonSerializer.Serialize(
            new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(
                new Dictionary<string, string[]> { ["next"] = ["unknown"] }
            ),
            options
        );

        Assert.Contains(""""errors":{"next":["unknown"]}"""", json);
        Assert.Equal(
            ["unknown"],
            JsonSerializer.Deserialize<Dictionary<string, string[]>>("""{"next":["unknown"]}""", options)!["next"]
        );
        var refused = Assert.Throws<RefusedTextException>(() =>
            JsonSerializer.Deserialize<Dictionary<string, int>>("""{"a\u0001":1}""", options)
        );
        Assert.Contains("text", refused.Message); // keys are refused like values
    }
}
