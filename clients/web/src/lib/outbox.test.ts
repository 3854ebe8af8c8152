import { afterEach, describe, expect, it, vi } from "vitest";
import { type Pending, updateWaiting } from "./outbox";
import { signedIn } from "./testing";

afterEach(() => {
  signedIn(null);
  sessionStorage.clear();
});

const waiting = (txn: string, text: string): Pending => ({ txn, text, attachments: [], replyTo: null, failed: true });

describe("outbox", () => {
  it("asks before the page is left while a message waits to be sent, in any conversation", () => {
    signedIn({ id: "me", role: "member" });
    const leave = () => {
      const event = new Event("beforeunload", { cancelable: true });
      dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(leave()).toBe(false);

    updateWaiting("me", "c2", (all) => [...all, waiting("txn-1", "See you at nine")]);
    expect(leave()).toBe(true);
    updateWaiting("me", "c2", (all) => all.filter((p) => p.txn !== "txn-1"));
    expect(leave()).toBe(false);
  });

  it("keeps the messages waiting through a reload of the tab, for the account that wrote them alone", async () => {
    const signedInAs = (id: string) =>
      sessionStorage.setItem("community.session", JSON.stringify({ access: "a1", refresh: "r1", expiresAt: Date.now() + 600_000, user: { id }, id: "s1" }));
    signedInAs("me");
    vi.resetModules();
    const page = await import("./outbox");
    page.updateWaiting("me", "c1", (all) => [...all, waiting("txn-1", "See you at nine"), waiting("txn-2", "And bring water")]);

    vi.resetModules();
    const reloaded = await import("./outbox");
    expect(reloaded.waitingIn("me", "c1").map((p) => [p.txn, p.text])).toEqual([
      ["txn-1", "See you at nine"],
      ["txn-2", "And bring water"],
    ]);
    expect(reloaded.waitingIn("me", "c2")).toEqual([]);

    // the tab signed in to another account: none of them
    signedInAs("olga");
    vi.resetModules();
    const another = await import("./outbox");
    expect(another.waitingIn("me", "c1")).toEqual([]);
    expect(another.waitingIn("olga", "c1")).toEqual([]);
    for (const outbox of [page, reloaded, another]) outbox.forgetWaiting();
  });

  it("gives the messages kept through a reload made signed out back to their account once it signs in again", async () => {
    // the platform ended the session; the page was loaded again (the sign-in page, a provider's way back)
    sessionStorage.setItem("community.outbox", JSON.stringify({ me: { c1: [waiting("txn-1", "See you at nine")] }, olga: { c3: [waiting("txn-9", "Hi")] } }));
    vi.resetModules();
    const app = await import("./app");
    const page = await import("./outbox");
    expect(page.waitingIn("me", "c1")).toEqual([]);

    const session = app.session as unknown as { stored: unknown; notify(): void };
    session.stored = { access: "a2", refresh: "r2", expiresAt: Date.now() + 600_000, user: { id: "me" }, id: "s2" };
    session.notify();
    expect(page.waitingIn("me", "c1").map((p) => p.txn)).toEqual(["txn-1"]);
    expect(page.waitingIn("olga", "c3")).toEqual([]);
    // a message written now is kept beside them, and the other account's stay kept for it
    page.updateWaiting("me", "c2", (all) => [...all, waiting("txn-2", "And bring water")]);
    const kept = JSON.parse(sessionStorage.getItem("community.outbox")!);
    expect(Object.keys(kept.me).sort()).toEqual(["c1", "c2"]);
    expect(kept.olga.c3).toHaveLength(1);
    page.forgetWaiting();
    expect(sessionStorage.getItem("community.outbox")).toBeNull();
  });
});
