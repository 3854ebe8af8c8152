import { afterEach, describe, expect, it, vi } from "vitest";
import { attempt, formatPrice, session, submitted } from "./app";
import { askedUntilReady, longestWait, refusal, retryAfterSeconds, send, settled, Unreachable, unreachable } from "./session";
import { stubPlatform } from "./testing";

afterEach(() => vi.unstubAllGlobals());

describe("attempt", () => {
  it("says the platform could not be reached when a request of the action got no answer", async () => {
    const said: string[] = [];
    await attempt((text) => said.push(text), () => Promise.reject(new Unreachable()));
    expect(said).toEqual([unreachable]);
  });

  it("says nothing when the action ends, whatever the platform answered", async () => {
    const said: string[] = [];
    await attempt((text) => said.push(text), async () => "refused or not: the action says so itself");
    expect(said).toEqual([]);
  });

  it("throws on any other error: a bug is not a network failure", async () => {
    const said: string[] = [];
    const bug = new TypeError("undefined is not a function");
    await expect(attempt((text) => said.push(text), () => Promise.reject(bug))).rejects.toBe(bug);
    expect(said).toEqual([]);
  });
});

describe("submitted", () => {
  /** A form with one field, and a way to submit it as the browser would (the handler reads the event's form). */
  function form(value: string) {
    const element = document.createElement("form");
    element.innerHTML = `<input name="name" value="${value}">`;
    document.body.append(element);
    const submit = (handler: ReturnType<typeof submitted>) => {
      const event = new Event("submit", { cancelable: true });
      Object.defineProperty(event, "currentTarget", { value: element });
      handler(event as Parameters<typeof handler>[0]);
      return event;
    };
    return { element, submit, input: element.querySelector("input")! };
  }

  /** A send that records what it got and answers as told: "no answer" throws Unreachable, "open" returns false. */
  function sender() {
    const sent: { name: string; key: string }[] = [];
    let next: "answered" | "no answer" | "open" = "answered";
    const send = async (fields: FormData, key: string) => {
      sent.push({ name: String(fields.get("name")), key });
      if (next === "no answer") throw new Unreachable();
      return next !== "open";
    };
    return { sent, send, answer: (how: typeof next) => (next = how) };
  }

  it("keeps the page, clears the last error, sends the form's fields and says when they got no answer", async () => {
    const { submit } = form("olga");
    const said: (string | null)[] = ["an earlier error"];
    const { sent, send, answer } = sender();
    answer("no answer");
    const event = submit(submitted((text) => said.push(text), send));
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(said).toEqual(["an earlier error", null, unreachable]));
    expect(sent.map((s) => s.name)).toEqual(["olga"]);
  });

  it("sends the same idempotency key again only for the same fields after no answer or an open one", async () => {
    const { element, submit, input } = form("Hikers");
    const { sent, send, answer } = sender();
    const handler = submitted(() => undefined, send);
    // sent, and the form free again
    const sentAll = async (count: number) =>
      vi.waitFor(() => {
        expect(sent).toHaveLength(count);
        expect(element.hasAttribute("aria-busy")).toBe(false);
      });

    answer("no answer");
    submit(handler);
    await sentAll(1);
    submit(handler); // the same fields after no answer: the same key, so the platform does it once
    await sentAll(2);
    input.value = "Hikers of Dubai";
    submit(handler); // other fields: another request, another key
    await sentAll(3);
    answer("open");
    submit(handler); // the same fields as the last, unanswered: its key; answered, but left open (a 503)
    await sentAll(4);
    answer("answered");
    submit(handler); // still its key
    await sentAll(5);
    submit(handler); // after a settled answer: a new key, even for the same fields
    await sentAll(6);

    const keys = sent.map((s) => s.key);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[1]);
    expect(keys[3]).toBe(keys[2]);
    expect(keys[4]).toBe(keys[2]);
    expect(keys[5]).not.toBe(keys[4]);
    expect(new Set(keys).size).toBe(3);
  });

  it("ignores a second submit while the first is on its way, and says the form is busy meanwhile", async () => {
    const { element, submit } = form("Hikers");
    let finish!: () => void;
    const calls: string[] = [];
    const handler = submitted(
      () => undefined,
      (_, key) => {
        calls.push(key);
        return new Promise<void>((resolve) => (finish = resolve));
      },
    );
    submit(handler);
    submit(handler);
    expect(calls).toHaveLength(1);
    expect(element.getAttribute("aria-busy")).toBe("true");
    finish();
    await vi.waitFor(() => expect(element.hasAttribute("aria-busy")).toBe(false));
    submit(handler);
    expect(calls).toHaveLength(2);
  });
});

