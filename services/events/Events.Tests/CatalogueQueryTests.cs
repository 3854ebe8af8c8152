using System.Globalization;
using Community.Events.Catalogue;
using Npgsql;

namespace Community.Events.Tests;

/// <summary>
/// Browsing: the list and its filters, paging, who sees what, nearby search, details and "my events".
/// Tests share one database, so each scopes its events by a city, interest, title word or place of its own.
/// </summary>
public sealed class CatalogueQueryTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    private HttpClient Client => fx.Client;

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private static string Q(DateTimeOffset value) =>
        Uri.EscapeDataString(value.ToString("O", CultureInfo.InvariantCulture));

    // ---- list ----

    [Fact]
    public async Task Anonymous_callers_see_public_published_upcoming_and_ongoing_events_only()
    {
        var (_, organizer) = fx.Organizer();
        var city = Unique("Listville");
        var upcoming = await fx.CreateEventAsync(organizer, b => b["city"] = city);
        await fx.CreateEventAsync(organizer, b => b["city"] = city, publish: false);
        await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["city"] = city;
                b["visibility"] = "private";
            }
        );
        var past = await fx.CreateEventAsync(organizer, b => b["city"] = city);
        await MoveAsync(past, TimeSpan.FromHours(-5), TimeSpan.FromHours(-3));
        var ongoing = await fx.CreateEventAsync(organizer, b => b["city"] = city);
        await MoveAsync(ongoing, TimeSpan.FromHours(-1), TimeSpan.FromHours(1));
        var cancelled = await fx.CreateEventAsync(organizer, b => b["city"] = city);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{cancelled["id"]}", null, organizer)
        ).AssertStatus(204);

        var page = await (await Client.Get($"/api/v1/events?city={city}")).AssertStatus(200);
        Assert.Equal([ongoing.Str("id"), upcoming.Str("id")], page.Ids());
        Assert.Equal(2, page["total"]!.GetValue<int>());
        Assert.Equal(1, page["pages"]!.GetValue<int>());
        Assert.Equal(1, page["page"]!.GetValue<int>());
        Assert.Equal(20, page["limit"]!.GetValue<int>());
        Assert.All(
            page["items"]!.AsArray(),
            i =>
            {
                Assert.Equal("published", i!.Str("status"));
                Assert.Null(i!["invited_user_ids"]);
                Assert.Null(i["is_registered"]);
            }
        );

        // The organizer's own list is the same catalogue: drafts live under /my, not here.
        var own = await (await Client.Get($"/api/v1/events?city={city}", organizer)).AssertStatus(200);
        Assert.Equal(3, own["total"]!.GetValue<int>());
        Assert.NotNull(own["items"]![0]!["invited_user_ids"]);

        // An explicit start range reaches into the past.
        var history = await (
            await Client.Get($"/api/v1/events?city={city}&starts_after={Q(fx.Clock.GetUtcNow().AddDays(-1))}")
        ).AssertStatus(200);
        Assert.Equal([past.Str("id"), ongoing.Str("id"), upcoming.Str("id")], history.Ids());
    }

    [Fact]
    public async Task City_and_region_match_without_case_and_country_by_code()
    {
        var (_, organizer) = fx.Organizer();
        var tag = Unique("place");
        var city = Unique("Porto");
        var porto = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["interests"] = new JsonArray(tag);
                b["city"] = city;
                b["country"] = "PT";
                b["region"] = "Ribeira";
            }
        );
        var lisbon = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["interests"] = new JsonArray(tag);
                b["city"] = Unique("Lisbon");
                b["country"] = "PT";
                b["region"] = "Alfama";
            }
        );
        var madrid = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["interests"] = new JsonArray(tag);
                b["city"] = Unique("Madrid");
                b["country"] = "ES";
                b["region"] = "Centro";
            }
        );

        Assert.Equal([porto.Str("id")], (await ListAsync($"city={city.ToUpperInvariant()}")).Ids());
        Assert.Equal([porto.Str("id")], (await ListAsync($"city=%20{city.ToLowerInvariant()}%20")).Ids());
        Assert.Equal(
            new[] { porto.Str("id"), lisbon.Str("id") }.Order(),
            (await ListAsync($"interest={tag}&country=pt")).Ids().Order()
        );
        Assert.Equal([madrid.Str("id")], (await ListAsync($"interest={tag}&country=ES")).Ids());
        Assert.Equal([lisbon.Str("id")], (await ListAsync($"interest={tag}&region=alfama")).Ids());
        Assert.Empty((await ListAsync($"interest={tag}&country=FR")).Ids());
        Assert.Empty((await ListAsync($"city={city}&country=ES")).Ids());
    }

    [Fact]
    public async Task A_city_or_region_of_letters_cased_differently_by_dotnet_and_the_database_still_finds_itself()
    {
        // A dotted capital I: .NET leaves it as it is, the database lower-cases it to "i". Both sides are folded by
        // the database, or a place finds nothing, not even its own stored text.
        var (_, organizer) = fx.Organizer();
        var tag = Unique("turkey");
        var city = "İzmir " + Unique("c");
        var izmir = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["interests"] = new JsonArray(tag);
                b["city"] = city;
                b["region"] = "İç Anadolu";
            }
        );
        Assert.Equal([izmir.Str("id")], (await ListAsync($"city={Uri.EscapeDataString(city)}")).Ids());
        Assert.Equal(
            [izmir.Str("id")],
            (await ListAsync($"city={Uri.EscapeDataString(city.ToUpperInvariant())}")).Ids()
        );
        Assert.Equal(
            [izmir.Str("id")],
            (await ListAsync($"interest={tag}&region={Uri.EscapeDataString("İç Anadolu")}")).Ids()
        );
    }

    [Fact]
    public async Task Event_type_interest_and_price_filters_combine()
    {
        var (_, organizer) = fx.Organizer();
        var tag = Unique("topic");
        var freeWorkshop = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["interests"] = new JsonArray(tag, "python");
                b["event_type"] = "workshop";
            }
        );
        var paidWorkshop = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["interests"] = new JsonArray(tag);
                b["event_type"] = "workshop";
                b["price_cents"] = 2000;
                b["currency"] = "EUR";
            }
        );
        var hackathon = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["interests"] = new JsonArray(tag, "python");
                b["event_type"] = "hackathon";
            }
        );

        Assert.Equal(3, (await ListAsync($"interest={tag.ToUpperInvariant()}"))["total"]!.GetValue<int>());
        Assert.Equal(
            new[] { freeWorkshop.Str("id"), paidWorkshop.Str("id") }.Order(),
            (await ListAsync($"interest={tag}&event_type=workshop")).Ids().Order()
        );
        Assert.Equal([hackathon.Str("id")], (await ListAsync($"interest={tag}&event_type=HACKATHON")).Ids());
        Assert.Equal([paidWorkshop.Str("id")], (await ListAsync($"interest={tag}&price=paid")).Ids());
        Assert.Equal(
            new[] { freeWorkshop.Str("id"), hackathon.Str("id") }.Order(),
            (await ListAsync($"interest={tag}&price=FREE")).Ids().Order()
        );
        Assert.Equal(
            [freeWorkshop.Str("id")],
            (await ListAsync($"interest={tag}&event_type=workshop&price=free")).Ids()
        );
        Assert.Empty((await ListAsync($"interest={tag}&event_type=trip")).Ids());

        var paid = (await ListAsync($"interest={tag}&price=paid"))["items"]![0]!;
        Assert.False(paid["is_free"]!.GetValue<bool>());
        Assert.Equal("EUR", paid.Str("currency"));
    }

    [Fact]
    public async Task Text_search_finds_words_of_the_title_and_the_description()
    {
        var (_, organizer) = fx.Organizer();
        var word = Unique("zephyr");
        var other = Unique("quasar");
        var inTitle = await fx.CreateEventAsync(organizer, b => b["title"] = $"Evening of {word} dances");
        var inDescription = await fx.CreateEventAsync(
            organizer,
            b => b["description"] = $"We talk about {word} and {other}."
        );
        await fx.CreateEventAsync(organizer, b => b["title"] = $"{word} rehearsal", publish: false);

        Assert.Equal(
            new[] { inTitle.Str("id"), inDescription.Str("id") }.Order(),
            (await ListAsync($"q={word.ToUpperInvariant()}")).Ids().Order()
        );
        Assert.Equal(
            [inDescription.Str("id")],
            (await ListAsync($"q={Uri.EscapeDataString($"{word} {other}")}")).Ids()
        );
        Assert.Equal([inTitle.Str("id")], (await ListAsync($"q={Uri.EscapeDataString($"{word} -{other}")}")).Ids());
        Assert.Empty((await ListAsync($"q={Unique("nothing")}")).Ids());
        // Operators and quotes are text to search, never an error.
        await (await Client.Get($"/api/v1/events?q={Uri.EscapeDataString("\"&|!:*()' OR <-> \\")}")).AssertStatus(200);
    }

    [Fact]
    public async Task A_start_range_selects_by_starts_at()
    {
        var (_, organizer) = fx.Organizer();
        var tag = Unique("range");
        var baseDay = new DateTimeOffset(fx.Clock.GetUtcNow().UtcDateTime.Date.AddDays(100), TimeSpan.Zero);
        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var starts = baseDay.AddDays(i).AddHours(18);
            events.Add(
                (
                    await fx.CreateEventAsync(
                        organizer,
                        b =>
                        {
                            b["interests"] = new JsonArray(tag);
                            b["starts_at"] = starts.ToString("O");
                            b["ends_at"] = starts.AddHours(2).ToString("O");
                        }
                    )
                ).Str("id")
            );
        }

        Assert.Equal(events, (await ListAsync($"interest={tag}")).Ids());
        Assert.Equal(
            [events[1]],
            (
                await ListAsync(
                    $"interest={tag}&starts_after={Q(baseDay.AddDays(1))}&starts_before={Q(baseDay.AddDays(2))}"
                )
            ).Ids()
        );
        Assert.Equal(
            [events[1], events[2]],
            (await ListAsync($"interest={tag}&starts_after={Q(baseDay.AddDays(1).AddHours(18))}")).Ids()
        );
        Assert.Equal(
            [events[0]],
            (await ListAsync($"interest={tag}&starts_before={Q(baseDay.AddDays(1).AddHours(18))}")).Ids()
        );

        // The same instant written with another offset selects the same events.
        var berlinOffset = baseDay.AddDays(1).ToOffset(TimeSpan.FromHours(2));
        Assert.Equal([events[1], events[2]], (await ListAsync($"interest={tag}&starts_after={Q(berlinOffset)}")).Ids());
    }

    [Fact]
    public async Task Pages_are_stable_in_start_order_with_total_and_page_count()
    {
        var (_, organizer) = fx.Organizer();
        var tag = Unique("paging");
        var first = fx.Clock.GetUtcNow().AddDays(20);
        var created = new List<(DateTimeOffset Starts, string Id)>();
        // Two share a start time: the id breaks the tie, so pages neither repeat nor skip.
        foreach (var hours in new[] { 5, 1, 3, 3, 2, 4, 0 })
        {
            var starts = first.AddHours(hours);
            var e = await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["interests"] = new JsonArray(tag);
                    b["starts_at"] = starts.ToString("O");
                    b["ends_at"] = starts.AddHours(1).ToString("O");
                }
            );
            created.Add((e.Time("starts_at"), e.Str("id")));
        }

        var seen = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var body = await ListAsync($"interest={tag}&page={page}&limit=3");
            Assert.Equal(7, body["total"]!.GetValue<int>());
            Assert.Equal(3, body["pages"]!.GetValue<int>());
            Assert.Equal(page, body["page"]!.GetValue<int>());
            Assert.Equal(3, body["limit"]!.GetValue<int>());
            Assert.Equal(page < 3 ? 3 : 1, body["items"]!.AsArray().Count);
            seen.AddRange(body.Ids());
        }
        Assert.Equal(7, seen.Distinct().Count());
        Assert.Equal(
            created.OrderBy(c => c.Starts).Select(c => c.Starts),
            seen.Select(id => created.Single(c => c.Id == id).Starts)
        );
        Assert.Equal(seen, (await ListAsync($"interest={tag}&limit=100")).Ids());
        Assert.Equal(seen, (await ListAsync($"interest={tag}&limit=100")).Ids());

        var beyond = await ListAsync($"interest={tag}&page=4&limit=3");
        Assert.Empty(beyond["items"]!.AsArray());
        Assert.Equal(7, beyond["total"]!.GetValue<int>());
        var none = await ListAsync($"interest={Unique("empty")}");
        Assert.Equal(0, none["total"]!.GetValue<int>());
        Assert.Equal(0, none["pages"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("price=cheap", "price")]
    [InlineData("event_type=rave", "event_type")]
    [InlineData("starts_after=2030-01-02T00:00:00Z&starts_before=2030-01-01T00:00:00Z", "starts_before")]
    [InlineData("starts_after=2030-01-01T00:00:00Z&starts_before=2030-01-01T00:00:00Z", "starts_before")]
    public async Task Invalid_list_queries_are_refused(string query, string field)
    {
        await (await Client.Get($"/api/v1/events?{query}")).AssertFieldProblem(field);
    }

    [Fact]
    public async Task A_misspelled_filter_is_refused_naming_the_accepted_ones_not_silently_ignored()
    {
        var problem = await (await Client.Get($"/api/v1/events?start_after={Q(fx.Clock.GetUtcNow())}")).AssertProblem(
            400
        );

        Assert.Equal(
            "start_after is not a known query parameter; the valid query parameters are: "
                + "city, country, cursor, event_type, interest, limit, page, price, q, region, starts_after, "
                + "starts_before.",
            problem["errors"]!["start_after"]![0]!.GetValue<string>()
        );
    }

    [Theory]
    [InlineData("page=abc")]
    [InlineData("limit=ten")]
    [InlineData("starts_after=yesterday")]
    public async Task Unparseable_list_queries_are_bad_requests(string query)
    {
        await (await Client.Get($"/api/v1/events?{query}")).AssertProblem(400);
    }

    [Fact]
    public async Task A_too_long_search_is_refused()
    {
        await (await Client.Get($"/api/v1/events?q={new string('a', 201)}")).AssertFieldProblem("q");
    }

    // ---- private events ----

    [Fact]
    public async Task A_private_event_is_seen_only_by_the_invited_its_organizer_and_admins()
    {
        var (_, organizer) = fx.Organizer();
        var (invitedId, invited) = fx.Member();
        var (_, stranger) = fx.Member();
        var (_, otherOrganizer) = fx.Organizer();
        var (_, admin) = fx.Admin();
        var city = Unique("Hiddenburg");
        var (lat, lon) = (47.0, 5.0);
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["city"] = city;
                b["visibility"] = "private";
                b["invited_user_ids"] = new JsonArray(invitedId.ToString());
                b["latitude"] = lat;
                b["longitude"] = lon;
            }
        );
        var id = e.Str("id");
        var nearby =
            $"/api/v1/events/nearby?lat={lat.ToString(CultureInfo.InvariantCulture)}"
            + $"&lon={lon.ToString(CultureInfo.InvariantCulture)}&radius_km=1";

        foreach (var token in new[] { null, stranger, otherOrganizer })
        {
            await (await Client.Get($"/api/v1/events/{id}", token)).AssertProblem(404);
            Assert.Empty((await (await Client.Get($"/api/v1/events?city={city}", token)).AssertStatus(200)).Ids());
            Assert.Empty((await (await Client.Get(nearby, token)).AssertStatus(200)).Ids());
        }

        foreach (var token in new[] { invited, organizer, admin })
        {
            var details = await (await Client.Get($"/api/v1/events/{id}", token)).AssertStatus(200);
            Assert.Equal("private", details.Str("visibility"));
            Assert.Equal(
                [id],
                (await (await Client.Get($"/api/v1/events?city={city}", token)).AssertStatus(200)).Ids()
            );
            Assert.Equal([id], (await (await Client.Get(nearby, token)).AssertStatus(200)).Ids());
        }

        // The guest list is for those who manage the event.
        Assert.Null((await (await Client.Get($"/api/v1/events/{id}", invited)).AssertStatus(200))["invited_user_ids"]);
        Assert.Equal(
            [invitedId],
            (await (await Client.Get($"/api/v1/events/{id}", organizer)).AssertStatus(200))["invited_user_ids"]!
                .AsArray()
                .Select(g => g!.GetValue<Guid>())
        );
        Assert.NotNull((await (await Client.Get($"/api/v1/events/{id}", admin)).AssertStatus(200))["invited_user_ids"]);

        // Registration follows the same rule: a stranger finds no event.
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, stranger)).AssertProblem(404);
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, invited)).AssertStatus(201);
    }

    // ---- nearby ----

    /// <summary>
    /// A point <paramref name="metres"/> from (lat, lon) along <paramref name="bearingDegrees"/> on a sphere.
    /// </summary>
    private static (double Lat, double Lon) Offset(double lat, double lon, double metres, double bearingDegrees)
    {
        const double R = 6_371_008.8;
        double lat1r = lat * Math.PI / 180,
            lon1r = lon * Math.PI / 180,
            bearing = bearingDegrees * Math.PI / 180,
            angle = metres / R;
        var lat2r = Math.Asin(
            Math.Sin(lat1r) * Math.Cos(angle) + Math.Cos(lat1r) * Math.Sin(angle) * Math.Cos(bearing)
        );
        var lon2r =
            lon1r
            + Math.Atan2(
                Math.Sin(bearing) * Math.Sin(angle) * Math.Cos(lat1r),
                Math.Cos(angle) - Math.Sin(lat1r) * Math.Sin(lat2r)
            );
        return (lat2r * 180 / Math.PI, (lon2r * 180 / Math.PI + 540) % 360 - 180);
    }

    private static double Haversine(double lat1, double lon1, double lat2, double lon2)
    {
        const double R = 6_371_008.8;
        double dLat = (lat2 - lat1) * Math.PI / 180,
            dLon = (lon2 - lon1) * Math.PI / 180;
        var a =
            Math.Pow(Math.Sin(dLat / 2), 2)
            + Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * R * Math.Asin(Math.Sqrt(a));
    }

    private static string NearbyUrl(double lat, double lon, double radiusKm) =>
        string.Create(CultureInfo.InvariantCulture, $"/api/v1/events/nearby?lat={lat}&lon={lon}&radius_km={radiusKm}");

    [Fact]
    public async Task Nearby_lists_upcoming_events_within_the_radius_nearest_first()
    {
        var (_, organizer) = fx.Organizer();
        var (lat, lon) = (48.8566, 2.3522); // Paris: no other test places events here
        async Task<(string Id, double Expected)> At(
            double metres,
            double bearing,
            Action<JsonObject>? change = null,
            bool publish = true
        )
        {
            var (pLat, pLon) = Offset(lat, lon, metres, bearing);
            var e = await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["latitude"] = pLat;
                    b["longitude"] = pLon;
                    change?.Invoke(b);
                },
                publish
            );
            return (e.Str("id"), Haversine(lat, lon, pLat, pLon));
        }

        var three = await At(3_000, 200);
        var one = await At(1_000, 45);
        var twenty = await At(20_000, 300);
        var draft = await At(500, 90, publish: false);
        var cancelled = await At(600, 90);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{cancelled.Id}", null, organizer)
        ).AssertStatus(204);
        var over = await At(700, 90);
        await MoveAsync(
            await (await Client.Get($"/api/v1/events/{over.Id}")).AssertStatus(200),
            TimeSpan.FromHours(-4),
            TimeSpan.FromHours(-2)
        );

        var within5 = await (await Client.Get(NearbyUrl(lat, lon, 5))).AssertStatus(200);
        Assert.Equal([one.Id, three.Id], within5.Ids());
        Assert.Equal(lat, within5["latitude"]!.GetValue<double>());
        Assert.Equal(lon, within5["longitude"]!.GetValue<double>());
        Assert.Equal(5, within5["radius_km"]!.GetValue<double>());
        var items = within5["items"]!.AsArray();
        AssertDistance(one.Expected, items[0]!["distance_m"]!.GetValue<double>());
        AssertDistance(three.Expected, items[1]!["distance_m"]!.GetValue<double>());
        Assert.InRange(one.Expected, 990, 1_010);

        var within25 = await (await Client.Get(NearbyUrl(lat, lon, 25))).AssertStatus(200);
        Assert.Equal([one.Id, three.Id, twenty.Id], within25.Ids());
        AssertDistance(twenty.Expected, within25["items"]![2]!["distance_m"]!.GetValue<double>());
        Assert.DoesNotContain(draft.Id, within25.Ids());

        Assert.Equal(
            [one.Id],
            (await (await Client.Get(NearbyUrl(lat, lon, 25) + "&limit=1")).AssertStatus(200)).Ids()
        );
        Assert.Empty((await (await Client.Get(NearbyUrl(lat, lon, 0.5))).AssertStatus(200)).Ids());
        // Default radius is 10 km.
        Assert.Equal(
            [one.Id, three.Id],
            (
                await (
                    await Client.Get(
                        string.Create(CultureInfo.InvariantCulture, $"/api/v1/events/nearby?lat={lat}&lon={lon}")
                    )
                ).AssertStatus(200)
            ).Ids()
        );
    }

    [Fact]
    public async Task Nearby_works_across_the_antimeridian()
    {
        var (_, organizer) = fx.Organizer();
        var (lat, lon) = (-16.5, 179.99);
        var (eLat, eLon) = Offset(lat, lon, 2_000, 90); // just east of 180°, so a negative longitude
        Assert.True(eLon < 0);
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["latitude"] = eLat;
                b["longitude"] = eLon;
                b["time_zone"] = "Pacific/Fiji";
            }
        );

        var found = await (await Client.Get(NearbyUrl(lat, lon, 5))).AssertStatus(200);
        Assert.Equal([e.Str("id")], found.Ids());
        AssertDistance(2_000, found["items"]![0]!["distance_m"]!.GetValue<double>());
    }

    private static void AssertDistance(double expected, double actual) =>
        // PostgreSQL's earth() radius is 6378.168 km against the mean 6371 km: 0.11% apart.
        Assert.InRange(actual, expected * 0.995, expected * 1.005);

    [Theory]
    [InlineData("lat=52.5&lon=13.4&radius_km=101", "radius_km")]
    [InlineData("lat=52.5&lon=13.4&radius_km=0", "radius_km")]
    [InlineData("lat=52.5&lon=13.4&radius_km=-3", "radius_km")]
    [InlineData("lat=52.5&lon=13.4&radius_km=NaN", "radius_km")]
    [InlineData("lon=13.4&radius_km=5", "lat")]
    [InlineData("lat=52.5&radius_km=5", "lon")]
    [InlineData("lat=100&lon=13.4", "lat")]
    [InlineData("lat=-90.5&lon=13.4", "lat")]
    [InlineData("lat=52.5&lon=181", "lon")]
    [InlineData("lat=52.5&lon=13.4&limit=0", "limit")]
    [InlineData("lat=52.5&lon=13.4&limit=101", "limit")]
    public async Task Invalid_nearby_queries_are_refused(string query, string field)
    {
        await (await Client.Get($"/api/v1/events/nearby?{query}")).AssertFieldProblem(field);
    }

    [Fact]
    public async Task Nearby_is_answered_from_the_position_index()
    {
        // 20,000 published events scattered over the South Pacific, where no other test places one.
        await fx.ScalarAsync<int>(
            """
            INSERT INTO community_events (id, organizer_id, title, event_type, latitude, longitude, starts_at,
                ends_at, time_zone,
                                          status, created_at, updated_at, published_at)
            SELECT gen_random_uuid(), gen_random_uuid(), 'Bulk ' || g, 'meetup', -50 + random() * 30, -140 + random()
                * 40,
                   now() + interval '10 days', now() + interval '10 days 2 hours', 'UTC', 'published', now(), now(),
                       now()
            FROM generate_series(1, 20000) AS g;
            ANALYZE community_events;
            """
        );

        var plan = await ExplainAsync(
            Catalogue.CatalogueQueries.NearbySql(
                -35.0,
                -120.0,
                5000,
                50,
                new Catalogue.CatalogueAccess.Caller(Guid.Parse("6f1c2a9e-4b7d-4c1e-9a35-0d2f8b6e7c41"), false),
                DateTimeOffset.UtcNow
            )
        );
        Assert.Contains("community_events_position", plan);
        Assert.DoesNotContain("Seq Scan on community_events", plan);

        // And the API's answer agrees with a plain scan of the same area.
        var expected = new List<string>();
        await using (var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT id::text FROM community_events WHERE status = 'published' AND ends_at > now() "
                    + "AND earth_distance(position, ll_to_earth(-35.0, -120.0)) <= 60000 ORDER BY "
                    + "earth_distance(position, ll_to_earth(-35.0, -120.0)), id",
                connection
            );
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                expected.Add(reader.GetString(0));
        }
        Assert.InRange(expected.Count, 1, 100);
        var found = await (
            await Client.Get("/api/v1/events/nearby?lat=-35&lon=-120&radius_km=60&limit=100")
        ).AssertStatus(200);
        Assert.Equal(expected, found.Ids());
        var distances = found["items"]!.AsArray().Select(i => i!["distance_m"]!.GetValue<double>()).ToList();
        Assert.Equal(distances.Order(), distances);
        Assert.All(distances, d => Assert.InRange(d, 0, 60_000));
    }

    /// <summary>EXPLAIN of the very SQL and parameters the service sends.</summary>
    private async Task<string> ExplainAsync(FormattableString sql)
    {
        await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        var arguments = sql.GetArguments();
        await using var command = new NpgsqlCommand(
            "EXPLAIN "
                + string.Format(
                    System.Globalization.CultureInfo.InvariantCulture,
                    sql.Format,
                    arguments.Select((_, i) => (object)$"@p{i}").ToArray()
                ),
            connection
        );
        for (var i = 0; i < arguments.Length; i++)
            command.Parameters.AddWithValue($"p{i}", arguments[i] ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
            lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }

    // ---- details and my events ----

    [Fact]
    public async Task Details_show_the_callers_registration_and_the_seats_left()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer, b => b["capacity"] = 3);
        var id = e.Str("id");

        var anonymous = await (await Client.Get($"/api/v1/events/{id}")).AssertStatus(200);
        Assert.False(anonymous["is_registered"]!.GetValue<bool>());
        Assert.Null(anonymous["my_registration"]);
        Assert.Null(anonymous["invited_user_ids"]);
        Assert.Equal(0, anonymous["registration_count"]!.GetValue<int>());
        Assert.Equal(3, anonymous["spots_remaining"]!.GetValue<int>());
        Assert.Equal(e.Str("title"), anonymous.Str("title"));

        var (memberId, member) = fx.Member();
        var before = await (await Client.Get($"/api/v1/events/{id}", member)).AssertStatus(200);
        Assert.False(before["is_registered"]!.GetValue<bool>());
        Assert.Null(before["my_registration"]);

        var registration = await (
            await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, member)
        ).AssertStatus(201);

        var after = await (await Client.Get($"/api/v1/events/{id}", member)).AssertStatus(200);
        Assert.True(after["is_registered"]!.GetValue<bool>());
        Assert.Equal(registration.Str("id"), after["my_registration"]!.Str("id"));
        Assert.Equal(memberId, after["my_registration"]!["user_id"]!.GetValue<Guid>());
        Assert.Equal("confirmed", after["my_registration"]!.Str("status"));
        Assert.Equal(1, after["registration_count"]!.GetValue<int>());
        Assert.Equal(2, after["spots_remaining"]!.GetValue<int>());

        var stillAnonymous = await (await Client.Get($"/api/v1/events/{id}")).AssertStatus(200);
        Assert.False(stillAnonymous["is_registered"]!.GetValue<bool>());
        Assert.Equal(1, stillAnonymous["registration_count"]!.GetValue<int>());

        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{id}/registrations/me", null, member)
        ).AssertStatus(200);
        var cancelled = await (await Client.Get($"/api/v1/events/{id}", member)).AssertStatus(200);
        Assert.False(cancelled["is_registered"]!.GetValue<bool>());
        Assert.Equal("cancelled", cancelled["my_registration"]!.Str("status"));
        Assert.Equal(3, cancelled["spots_remaining"]!.GetValue<int>());

        await (await Client.Get($"/api/v1/events/{Guid.NewGuid()}")).AssertProblem(404);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.Get("/api/v1/events/not-a-guid")).StatusCode);
    }

    [Fact]
    public async Task My_events_lists_what_i_created_and_what_i_joined()
    {
        var (_, organizer) = fx.Organizer();
        var draft = await fx.CreateEventAsync(organizer, publish: false);
        var published = await fx.CreateEventAsync(organizer);
        var elsewhere = await fx.CreateEventAsync(fx.Organizer().Token);

        var mine = await (await Client.Get("/api/v1/events/my", organizer)).AssertStatus(200);
        Assert.Equal(
            new[] { draft.Str("id"), published.Str("id") }.Order(),
            mine["created"]!.AsArray().Select(e => e!.Str("id")).Order()
        );
        Assert.Empty(mine["joined"]!.AsArray());
        Assert.False(mine["created_has_more"]!.GetValue<bool>());

        var (_, member) = fx.Member();
        await (await Client.PostJson($"/api/v1/events/{published["id"]}/registrations", new { }, member)).AssertStatus(
            201
        );
        await (await Client.PostJson($"/api/v1/events/{elsewhere["id"]}/registrations", new { }, member)).AssertStatus(
            201
        );
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{elsewhere["id"]}/registrations/me", null, member)
        ).AssertStatus(200);

        var joined = await (await Client.Get("/api/v1/events/my", member)).AssertStatus(200);
        Assert.Empty(joined["created"]!.AsArray());
        var only = Assert.Single(joined["joined"]!.AsArray())!;
        Assert.Equal(published.Str("id"), only.Str("id"));
        Assert.True(only["is_registered"]!.GetValue<bool>());
        Assert.Equal("confirmed", only["my_registration"]!.Str("status"));
        Assert.Null(only["invited_user_ids"]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.Get("/api/v1/events/my")).StatusCode);
    }

    [Fact]
    public async Task My_events_are_read_a_page_at_a_time_latest_start_first_then_by_id()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var starts = fx.Clock.GetUtcNow().AddDays(4);
        // Five starting at once (their ids order them) and two later, each joined by the member.
        var events = new List<(DateTimeOffset At, string Id)>();
        for (var i = 0; i < 7; i++)
        {
            var at = i < 5 ? starts : starts.AddHours(i);
            var e = await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["starts_at"] = at.ToString("O");
                    b["ends_at"] = at.AddMinutes(30).ToString("O");
                }
            );
            events.Add((at, e.Str("id")));
            await (await Client.PostJson($"/api/v1/events/{e.Str("id")}/registrations", new { }, member)).AssertStatus(
                201
            );
        }
        // uuid order is the order of their text (lower-case hex), as PostgreSQL compares them.
        var expected = events
            .OrderByDescending(e => e.At)
            .ThenByDescending(e => e.Id, StringComparer.Ordinal)
            .Select(e => e.Id)
            .ToList();

        foreach (var (list, token) in new[] { ("created", organizer), ("joined", member) })
        {
            var read = new List<string>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var url =
                    $"/api/v1/events/my/{list}?limit=2"
                    + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
                var page = await (await Client.Get(url, token)).AssertStatus(200);
                var items = page["items"]!.AsArray();
                Assert.InRange(items.Count, 1, 2);
                read.AddRange(items.Select(e => e!.Str("id")));
                if (list == "joined")
                    Assert.All(items, e => Assert.Equal("confirmed", e!["my_registration"]!.Str("status")));
                cursor = page["next_cursor"]?.GetValue<string>();
                pages++;
            } while (cursor is not null && pages < 10);
            Assert.Equal(expected, read);
            Assert.Equal(4, pages);
        }

        // Each list is the caller's own: the member organizes nothing.
        var none = await (await Client.Get("/api/v1/events/my/created", member)).AssertStatus(200);
        Assert.Empty(none["items"]!.AsArray());
        Assert.Null(none["next_cursor"]);

        await (await Client.Get("/api/v1/events/my/created?cursor=not-ours", organizer)).AssertProblem(400);
        await (await Client.Get("/api/v1/events/my/joined?limit=0", member)).AssertProblem(400);
        await (await Client.Get("/api/v1/events/my/joined?limit=101", member)).AssertProblem(400);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.Get("/api/v1/events/my/joined")).StatusCode);
    }

    [Fact]
    public async Task My_events_list_the_newest_of_each_kind_up_to_the_limit_and_say_when_older_ones_were_left_out()
    {
        var (_, organizer) = fx.Organizer();
        var (_, member) = fx.Member();
        var first = fx.Clock.GetUtcNow().AddDays(3);
        // One more than a list holds, an hour apart: the first (the oldest start) is the one left out.
        var ids = new List<string>();
        for (var i = 0; i <= MyEventsDto.Limit; i++)
        {
            var starts = first.AddHours(i);
            var e = await fx.CreateEventAsync(
                organizer,
                b =>
                {
                    b["starts_at"] = starts.ToString("O");
                    b["ends_at"] = starts.AddMinutes(30).ToString("O");
                }
            );
            ids.Add(e.Str("id"));
            await (await Client.PostJson($"/api/v1/events/{ids[^1]}/registrations", new { }, member)).AssertStatus(201);
        }
        var newest = ids.Skip(1).Reverse().ToList();

        var mine = await (await Client.Get("/api/v1/events/my", organizer)).AssertStatus(200);
        Assert.Equal(newest, mine["created"]!.AsArray().Select(e => e!.Str("id")));
        Assert.True(mine["created_has_more"]!.GetValue<bool>());
        Assert.False(mine["joined_has_more"]!.GetValue<bool>());
        var joined = await (await Client.Get("/api/v1/events/my", member)).AssertStatus(200);
        Assert.Equal(newest, joined["joined"]!.AsArray().Select(e => e!.Str("id")));
        Assert.True(joined["joined_has_more"]!.GetValue<bool>());
        Assert.False(joined["created_has_more"]!.GetValue<bool>());
        Assert.Null(joined["created_next_cursor"]);

        // The one left out is read on with each list's cursor, and is the last.
        foreach (var (list, cursor) in new[] { ("created", mine), ("joined", joined) })
        {
            var next = cursor[$"{list}_next_cursor"]!.GetValue<string>();
            var rest = await (
                await Client.Get(
                    $"/api/v1/events/my/{list}?cursor={Uri.EscapeDataString(next)}",
                    list == "created" ? organizer : member
                )
            ).AssertStatus(200);
            Assert.Equal(ids[0], Assert.Single(rest["items"]!.AsArray())!.Str("id"));
            Assert.Null(rest["next_cursor"]);
        }

        // Down to the limit, nothing is left out.
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{ids[0]}/registrations/me", null, member)
        ).AssertStatus(200);
        joined = await (await Client.Get("/api/v1/events/my", member)).AssertStatus(200);
        Assert.Equal(newest, joined["joined"]!.AsArray().Select(e => e!.Str("id")));
        Assert.False(joined["joined_has_more"]!.GetValue<bool>());
    }

    [Fact]
    public async Task My_events_show_my_place_on_the_waitlist_as_the_event_does()
    {
        var (_, organizer) = fx.Organizer();
        var id = (await fx.CreateEventAsync(organizer, b => b["capacity"] = 1)).Str("id");
        var (_, waiting) = fx.Member();
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, fx.Member().Token)).AssertStatus(
            201
        );
        var told = await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, waiting)).AssertStatus(
            202
        );
        Assert.Equal(1, told["waitlist_position"]!.GetValue<int>());

        var joined = await (await Client.Get("/api/v1/events/my", waiting)).AssertStatus(200);
        var listed = Assert.Single(joined["joined"]!.AsArray())!["my_registration"]!;
        Assert.Equal("waitlisted", listed.Str("status"));
        Assert.Equal(1, listed["waitlist_position"]?.GetValue<int>());
        var details = await (await Client.Get($"/api/v1/events/{id}", waiting)).AssertStatus(200);
        Assert.Equal(1, details["my_registration"]!["waitlist_position"]?.GetValue<int>());
    }

    private async Task<JsonNode> ListAsync(string query) =>
        await (await Client.Get($"/api/v1/events?{query}")).AssertStatus(200);

    /// <summary>
    /// Moves an event's times relative to now, straight in the database (the API refuses past starts).
    /// </summary>
    private Task MoveAsync(JsonNode e, TimeSpan starts, TimeSpan ends) =>
        fx.ScalarAsync<int>(
            "UPDATE community_events SET starts_at = @starts, ends_at = @ends WHERE id = @id",
            ("starts", fx.Clock.GetUtcNow().Add(starts)),
            ("ends", fx.Clock.GetUtcNow().Add(ends)),
            ("id", e["id"]!.GetValue<Guid>())
        );
}
