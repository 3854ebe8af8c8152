import type { ChatHubClient } from "@community/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Me, problemText, resync, Session } from "./session";
import { type Reply, stubPlatform } from "./testing";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  delete (navigator as { locks?: unknown }).locks;
  sessionStorage.clear();
  localStorage.clear();
});

const user = { id: "me", username: "me", role: "member" };

/** A tab whose sessionStorage holds a session (as a sign-in, or the tab it was duplicated from, left it). */
function keptSession(access: string, refresh: string, expiresInMs: number) {
  sessionStorage.setItem("community.session", JSON.stringify({ access, refresh, expiresAt: Date.now() + expiresInMs, user, id: crypto.randomUUID() }));
}

/** Identity's answer to a refresh: the next pair. */
const pair = (n: number) => ({ status: 200, body: { access_token: `a${n}`, refresh_token: `r${n}`, expires_in: 900, user } });

const tokenOf = (session: Session) => (session as unknown as { stored: { access: string } | null }).stored?.access;

/** Web Locks as a browser gives them to the tabs of one origin: one holder of a name at a time, the others queued. */
function webLocks() {
  const queues = new Map<string, { tail: Promise<unknown>; waiting: number }>();
  type Granted = (lock: { name: string } | null) => unknown;
  return {
    request(name: string, options: { ifAvailable?: boolean } | Granted, granted?: Granted) {
      const callback = (typeof options === "function" ? options : granted)!;
      const queue = queues.get(name) ?? { tail: Promise.resolve(), waiting: 0 };
      queues.set(name, queue);
      if (typeof options === "object" && options.ifAvailable && queue.waiting > 0) return Promise.resolve(callback(null));
      queue.waiting++;
      const run = queue.tail.then(() => callback({ name })).finally(() => queue.waiting--);
      queue.tail = run.catch(() => undefined);
      return run;
    },
  };
}