describe("settled", () => {
  const answer = (status: number, headers?: Record<string, string>) => new Response(null, { status, headers });

  it("settles a success and a refusal that stands", () => {
    for (const status of [200, 201, 400, 403, 404, 409, 422]) expect(settled(answer(status)), String(status)).toBe(true);
  });

  it("leaves open what the platform may not have finished: a 5xx, 408, 429, or a 409 with Retry-After", () => {
    for (const status of [500, 502, 503, 504, 408, 429]) expect(settled(answer(status)), String(status)).toBe(false);
    expect(settled(answer(409, { "Retry-After": "1" }))).toBe(false);
  });
});

describe("refusal", () => {
  const answer = (status: number, headers?: Record<string, string>) => new Response(null, { status, headers });
  const problem = { title: "Too Many Requests", detail: "Too many failed logins; try again later." };

  it("reads Retry-After in whole seconds only: not a date, nor anything else", () => {
    expect(retryAfterSeconds(answer(429, { "Retry-After": "42" }))).toBe(42);
    expect(retryAfterSeconds(answer(429, { "Retry-After": " 7 " }))).toBe(7);
    for (const after of ["Wed, 21 Oct 2015 07:28:00 GMT", "soon", "-5", "1.5", "", "0x10"])
      expect(retryAfterSeconds(answer(429, { "Retry-After": after })), after).toBeNull();
    expect(retryAfterSeconds(answer(429))).toBeNull();
  });

  it("asks a form to wait as long as a 429's Retry-After says, an hour at most", () => {
    expect(refusal(problem, answer(429, { "Retry-After": "3" }), "Failed.")).toEqual({ error: problem.detail, wait: 3 });
    expect(refusal(problem, answer(429, { "Retry-After": "86400" }), "Failed.")).toEqual({ error: problem.detail, wait: longestWait });
    expect(longestWait).toBe(3600);
  });

  it("asks for no wait without Retry-After in seconds, with none of 0 s, or for another status", () => {
    for (const refused of [answer(429), answer(429, { "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" }), answer(429, { "Retry-After": "0" }), answer(503, { "Retry-After": "3" })])
      expect(refusal(problem, refused, "Failed.")).toEqual({ error: problem.detail });
    expect(refusal(undefined, answer(429, { "Retry-After": "3" }), "Signing in failed.")).toEqual({ error: "Signing in failed. (429)", wait: 3 });
  });
});

describe("signing up again after no answer", () => {
  const tokens = { access_token: "a", refresh_token: "r", token_type: "Bearer", expires_in: 900, user: { id: "u1", username: "olga" } };
  const body = { username: "olga", email: "olga@example.com", phone: null, password: "a long passw0rd", full_name: null, role: "member", referral_code: null } as const;
  /** The platform: the username is taken; signing in works with `password` only. */
  function platform(password: string) {
    return stubPlatform(({ path, body }) => {
      if (path === "/api/v1/auth/register") return { status: 409, body: { title: "Conflict", status: 409, detail: "This username is taken." } };
      return body.password === password ? { status: 200, body: tokens } : { status: 401, body: { title: "Unauthorized", status: 401, detail: "Wrong username or password." } };
    });
  }
  afterEach(() => sessionStorage.clear());

  it("signs in to the account the first try made", async () => {
    const asked = platform(body.password);
    expect(await session.signUp(body, true)).toEqual({ error: null });
    expect(session.user?.username).toBe("olga");
    expect(asked.map((a) => a.path)).toEqual(["/api/v1/auth/register", "/api/v1/auth/login"]);
    await session.signOut();
  });

  it("says the username is taken when it is someone else's account", async () => {
    platform("someone else's password");
    expect(await session.signUp(body, true)).toEqual({ error: "This username is taken." });
    expect(session.user).toBeNull();
  });

  it("does not try to sign in on a first sign-up", async () => {
    const asked = platform(body.password);
    expect(await session.signUp(body)).toEqual({ error: "This username is taken." });
    expect(asked.map((a) => a.path)).toEqual(["/api/v1/auth/register"]);
  });
});

