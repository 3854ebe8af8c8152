using System.Diagnostics;
using Community.Messaging.Conversations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Messaging.Tests;

/// <summary>
/// Typing over real WebSockets on two instances: typing names the typist, and stop_typing follows a send, an explicit
/// stop or the lapse after the last typing call, whichever instance took it; never across a block.
/// </summary>
public sealed class TypingTests(RealTimeFixture fx) : IClassFixture<RealTimeFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    private static Task Join(LiveConnection client, string conversation) =>
        client.Connection.InvokeAsync<JsonElement>("JoinConversation", conversation, null);

    [Fact]
    public async Task Typing_names_the_typist_and_lapses_into_one_stop_typing_after_the_last_call_on_any_instance()
    {
        var (_, a, bId, b, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a);
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        await using var bobElsewhere = await fx.ConnectAsync(b);
        await Join(alice, c);

        var watch = Stopwatch.StartNew();
        await bob.Connection.InvokeAsync("Typing", c);
        var typing = await alice.WaitForAsync("typing");
        Assert.Equal(bId.ToString(), typing.Str("user_id"));
        Assert.Equal(c, typing.Str("conversation_id"));
        var username = typing.Str("username");
        Assert.StartsWith("u", username);
        Assert.Equal("User " + username, typing.Str("display_name"));
        var stop = await alice.WaitForAsync("stop_typing");
        Assert.True(watch.Elapsed >= ConversationTyping.Lapse - TimeSpan.FromMilliseconds(200), $"{watch.Elapsed}");
        Assert.Equal(username, stop.Str("username"));

        // Typing again on instance B, then on A: the lapse counts from the last call, and ends once.
        await bob.Connection.InvokeAsync("Typing", c);
        await Task.Delay(TimeSpan.FromSeconds(2));
        watch.Restart();
        await bobElsewhere.Connection.InvokeAsync("Typing", c);
        await alice.WaitForCountAsync("stop_typing", 2, TimeSpan.FromSeconds(15));
        Assert.True(watch.Elapsed >= ConversationTyping.Lapse - TimeSpan.FromMilliseconds(200), $"{watch.Elapsed}");
        await Task.Delay(ConversationTyping.Lapse);
        Assert.Equal(2, alice.ReceivedOf("stop_typing").Count);
        Assert.Equal(3, alice.ReceivedOf("typing").Count);
    }

    [Fact]
    public async Task Sending_ends_typing_at_once_and_no_lapse_follows_while_a_message_alone_sends_no_stop()
    {
        var (_, a, bId, b, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a);
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        await Join(alice, c);

        await fx.SendAsync(b, c, "No typing before");
        await alice.WaitForAsync("new_message");
        await bob.Connection.InvokeAsync("Typing", c);
        await alice.WaitForAsync("typing");
        var watch = Stopwatch.StartNew();
        await fx.SendAsync(b, c, "Typed and sent");
        var stop = await alice.WaitForAsync("stop_typing");
        Assert.True(watch.Elapsed < ConversationTyping.Lapse, $"{watch.Elapsed}");
        Assert.Equal(bId.ToString(), stop.Str("user_id"));
        // The message first, then the end of its typing.
        Assert.Equal(
            ["new_message", "typing", "new_message", "stop_typing"],
            alice.Received.Select(call => call.Target).Where(t => t is "new_message" or "typing" or "stop_typing")
        );
        await Task.Delay(ConversationTyping.Lapse + Quiet);
        Assert.Single(alice.ReceivedOf("stop_typing"));

        // An explicit stop ends it too, and cancels the lapse.
        await bob.Connection.InvokeAsync("Typing", c);
        await bob.Connection.InvokeAsync("StopTyping", c);
        await alice.WaitForCountAsync("stop_typing", 2);
        await Task.Delay(ConversationTyping.Lapse + Quiet);
        Assert.Equal(2, alice.ReceivedOf("stop_typing").Count);
        // A conversation the caller is not in: the 404 of none.
        var (_, stranger) = await fx.RegisteredAsync();
        await using var strangerClient = await fx.ConnectAsync(stranger);
        Assert.Contains(
            "HubException: 404",
            (await Assert.ThrowsAsync<HubException>(() => strangerClient.Connection.InvokeAsync("Typing", c))).Message
        );
    }

    [Fact]
    public async Task In_a_thread_neither_typing_nor_its_lapse_crosses_a_block()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (blockerId, blocker) = await fx.RegisteredAsync();
        var (typistId, typist) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Readers", blockerId, typistId);
        var thread = await fx.ThreadAsync(owner, groupId, "Books", "What are you reading?");
        await fx.BlockAsync(blockerId, typistId);
        await using var ownerClient = await fx.ConnectAsync(owner);
        await using var blockerClient = await fx.ConnectAsync(blocker, viaB: true);
        await using var typistClient = await fx.ConnectAsync(typist);
        await Join(ownerClient, thread);
        await Join(blockerClient, thread);

        await typistClient.Connection.InvokeAsync("Typing", thread);
        Assert.Equal(typistId.ToString(), (await ownerClient.WaitForAsync("typing")).Str("user_id"));
        await ownerClient.WaitForAsync("stop_typing");
        await Task.Delay(Quiet);
        Assert.Empty(blockerClient.ReceivedOf("typing"));
        Assert.Empty(blockerClient.ReceivedOf("stop_typing"));
    }
}