describe("Session", () => {
  it("refreshes again when identity could not answer the refresh, after its Retry-After, and stays signed in", async () => {
    vi.useFakeTimers();
    keptSession("a1", "r1", 30_000);
    let unavailable = true;
    const asked = stubPlatform(({ path }) => (path !== "/api/v1/auth/refresh" ? undefined : unavailable ? { status: 503, body: { title: "Service Unavailable" }, headers: { "Retry-After": "7" } } : pair(2)));
    const session = new Session("http://localhost");

    await vi.advanceTimersByTimeAsync(0); // a minute before expiry is now
    expect(asked).toHaveLength(1);
    unavailable = false;
    await vi.advanceTimersByTimeAsync(6_900);
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(asked.map((a) => a.body.refresh_token)).toEqual(["r1", "r1"]);
    expect(tokenOf(session)).toBe("a2");
    expect(session.user).not.toBeNull();
  });

  it("refreshes again 5 s after a 502 without Retry-After", async () => {
    vi.useFakeTimers();
    keptSession("a1", "r1", 30_000);
    const asked = stubPlatform(({ path }) => (path === "/api/v1/auth/refresh" ? { status: 502, body: null } : undefined));
    const session = new Session("http://localhost");

    await vi.advanceTimersByTimeAsync(4_900);
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(asked).toHaveLength(2);
    expect(session.user).not.toBeNull();
  });

  it("signs out with an expired access token: refreshes it, and ends the session at identity with the new one", async () => {
    vi.useFakeTimers(); // the tab slept through the refresh a minute before expiry
    keptSession("a1", "r1", -1_000);
    const asked = stubPlatform(({ path, request }) => {
      if (path === "/api/v1/auth/refresh") return pair(2);
      if (path === "/api/v1/auth/logout") return request.headers.get("Authorization") === "Bearer a2" ? { status: 204 } : { status: 401, body: { title: "Unauthorized" } };
      return undefined;
    });
    const session = new Session("http://localhost");

    await session.signOut();
    expect(asked.map((a) => `${a.path} ${a.request.headers.get("Authorization") ?? ""}`.trim())).toEqual([
      "/api/v1/auth/logout Bearer a1",
      "/api/v1/auth/refresh",
      "/api/v1/auth/logout Bearer a2",
    ]);
    expect(session.user).toBeNull();
  });

  it("signs out everywhere else with an expired access token: refreshes it, and asks again with the new one", async () => {
    vi.useFakeTimers();
    keptSession("a1", "r1", -1_000);
    const asked = stubPlatform(({ path, request }) => {
      if (path === "/api/v1/auth/refresh") return pair(2);
      if (path === "/api/v1/auth/logout/others")
        return request.headers.get("Authorization") === "Bearer a2" ? { status: 200, body: { sessions_ended: 1 } } : { status: 401, body: { title: "Unauthorized" } };
      return undefined;
    });
    const session = new Session("http://localhost");

    const { data } = await session.api.identity.POST("/api/v1/auth/logout/others");
    expect(data).toEqual({ sessions_ended: 1 });
    expect(asked.map((a) => `${a.path} ${a.request.headers.get("Authorization") ?? ""}`.trim())).toEqual([
      "/api/v1/auth/logout/others Bearer a1",
      "/api/v1/auth/refresh",
      "/api/v1/auth/logout/others Bearer a2",
    ]);
    expect(session.user).not.toBeNull();
  });

  it("does not send a request refused for one account again as the account signed in meanwhile", async () => {
    keptSession("a1", "r1", 600_000);
    let answer: (reply: { status: number; body: unknown }) => void = () => undefined;
    const other = { id: "them", username: "them", role: "member" };
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/users/me") return new Promise((resolve) => (answer = resolve));
      if (path === "/api/v1/auth/login") return { status: 200, body: { access_token: "b1", refresh_token: "s1", expires_in: 900, user: other } };
      return pair(2);
    });
    const session = new Session("http://localhost");

    const read = session.api.identity.GET("/api/v1/users/me");
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(await session.signIn("them", "their password")).toEqual({ error: null });
    answer({ status: 401, body: { title: "Unauthorized" } });

    expect((await read).response.status).toBe(401);
    expect(asked.map((a) => `${a.path} ${a.request.headers.get("Authorization") ?? ""}`.trim())).toEqual([
      "/api/v1/users/me Bearer a1",
      "/api/v1/auth/login",
    ]);
    expect(session.user).toEqual(other);
  });

  it("takes a wrong password's 401 as the answer: no refresh, nothing asked again", async () => {
    vi.useFakeTimers();
    keptSession("a1", "r1", 600_000);
    const asked = stubPlatform(({ path }) => (path === "/api/v1/auth/login" ? { status: 401, body: { title: "Unauthorized", detail: "Wrong password." } } : pair(2)));
    const session = new Session("http://localhost");

    expect(await session.signIn("me", "wrong")).toEqual({ error: "Wrong password." });
    expect(asked.map((a) => a.path)).toEqual(["/api/v1/auth/login"]);
  });

  it("refreshes once for two duplicated tabs: the tab that waited takes the pair the other one got", async () => {
    Object.defineProperty(navigator, "locks", { value: webLocks(), configurable: true });
    keptSession("a1", "r1", 600_000);
    // identity takes a second use of a spent refresh token for theft, and ends the session
    const spent = new Set<string>();
    const asked = stubPlatform(({ path, body }) => {
      if (path !== "/api/v1/auth/refresh") return undefined;
      if (spent.has(body.refresh_token)) return { status: 401, body: { title: "Unauthorized" } };
      spent.add(body.refresh_token);
      return pair(Number(body.refresh_token.slice(1)) + 1);
    });
    const tab = new Session("http://localhost");
    const duplicate = new Session("http://localhost");

    expect(await Promise.all([tab.refresh(), duplicate.refresh()])).toEqual([true, true]);
    expect(asked.map((a) => a.body.refresh_token)).toEqual(["r1"]);
    expect([tokenOf(tab), tokenOf(duplicate)]).toEqual(["a2", "a2"]);

    // the next refresh, from either tab, spends the pair they now share
    expect(await Promise.all([duplicate.refresh(), tab.refresh()])).toEqual([true, true]);
    expect(asked.map((a) => a.body.refresh_token)).toEqual(["r1", "r2"]);
    expect([tokenOf(tab), tokenOf(duplicate)]).toEqual(["a3", "a3"]);
  });

  /**
   * Identity as it is to duplicated tabs: a second use of a spent refresh token is taken for theft, and ends the session
   * (`ended`), in every tab; the tab that went on with it is refused from then on.
   */
  function identityTakingReuseForTheft() {
    const spent = new Set<string>();
    const state = { ended: false };
    const asked = stubPlatform(({ path, body }) => {
      if (path !== "/api/v1/auth/refresh") return undefined;
      if (state.ended || spent.has(body.refresh_token)) {
        state.ended = true;
        return { status: 401, body: { title: "Unauthorized" } };
      }
      spent.add(body.refresh_token);
      return pair(Number(body.refresh_token.slice(1)) + 1);
    });
    return { asked, state };
  }

  /**
   * Two duplicated tabs of one session: `tab` refreshed (r1 spent) while the other was away (at a checkout, or
   * discarded), which kept what sessionStorage held before (`kept`).
   */
  async function refreshedWhileAway() {
    Object.defineProperty(navigator, "locks", { value: webLocks(), configurable: true });
    keptSession("a1", "r1", 600_000);
    const identity = identityTakingReuseForTheft();
    const tab = new Session("http://localhost");
    const kept = sessionStorage.getItem("community.session")!;
    expect(await tab.refresh()).toBe(true);
    return { ...identity, tab, kept };
  }

  /** A duplicated tab that was away (at a checkout, or discarded) while `tab` refreshed: it wakes with the pair it had. */
  function wokenWith(kept: string): Session {
    sessionStorage.setItem("community.session", kept);
    return new Session("http://localhost");
  }

  it("takes the newest pair from the tab that refreshed while this duplicate was away, and never spends its spent token", async () => {
    const { asked, state, tab, kept } = await refreshedWhileAway();
    const back = wokenWith(kept);
    expect(await back.refresh()).toBe(true);
    expect(asked.map((a) => a.body.refresh_token)).toEqual(["r1"]);
    expect([tokenOf(tab), tokenOf(back)]).toEqual(["a2", "a2"]);

    // both go on with the one session: the next refresh spends the newest token, and the other tab takes its pair
    expect(await back.refresh()).toBe(true);
    await vi.waitFor(() => expect(tokenOf(tab)).toBe("a3"));
    expect(asked.map((a) => a.body.refresh_token)).toEqual(["r1", "r2"]);
    expect(state.ended).toBe(false);
    expect([tab.user, back.user]).toEqual([user, user]);
  });

  it("ends only its own session when the tab that went on with it is gone, without spending its spent token", async () => {
    const { asked, state, tab, kept } = await refreshedWhileAway();
    const fresh = sessionStorage.getItem("community.session")!;
    (tab as unknown as { tabs: BroadcastChannel }).tabs.close(); // discarded by the browser: nothing listens

    const back = wokenWith(kept);
    expect(await back.refresh()).toBe(false);
    expect(back.user).toBeNull();
    expect(back.endedBecause).toBe("This session went on in another tab, since closed. Sign in again.");
    expect(asked.map((a) => a.body.refresh_token)).toEqual(["r1"]);

    // the discarded tab, reloaded, goes on with the session it kept
    const reloaded = wokenWith(fresh);
    expect(await reloaded.refresh()).toBe(true);
    expect(tokenOf(reloaded)).toBe("a3");
    expect(state.ended).toBe(false);
  });
});

