using Community.Contracts.Identity;
using Community.Messaging.Attachments;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Tests;

/// <summary>
/// Messaging whose account erasures can fail after their commit, in a follow-up that runs just before the unsent
/// files' own (as the conversation and group members' pushes do), and whose blob deletions are retried every second.
/// </summary>
public sealed class ErasureFaultsFixture : MessagingFixture
{
    /// <summary>How many of the next erasures' follow-ups fail.</summary>
    public int FailingFollowUps;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings[$"{AttachmentsApi.BlobSection}:DeleteRetryEvery"] = "00:00:01";
    }

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        // The erasers run in the order registered: this one goes right before the unsent files' share.
        var files = services.Single(d => d.ImplementationType == typeof(UnsentAttachmentsEraser));
        services.Insert(
            services.IndexOf(files),
            ServiceDescriptor.Scoped<IUserDataEraser>(_ => new FailingFollowUp(this))
        );
    }

    private sealed class FailingFollowUp(ErasureFaultsFixture fixture) : IUserDataEraser
    {
        public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ErasedAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref fixture.FailingFollowUps) >= 0
                ? Task.FromException(new InvalidOperationException("A push after the erasure failed (the test's)."))
                : Task.CompletedTask;
    }
}

public sealed class AttachmentErasureTests(ErasureFaultsFixture fx) : IClassFixture<ErasureFaultsFixture>
{
    [Fact]
    public async Task A_deleted_accounts_unsent_file_goes_even_when_a_follow_up_before_its_delete_fails()
    {
        var (aId, a, _, _, c) = await fx.PairAsync();
        await (await fx.UploadAsync(a, c, Images.Png(), "draft.png", "image/png")).AssertStatus(201);
        var key = await fx.ScalarAsync<string>(
            "SELECT blob_key FROM attachments WHERE uploader_id = @a AND message_id IS NULL",
            ("a", aId)
        );
        var blobs = fx.Host.Services.GetRequiredService<IBlobStore>();
        Assert.False(await AttachmentsTests.GoneAsync(blobs, key!));
        Interlocked.Exchange(ref fx.FailingFollowUps, 1);

        // The erasure commits, a follow-up before the files' own throws, and the redelivery is skipped by the inbox:
        // the files' follow-up never runs.
        var deleted = new UserDeleted(Guid.NewGuid(), fx.Tick(), aId);
        await fx.PublishAsync(deleted);
        await fx.ConsumedAsync(deleted.MessageId, "UserDeletedConsumer", 1);
        Assert.Equal(0, Volatile.Read(ref fx.FailingFollowUps));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM attachments WHERE uploader_id = @a", ("a", aId))
        );

        await Eventually.TrueAsync(
            async () =>
                await AttachmentsTests.GoneAsync(blobs, key!)
                && await fx.ScalarAsync<long>("SELECT count(*) FROM blob_deletions WHERE key = @k", ("k", key!)) == 0,
            "a deleted account's unsent file stayed in storage after a follow-up of its erasure failed"
        );
    }
}
