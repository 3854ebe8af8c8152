namespace Community.Identity.Tests;

/// <summary>
/// The platform always keeps an admin: nobody gives up their own admin role, and two admins demoting each other at
/// once leave one. Its own fixture: the seeded admin may lose the role here.
/// </summary>
public sealed class AdminRoleGuardTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task An_admin_cannot_demote_themselves_and_two_demoting_each_other_at_once_leave_one_admin()
    {
        var seeded = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        var seededId = TestTokens.Payload(seeded)["sub"]!.GetValue<string>();
        Task<HttpResponseMessage> SetRole(string userId, string role, string token) =>
            fx.Client.SendJson(HttpMethod.Put, $"/api/v1/users/{userId}/role", new { role }, token);

        var own = await (await SetRole(seededId, "member", seeded)).AssertProblem(409);
        Assert.Contains("your own admin role", own["detail"]!.GetValue<string>());
        await (await SetRole(seededId, "admin", seeded)).AssertStatus(200);

        for (var round = 0; round < 3; round++)
        {
            var (otherId, otherAdmin) = await fx.NewAdminAsync(seeded);

            var answers = await Task.WhenAll(
                SetRole(otherId, "member", seeded),
                SetRole(seededId, "member", otherAdmin)
            );
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
            Assert.Single(answers, a => a.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized);
            Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'admin'"));

            // Whoever is left an admin hands the role back, so the next round starts as this one did.
            if (answers[1].StatusCode == HttpStatusCode.OK)
            {
                await (await SetRole(seededId, "admin", otherAdmin)).AssertStatus(200);
                seeded = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
                await (await SetRole(otherId, "member", seeded)).AssertStatus(200);
            }
        }
    }

    [Fact]
    public async Task An_admin_demoted_while_resetting_a_members_two_factor_resets_nothing()
    {
        var seeded = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        var (otherId, otherAdmin) = await fx.NewAdminAsync(seeded);
        var member = await fx.RegisterAsync();
        var memberId = Guid.Parse(member["user"]!["id"]!.GetValue<string>());
        await fx.TurnOnTwoFactorAsync(member["access_token"]!.GetValue<string>());

        // The reset got past the token check; the seeded admin demotes its caller, holding the admins' rows and the
        // member's, and commits while the reset waits.
        var answer = await fx.CommitsWhileWaitedOnAsync(
            "SELECT 1 FROM users WHERE role = 'admin' OR id = @member ORDER BY id FOR UPDATE; "
                + "UPDATE users SET role = 'member' WHERE id = @caller",
            () => fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/admin/users/{memberId}/two-factor", null, otherAdmin),
            "the reset never waited for the admins' rows or the member's",
            ("member", memberId),
            ("caller", Guid.Parse(otherId))
        );

        await answer.AssertProblem(403);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM two_factor_secrets WHERE user_id = @id AND enabled_at IS NOT NULL",
                ("id", memberId)
            )
        );
    }
}