describe("Session, changing the password", () => {
  /** Identity's answer to a password change: the pair this session goes on with. */
  const changed = (n: number) => ({ status: 200, body: { user, access_token: `a${n}`, refresh_token: `r${n}`, token_type: "Bearer", expires_in: 900 } });
  const refreshes = (asked: { path: string; body: any }[]) => asked.filter((a) => a.path === "/api/v1/auth/refresh").map((a) => a.body.refresh_token);

  /**
   * Identity: a change of password ends every other session and replaces this one's refresh token (`r1` is spent the
   * moment it is made, whenever its answer comes: `answer` holds it back); a spent refresh token is refused.
   */
  function identity(answer: (reply: Reply) => Promise<Reply> = async (reply) => reply) {
    const spent = new Set<string>();
    const asked = stubPlatform(({ path, body, request }) => {
      if (path === "/api/v1/users/me/password") {
        if (request.headers.get("Authorization") === "Bearer expired") return { status: 401, body: { title: "Unauthorized" } };
        spent.add("r1");
        return answer(changed(5));
      }
      if (path !== "/api/v1/auth/refresh") return undefined;
      if (spent.has(body.refresh_token)) return { status: 401, body: { title: "Unauthorized" } };
      spent.add(body.refresh_token);
      return pair(Number(body.refresh_token.slice(1)) + 1);
    });
    return asked;
  }

  it("goes on with the pair identity answers, and so do its duplicated tabs; a tab of another session keeps its own", async () => {
    Object.defineProperty(navigator, "locks", { value: webLocks(), configurable: true });
    keptSession("a1", "r1", 600_000);
    const tab = new Session("http://localhost");
    const duplicate = new Session("http://localhost");
    keptSession("b1", "s1", 600_000);
    const other = new Session("http://localhost");
    const asked = identity();

    expect(await tab.changePassword("sunny dunes 42", "quiet harbour 77", "123456")).toEqual({ error: null });
    expect(asked.map((a) => [a.path, a.body])).toEqual([
      ["/api/v1/users/me/password", { current_password: "sunny dunes 42", new_password: "quiet harbour 77", code: "123456" }],
    ]);
    expect(tokenOf(tab)).toBe("a5");
    await vi.waitFor(() => expect(tokenOf(duplicate)).toBe("a5"));
    expect(tokenOf(other)).toBe("b1");

    // the duplicate's next refresh spends the new refresh token, and hands the next pair to the tab
    expect(await duplicate.refresh()).toBe(true);
    expect(refreshes(asked)).toEqual(["r5"]);
    await vi.waitFor(() => expect(tokenOf(tab)).toBe("a6"));
    expect([tab.user, duplicate.user]).toEqual([user, user]);
  });

  it("holds a duplicated tab's refresh until it is answered: that tab takes its pair instead of spending the token it replaced", async () => {
    Object.defineProperty(navigator, "locks", { value: webLocks(), configurable: true });
    keptSession("a1", "r1", 600_000);
    let release: () => void = () => undefined;
    const asked = identity((reply) => new Promise((resolve) => (release = () => resolve(reply))));
    const tab = new Session("http://localhost");
    const duplicate = new Session("http://localhost");

    const change = tab.changePassword("sunny dunes 42", "quiet harbour 77");
    await vi.waitFor(() => expect(asked.map((a) => a.path)).toEqual(["/api/v1/users/me/password"]));
    const refreshed = duplicate.refresh(); // its timer, say: r1 is already spent at identity
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();

    expect(await change).toEqual({ error: null });
    expect(await refreshed).toBe(true);
    expect(refreshes(asked)).toEqual([]);
    expect([tokenOf(tab), tokenOf(duplicate)]).toEqual(["a5", "a5"]);
    expect(duplicate.endedBecause).toBeNull();
  });

  it("refreshes an access token refused on the way under the lock it holds, and sends the change again with the new one", async () => {
    Object.defineProperty(navigator, "locks", { value: webLocks(), configurable: true });
    keptSession("expired", "r1", 600_000); // refused, as one the platform ended is
    const asked = identity();
    const tab = new Session("http://localhost");

    expect(await tab.changePassword("sunny dunes 42", "quiet harbour 77")).toEqual({ error: null });
    expect(asked.map((a) => `${a.path} ${a.request.headers.get("Authorization") ?? ""}`.trim())).toEqual([
      "/api/v1/users/me/password Bearer expired",
      "/api/v1/auth/refresh",
      "/api/v1/users/me/password Bearer a2",
    ]);
    expect(tokenOf(tab)).toBe("a5");
  });

  it("refreshes first an access token that would expire before its answer could come", async () => {
    keptSession("a1", "r1", 90_000);
    const asked = identity();
    const tab = new Session("http://localhost");

    expect(await tab.changePassword("sunny dunes 42", "quiet harbour 77")).toEqual({ error: null });
    expect(asked.map((a) => `${a.path} ${a.request.headers.get("Authorization") ?? ""}`.trim())).toEqual(["/api/v1/auth/refresh", "/api/v1/users/me/password Bearer a2"]);
    expect(tokenOf(tab)).toBe("a5");
  });

  it("says a refusal in identity's words, with a 429's wait, and keeps the pair", async () => {
    keptSession("a1", "r1", 600_000);
    stubPlatform(({ path }) =>
      path === "/api/v1/users/me/password"
        ? { status: 429, body: { title: "Too Many Requests", status: 429, detail: "Too many attempts: wait a minute." }, headers: { "Retry-After": "60" } }
        : undefined,
    );
    const tab = new Session("http://localhost");

    expect(await tab.changePassword("wrong", "quiet harbour 77")).toEqual({ error: "Too many attempts: wait a minute.", wait: 60 });
    expect(tokenOf(tab)).toBe("a1");
  });
});

