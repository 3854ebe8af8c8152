using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;

namespace Community.Messaging.Bench;

/// <summary>
/// (c) Sends through the gateway: <c>--send-concurrency</c> members, each in a closed loop, POST a message to their
/// conversation (<c>POST /api/v1/conversations/{id}/messages</c>) for <c>--send-seconds</c>, with the live run's
/// clients still connected, so every send is persisted, numbered and pushed to the conversation's other members.
/// Then the database is checked: every answered send is stored once, and each conversation's seqs run 1..n.
/// </summary>
public static class SendRun
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(
        MessagingBenchOptions options,
        LiveWorld world,
        LiveHosts hosts,
        TestTokens tokens,
        NpgsqlDataSource database,
        Action<string> line
    )
    {
        line("");
        line(
            $"(c) Sends through the gateway: {options.SendConcurrency} members sending in a closed loop for "
                + $"{options.SendSeconds} s, POST /api/v1/conversations/{{id}}/messages, the live clients connected"
        );
        line(new string('-', 100));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler, disposeHandler: false);
        var latencies = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, int>();
        var answered = 0;
        var clock = Stopwatch.StartNew();
        var window = TimeSpan.FromSeconds(options.SendSeconds);
        // Member w (client w, a member of conversation w % conversations) sends through gateway w % gateways.
        await Task.WhenAll(
            Enumerable
                .Range(0, options.SendConcurrency)
                .Select(w =>
                    Task.Run(async () =>
                    {
                        var token = tokens.Issue(world.Users[w]);
                        var url = new Uri(
                            hosts.Gateways[w % hosts.Gateways.Count],
                            $"/api/v1/conversations/{world.ConversationOf(w)}/messages"
                        );
                        for (var n = 0; clock.Elapsed < WarmUp + window; n++)
                        {
                            using var request = new HttpRequestMessage(HttpMethod.Post, url)
                            {
                                Content = JsonContent.Create(
                                    new { text = $"send-bench {w} {n}", client_txn_id = $"send-bench-{w}-{n}" }
                                ),
                            };
                            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                            var started = clock.Elapsed;
                            string? failure;
                            try
                            {
                                using var response = await http.SendAsync(request);
                                failure =
                                    response.StatusCode == HttpStatusCode.Created
                                        ? null
                                        : $"{(int)response.StatusCode}";
                            }
                            catch (HttpRequestException e)
                            {
                                failure = e.HttpRequestError.ToString();
                            }
                            var finished = clock.Elapsed;
                            if (failure is null)
                                Interlocked.Increment(ref answered);
                            // Counted when it started and finished inside the timed window.
                            if (started < WarmUp || finished > WarmUp + window)
                                continue;
                            if (failure is null)
                                latencies.Add((finished - started).TotalMilliseconds);
                            else
                                failures.AddOrUpdate(failure, 1, (_, c) => c + 1);
                        }
                    })
                )
        );

        var failed = failures.IsEmpty ? "none" : string.Join(", ", failures.Select(f => $"{f.Value} x {f.Key}"));
        line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"sustained {latencies.Count / window.TotalSeconds:N0} sends/s answered 201 in the timed window "
                    + $"({latencies.Count:N0} sends); failed: {failed}"
            )
        );
        line(LiveRun.Stats("POST message through the gateway", latencies.ToList()));

        // Persistence and numbering: every 201 stored once, each conversation's seqs 1..n with no gap.
        await using var connection = await database.OpenConnectionAsync();
        await using var stored = new NpgsqlCommand(
            "SELECT count(*) FROM messages WHERE text LIKE 'send-bench %'",
            connection
        );
        var storedCount = (long)(await stored.ExecuteScalarAsync())!;
        await using var numbering = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE n <> top OR n <> distinct_seqs), count(*)
            FROM (SELECT count(*) AS n, max(seq) AS top, count(DISTINCT seq) AS distinct_seqs
                  FROM messages WHERE conversation_id = ANY(@conversations)
                  GROUP BY conversation_id) AS per_conversation
            """,
            connection
        );
        numbering.Parameters.AddWithValue("conversations", world.Conversations);
        await using var reader = await numbering.ExecuteReaderAsync();
        await reader.ReadAsync();
        var broken = reader.GetInt64(0);
        var conversations = reader.GetInt64(1);
        line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"stored: {storedCount:N0} of {answered:N0} answered sends (warm-up included): "
                    + $"{(storedCount == answered ? "OK" : "MISMATCH")}; seqs 1..n with no gap or duplicate in "
                    + $"{conversations - broken:N0}/{conversations:N0} conversations"
            )
        );
    }
}