describe("the session's requests", () => {
  it("throw Unreachable when the browser's fetch gets no answer", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    await expect(session.api.messaging.GET("/api/v1/notifications/unread-count")).rejects.toBeInstanceOf(Unreachable);
  });

  it("throw Unreachable when the answer is cut off in its body", async () => {
    const cut = new ReadableStream({ start: (controller) => controller.error(new TypeError("network error")) });
    vi.stubGlobal("fetch", () => Promise.resolve(new Response(cut, { status: 201, headers: { "Content-Type": "application/json" } })));
    await expect(session.api.messaging.GET("/api/v1/notifications/unread-count")).rejects.toBeInstanceOf(Unreachable);
  });

  it("leave a stream of events to its reader", async () => {
    vi.stubGlobal("fetch", () => Promise.resolve(new Response("event: delta\ndata: {}\n\n", { status: 200, headers: { "Content-Type": "text/event-stream" } })));
    const { data } = await session.api.aiCompanion.POST("/api/v1/companion/messages/stream", { body: { text: "hi", client_txn_id: "t" }, parseAs: "stream" });
    expect(await new Response(data).text()).toBe("event: delta\ndata: {}\n\n");
  });

  it("pass any other failure of fetch on as it is (an abort is not the network)", async () => {
    const aborted = new DOMException("The operation was aborted.", "AbortError");
    vi.stubGlobal("fetch", () => Promise.reject(aborted));
    await expect(session.api.messaging.GET("/api/v1/notifications/unread-count")).rejects.toBe(aborted);
  });

  /** A fetch that never answers, as over a half-open connection: only its signal ends it. */
  const silent = (_: Request, init?: RequestInit) =>
    new Promise<Response>((_, reject) => init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason)));

  it("throw Unreachable when no answer comes within the limit", async () => {
    vi.stubGlobal("fetch", silent);
    await expect(send(new Request("http://localhost/api/v1/notifications/unread-count"), 50)).rejects.toBeInstanceOf(Unreachable);
  });

  it("throw Unreachable when the body stops coming within the limit", async () => {
    const stalled = (_: Request, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => {
          controller.enqueue(new TextEncoder().encode("{"));
          init!.signal!.addEventListener("abort", () => controller.error(init!.signal!.reason));
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { "Content-Type": "application/json" } }));
    };
    vi.stubGlobal("fetch", stalled);
    await expect(send(new Request("http://localhost/api/v1/notifications/unread-count"), 50)).rejects.toBeInstanceOf(Unreachable);
  });

  it("read a body that keeps coming past the limit, each piece within it (a file on a slow link)", async () => {
    const encoder = new TextEncoder();
    const slow = (_: Request, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start: async (controller) => {
          init!.signal!.addEventListener("abort", () => controller.error(init!.signal!.reason));
          for (let i = 0; i < 8; i++) {
            controller.enqueue(encoder.encode(String(i)));
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          controller.close();
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { "Content-Type": "application/pdf" } }));
    };
    vi.stubGlobal("fetch", slow);
    // 8 pieces over 160 ms, each within 50 ms of the last
    const response = await send(new Request("http://localhost/api/v1/conversations/c/attachments/a"), 50);
    expect(await response.text()).toBe("01234567");
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
  });

  it("wait for an upload's answer as long as the platform may read it, and no longer for anything else", async () => {
    const answersAfter100ms = (_: Request, init?: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        const answer = setTimeout(() => resolve(new Response("{}", { status: 201 })), 100);
        init!.signal!.addEventListener("abort", () => {
          clearTimeout(answer);
          reject(init!.signal!.reason);
        });
      });
    vi.stubGlobal("fetch", answersAfter100ms);
    const form = new FormData();
    form.append("file", new Blob(["x"], { type: "image/png" }), "x.png");
    const upload = new Request("http://localhost/api/v1/conversations/c/attachments", { method: "POST", body: form });
    expect((await send(upload, 50, 300)).status).toBe(201);
    const json = new Request("http://localhost/api/v1/conversations/c/messages", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    await expect(send(json, 50, 300)).rejects.toBeInstanceOf(Unreachable);
    vi.stubGlobal("fetch", silent);
    const again = new Request("http://localhost/api/v1/conversations/c/attachments", { method: "POST", body: form });
    await expect(send(again, 50, 100)).rejects.toBeInstanceOf(Unreachable);
  });

  it("leave an abort the caller asked for an abort", async () => {
    vi.stubGlobal("fetch", silent);
    const caller = new AbortController();
    const sent = send(new Request("http://localhost/api/v1/notifications/unread-count", { signal: caller.signal }), 60_000);
    caller.abort();
    await expect(sent).rejects.toMatchObject({ name: "AbortError" });
  });

  it("end a stream of events that goes quiet for the limit, and not one whose pieces keep coming", async () => {
    const encoder = new TextEncoder();
    /** A stream of `pieces` pieces 20 ms apart that then goes quiet; the connection's abort errors it. */
    const streaming = (pieces: number) => (_: Request, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start: async (controller) => {
          init!.signal!.addEventListener("abort", () => controller.error(init!.signal!.reason));
          for (let i = 0; i < pieces; i++) {
            controller.enqueue(encoder.encode(`event: delta\ndata: ${i}\n\n`));
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }));
    };
    /** Reads the stream; what it read until it failed, and how. */
    const read = async (response: Response) => {
      const reader = response.body!.getReader();
      let pieces = 0;
      try {
        for (;;) if ((await reader.read()).done) return { pieces, failed: null };
        else pieces++;
      } catch (e) {
        return { pieces, failed: e };
      }
    };
    vi.stubGlobal("fetch", streaming(8));
    // 8 pieces over 160 ms, each within 100 ms of the last: kept; then 100 ms of quiet: ended as a cut
    const outcome = await read(await send(new Request("http://localhost/api/v1/companion/messages/stream"), 100));
    expect(outcome.pieces).toBe(8);
    expect(outcome.failed).toBeInstanceOf(TypeError);
  });

  it("give a 204 as it came, though the browser gave it an empty body stream (Chromium does)", async () => {
    const answer = Object.defineProperties(new Response(new Uint8Array(0)), { status: { value: 204 }, ok: { value: true } });
    vi.stubGlobal("fetch", () => Promise.resolve(answer));
    // as browsers and Node build responses (the fetch standard): a status without a body is given none
    const Built = Response;
    class Standard extends Built {
      constructor(body?: BodyInit | null, init?: ResponseInit) {
        if (body != null && [101, 103, 204, 205, 304].includes(init?.status ?? 200)) throw new TypeError(`Response constructor: Invalid response status code ${init?.status}`);
        super(body, init);
      }
    }
    vi.stubGlobal("Response", Standard);
    const { data, error, response } = await session.api.identity.DELETE("/api/v1/users/me/two-factor", { body: { password: "p", code: "c" } });
    expect(response.status).toBe(204);
    expect(error).toBeUndefined();
    expect(data).toBeUndefined();
  });

  it("give the platform's answer, refusals included", async () => {
    stubPlatform(() => ({ status: 403, body: { title: "Forbidden", status: 403 } }));
    const { data, error, response } = await session.api.messaging.GET("/api/v1/notifications/unread-count");
    expect(data).toBeUndefined();
    expect(response.status).toBe(403);
    expect(error).toMatchObject({ title: "Forbidden" });
  });
});

