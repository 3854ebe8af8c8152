using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Community.Fleet.Bench;

// The steps of one pair's journey, each timed, and how a step waits for an event another service publishes.
public static partial class JourneyRun
{
    private sealed record Member(string Id, string Token);

    /// <summary>One pair's journey; a failed step ends it and is counted against that step.</summary>
    private static async Task JourneyAsync(
        HttpClient client,
        string eventId,
        string name,
        int phone,
        Steps steps,
        TimeSpan timeout
    )
    {
        var journey = Stopwatch.StartNew();
        try
        {
            var pair = await Task.WhenAll(
                Timed(steps, "register", () => RegisterAsync(client, name + "a", phone)),
                Timed(steps, "register", () => RegisterAsync(client, name + "b", phone + 1))
            );
            var (a, b) = (pair[0], pair[1]);
            await Task.WhenAll(
                pair.Select(member =>
                    Timed(
                        steps,
                        "profile",
                        async () =>
                            await Expect(
                                await client.SendJson(
                                    HttpMethod.Patch,
                                    "/api/v1/users/me",
                                    new { region = "Dubai Marina", interests = new[] { "running", "chess" } },
                                    member.Token
                                ),
                                200,
                                "profile"
                            )
                    )
                )
            );

            // Social learns of the member from identity's events; until then it does not know the caller.
            await Until(
                steps,
                "discover",
                timeout,
                async () =>
                {
                    var response = await client.Get("/api/v1/discover?region=Dubai%20Marina", a.Token);
                    return response.StatusCode == HttpStatusCode.OK ? true
                        : response.StatusCode == HttpStatusCode.NotFound ? false
                        : await Unexpected(response, "discover");
                }
            );

            JsonNode? request = null;
            await Until(
                steps,
                "connect: request",
                timeout,
                async () =>
                {
                    var response = await client.PostJson("/api/v1/connections", new { user_id = b.Id }, a.Token);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        request = await response.Body();
                        return true;
                    }
                    return response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity
                        ? false
                        : await Unexpected(response, "connect");
                }
            );
            await Timed(
                steps,
                "connect: accept",
                async () =>
                    await Expect(
                        await client.PostJson($"/api/v1/connections/{request!["id"]}/accept", new { }, b.Token),
                        200,
                        "accept"
                    )
            );

            // Messaging learns of the connection from social's events: 422 until it has.
            JsonNode? conversation = null;
            await Until(
                steps,
                "message: open conversation",
                timeout,
                async () =>
                {
                    var response = await client.PostJson(
                        "/api/v1/conversations/direct",
                        new { user_id = b.Id },
                        a.Token
                    );
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        conversation = await response.Body();
                        return true;
                    }
                    // 422 (not connected yet) and 404 (messaging has not heard of the other member yet) both mean
                    // an event is still on its way.
                    return response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound
                        ? false
                        : await Unexpected(response, "open conversation");
                },
                propagationStep: "message: open propagation"
            );
            await Timed(
                steps,
                "message: send",
                async () =>
                    await Expect(
                        await client.PostJson(
                            $"/api/v1/conversations/{conversation!["id"]}/messages",
                            new
                            {
                                text = "Hello! See you at the meetup?",
                                client_txn_id = Guid.NewGuid().ToString("N"),
                            },
                            a.Token
                        ),
                        201,
                        "send"
                    )
            );

