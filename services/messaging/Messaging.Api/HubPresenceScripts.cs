namespace Community.Messaging;

// The Lua scripts presence runs in Redis, each atomic and on Redis's clock (TIME), so every instance agrees on now.
public sealed partial class HubPresence
{
    private const string Now = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

        """;

    // KEYS: the user's connections, the online users; ARGV: member, lease ms, user. 1 when the user came online.
    private const string Connect =
        Now
        + """
            local lease = tonumber(ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
            redis.call('PEXPIRE', KEYS[1], lease)
            local added = redis.call('ZADD', KEYS[2], 'GT', now + lease, ARGV[3])
            redis.call('PEXPIRE', KEYS[2], lease)
            return added
            """;

    // Several connections at once. KEYS: for each connection in turn, its tombstone, the user's connections, the
    // online users, the joined conversations (their members "user/member"); ARGV: lease ms, then for each
    // connection its member, user and how many KEYS are its. A closed connection (tombstone) is never renewed back;
    // for each connection, 1 when the user was put back online.
    private const string Renew =
        Now
        + """
            local lease = tonumber(ARGV[1])
            local renewed = {}
            local k = 1
            for c = 1, (#ARGV - 1) / 3 do
              local member, user, count = ARGV[c * 3 - 1], ARGV[c * 3], tonumber(ARGV[c * 3 + 1])
              renewed[c] = 0
              if redis.call('EXISTS', KEYS[k]) == 0 then
                redis.call('ZADD', KEYS[k + 1], now + lease, member)
                redis.call('PEXPIRE', KEYS[k + 1], lease)
                renewed[c] = redis.call('ZADD', KEYS[k + 2], 'GT', now + lease, user)
                redis.call('PEXPIRE', KEYS[k + 2], lease)
                for i = k + 3, k + count - 1 do
                  redis.call('ZADD', KEYS[i], now + lease, user .. '/' .. member)
                  redis.call('PEXPIRE', KEYS[i], lease)
                end
              end
              k = k + count
            end
            return renewed
            """;

    // KEYS: the connection's tombstone, the conversation's joined connections; ARGV: "user/member", lease ms. Leases
    // of connections that died with their instance are dropped here (the key lives while anyone joins or renews).
    private const string Join =
        Now
        + """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
            return 1
            """;

    // An event chat's join. KEYS: the connection's tombstone, the conversation's joined connections, the pending
    // leaves; ARGV: "user/member", lease ms, user, the user's pending leave ("conversation/user"). 0: not joined (the
    // connection closed); 1: joined, and the user opened the chat (none of their connections was in it, and no leave of
    // theirs was pending); 2: joined, nothing to tell (they were in it, or this takes back their leave not told yet).
    private const string JoinEventChat =
        Now
        + Latest
        + """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            local away = latest(KEYS[2], ARGV[3]) == 0
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
            local taken = redis.call('ZREM', KEYS[3], ARGV[4])
            if away and taken == 0 then return 1 end
            return 2
            """;

    // After Now: when the user's latest entry in a chat's joined connections ("user/instance/connection") expires,
    // 0 when they have none left (the expired ones are dropped first). A scan of the chat's entries.
    private const string Latest = """
        local function latest(joined, user)
          redis.call('ZREMRANGEBYSCORE', joined, '-inf', now)
          local last = 0
          local entries = redis.call('ZRANGE', joined, 0, -1, 'WITHSCORES')
          for i = 1, #entries, 2 do
            if string.sub(entries[i], 1, 36) == user and tonumber(entries[i + 1]) > last then
              last = tonumber(entries[i + 1])
            end
          end
          return last
        end

        """;

    // After Now and Latest: makes the user's leave of an event chat pending until the linger ends, or until their
    // latest other entry in the chat would expire when that is later (a dead instance's entry, or one a renewal put
    // back, counts until then; a live one is renewed past it, and the leave is dropped when taken). The latest leave's
    // end wins: it was computed from what is in the chat now.
    private const string Pend = """
        local function pend(joined, pending, user, leave, linger)
          local due = math.max(now + linger, latest(joined, user))
          redis.call('ZADD', pending, due, leave)
          redis.call('PEXPIRE', pending, due - now + 3600000)
        end

        """;

    // A connection leaves an event chat (or a leave whose telling failed is pended again). KEYS: the chat's joined
    // connections, the pending leaves; ARGV: the connection's "user/member" ('' for none), user, the pending leave,
    // linger ms. In one step, so an opening on another instance finds either the connection or its pending leave; a
    // connection Redis did not have in the chat (its join ran into a close) pends nothing.
    private const string LeaveEventChat =
        Now
        + Latest
        + Pend
        + """
            if ARGV[1] ~= '' and redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            pend(KEYS[1], KEYS[2], ARGV[2], ARGV[3], tonumber(ARGV[4]))
            return 1
            """;

    // KEYS: the pending leaves; ARGV: how many. Those whose linger ended.
    private const string DueLeaves =
        Now
        + """
            return redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
            """;

    // KEYS: the pending leaves, the conversation's joined connections; ARGV: the pending leave, user. 1 when this call
    // took the leave (its linger ended; on one instance only) and the user is still away: tell it. While an entry of
    // the user is still in the chat (a renewal put it back, or another connection of theirs whose instance may have
    // died), the leave waits for that entry's expiry instead; a join of theirs takes it back as ever.
    private const string TakeLeave =
        Now
        + Latest
        + """
            local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not due or tonumber(due) > now then return 0 end
            local last = latest(KEYS[2], ARGV[2])
            if last > 0 then
              redis.call('ZADD', KEYS[1], last, ARGV[1])
              redis.call('PEXPIRE', KEYS[1], last - now + 3600000)
              return 0
            end
            redis.call('ZREM', KEYS[1], ARGV[1])
            return 1
            """;

    // KEYS: the connection's tombstone, the user's connections, the online users, the pending leaves, the joined
    // conversations; ARGV: member, lease ms, user, '1' to announce offline even if Redis lost the user (a replay after
    // an outage), linger ms, then for each joined conversation the user's pending leave when it is an event chat (''
    // when not): that leave is pended in the same step, when Redis had the connection in the chat. 1 when the user
    // went offline: their last live connection is gone.
    private const string Close =
        Now
        + Latest
        + Pend
        + """
            redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[2]))
            for i = 5, #KEYS do
              local removed = redis.call('ZREM', KEYS[i], ARGV[3] .. '/' .. ARGV[1])
              if removed == 1 and ARGV[i + 1] ~= '' then
                pend(KEYS[i], KEYS[4], ARGV[3], ARGV[i + 1], tonumber(ARGV[5]))
              end
            end
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
            if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
            if redis.call('ZREM', KEYS[3], ARGV[3]) == 1 or ARGV[4] == '1' then return 1 end
            return 0
            """;

    // KEYS: the online users; ARGV: how many. Users whose every lease has ended (their score bounds their leases).
    private const string Expired =
        Now
        + """
            return redis.call('ZRANGE', KEYS[1], '-inf', '(' .. now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
            """;

    // KEYS: the user's connections, the online users; ARGV: user. 1 when the user went offline (no live lease left).
    private const string Expire =
        Now
        + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
            if #last > 0 then
              redis.call('ZADD', KEYS[2], 'XX', last[2], ARGV[1])
              return 0
            end
            return redis.call('ZREM', KEYS[2], ARGV[1])
            """;

    // KEYS: sorted sets of leased members; for each, 1 when one of its leases is live.
    private const string AnyLive =
        Now
        + """
            local live = {}
            for i = 1, #KEYS do
              live[i] = redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf') > 0 and 1 or 0
            end
            return live
            """;

    // KEYS: a conversation's joined connections ("user/instance/connection", leased); the users with a live one,
    // each once.
    private const string LiveUsers =
        Now
        + """
            local seen, users = {}, {}
            for _, m in ipairs(redis.call('ZRANGE', KEYS[1], '(' .. now, '+inf', 'BYSCORE')) do
              local user = string.sub(m, 1, 36)
              if not seen[user] then
                seen[user] = true
                users[#users + 1] = user
              end
            end
            return users
            """;

    // KEYS: a sorted set of leased members; those whose lease is live.
    private const string LiveMembers =
        Now
        + """
            return redis.call('ZRANGE', KEYS[1], '(' .. now, '+inf', 'BYSCORE')
            """;
}