describe("askedUntilReady", () => {
  const answer = (status: number, headers: Record<string, string> = {}) => ({ response: new Response(null, { status, headers }) });

  it("asks again while the answer is a 409 with Retry-After, and gives the first other answer", async () => {
    const answers = [answer(409, { "Retry-After": "0" }), answer(409, { "Retry-After": "0" }), answer(201)];
    let asked = 0;
    const last = await askedUntilReady(async () => answers[asked++]);
    expect(asked).toBe(3);
    expect(last.response.status).toBe(201);
  });

  it("does not ask again on a 409 without Retry-After (a conflict that stands) or on any other answer", async () => {
    for (const first of [answer(409), answer(404), answer(429, { "Retry-After": "0" }), answer(200)]) {
      let asked = 0;
      expect(await askedUntilReady(async () => (asked++, first))).toBe(first);
      expect(asked).toBe(1);
    }
  });

  it("gives the last 409 once its patience is spent", async () => {
    let asked = 0;
    const last = await askedUntilReady(async () => (asked++, answer(409, { "Retry-After": "1" })), 1500);
    expect(last.response.status).toBe(409);
    expect(asked).toBeGreaterThanOrEqual(2); // at 0 s, 1 s and (unless the machine is slow) 1.5 s
    expect(asked).toBeLessThanOrEqual(3);
  });
});

describe("formatPrice", () => {
  it("writes an amount with its currency's decimals: 1250 EUR is €12.50, 5000 JPY is ¥5,000, 1250 KWD is KWD 1.250", () => {
    expect(formatPrice(1250, "EUR")).toBe("€12.50");
    expect(formatPrice(5000, "JPY")).toBe("¥5,000");
    expect(formatPrice(12000, "krw")).toBe("₩12,000");
    expect(formatPrice(1250, "KWD").replace(/\s/, " ")).toBe("KWD 1.250");
    expect(formatPrice(0, "JPY")).toBe("Free");
  });

  it("writes an amount as the payment provider counts it where the browser's own decimals differ (HUF has 2)", () => {
    expect(formatPrice(123456, "HUF").replace(/\s/, " ")).toBe("HUF 1,234.56");
  });
});
