using System.Text.Json;
using Community.ServiceDefaults;

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

        Assert.Equal("""{"full_name":"Amira","starts_at":"1970-01-01T00:00:00+00:00"}""", json);
    }
}
