using Community.Contracts;

namespace Community.Identity.Tests;

/// <summary>
/// Identity's creates are registration, which is anonymous (keys are per signed-in user, so it takes none), and a
/// member's link of an outside sign-in. The profile carries an ETag and honours If-Match.
/// </summary>
public sealed class IdempotencyKeyTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    [Fact]
    public void The_gateway_retries_keyed_posts_on_exactly_the_paths_whose_key_this_service_honours() =>
        Assert.Equal(
            KeyedPosts.ByService[ResourceNames.Identity].Order(StringComparer.Ordinal),
            CreateEndpoints.HonouringKey(fx.Host.Services)
        );

    [Fact]
    public void Every_signed_in_create_honours_the_key_and_registration_is_anonymous()
    {
        Assert.Empty(CreateEndpoints.NotHonouringIdempotencyKey(fx.Host.Services));
        var register = CreateEndpoints
            .Of(fx.Host.Services)
            .Single(c => c.Route.EndsWith("/register", StringComparison.Ordinal));
        Assert.True(register.Anonymous);
        Assert.Null(register.Honours);
    }

    [Fact]
    public async Task My_profile_carries_an_etag_and_a_stale_if_match_changes_nothing()
    {
        var token = (await fx.RegisterAsync())["access_token"]!.GetValue<string>();
        await EntityTags.AssertIfMatchHonouredAsync(
            fx.Client,
            "/api/v1/users/me",
            HttpMethod.Patch,
            "/api/v1/users/me",
            "{\"bio\": \"First\"}",
            token,
            otherBody: "{\"bio\": \"Second\"}"
        );
    }
}
