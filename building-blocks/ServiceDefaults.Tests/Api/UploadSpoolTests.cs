using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class UploadSpoolTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void The_first_upload_in_is_let_in_whatever_its_size_and_the_next_waits_for_room()
    {
        var spool = new UploadSpool(10 * MiB, TimeSpan.FromMinutes(2));
        var (one, other) = (Guid.NewGuid(), Guid.NewGuid());

        // A budget below an endpoint's limit slows uploads to one at a time rather than refusing them all.
        using (spool.Reserve(one, 20 * MiB))
        {
            Assert.Equal(20 * MiB, spool.Reserved);
            var busy = Assert.Throws<ServiceUnavailableException>(() => spool.Reserve(other, 1));
            Assert.Equal(UploadSpool.RetryAfter, busy.RetryAfter);
        }
        Assert.Equal(0, spool.Reserved);

        // A person's uploads in flight hold at most a quarter of it, beyond their first.
        using var first = spool.Reserve(one, 2 * MiB);
        using var second = spool.Reserve(one, MiB / 2);
        var theirs = Assert.Throws<TooManyRequestsException>(() => spool.Reserve(one, MiB / 2));
        Assert.Equal(UploadSpool.RetryAfter, theirs.RetryAfter);
        using var others = spool.Reserve(other, 7 * MiB);
        Assert.Throws<ServiceUnavailableException>(() => spool.Reserve(Guid.NewGuid(), MiB));

        // Given back once, however often disposed.
        second.Dispose();
        second.Dispose();
        Assert.Equal(9 * MiB, spool.Reserved);
        using var third = spool.Reserve(one, MiB / 2);
        Assert.Equal(9 * MiB + MiB / 2, spool.Reserved);
    }

    [Fact]
    public void An_empty_upload_beside_another_of_the_same_person_is_released_after_it_whatever_the_order()
    {
        var spool = new UploadSpool(10 * MiB, TimeSpan.FromMinutes(2));
        var one = Guid.NewGuid();

        var empty = spool.Reserve(one, 0);
        var file = spool.Reserve(one, MiB);
        file.Dispose();
        empty.Dispose();
        Assert.Equal(0, spool.Reserved);

        // Their next uploads are counted from nothing again.
        using var next = spool.Reserve(one, 2 * MiB);
        using var after = spool.Reserve(one, MiB / 2);
        Assert.Throws<TooManyRequestsException>(() => spool.Reserve(one, MiB / 2));
    }
}
