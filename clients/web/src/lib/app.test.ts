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
  it("keeps the page, clears the last error, sends the form's fields and says when they got no answer", async () => {
    const form = document.createElement("form");
    form.innerHTML = `<input name="username" value="olga">`;
    document.body.append(form);
    const event = new Event("submit", { cancelable: true });
    Object.defineProperty(event, "currentTarget", { value: form });
    const said: (string | null)[] = ["an earlier error"];
    const sent: string[] = [];
    const handler = submitted(
      (text) => said.push(text),
      async (fields) => {
        sent.push(String(fields.get("username")));
        throw new Unreachable();
      },
    );
    handler(event as Parameters<typeof handler>[0]);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(said).toEqual(["an earlier error", null, unreachable]));
    expect(sent).toEqual(["olga"]);
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
