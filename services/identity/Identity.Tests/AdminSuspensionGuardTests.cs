using Community.Contracts.Social;

namespace Community.Identity.Tests;

/// <summary>
/// Suspensions always leave the platform an admin who is not suspended: two admins suspending each other at once leave
/// one, and a report cannot suspend the last. Its own fixture: the seeded admin may be suspended here.
/// </summary>
public sealed class AdminSuspensionGuardTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private Task<string> SeededAdminAsync() => fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);

    private Task<long> AdminsNotSuspendedAsync() =>
        fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'admin' AND suspended_at IS NULL");

    private Task<HttpResponseMessage> SetRole(string userId, string role, string token) =>
        fx.Client.SendJson(HttpMethod.Put, $"/api/v1/users/{userId}/role", new { role }, token);

    private Task<HttpResponseMessage> Suspend(string userId, string token) =>
        fx.Client.SendJson(HttpMethod.Put, $"/api/v1/admin/users/{userId}/suspension", new { reason = "rogue" }, token);

    [Fact]
    public async Task Two_admins_suspending_each_other_at_once_leave_one_not_suspended()
    {
        var seeded = await SeededAdminAsync();
        var seededId = TestTokens.Payload(seeded)["sub"]!.GetValue<string>();
        var (otherId, otherAdmin) = await fx.NewAdminAsync(seeded);

        var answers = await Task.WhenAll(Suspend(otherId, seeded), Suspend(seededId, otherAdmin));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        // The one who waited was suspended meanwhile: no longer an admin (403), or their session has ended (401).
        Assert.Single(answers, a => a.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized);
        Assert.Equal(1L, await AdminsNotSuspendedAsync());

        // The one left lifts the other's suspension and the other is a member again, as the fixture began.
        var seededWon = answers[0].StatusCode == HttpStatusCode.OK;
        var (suspendedId, left) = seededWon ? (otherId, seeded) : (seededId, otherAdmin);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/admin/users/{suspendedId}/suspension", null, left)
        ).AssertStatus(204);
        await (await SetRole(otherId, "member", await SeededAdminAsync())).AssertStatus(200);
        Assert.Equal(1L, await AdminsNotSuspendedAsync());
    }

    [Fact]
    public async Task The_last_admin_in_force_cannot_delete_their_account_and_another_admin_can()
    {
        var seeded = await SeededAdminAsync();
        var refused = await (await fx.Client.DeleteAccount(seeded, fx.AdminPassword)).AssertProblem(409);
        Assert.Contains("last admin", refused["detail"]!.GetValue<string>());
        Assert.Equal(1L, await AdminsNotSuspendedAsync());

        var (_, otherAdmin) = await fx.NewAdminAsync(seeded);
        // Not the last: the seeded admin stays in force.
        await (await fx.Client.DeleteAccount(otherAdmin)).AssertStatus(204);
        Assert.Equal(1L, await AdminsNotSuspendedAsync());
    }

    [Fact]
    public async Task A_report_cannot_suspend_the_last_admin_not_suspended()
    {
        var seededId = Guid.Parse(TestTokens.Payload(await SeededAdminAsync())["sub"]!.GetValue<string>());
        Assert.Equal(1L, await AdminsNotSuspendedAsync());
        // Resolved by an admin who may have been suspended since (by this one, say).
        var resolution = new ReportResolved(
            Guid.NewGuid(),
            fx.Tick(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            "user",
            seededId,
            "harassment",
            "suspend_user",
            "Repeated harassment.",
            Guid.NewGuid()
        );

        await fx.DeliverAsync(resolution, "SuspendUserConsumer");

        Assert.Equal(1L, await AdminsNotSuspendedAsync());
        await SeededAdminAsync();
    }
}
