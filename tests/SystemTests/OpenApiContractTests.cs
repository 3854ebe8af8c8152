extern alias AiCompanionApi;
extern alias EventsApi;
extern alias IdentityApi;
extern alias MessagingApi;
extern alias PaymentsApi;
extern alias SocialApi;
using System.Text.RegularExpressions;
using IdentityProgram = IdentityApi::Program;

namespace Community.SystemTests;

/// <summary>The six services side by side (each on its own database), for the contract their documents state.</summary>
public sealed class OpenApiContractFixture() : ServiceFixture<IdentityProgram>(ResourceNames.Identity)
{
    private readonly List<(IsolatedResources Resources, IAsyncDisposable Host)> _others = [];

    public Dictionary<string, HttpClient> Clients { get; } = [];

    protected override bool TrustsTestTokens => false;

    public readonly string FeedKey = Guid.NewGuid().ToString("N");

    protected override void ConfigureService(IDictionary<string, string?> settings) =>
        settings["Revocations:FeedKey"] = FeedKey;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Clients[ResourceNames.Identity] = Client;
        await StartAsync<EventsApi::Program>(ResourceNames.Events);
        await StartAsync<PaymentsApi::Program>(ResourceNames.Payments);
        await StartAsync<SocialApi::Program>(ResourceNames.Social);
        await StartAsync<MessagingApi::Program>(ResourceNames.Messaging);
        await StartAsync<AiCompanionApi::Program>(ResourceNames.AiCompanion);
    }

    private async Task StartAsync<T>(string service)
        where T : class
    {
        var resources = await TestInfrastructure.IsolateAsync(nameof(OpenApiContractTests) + service);
        var host = BehindIdentity.StartService<T>(service, resources, Resources.BrokerUri, Host.BaseAddress, FeedKey);
        _others.Add((resources, host));
        Clients[service] = host.NewClient();
        // Each test registers its user first: identity's UserRegistered must find this service's queue bound, or the
        // service never knows the user and refuses their every write.
        await BusReadyAsync(host);
    }

    public override async Task DisposeAsync()
    {
        foreach (var (resources, host) in _others)
        {
            await host.DisposeAsync();
            await resources.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}

/// <summary>
/// What a client generator needs from every served document (issue 28): typed schemas, parameters named as the API
/// reads them, named bodies, the one Problem schema on every error, explicit security, unique operation ids.
/// </summary>
public sealed partial class OpenApiContractTests(OpenApiContractFixture fx) : IClassFixture<OpenApiContractFixture>
{
    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();

    [Fact]
    public async Task Every_served_document_is_a_typed_contract()
    {
        var failures = new List<string>();
        var operationIds = new Dictionary<string, string>();
        var folder = Environment.GetEnvironmentVariable("COMMUNITY_OPENAPI_DUMP");
        foreach (var (service, client) in fx.Clients)
        {
            var document = await (await client.Get("/openapi/v1.json")).AssertStatus(200);
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
                await File.WriteAllTextAsync(Path.Combine(folder, service + ".json"), document.ToJsonString());
            }
            failures.AddRange(Check(service, document, operationIds));
        }
        Assert.True(
            failures.Count == 0,
            $"{failures.Count} contract failures:\n" + string.Join("\n", failures.Take(200))
        );
    }

    private static IEnumerable<string> Check(string service, JsonNode document, Dictionary<string, string> operationIds)
    {
        var schemas = document["components"]?["schemas"]?.AsObject() ?? [];
        foreach (var (name, schema) in schemas)
        foreach (var failure in Untyped(schema, $"{service} #/components/schemas/{name}"))
            yield return failure;
        if (!schemas.ContainsKey("Problem"))
            yield return $"{service}: no Problem schema";

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (Match match in Regex.Matches(path, "{([^}]+)}"))
                if (!SnakeCase().IsMatch(match.Groups[1].Value))
                    yield return $"{service} {path}: path parameter {match.Groups[1].Value}";
            foreach (var (method, operation) in item!.AsObject())
            {
                var at = $"{service} {method.ToUpperInvariant()} {path}";
                if (operation is not JsonObject op)
                    continue;
                foreach (var parameter in op["parameters"]?.AsArray() ?? [])
                {
                    var name = (string)parameter!["name"]!;
                    var location = (string)parameter["in"]!;
                    if (location is "query" or "path" && !SnakeCase().IsMatch(name))
                        yield return $"{at}: {location} parameter {name}";
                    foreach (var failure in Untyped(parameter["schema"], $"{at} parameter {name}"))
                        yield return failure;
                }
                foreach (var (type, media) in op["requestBody"]?["content"]?.AsObject() ?? [])
                {
                    if (type.Contains("json") && !Named(media?["schema"]))
                        yield return $"{at}: {type} body is not a named schema";
                    if (type.Contains("json") && Creates(op) && media?["example"] is null)
                        yield return $"{at}: a create without an example body";
                }
                if (op["security"] is null)
                    yield return $"{at}: no security (anonymous operations say security: [])";
                var id = (string?)op["operationId"];
                if (id is null)
                    yield return $"{at}: no operationId";
                else if (!operationIds.TryAdd(id, at))
                    yield return $"{at}: operationId {id} is also {operationIds[id]}'s";
                // the edge's windows and a service out of reach, which any operation may meet
                if (op["responses"]?["429"] is null || op["responses"]?["503"] is null)
                    yield return $"{at}: does not document the 429 and 503 any operation may answer";
                foreach (var (status, response) in op["responses"]?.AsObject() ?? [])
                {
                    // a success's JSON body says what it holds: a schema {} is `unknown` to a generated client
                    if (status.Length == 3 && status[0] == '2')
                        foreach (var (type, media) in response?["content"]?.AsObject() ?? [])
                        {
                            if (!type.Contains("json"))
                                continue;
                            if (media?["schema"] is not JsonObject { Count: > 0 } body)
                                yield return $"{at}: {status} {type} body has no schema";
                            else
                                foreach (var failure in Untyped(body, $"{at} {status} body"))
                                    yield return failure;
                        }
                    if (status.Length != 3 || status[0] is not ('4' or '5'))
                        continue;
                    // the Problem, or (a 402's) the Problem with the members that say what to pay
                    var schema = response?["content"]?["application/problem+json"]?["schema"];
                    var problem = schema?["$ref"] ?? schema?["allOf"]?[0]?["$ref"];
                    if ((string?)problem != "#/components/schemas/Problem")
                        yield return $"{at}: {status} does not answer the Problem schema";
                    // when to ask again, which the platform says in Retry-After on these three
                    if (status is "409" or "429" or "503" && response?["headers"]?["Retry-After"] is null)
                        yield return $"{at}: {status} does not document Retry-After";
                }
            }
        }
    }

    // A write refused because the service never heard of the test's user checks nothing: a failure, not a skip.
    private static async Task NoteUnknownUserAsync(
        List<string> failures,
        string service,
        string path,
        HttpResponseMessage response
    )
    {
        if (
            response.StatusCode == HttpStatusCode.Forbidden
            && (await response.Content.ReadAsStringAsync()).Contains("not known to the platform")
        )
            failures.Add($"{service} POST {path}: the user registered through identity never became known here");
    }

    // The POSTs that create (they honour Idempotency-Key).
    private static bool Creates(JsonNode operation) =>
        operation["parameters"]?.AsArray().Any(p => (string?)p?["name"] == "Idempotency-Key") == true;

    private static IEnumerable<(string Path, JsonNode Example)> CreateExamples(JsonNode document) =>
        from item in document["paths"]!.AsObject()
        let post = item.Value?["post"]
        where post is not null && Creates(post)
        let example = post["requestBody"]?["content"]?["application/json"]?["example"]
        where example is not null
        select (item.Key, example);

    [Fact]
    public async Task The_example_of_every_create_is_a_body_the_service_accepts()
    {
        var phone = "+97150" + Random.Shared.Next(1_000_000, 9_999_999);
        var registered = await (
            await fx.Clients[ResourceNames.Identity]
                .PostJson(
                    "/api/v1/auth/register",
                    new
                    {
                        username = "contract_examples",
                        phone,
                        password = "correct-horse-9",
                        role = "organizer",
                    }
                )
        ).AssertStatus(201);
        var token = registered["access_token"]!.GetValue<string>();
        var failures = new List<string>();
        var tried = 0;
        foreach (var (service, client) in fx.Clients)
        {
            var document = await (await client.Get("/openapi/v1.json")).AssertStatus(200);
            foreach (var (path, example) in CreateExamples(document))
            {
                // Path ids of nothing that exists answer 404 once the body passed; the examples' own ids may be 404 or
                // 422 too.
                var url = Regex.Replace(path, "{[^}]+}", _ => Guid.NewGuid().ToString());
                // A service hears of a new user from identity's events, and a write waits for that (KnownUsers).
                var response = await client.PostJson(url, example.DeepClone(), token);
                tried++;
                if (response.StatusCode == HttpStatusCode.BadRequest)
                    failures.Add($"{service} POST {path}: 400 {await response.Content.ReadAsStringAsync()}");
                await NoteUnknownUserAsync(failures, service, path, response);
            }
        }
        Assert.True(tried >= 12, $"only {tried} create examples");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Required is stated twice, by the handler's validation and by [Required] for the document: a POST without path
    /// parameters gets <c>{}</c>, and the members its 400 says are required must be the schema's required ones, no
    /// more, no less.
    /// </summary>
    [Fact]
    public async Task Required_members_are_the_ones_the_api_refuses_to_go_without()
    {
        var phone = "+97150" + Random.Shared.Next(1_000_000, 9_999_999);
        var registered = await (
            await fx.Clients[ResourceNames.Identity]
                .PostJson(
                    "/api/v1/auth/register",
                    new
                    {
                        username = "contract_required",
                        phone,
                        password = "correct-horse-9",
                        role = "organizer",
                    }
                )
        ).AssertStatus(201);
        var token = registered["access_token"]!.GetValue<string>();
        var failures = new List<string>();
        var checkedBodies = 0;
        foreach (var (service, client) in fx.Clients)
        {
            var document = await (await client.Get("/openapi/v1.json")).AssertStatus(200);
            var schemas = document["components"]?["schemas"]?.AsObject() ?? [];
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                if (path.Contains('{') || item?["post"] is not JsonObject post)
                    continue;
                if (post["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"] is not JsonValue reference)
                    continue;
                var declared = (schemas[((string)reference!).Split('/')[^1]]?["required"]?.AsArray() ?? [])
                    .Select(r => (string)r!)
                    .ToHashSet();
                var response = await client.PostJson(path, new JsonObject(), token);
                await NoteUnknownUserAsync(failures, service, path, response);
                if (response.StatusCode != HttpStatusCode.BadRequest)
                    continue;
                if (JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"] is not JsonObject errors)
                    continue;
                checkedBodies++;
                // every member {} is refused for, but an alternative ("text is required (or at least one attachment)")
                var refused = errors
                    .Where(e =>
                        e.Value!.AsArray()
                            .Select(m => (string)m!)
                            .Any(m => !m.Contains("(or ", StringComparison.Ordinal))
                    )
                    .Select(e => e.Key)
                    .ToHashSet();
                foreach (var missing in refused.Except(declared))
                    failures.Add(
                        $"{service} POST {path}: {missing} is refused when absent, not required in the schema"
                    );
                foreach (var extra in declared.Except(refused))
                    failures.Add(
                        $"{service} POST {path}: {extra} is required in the schema, yet {{}} is not refused for it"
                    );
            }
        }
        Assert.True(checkedBodies >= 10, $"only {checkedBodies} bodies were checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Query_parameters_taking_a_closed_set_are_documented_as_enums()
    {
        async Task<JsonNode> Document(string service) =>
            await (await fx.Clients[service].Get("/openapi/v1.json")).AssertStatus(200);
        var (social, events) = (await Document(ResourceNames.Social), await Document(ResourceNames.Events));
        static List<string> Values(JsonNode document, string path, string name) =>
            [
                .. document["paths"]![path]!["get"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == name)![
                    "schema"
                ]!["enum"]!
                    .AsArray()
                    .Select(v => (string)v!),
            ];

        Assert.Equal(["pending", "accepted"], Values(social, "/api/v1/connections", "status"));
        Assert.Equal(["incoming", "outgoing"], Values(social, "/api/v1/connections", "direction"));
        Assert.Equal(
            ["owner", "moderator", "member", "pending", "invited"],
            Values(social, "/api/v1/groups/{id}/members", "role")
        );
        Assert.Equal(["member", "pending", "invited"], Values(social, "/api/v1/groups/mine", "status"));
        Assert.Equal(["people", "groups", "events"], Values(social, "/api/v1/search/semantic", "type"));
        Assert.Contains("non_binary", Values(social, "/api/v1/discover", "gender"));
        Assert.Equal(["free", "paid"], Values(events, "/api/v1/events", "price"));
        Assert.Contains("waitlisted", Values(events, "/api/v1/events/{id}/attendees", "status"));

        // the filters say what they match (the records' <param> docs)
        static string? Description(JsonNode document, string path, string name) =>
            (string?)
                document["paths"]![path]!["get"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == name)![
                    "description"
                ];
        Assert.StartsWith("free: free events only", Description(events, "/api/v1/events", "price"));
        Assert.Contains("Premium and elite only", Description(social, "/api/v1/discover", "gender"));
        Assert.StartsWith("accepted (the default)", Description(social, "/api/v1/connections", "status"));
    }

    /// <summary>
    /// A query parameter a handler refuses to go without is required in the document too ([RequiredParameter] on
    /// it), though its absence is still the handler's 400 naming it; the optional ones beside it stay optional.
    /// </summary>
    [Fact]
    public async Task Query_parameters_the_handlers_require_are_documented_as_required()
    {
        async Task<JsonNode> Document(string service) =>
            await (await fx.Clients[service].Get("/openapi/v1.json")).AssertStatus(200);
        var (social, events, messaging, identity) = (
            await Document(ResourceNames.Social),
            await Document(ResourceNames.Events),
            await Document(ResourceNames.Messaging),
            await Document(ResourceNames.Identity)
        );
        static HashSet<string> Required(JsonNode document, string path) =>
            [
                .. document["paths"]![path]!["get"]!["parameters"]!
                    .AsArray()
                    .Where(p => (string?)p!["in"] == "query" && (bool?)p["required"] == true)
                    .Select(p => (string)p!["name"]!),
            ];

        Assert.Equal(["lat", "lon"], Required(events, "/api/v1/events/nearby").Order());
        Assert.Equal(["q"], Required(social, "/api/v1/search/semantic"));
        Assert.Equal(["group_id"], Required(messaging, "/api/v1/threads"));
        Assert.Equal(["q"], Required(messaging, "/api/v1/threads/search"));
        Assert.Equal(["q"], Required(messaging, "/api/v1/conversations/{id}/messages/search"));
        Assert.Equal(["redirect_uri"], Required(identity, "/api/v1/auth/external/{provider}/start"));
        Assert.Equal(["state"], Required(identity, "/api/v1/auth/external/{provider}/callback"));
        // the catalogue's filters are all optional
        Assert.Empty(Required(events, "/api/v1/events"));

        // and a missing one is still the handler's 400, which names it
        var nearby = await fx.Clients[ResourceNames.Events].Get("/api/v1/events/nearby?lat=25.2");
        Assert.NotNull((await nearby.AssertProblem(400))["errors"]?["lon"]);
    }

    [Fact]
    public async Task Every_query_and_path_parameter_is_described_and_every_page_size_bounded()
    {
        var failures = new List<string>();
        var limits = 0;
        foreach (var (service, client) in fx.Clients)
        {
            var document = await (await client.Get("/openapi/v1.json")).AssertStatus(200);
            foreach (var (path, operations) in document["paths"]!.AsObject())
            foreach (var (method, operation) in operations!.AsObject())
            foreach (var parameter in operation!["parameters"]?.AsArray() ?? [])
            {
                if ((string?)parameter!["in"] is not ("query" or "path"))
                    continue;
                var name = (string)parameter["name"]!;
                var where = $"{service} {method} {path} {name}";
                if (string.IsNullOrWhiteSpace((string?)parameter["description"]))
                    failures.Add($"{where}: no description");
                if (name != "limit")
                    continue;
                limits++;
                var schema = parameter["schema"]!;
                if ((int?)schema["minimum"] != 1 || schema["maximum"] is null || schema["default"] is null)
                    failures.Add($"{where}: {schema.ToJsonString()} has no minimum 1, maximum or default");
            }
        }

        Assert.True(limits >= 25, $"only {limits} limits were checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        static JsonNode Limit(JsonNode document, string path) =>
            document["paths"]![path]!["get"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "limit")![
                "schema"
            ]!;
        var messaging = await (await fx.Clients[ResourceNames.Messaging].Get("/openapi/v1.json")).AssertStatus(200);
        var social = await (await fx.Clients[ResourceNames.Social].Get("/openapi/v1.json")).AssertStatus(200);
        // each list's own default and bound, as its handler reads limit
        Assert.Equal(50, (int)Limit(messaging, "/api/v1/conversations/{id}/messages")["default"]!);
        Assert.Equal(20, (int)Limit(messaging, "/api/v1/notifications")["default"]!);
        Assert.Equal(50, (int)Limit(social, "/api/v1/search/semantic")["maximum"]!);
        Assert.Equal(10, (int)Limit(social, "/api/v1/search/semantic")["default"]!);
        // a route value is described by its group, or by the endpoint where it means something else there
        static string? PathDescription(JsonNode document, string path, string method, string name) =>
            (string?)
                document["paths"]![path]![method]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == name)![
                    "description"
                ];
        Assert.Equal(
            "The group's id.",
            PathDescription(social, "/api/v1/groups/{id}/members/{user_id}", "patch", "id")
        );
        Assert.Equal(
            "The member's user id.",
            PathDescription(social, "/api/v1/groups/{id}/members/{user_id}", "patch", "user_id")
        );
        Assert.Equal(
            "The id of the user who asked to join.",
            PathDescription(social, "/api/v1/groups/{id}/requests/{user_id}/approve", "post", "user_id")
        );
    }

    [Fact]
    public async Task Closed_sets_in_answers_are_documented_as_enums()
    {
        async Task<JsonNode> Document(string service) =>
            await (await fx.Clients[service].Get("/openapi/v1.json")).AssertStatus(200);
        var (identity, social, events) = (
            await Document(ResourceNames.Identity),
            await Document(ResourceNames.Social),
            await Document(ResourceNames.Events)
        );
        var (messaging, payments, companion) = (
            await Document(ResourceNames.Messaging),
            await Document(ResourceNames.Payments),
            await Document(ResourceNames.AiCompanion)
        );
        static List<string?> Enum(JsonNode document, string name, string property) =>
            [
                .. document["components"]!["schemas"]![name]!["properties"]![property]!["enum"]!
                    .AsArray()
                    .Select(v => (string?)v),
            ];

        Assert.Equal(["member", "organizer", "admin"], Enum(identity, "UserDto", "role"));
        Assert.Equal(["free", "premium", "elite"], Enum(identity, "UserDto", "tier"));
        Assert.Equal(["draft", "published", "cancelled"], Enum(events, "EventDto", "status"));
        Assert.Equal(
            ["held", "confirmed", "waitlisted", "cancelled", "expired", "refunded"],
            Enum(events, "AttendeeDto", "status")
        );
        // a course's enrollment status is null for someone not enrolled
        Assert.Equal(["pending_payment", "active", null], Enum(events, "CourseDto", "enrollment_status"));
        // a group's member list shows requests as role pending
        Assert.Equal(["owner", "moderator", "member", "pending", "invited"], Enum(social, "GroupMemberDto", "role"));
        Assert.Equal(
            ["none", "pending_outgoing", "pending_incoming", "connected"],
            Enum(social, "ProfileDto", "connection_status")
        );
        Assert.Equal(["direct", "thread", "event_chat"], Enum(messaging, "ConversationDto", "kind"));
        Assert.Equal(["requested", "pending", "succeeded", "failed"], Enum(payments, "RefundDto", "status"));
        Assert.Equal(["grant", "spend", "reversal", "clawback"], Enum(payments, "CreditEntryDto", "kind"));
        Assert.Equal(["pending", "active", "rejected", "ended"], Enum(companion, "SessionDto", "state"));
    }

    [Fact]
    public async Task Descriptions_come_from_the_xml_docs_and_required_from_validation()
    {
        var identity = await (await fx.Clients[ResourceNames.Identity].Get("/openapi/v1.json")).AssertStatus(200);
        var social = await (await fx.Clients[ResourceNames.Social].Get("/openapi/v1.json")).AssertStatus(200);
        var events = await (await fx.Clients[ResourceNames.Events].Get("/openapi/v1.json")).AssertStatus(200);
        var messaging = await (await fx.Clients[ResourceNames.Messaging].Get("/openapi/v1.json")).AssertStatus(200);
        var payments = await (await fx.Clients[ResourceNames.Payments].Get("/openapi/v1.json")).AssertStatus(200);
        static JsonNode Schema(JsonNode document, string name) => document["components"]!["schemas"]![name]!;
        static HashSet<string> Required(JsonNode document, string name) =>
            [.. Schema(document, name)["required"]?.AsArray().Select(r => (string)r!) ?? []];
        static List<string> Types(JsonNode document, string name, string property) =>
            Schema(document, name)["properties"]![property]!["type"] switch
            {
                JsonArray types => [.. types.Select(t => (string)t!).Order()],
                var type => [(string)type!],
            };
        static List<string> Enum(JsonNode document, string name, string property) =>
            [
                .. Schema(document, name)["properties"]![property]!["enum"]!
                    .AsArray()
                    .OfType<JsonNode>()
                    .Select(v => (string)v!),
            ];

        Assert.StartsWith(
            "Creates an account",
            (string?)identity["paths"]!["/api/v1/auth/register"]!["post"]!["description"]
        );
        Assert.StartsWith(
            "3-30 characters",
            (string?)Schema(identity, "RegisterRequest")["properties"]!["username"]!["description"]
        );
        Assert.StartsWith(
            "3-80 characters",
            (string?)Schema(social, "GroupInput")["properties"]!["name"]!["description"]
        );
        Assert.StartsWith(
            "The seq read up to",
            (string?)Schema(messaging, "MarkRead")["properties"]!["seq"]!["description"]
        );

        Assert.Equal(["password", "username"], Required(identity, "RegisterRequest").Order());
        Assert.Equal("string", (string?)Schema(identity, "RegisterRequest")["properties"]!["username"]!["type"]);
        Assert.Equal(["name"], Required(social, "GroupInput"));
        Assert.Empty(Required(social, "GroupInputPatch"));
        // What a create requires may be left out of a patch, not cleared: null is refused there.
        Assert.Equal(["string"], Types(social, "GroupInputPatch", "name"));
        Assert.Equal(["string"], Types(events, "EventInputPatch", "event_type"));
        Assert.DoesNotContain(null, Schema(events, "EventInputPatch")["properties"]!["event_type"]!["enum"]!.AsArray());
        Assert.Equal(["array"], Types(events, "CourseInputPatch", "modules"));
        Assert.Equal(["null", "string"], Types(events, "EventInputPatch", "description"));
        Assert.Equal(["category", "target_id", "target_type"], Required(social, "ReportRequest").Order());
        Assert.Equal(
            ["ends_at", "event_type", "latitude", "longitude", "starts_at", "title"],
            Required(events, "EventInput").Order()
        );
        Assert.Equal(["client_txn_id"], Required(messaging, "SendMessage"));
        Assert.Equal(["cancel_url", "success_url", "tier"], Required(payments, "SubscriptionCheckoutRequest").Order());

        Assert.Equal(["member", "organizer"], Enum(identity, "RegisterRequest", "role"));
        Assert.Equal(["public", "private"], Enum(events, "EventInput", "visibility"));
        Assert.Equal(["card", "alipay", "wechat_pay"], Enum(payments, "CheckoutRequest", "payment_method"));
        Assert.Contains("self_harm", Enum(social, "ReportRequest", "category"));
    }

    // A reference, or an optional body's "null or a reference".
    private static bool Named(JsonNode? schema) =>
        schema?["$ref"] is not null
        || schema?["oneOf"] is JsonArray branches
            && branches.Any(b => b?["$ref"] is not null)
            && branches.All(b => b?["$ref"] is not null || (string?)b?["type"] == "null");

    // A schema with nothing saying what it holds (no type, reference or composition), an array without items, or an
    // object without members that does not say it takes any.
    private static IEnumerable<string> Untyped(JsonNode? schema, string at)
    {
        if (schema is not JsonObject s)
            yield break;
        if (s.ContainsKey("$ref"))
            yield break;
        var composed = s.ContainsKey("oneOf") || s.ContainsKey("anyOf") || s.ContainsKey("allOf");
        if (!s.ContainsKey("type") && !composed && !s.ContainsKey("enum") && !s.ContainsKey("const"))
            yield return $"{at}: untyped";
        var types = s["type"] switch
        {
            JsonArray a => a.Select(t => (string)t!).ToList(),
            JsonValue v => [(string)v!],
            _ => [],
        };
        if (types.Contains("array") && s["items"] is null)
            yield return $"{at}: array without items";
        if (types.Contains("integer") && types.Contains("string"))
            yield return $"{at}: integer or string";
        // null would not validate against the enum of a member that may be null
        if (types.Contains("null") && s["enum"] is JsonArray values && !values.Any(v => v is null))
            yield return $"{at}: may be null, its enum holds no null";
        // an object that says neither its members nor that it takes any: generated clients read "no members at all"
        if (types.Contains("object") && s["properties"] is null && s["additionalProperties"] is null && !composed)
            yield return $"{at}: object of nothing";
        foreach (var (name, property) in s["properties"]?.AsObject() ?? [])
        foreach (var failure in Untyped(property, $"{at}.{name}"))
            yield return failure;
        foreach (var failure in Untyped(s["items"], $"{at}[]"))
            yield return failure;
        if (s["additionalProperties"] is JsonObject { Count: > 0 })
            foreach (var failure in Untyped(s["additionalProperties"], $"{at}{{}}"))
                yield return failure;
        foreach (var key in new[] { "oneOf", "anyOf", "allOf" })
        foreach (var branch in s[key]?.AsArray() ?? [])
        foreach (var failure in Untyped(branch, at))
            yield return failure;
    }
}
