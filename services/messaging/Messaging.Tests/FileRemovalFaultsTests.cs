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
        // A dead instance writes nothing down.
        services.WrapBlobStore(
            (_, store) =>
                new FaultyBlobStore(
                    store,
                    deleteFails: () => Interlocked.Decrement(ref FailingDeletes) >= 0,
                    failedDeletesWrittenDown: false
                )
        );
    }
}

/// <summary>
/// A file whose row goes (its message deleted by its author or after a report, removed unsent by its uploader, or
/// swept a day after its upload, never sent) is written down for deletion by the same transaction: it leaves the
/// bucket even when nothing after the commit runs.
/// </summary>
public sealed class FileRemovalFaultsTests(FileRemovalFaultsFixture fx) : IClassFixture<FileRemovalFaultsFixture>
{
    [Theory]
    [InlineData("message")]
    [InlineData("report")]
    [InlineData("unsent")]
    [InlineData("swept")]
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
        var message = how is "unsent" or "swept"
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
            case "unsent":
                await (
                    await fx.Client.SendJson(
                        HttpMethod.Delete,
                        $"/api/v1/conversations/{c}/attachments/{file}",
                        null,
                        a
                    )
                ).AssertStatus(204);
                break;
            default:
                // Never sent, and a day old: the sweep takes it.
                await fx.ExecuteAsync(
                    "UPDATE attachments SET created_at = created_at - interval '25 hours' WHERE id = @id",
                    ("id", Guid.Parse(file))
                );
                await fx.Host.Services.GetRequiredService<UnsentAttachments>().SweepAsync(CancellationToken.None);
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
