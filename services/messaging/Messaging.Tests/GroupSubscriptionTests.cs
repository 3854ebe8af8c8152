using Community.Contracts.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Messaging.Tests;

/// <summary>
/// JoinGroup / LeaveGroup over real WebSockets through the gateway, a client on each of two instances: a member with
/// no thread open hears the group's member_joined, member_left and new_thread; nobody else does.
/// </summary>
public sealed class GroupSubscriptionTests(RealTimeFixture fx) : IClassFixture<RealTimeFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    private Task JoinedAsync(Guid groupId, Guid userId) =>
        fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, userId));

    private Task LeftAsync(Guid groupId, Guid userId) =>
        fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, userId));

    private static Task<HubCall> HeardAsync(LiveConnection client, string target, Guid userId) =>
        client.WaitForAsync(target, c => c.Str("user_id") == userId.ToString());

    /// <summary>
    /// A thread open on a member's connection, then hidden from them by a block with its author: who joins the group
    /// is no longer told to them there, as nothing else of the thread is pushed to them; the others still hear it.
    /// </summary>
    [Fact]
    public async Task A_thread_hidden_by_a_block_with_its_author_tells_nothing_of_who_joins_the_group()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (authorId, author) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Potters", authorId, memberId);
        var thread = await fx.ThreadAsync(author, groupId, "Glazes", "Which do you use?");
        await using var memberClient = await fx.ConnectAsync(member, viaB: true);
        await using var ownerClient = await fx.ConnectAsync(owner);
        await memberClient.Connection.InvokeAsync<JsonElement>("JoinConversation", Guid.Parse(thread), null);
        await ownerClient.Connection.InvokeAsync<JsonElement>("JoinConversation", Guid.Parse(thread), null);
        await fx.BlockAsync(authorId, memberId);

        var (newcomerId, _) = await fx.RegisteredAsync();
        await JoinedAsync(groupId, newcomerId);
        var heard = await HeardAsync(ownerClient, "member_joined", newcomerId);
        Assert.Equal(thread, heard.Str("conversation_id"));
        await Task.Delay(Quiet);
        Assert.DoesNotContain(memberClient.ReceivedOf("member_joined"), c => c.Str("user_id") == newcomerId.ToString());
    }

    /// <summary>A member's account deleted: whoever has the group open sees them leave it, as any departure.</summary>
    [Fact]
    public async Task A_subscribed_member_hears_a_deleted_account_leave_the_group()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (deletedId, _) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Stargazers", "public"));
        await JoinedAsync(groupId, deletedId);
        await using var ownerClient = await fx.ConnectAsync(owner);
        await ownerClient.Connection.InvokeAsync("JoinGroup", groupId);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), deletedId));

        var left = await HeardAsync(ownerClient, "member_left", deletedId);
        Assert.Equal(groupId.ToString(), left.Str("group_id"));
    }

    [Fact]
    public async Task A_subscribed_member_hears_the_groups_joins_leaves_and_threads_until_they_leave_it()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "public"));
        await JoinedAsync(groupId, memberId);
        await using var ownerClient = await fx.ConnectAsync(owner);
        await using var memberClient = await fx.ConnectAsync(member, viaB: true);
        await ownerClient.Connection.InvokeAsync("JoinGroup", groupId);
        await memberClient.Connection.InvokeAsync("JoinGroup", groupId);

        var (newcomerId, _) = await fx.RegisteredAsync();
        await JoinedAsync(groupId, newcomerId);
        var joined = await HeardAsync(memberClient, "member_joined", newcomerId);
        Assert.Equal(groupId.ToString(), joined.Str("group_id"));
        Assert.Null(joined.Str("conversation_id"));
        await HeardAsync(ownerClient, "member_joined", newcomerId);

        var thread = await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = groupId,
                    title = "Saturday",
                    text = "Who is in?",
                },
                owner
            )
        ).AssertStatus(201);
        var pushed = await memberClient.WaitForAsync("new_thread");
        Assert.Equal(thread["id"]!.GetValue<string>(), pushed.Str("id"));
        Assert.Equal(groupId.ToString(), pushed.Str("group_id"));

        await LeftAsync(groupId, newcomerId);
        var left = await HeardAsync(memberClient, "member_left", newcomerId);
        Assert.Equal(groupId.ToString(), left.Str("group_id"));

        // The member leaves the group: they hear their own departure, then nothing more of it.
        await LeftAsync(groupId, memberId);
        await HeardAsync(memberClient, "member_left", memberId);
        await HeardAsync(ownerClient, "member_left", memberId);
        var (laterId, _) = await fx.RegisteredAsync();
        await JoinedAsync(groupId, laterId);
        await HeardAsync(ownerClient, "member_joined", laterId);
        await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = groupId,
                    title = "Sunday",
                    text = "And Sunday?",
                },
                owner
            )
        ).AssertStatus(201);
        await Task.Delay(Quiet);
        Assert.DoesNotContain(memberClient.ReceivedOf("member_joined"), c => c.Str("user_id") == laterId.ToString());
        Assert.Single(memberClient.ReceivedOf("new_thread"));
        // No longer a member, they may not subscribe again.
        Assert.Contains(
            "HubException: 404",
            (
                await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync("JoinGroup", groupId))
            ).Message
        );

        // LeaveGroup ends the owner's subscription; the connection stays.
        await ownerClient.Connection.InvokeAsync("LeaveGroup", groupId);
        var (lastId, _) = await fx.RegisteredAsync();
        await JoinedAsync(groupId, lastId);
        await Task.Delay(Quiet);
        Assert.DoesNotContain(ownerClient.ReceivedOf("member_joined"), c => c.Str("user_id") == lastId.ToString());
        await ownerClient.Connection.InvokeAsync("JoinGroup", groupId);
    }

    [Fact]
    public async Task Outsiders_are_refused_and_a_blocked_members_comings_and_goings_never_reach_the_blocker()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (blockerId, blocker) = await fx.RegisteredAsync();
        var (_, outsider) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Readers", "secret"));
        await JoinedAsync(groupId, blockerId);
        await using var outsiderClient = await fx.ConnectAsync(outsider);
        // Not a member, an unknown group, a malformed id: refused, and the connection stays.
        foreach (var id in new[] { groupId, Guid.NewGuid() })
            Assert.EndsWith(
                "HubException: 404 Not found: No such group.",
                (
                    await Assert.ThrowsAsync<HubException>(() => outsiderClient.Connection.InvokeAsync("JoinGroup", id))
                ).Message
            );
        Assert.EndsWith(
            "HubException: JoinGroup(group_id): group_id (argument 1) must be a uuid string, not the string \"x\".",
            (
                await Assert.ThrowsAsync<HubException>(() =>
                    outsiderClient.Connection.InvokeCoreAsync("JoinGroup", typeof(object), ["x"])
                )
            ).Message
        );

        await using var ownerClient = await fx.ConnectAsync(owner, viaB: true);
        await using var blockerClient = await fx.ConnectAsync(blocker);
        await ownerClient.Connection.InvokeAsync("JoinGroup", groupId);
        await blockerClient.Connection.InvokeAsync("JoinGroup", groupId);
        var (blockedId, _) = await fx.RegisteredAsync();
        await fx.BlockAsync(blockerId, blockedId);
        await JoinedAsync(groupId, blockedId);
        await HeardAsync(ownerClient, "member_joined", blockedId);
        await LeftAsync(groupId, blockedId);
        await HeardAsync(ownerClient, "member_left", blockedId);
        await Task.Delay(Quiet);
        Assert.Empty(blockerClient.ReceivedOf("member_joined"));
        Assert.Empty(blockerClient.ReceivedOf("member_left"));
        Assert.Empty(outsiderClient.Received);
    }
}
