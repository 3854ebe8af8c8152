using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Routing;

namespace Community.AiCompanion.Tests;

public sealed class IdempotencyKeyTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    [Fact]
    public void The_gateway_retries_keyed_posts_on_exactly_the_paths_whose_key_this_service_honours() =>
        Assert.Equal(
            KeyedPosts.ByService[ResourceNames.AiCompanion].Order(StringComparer.Ordinal),
            CreateEndpoints.HonouringKey(fixture.Host.Services)
        );

    [Fact]
    public void Every_signed_in_create_honours_the_key_and_session_purchases_keep_their_own_handling()
    {
        Assert.Empty(CreateEndpoints.NotHonouringIdempotencyKey(fixture.Host.Services));
        var endpoints = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var buy = endpoints.Single(e =>
            e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "BuyCompanionSession"
        );
        Assert.Same(HonoursIdempotencyKey.ByHandler, buy.Metadata.GetMetadata<HonoursIdempotencyKey>());
    }

    [Fact]
    public async Task Every_replayed_create_documents_the_409_and_422_its_key_can_answer()
    {
        var document = await (await fixture.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var replayed = CreateEndpoints.Replayed(fixture.Host.Services);
        Assert.Contains("SendCompanionMessage", replayed);
        Assert.Empty(CreateEndpoints.KeyAnswersNotDocumented(fixture.Host.Services, document));
    }

    [Fact]
    public async Task Sending_twice_with_one_key_stores_one_exchange_and_replays_the_first_answer()
    {
        var (userId, token) = await fixture.RegisteredAsync();
        var body = new { text = "only once please", client_txn_id = "txn-keyed" };

        var first = await fixture.Client.PostJsonWithKey("/api/v1/companion/messages", body, token, "send-once");
        var again = await fixture.Client.PostJsonWithKey("/api/v1/companion/messages", body, token, "send-once");

        var created = await first.AssertStatus(201);
        // The replay is the first answer (201), not the 200 a repeated client_txn_id alone gets.
        Assert.Equal(created.ToJsonString(), (await again.AssertStatus(201)).ToJsonString());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(
            2L,
            await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM companion_messages WHERE user_id = @id",
                ("id", userId)
            )
        );
    }

    [Fact]
    public async Task A_deleted_conversation_is_not_replayed_to_a_key_sent_again()
    {
        var (userId, token) = await fixture.RegisteredAsync();
        var body = new { text = "something I will regret", client_txn_id = "txn-regret" };
        var first = await (
            await fixture.Client.PostJsonWithKey("/api/v1/companion/messages", body, token, "regret")
        ).AssertStatus(201);
        await (
            await fixture.Client.SendJson(HttpMethod.Delete, "/api/v1/companion/conversation", null, token)
        ).AssertStatus(204);
        Assert.Equal(
            0L,
            await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM idempotent_requests WHERE user_id = @id",
                ("id", userId)
            )
        );

        // Sent again with its key: a new exchange, not the deleted one read back.
        var again = await fixture.Client.PostJsonWithKey("/api/v1/companion/messages", body, token, "regret");
        var answer = await again.AssertStatus(201);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(first["message"]!["id"]!.GetValue<string>(), answer["message"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Settings_carry_an_etag_and_a_stale_if_match_changes_nothing()
    {
        var (_, token) = await fixture.RegisteredAsync();
        await EntityTags.AssertIfMatchHonouredAsync(
            fixture.Client,
            "/api/v1/companion/settings",
            HttpMethod.Put,
            "/api/v1/companion/settings",
            "{\"share_profile\": true}",
            token,
            otherBody: "{\"share_profile\": false}"
        );
    }
}