describe("Session, signing out", () => {
  it("ends the session in its duplicated tabs too, saying why; a tab of another session stays signed in", async () => {
    keptSession("a1", "r1", 600_000);
    const tab = new Session("http://localhost");
    const duplicate = new Session("http://localhost");
    keptSession("b1", "s1", 600_000);
    const other = new Session("http://localhost");
    const asked = stubPlatform(({ path }) => (path === "/api/v1/auth/logout" ? { status: 204 } : undefined));

    await tab.signOut();
    await vi.waitFor(() => expect(tokenOf(duplicate)).toBeUndefined());
    expect(duplicate.endedBecause).toBe("You signed out in another tab.");
    expect(tab.endedBecause).toBeNull();
    expect(tokenOf(other)).toBe("b1");
    expect(asked.map((a) => a.path)).toEqual(["/api/v1/auth/logout"]);
  });
});

describe("Session, another account signed in while a refresh was on its way", () => {
  const olga = { id: "olga", username: "olga", role: "member" };
  const refreshes = (asked: { path: string; body: any }[]) => asked.filter((a) => a.path === "/api/v1/auth/refresh").map((a) => a.body.refresh_token);

  /** Identity: each refresh waits for its answer (`answer[token]`), a sign-out ends, a sign-in is Olga's. */
  function identity() {
    const answer: Record<string, (reply: Reply) => void> = {};
    const asked = stubPlatform(({ path, body }) => {
      if (path === "/api/v1/auth/refresh") return new Promise<Reply>((resolve) => (answer[body.refresh_token] = resolve));
      if (path === "/api/v1/auth/logout") return { status: 204 };
      if (path === "/api/v1/auth/login") return { status: 200, body: { access_token: "b1", refresh_token: "s1", expires_in: 900, user: olga } };
      return undefined;
    });
    return { asked, answer };
  }

  it("takes no pair it brings back into the next session, which refreshes on its own, once at a time", async () => {
    keptSession("a1", "r1", 600_000);
    const { asked, answer } = identity();
    const session = new Session("http://localhost");
    const last = session.refresh();
    await vi.waitFor(() => expect(refreshes(asked)).toEqual(["r1"]));
    await session.signOut();
    await session.signIn("olga", "a long passw0rd");

    // the next session's refresh does not wait for the last one's
    const next = session.refresh();
    await vi.waitFor(() => expect(refreshes(asked)).toEqual(["r1", "s1"]));
    answer.r1!(pair(2));
    expect(await last).toBe(false);
    expect(tokenOf(session)).toBe("b1");
    expect(session.user?.id).toBe("olga");
    // the last one's end leaves the next one's refresh on its way the only one
    expect(session.refresh()).toBe(next);
    answer.s1!({ status: 200, body: { access_token: "b2", refresh_token: "s2", expires_in: 900, user: olga } });
    expect(await next).toBe(true);
    expect(tokenOf(session)).toBe("b2");
    expect(refreshes(asked)).toEqual(["r1", "s1"]);
  });

  it("does not end the next session when the last one's refresh is refused", async () => {
    keptSession("a1", "r1", 600_000);
    const { asked, answer } = identity();
    const session = new Session("http://localhost");
    const last = session.refresh();
    await vi.waitFor(() => expect(refreshes(asked)).toEqual(["r1"]));
    await session.signOut();
    await session.signIn("olga", "a long passw0rd");

    answer.r1!({ status: 401, body: { title: "Unauthorized" } });
    expect(await last).toBe(false);
    expect(tokenOf(session)).toBe("b1");
    expect(session.user?.id).toBe("olga");
    expect(session.endedBecause).toBeNull();
  });

  it("does not end the next session when the last one's sign-out is answered after it began; that one's duplicates end", async () => {
    keptSession("a1", "r1", 600_000);
    let answerLogout: (reply: Reply) => void = () => undefined;
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/auth/logout") return new Promise<Reply>((resolve) => (answerLogout = resolve));
      if (path === "/api/v1/auth/login") return { status: 200, body: { access_token: "b1", refresh_token: "s1", expires_in: 900, user: olga } };
      return undefined;
    });
    const session = new Session("http://localhost");
    const duplicate = new Session("http://localhost");
    const out = session.signOut();
    await vi.waitFor(() => expect(asked.map((a) => a.path)).toEqual(["/api/v1/auth/logout"]));
    // identity ended it before answering (a request refused meanwhile, then its refresh), and Olga signed in
    (session as unknown as { end(reason: string | null): void }).end("Your session ended. Sign in again.");
    await session.signIn("olga", "a long passw0rd");

    answerLogout({ status: 204 });
    await out;
    expect(tokenOf(session)).toBe("b1");
    expect(session.user?.id).toBe("olga");
    await vi.waitFor(() => expect(tokenOf(duplicate)).toBeUndefined());
    expect(duplicate.endedBecause).toBe("You signed out in another tab.");
  });

  it("keeps a profile's answer for the account it was asked for only, not another one signed in meanwhile", async () => {
    keptSession("a1", "r1", 600_000);
    stubPlatform(() => undefined);
    const session = new Session("http://localhost");
    session.setUser({ ...olga, full_name: "Olga" } as Me);
    expect(session.user).toEqual(user);
    session.setUser({ ...user, full_name: "Me" } as Me);
    expect(session.user).toEqual({ ...user, full_name: "Me" });
  });

  it("does not say a tab that waited for another tab's refresh is refreshed when it signed in to another account meanwhile", async () => {
    Object.defineProperty(navigator, "locks", { value: webLocks(), configurable: true });
    keptSession("a1", "r1", 600_000);
    const { asked, answer } = identity();
    const tab = new Session("http://localhost");
    const duplicate = new Session("http://localhost");
    const first = tab.refresh();
    await vi.waitFor(() => expect(refreshes(asked)).toEqual(["r1"]));
    const waited = duplicate.refresh(); // waits for the lock the tab holds
    await duplicate.signOut();
    await duplicate.signIn("olga", "a long passw0rd");

    answer.r1!(pair(2));
    expect(await first).toBe(true);
    expect(await waited).toBe(false);
    expect(tokenOf(duplicate)).toBe("b1");
    expect(refreshes(asked)).toEqual(["r1"]);
  });
});

