import { afterEach, describe, expect, it, vi } from "vitest";
import { send, Unreachable } from "./session";
import { anySignal } from "./signals";

const browsers = AbortSignal.any;

/** As in a browser without AbortSignal.any (Safari and iOS before 17.4, Chromium before 116, Firefox before 124). */
function withoutAbortSignalAny() {
  Object.defineProperty(AbortSignal, "any", { value: undefined, configurable: true, writable: true });
}

afterEach(() => {
  Object.defineProperty(AbortSignal, "any", { value: browsers, configurable: true, writable: true });
  vi.unstubAllGlobals();
});

describe.each([
  ["with AbortSignal.any", () => undefined],
  ["joined by hand, without AbortSignal.any", withoutAbortSignalAny],
])("anySignal %s", (_, browser) => {
  it("aborts when any of its signals aborts, with that one's reason", () => {
    browser();
    for (const which of [0, 1, 2]) {
      const sources = [new AbortController(), new AbortController(), new AbortController()];
      const { signal } = anySignal(sources.map((s) => s.signal));
      const seen = vi.fn();
      signal.addEventListener("abort", seen);
      expect(signal.aborted).toBe(false);
      const reason = new Error(`reason ${which}`);
      sources[which]!.abort(reason);
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBe(reason);
      // a later abort of another leaves the first reason and aborts nothing again
      sources[(which + 1) % 3]!.abort(new Error("later"));
      expect(signal.reason).toBe(reason);
      expect(seen).toHaveBeenCalledTimes(1);
    }
  });

  it("is aborted at once, with its reason, when one of its signals already is", () => {
    browser();
    const reason = new Error("before");
    const { signal } = anySignal([new AbortController().signal, AbortSignal.abort(reason)]);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });
});

describe("anySignal without AbortSignal.any", () => {
  it("takes its listeners off the signals when released, and when one aborts", () => {
    withoutAbortSignalAny();
    const caller = new AbortController();
    const limit = new AbortController();
    const added = vi.spyOn(caller.signal, "addEventListener");
    const removed = vi.spyOn(caller.signal, "removeEventListener");
    const { signal, release } = anySignal([caller.signal, limit.signal]);
    release();
    const listeners = (calls: unknown[][]) => calls.map(([, listener]) => listener);
    expect(listeners(removed.mock.calls)).toEqual(listeners(added.mock.calls));
    caller.abort();
    expect(signal.aborted).toBe(false);

    const other = new AbortController();
    const removedByAbort = vi.spyOn(other.signal, "removeEventListener");
    anySignal([other.signal, limit.signal]);
    limit.abort();
    expect(removedByAbort).toHaveBeenCalledTimes(1);
  });

  it("lets every request through the session's fetch, and still ends one that gets no answer", async () => {
    withoutAbortSignalAny();
    const unread = "http://localhost/api/v1/notifications/unread-count";
    const json = { "Content-Type": "application/json" };
    vi.stubGlobal("fetch", () => Promise.resolve(new Response('{"count":2}', { status: 200, headers: json })));
    expect(await (await send(new Request(unread))).json()).toEqual({ count: 2 });

    // a fetch that never answers: only its signal ends it
    const silent = (_: Request, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason)));
    vi.stubGlobal("fetch", silent);
    await expect(send(new Request(unread), 50)).rejects.toBeInstanceOf(Unreachable);
    const caller = new AbortController();
    const asked = send(new Request(unread, { signal: caller.signal }), 60_000);
    caller.abort();
    await expect(asked).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("a stream of events without AbortSignal.any", () => {
  const encoder = new TextEncoder();
  const events = { "Content-Type": "text/event-stream" };
  /** The request's signal's listeners the session's fetch added and has not taken off again. */
  function watchListeners(request: Request) {
    const added = vi.spyOn(request.signal, "addEventListener");
    const removed = vi.spyOn(request.signal, "removeEventListener");
    return () => {
      const left = added.mock.calls.map(([, listener]) => listener);
      for (const [, listener] of removed.mock.calls) left.splice(left.indexOf(listener), 1);
      return left.length;
    };
  }
  /** Reads the body to its end; how it ended. */
  async function readAll(body: ReadableStream<Uint8Array>) {
    const reader = body.getReader();
    try {
      while (!(await reader.read()).done);
      return "done";
    } catch (e) {
      return e instanceof TypeError ? "TypeError" : String(e);
    }
  }

  it.each([
    ["read to its end", (c: ReadableStreamDefaultController<Uint8Array>) => c.close(), readAll, "done"],
    ["cut in the middle", (c: ReadableStreamDefaultController<Uint8Array>) => c.error(new TypeError("cut")), readAll, "TypeError"],
    ["gone quiet", () => undefined, readAll, "TypeError"],
    [
      "cancelled by its reader",
      () => undefined,
      async (body: ReadableStream<Uint8Array>) => {
        const reader = body.getReader();
        await reader.read();
        await reader.cancel("the view closed");
        return "cancelled";
      },
      "cancelled",
    ],
  ])("takes its join's listener off the caller's signal once %s", async (_, then, end, ended) => {
    withoutAbortSignalAny();
    vi.stubGlobal("fetch", (_: Request, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start: (c) => {
          // the connection's abort errors the body, as a browser's fetch does
          init!.signal!.addEventListener("abort", () => c.error(init!.signal!.reason));
          c.enqueue(encoder.encode("data: 1\n\n"));
          then(c);
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: events }));
    });
    const request = new Request("http://localhost/api/v1/companion/messages/stream", { method: "POST", body: "{}" });
    const listening = watchListeners(request);
    const response = await send(request, 50);
    expect(listening()).toBe(1);
    expect(await end(response.body!)).toBe(ended);
    expect(listening()).toBe(0);
  });
});
