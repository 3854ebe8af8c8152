using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Tests.Auth;

public sealed class SessionRevocationsTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private readonly TestClock _clock = new();
    private readonly SessionRevocations _set;

    public SessionRevocationsTests() =>
        _set = new SessionRevocations(_clock, Options.Create(new JwtOptions { ClockSkewSeconds = 30 }));

    [Fact]
    public void An_ended_session_is_refused_and_another_session_of_the_user_is_not()
    {
        var (user, ended, other) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var now = _clock.GetUtcNow();
        _set.Add(user, ended, null, now + Lifetime);

        Assert.True(_set.HasEnded(user, ended, now.AddSeconds(-5)));
        Assert.False(_set.HasEnded(user, other, now.AddSeconds(-5)));
        Assert.False(_set.HasEnded(user, null, now.AddSeconds(-5)));
    }

    [Fact]
    public void A_not_before_refuses_the_users_older_tokens_only()
    {
        var (user, stranger) = (Guid.NewGuid(), Guid.NewGuid());
        var now = _clock.GetUtcNow();
        _set.Add(user, null, now, now + Lifetime);

        Assert.True(_set.HasEnded(user, Guid.NewGuid(), now.AddSeconds(-1)));
        Assert.False(_set.HasEnded(user, Guid.NewGuid(), now));
        Assert.False(_set.HasEnded(user, Guid.NewGuid(), now.AddSeconds(1)));
        Assert.False(_set.HasEnded(stranger, Guid.NewGuid(), now.AddSeconds(-1)));

        // A later end moves the cutoff forward, an earlier one (a late message) never back.
        _set.Add(user, null, now.AddMinutes(2), now.AddMinutes(2) + Lifetime);
        _set.Add(user, null, now.AddMinutes(-1), now + Lifetime);
        Assert.True(_set.HasEnded(user, null, now.AddMinutes(1)));
    }

    [Fact]
    public void Entries_are_forgotten_once_no_token_they_match_is_accepted()
    {
        var user = Guid.NewGuid();
        var now = _clock.GetUtcNow();
        _set.Add(user, Guid.NewGuid(), null, now + Lifetime);
        _set.Add(user, null, now, now + Lifetime);
        Assert.Equal(2, _set.Count);

        // Expired tokens are still accepted within the clock skew, so the entries stay that long.
        _clock.Advance(Lifetime + TimeSpan.FromSeconds(20));
        Assert.True(_set.HasEnded(user, null, now.AddSeconds(-1)));
        Assert.Equal(2, _set.Count);

        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.False(_set.HasEnded(user, null, now.AddSeconds(-1)));
        Assert.Equal(0, _set.Count);

        // One that arrives already stale is never kept.
        _set.Add(user, Guid.NewGuid(), null, now + Lifetime);
        Assert.Equal(0, _set.Count);
    }

    [Fact]
    public async Task The_feed_reads_every_page_with_its_cursor_and_keeps_polling()
    {
        var user = Guid.NewGuid();
        var expires = _clock.GetUtcNow() + Lifetime;
        var source = new PagedSource([
            .. Enumerable.Range(1, 5).Select(i => new Revocation(i * 10, user, Guid.NewGuid(), null, expires)),
        ]);
        var feed = new RevocationFeed(
            source,
            _set,
            Options.Create(new RevocationFeedOptions { PollInterval = TimeSpan.FromMilliseconds(20) }),
            _clock,
            new Microsoft.Extensions.Hosting.Internal.ApplicationLifetime(
                NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance
            ),
            NullLogger<RevocationFeed>.Instance
        );

        await feed.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => Task.FromResult(feed.Cursor == 50), "the feed never caught up");
        Assert.Equal(5, _set.Count);

        // The cutoff is fixed here: reading the clock again after the wait failed on a busy machine once the wait took
        // over a second.
        var endedAt = _clock.GetUtcNow();
        source.Append(new Revocation(60, user, null, endedAt, expires));
        await Eventually.TrueAsync(() => Task.FromResult(feed.Cursor == 60), "the feed stopped polling");
        Assert.True(_set.HasEnded(user, null, endedAt.AddSeconds(-1)));
        Assert.False(_set.HasEnded(user, null, endedAt));
        await feed.StopAsync(CancellationToken.None);
        Assert.Equal([0L, 20L, 40L], source.Requests.Take(3));
    }

    /// <summary>Serves two revocations a page, as identity's feed serves <see cref="RevocationPage"/>s.</summary>
    private sealed class PagedSource(List<Revocation> items) : IRevocationSource
    {
        public List<long> Requests { get; } = [];

        public void Append(Revocation revocation)
        {
            lock (items)
                items.Add(revocation);
        }

        public Task<RevocationPage> ReadAsync(long after, CancellationToken cancellationToken)
        {
            lock (items)
            {
                Requests.Add(after);
                var page = items.Where(r => r.Sequence > after).Take(2).ToList();
                return Task.FromResult(new RevocationPage(page, page.Count > 0 ? page[^1].Sequence : after));
            }
        }
    }
}