describe("Session, the chat hub", () => {
  /** A hub that starts at once: `reconnected` and `closed` call what the session gave its connection for them. */
  function fakeHub(session: Session) {
    const on: { reconnected?: () => void; closed?: () => void } = {};
    const hub = {
      state: "Connected",
      connection: { onreconnecting: () => undefined, onreconnected: (f: () => void) => (on.reconnected = f), onclose: (f: () => void) => (on.closed = f) },
      start: vi.fn(() => Promise.resolve()),
      stop: () => Promise.resolve(),
    };
    vi.spyOn(session.api, "hub").mockReturnValue(hub as unknown as ChatHubClient);
    return { hub, reconnected: () => on.reconnected!(), closed: () => on.closed!() };
  }

  it("tells the views to load again once the hub is started, after each reconnect and once it is started again", async () => {
    keptSession("a1", "r1", 600_000);
    stubPlatform(({ path }) => (path === "/api/v1/auth/refresh" ? pair(2) : path === "/api/v1/auth/logout" ? { status: 204 } : undefined));
    const session = new Session("http://localhost");
    const heard = vi.fn();
    addEventListener(resync, heard);
    try {
      const { hub, reconnected, closed } = fakeHub(session);
      session.hub();
      await vi.waitFor(() => expect(heard).toHaveBeenCalledTimes(1));
      reconnected();
      expect(heard).toHaveBeenCalledTimes(2);
      // closed for good: a refresh, then the hub is started again
      closed();
      await vi.waitFor(() => expect(hub.start).toHaveBeenCalledTimes(2));
      await vi.waitFor(() => expect(heard).toHaveBeenCalledTimes(3));

      // signed out: the hub it had is no longer the session's
      await session.signOut();
      reconnected();
      expect(heard).toHaveBeenCalledTimes(3);
    } finally {
      removeEventListener(resync, heard);
    }
  });
});

