import { afterEach, describe, expect, it, vi } from "vitest";
import { attempt, session, submitted, unreachable } from "./app";
import { Unreachable } from "./session";

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

  /** A send that records what it got and answers as told: "no answer" throws Unreachable. */
  function sender() {
    const sent: { name: string; key: string }[] = [];
    let next: "answered" | "no answer" = "answered";
    const send = async (fields: FormData, key: string) => {
      sent.push({ name: String(fields.get("name")), key });
      if (next === "no answer") throw new Unreachable();
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

  it("sends the same idempotency key again only for the same fields after no answer", async () => {
    const { submit, input } = form("Hikers");
    const { sent, send, answer } = sender();
    const handler = submitted(() => undefined, send);
    const sentAll = async (count: number) => vi.waitFor(() => expect(sent).toHaveLength(count));

    answer("no answer");
    submit(handler);
    await sentAll(1);
    submit(handler); // the same fields after no answer: the same key, so the platform does it once
    await sentAll(2);
    input.value = "Hikers of Dubai";
    submit(handler); // other fields: another request, another key
    await sentAll(3);
    answer("answered");
    submit(handler); // the same fields as the last, unanswered: its key
    await sentAll(4);
    submit(handler); // after an answer: a new key, even for the same fields
    await sentAll(5);

    const keys = sent.map((s) => s.key);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[1]);
    expect(keys[3]).toBe(keys[2]);
    expect(keys[4]).not.toBe(keys[3]);
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

describe("the session's requests", () => {
  it("throw Unreachable when the browser's fetch gets no answer", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    await expect(session.api.messaging.GET("/api/v1/notifications/unread-count")).rejects.toBeInstanceOf(Unreachable);
  });

  it("pass any other failure of fetch on as it is (an abort is not the network)", async () => {
    const aborted = new DOMException("The operation was aborted.", "AbortError");
    vi.stubGlobal("fetch", () => Promise.reject(aborted));
    await expect(session.api.messaging.GET("/api/v1/notifications/unread-count")).rejects.toBe(aborted);
  });

  it("give the platform's answer, refusals included", async () => {
    vi.stubGlobal("fetch", () =>
      Promise.resolve(new Response(JSON.stringify({ title: "Forbidden", status: 403 }), { status: 403, headers: { "Content-Type": "application/problem+json" } })),
    );
    const { data, error, response } = await session.api.messaging.GET("/api/v1/notifications/unread-count");
    expect(data).toBeUndefined();
    expect(response.status).toBe(403);
    expect(error).toMatchObject({ title: "Forbidden" });
  });
});