            await Task.WhenAll(
                new[] { a, b }.Select(member => BuyTicketAsync(client, eventId, member, steps, timeout))
            );
            steps.Add("whole journey (a pair)", journey.Elapsed.TotalMilliseconds);
            steps.Journeys.Add(journey.Elapsed.TotalMilliseconds);
        }
        catch (StepFailed e)
        {
            steps.Fail(e.Step, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            steps.Fail("whole journey (a pair)", e.GetType().Name + ": " + e.Message);
        }
    }

    private static async Task BuyTicketAsync(
        HttpClient client,
        string eventId,
        Member member,
        Steps steps,
        TimeSpan timeout
    )
    {
        var hold = await Timed(
            steps,
            "event: register (402 hold)",
            async () =>
                await Expect(
                    await client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, member.Token),
                    402,
                    "event registration"
                )
        );
        var registrationId = hold["registration_id"]!.GetValue<string>();
        // Payments learns of the hold from events' outbox: 404/409 until then.
        JsonNode? checkout = null;
        await Until(
            steps,
            "pay: checkout",
            timeout,
            async () =>
            {
                var response = await client.PostJson(
                    "/api/v1/payments/checkout",
                    new
                    {
                        purpose = "event_registration",
                        reference_id = registrationId,
                        payment_method = "card",
                        success_url = "https://app.example/paid",
                        cancel_url = "https://app.example/cancelled",
                    },
                    member.Token
                );
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    checkout = await response.Body();
                    return true;
                }
                return (int)response.StatusCode is 404 or 409 or 422 ? false : await Unexpected(response, "checkout");
            }
        );
        var page = new Uri(checkout!["checkout_url"]!.GetValue<string>()).AbsolutePath;
        await Timed(
            steps,
            "pay: sandbox page",
            async () =>
            {
                var html = await client.GetAsync(page);
                if (html.StatusCode != HttpStatusCode.OK)
                    await Unexpected(html, "sandbox page");
                return html;
            }
        );
        var pressed = Stopwatch.StartNew();
        await Timed(
            steps,
            "pay: press pay (302)",
            async () =>
            {
                var response = await client.PostAsync(page + "/pay", new FormUrlEncodedContent([]));
                if (response.StatusCode != HttpStatusCode.Redirect)
                    await Unexpected(response, "pay");
                return response;
            }
        );
        // Events confirms the registration when PaymentSucceeded arrives (webhook -> payments' outbox -> RabbitMQ ->
        // events).
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var response = await client.Get($"/api/v1/events/{eventId}/registrations/me", member.Token);
            if (
                response.StatusCode == HttpStatusCode.OK
                && (await response.Body())["status"]!.GetValue<string>() == "confirmed"
            )
                break;
            if (deadline.Elapsed > timeout)
                throw new StepFailed("ticket: propagation", $"not confirmed within {timeout.TotalSeconds:0} s");
            await Task.Delay(50);
        }
        steps.Add("ticket: propagation", pressed.Elapsed.TotalMilliseconds);
    }

    private static async Task<Member> RegisterAsync(HttpClient client, string username, int phone, string? role = null)
    {
        var body = await Expect(
            await client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    phone = "+9715" + phone.ToString("D8", CultureInfo.InvariantCulture),
                    password = Password,
                    role,
                }
            ),
            201,
            "register"
        );
        return new Member(body["user"]!["id"]!.GetValue<string>(), body["access_token"]!.GetValue<string>());
    }

    private static async Task<T> Timed<T>(Steps steps, string step, Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var result = await action();
            steps.Add(step, watch.Elapsed.TotalMilliseconds);
            return result;
        }
        catch (StepFailed e) when (e.Step != step)
        {
            throw new StepFailed(step, e.Message);
        }
    }

    /// <summary>
    /// Retries <paramref name="attempt"/> every 50 ms until it succeeds: the successful request's time is the step's,
    /// the wait its propagation.
    /// </summary>
    private static async Task Until(
        Steps steps,
        string step,
        TimeSpan timeout,
        Func<Task<bool>> attempt,
        string? propagationStep = null
    )
    {
        var first = Stopwatch.StartNew();
        for (var attempts = 1; ; attempts++)
        {
            var one = Stopwatch.StartNew();
            bool done;
            try
            {
                done = await attempt();
            }
            catch (StepFailed e)
            {
                throw new StepFailed(step, e.Message);
            }
            if (done)
            {
                steps.Add(step, one.Elapsed.TotalMilliseconds);
                if (attempts > 1)
                    steps.Add(
                        propagationStep ?? (step.Contains(':') ? step + " propagation" : step + ": propagation"),
                        first.Elapsed.TotalMilliseconds
                    );
                return;
            }
            if (first.Elapsed > timeout)
                throw new StepFailed(step, $"still refused after {timeout.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonNode> Expect(HttpResponseMessage response, int status, string what)
    {
        if ((int)response.StatusCode != status)
            await Unexpected(response, what);
        return await response.Body();
    }

    private static async Task<bool> Unexpected(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        throw new StepFailed(
            what,
            $"{what}: HTTP {(int)response.StatusCode} {(text.Length > 160 ? text[..160] : text)}"
        );
    }
}