describe("problemText", () => {
  const answered = (status: number) => new Response(null, { status });

  it("quotes the request_id of a failure of the platform (a 5xx), and of a problem that says no more than its title", () => {
    const down = { title: "Service Unavailable", status: 503, detail: "The messaging service is unavailable.", request_id: "0HN8A:00000001" };
    expect(problemText(down, answered(503), "The message was not sent.")).toBe("The messaging service is unavailable. (reference: 0HN8A:00000001)");
    const bare = { title: "Internal Server Error", status: 500, request_id: "0HN8A:00000002" };
    expect(problemText(bare, answered(500), "Saving failed.")).toBe("Internal Server Error (reference: 0HN8A:00000002)");
    const forbidden = { title: "Forbidden", status: 403, request_id: "0HN8A:00000003" };
    expect(problemText(forbidden, answered(403), "That did not work.")).toBe("Forbidden (reference: 0HN8A:00000003)");
    expect(problemText({ request_id: "0HN8A:00000004" }, answered(502), "Saving failed.")).toBe("Saving failed. (502) (reference: 0HN8A:00000004)");
  });

  it("says a refusal that says why (a 4xx's detail, its invalid fields) as it is", () => {
    const invalid = {
      title: "One or more validation errors occurred.",
      status: 400,
      detail: "The request is invalid.",
      errors: { title: ["The title is required."] },
      request_id: "0HN8A:00000005",
    };
    expect(problemText(invalid, answered(400), "Saving failed.")).toBe("The request is invalid. The title is required.");
    const fields = { title: "One or more validation errors occurred.", status: 400, errors: { name: ["The name is too long."] }, request_id: "0HN8A:00000006" };
    expect(problemText(fields, answered(400), "Saving failed.")).toBe("One or more validation errors occurred. The name is too long.");
    const closed = { title: "Conflict", status: 409, detail: "This conversation is closed.", request_id: "0HN8A:00000007" };
    expect(problemText(closed, answered(409), "The message was not sent.")).toBe("This conversation is closed.");
    expect(problemText(null, answered(404), "Looking them up failed.")).toBe("Looking them up failed. (404)");
  });
});
