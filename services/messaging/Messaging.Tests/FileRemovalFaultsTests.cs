using Community.Messaging.Attachments;
using Community.ServiceDefaults.Blobs;

namespace Community.Messaging.Tests;

/// <summary>
/// Messaging whose next blob deletes fail and are not written down to be tried again either, as when the instance dies
/// right after a commit that removed a file's row; its blob deletion retries run every second.
/// </summary>
public sealed class FileRemovalFaultsFixture : MessagingFixture
{
    /// <summary>How many of the next blob deletes fail.</summary>
    public int FailingDeletes;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings[$"{AttachmentsApi.BlobSection}:DeleteRetryEvery"] = "00:00:01";
    }

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        var store = services.Last(d => d.ServiceType == typeof(IBlobStore));
        services.Remove(store);
        services.AddSingleton<IBlobStore>(s => new LostDeletes((IBlobStore)store.ImplementationFactory!(s), this));
    }

    private sealed class LostDeletes(IBlobStore inner, FileRemovalFaultsFixture fixture) : IBlobStore, IDisposable
    {
        public Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken) =>
            inner.PutAsync(key, content, contentType, cancellationToken);

        public Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken) =>
            inner.OpenReadAsync(key, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref fixture.FailingDeletes) >= 0
                ? Task.FromException(new IOException("The instance died after the commit (the test's)."))
                : inner.DeleteAsync(key, cancellationToken);

        // A dead instance writes nothing down.
        public Task<bool> DeleteLaterAsync(string key, string error) => Task.FromResult(false);

        public string? PublicUrl(string key) => inner.PublicUrl(key);

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }
}

/// <summary>
/// A file whose row goes (its message deleted by its author or after a report, or removed unsent by its uploader) is
/// written down for deletion by the same transaction: it leaves the bucket even when nothing after the commit runs.
/// </summary>
public sealed class FileRemovalFaultsTests(FileRemovalFaultsFixture fx) : IClassFixture<FileRemovalFaultsFixture>
{
    [Theory]
    [InlineData("message")]
    [InlineData("report")]
    [InlineData("unsent")]
    public async Task A_removed_file_leaves_the_bucket_even_when_the_instance_dies_right_after_the_commit(string how)
    {
        var (_, a, bId, _, c) = await fx.PairAsync();
        var file = (await (await fx.UploadAsync(a, c, Images.Png(), "p.png", "image/png")).AssertStatus(201))[
            "id"
        ]!.GetValue<string>();
        var key = await fx.ScalarAsync<string>(
            "SELECT blob_key FROM attachments WHERE id = @id",
            ("id", Guid.Parse(file))
        );
        var blobs = fx.Host.Services.GetRequiredService<IBlobStore>();
        Assert.False(await AttachmentsTests.GoneAsync(blobs, key!));
        var message =
            how == "unsent"
                ? null
                : await fx.Client.PostJson(
                    $"/api/v1/conversations/{c}/messages",
                    new
                    {
                        text = "With a file",
                        attachments = new[] { file },
                        client_txn_id = Guid.NewGuid().ToString("N"),
                    },
                    a
                );
        var messageId = message is null ? Guid.Empty : (await message.AssertStatus(201))["id"]!.GetValue<Guid>();
        Interlocked.Exchange(ref fx.FailingDeletes, 1);

        switch (how)
        {
            case "message":
                await (
                    await fx.Client.SendJson(
                        HttpMethod.Delete,
                        $"/api/v1/conversations/{c}/messages/{messageId}",
                        null,
                        a
                    )
                ).AssertStatus(204);
                break;
            case "report":
                await fx.DeliverAsync(
                    new ReportResolved(
                        Guid.NewGuid(),
                        fx.Tick(),
                        Guid.NewGuid(),
                        bId,
                        ReportTargets.Message,
                        messageId,
                        "harassment",
                        ReportActions.RemoveContent,
                        null,
                        Guid.NewGuid()
                    ),
                    "ReportedMessageRemover"
                );
                break;
            default:
                await (
                    await fx.Client.SendJson(
                        HttpMethod.Delete,
                        $"/api/v1/conversations/{c}/attachments/{file}",
                        null,
                        a
                    )
                ).AssertStatus(204);
                break;
        }
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM attachments WHERE id = @id", ("id", Guid.Parse(file)))
        );

        await Eventually.TrueAsync(
            async () =>
                await AttachmentsTests.GoneAsync(blobs, key!)
                && await fx.ScalarAsync<long>("SELECT count(*) FROM blob_deletions WHERE key = @k", ("k", key!)) == 0,
            $"a file removed ({how}) stayed in storage after the instance died right after the commit",
            TimeSpan.FromSeconds(10)
        );
    }
}
