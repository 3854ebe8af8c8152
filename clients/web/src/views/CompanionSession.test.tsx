import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, signedIn, stubPlatform } from "../lib/testing";
import { Companion } from "./Companion";
import { SessionOffer, offerOf } from "./CompanionSession";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const sessionOf = (state: string, extra: object = {}) => ({ id: "s1", state, price_credits: 30, minutes: 60, message_allowance: 100, messages_used: 0, requested_at: "2026-11-28T09:00:00Z", starts_at: null, ends_at: null, rejection: null, ...extra });
const used = { title: "Too Many Requests", status: 429, detail: "You have used today's 20 messages.", used_today: 20, daily_limit: 20, tier: "free", resets_at: "2026-11-29T00:00:00Z", session_price_credits: 30, session_minutes: 60, session_messages: 100 };
const offer = offerOf(used)!;

describe("offerOf", () => {
  it("reads the session a 429 past the daily limit offers, and none from another refusal", () => {
    expect(offer).toEqual({ credits: 30, minutes: 60, messages: 100, limit: 20, resetsAt: "2026-11-29T00:00:00Z" });
    expect(offerOf({ title: "Too Many Requests", status: 429 })).toBeNull();
    expect(offerOf(undefined)).toBeNull();
  });
});

describe("SessionOffer", () => {
  it("buys a session under an Idempotency-Key, asks until payments has spent the credits, and says it runs", async () => {
    signedIn({ id: "me", role: "member" });
    let reads = 0;
    const asked = stubPlatform(({ method }) => (method === "POST" ? json(202, sessionOf("pending")) : json(200, ++reads < 2 ? sessionOf("pending") : sessionOf("active", { ends_at: "2026-11-28T10:00:00Z" }))));
    const started = vi.fn();
    render(<SessionOffer offer={offer} started={started} />);
    expect(screen.getByText(/A session lifts the limit for 60 minutes \(up to 100 messages\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Buy a session for 30 credits" }));
    await waitFor(() => expect(started).toHaveBeenCalledOnce(), { timeout: 5_000 });
    expect(started.mock.calls[0]![0].state).toBe("active");
    expect(asked.map((a) => `${a.method} ${a.path}`)).toEqual(["POST /api/v1/companion/sessions", "GET /api/v1/companion/sessions/s1", "GET /api/v1/companion/sessions/s1"]);
    expect(asked[0]!.key).toBeTruthy();
  });

  it("says a session not paid for, and sends the same purchase again after no answer", async () => {
    signedIn({ id: "me", role: "member" });
    let answered = false;
    const asked = stubPlatform(({ method }) => {
      if (method === "POST" && !answered) return (answered = true), "no answer";
      return json(method === "POST" ? 202 : 200, sessionOf("rejected", { rejection: "insufficient_credits" }));
    });
    const started = vi.fn();
    render(<SessionOffer offer={offer} started={started} />);
    fireEvent.click(screen.getByRole("button", { name: "Buy a session for 30 credits" }));
    await screen.findByText(/could not be reached/);
    fireEvent.click(screen.getByRole("button", { name: "Buy a session for 30 credits" }));
    await screen.findByText("You do not have the 30 credits a session costs; nothing was spent.", { exact: false });
    expect(screen.getByRole("link", { name: "Your credits" }).getAttribute("href")).toMatch(/\/profile$/);
    expect(started).not.toHaveBeenCalled();
    const posts = asked.filter((a) => a.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.key).toBe(posts[0]!.key);
  });

  it("follows the session already open that a 409 names, instead of buying another", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ method }) => (method === "POST" ? json(409, { title: "Conflict", status: 409, session_id: "s9", state: "active" }) : json(200, sessionOf("active", { id: "s9" }))));
    const started = vi.fn();
    render(<SessionOffer offer={offer} started={started} />);
    fireEvent.click(screen.getByRole("button", { name: "Buy a session for 30 credits" }));
    await waitFor(() => expect(started).toHaveBeenCalledOnce());
    expect(asked.map((a) => `${a.method} ${a.path}`)).toEqual(["POST /api/v1/companion/sessions", "GET /api/v1/companion/sessions/s9"]);
  });
});

describe("a session followed while its status cannot be read", () => {
  it("asks again a second apart, not in a burst", async () => {
    signedIn({ id: "me", role: "member" });
    const times: number[] = [];
    stubPlatform(({ method }) => {
      if (method === "POST") return json(409, { title: "Conflict", status: 409, session_id: "s9", state: "active" });
      times.push(Date.now());
      return times.length < 3 ? json(503, { title: "Service Unavailable", status: 503 }) : json(200, sessionOf("active", { id: "s9" }));
    });
    const started = vi.fn();
    render(<SessionOffer offer={offer} started={started} />);
    fireEvent.click(screen.getByRole("button", { name: "Buy a session for 30 credits" }));
    await waitFor(() => expect(started).toHaveBeenCalledOnce(), { timeout: 5000 });
    expect(times).toHaveLength(3);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(1900);
  });
});

describe("Companion past today's limit", () => {
  it("offers a session and keeps the message in the box", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ path }) => {
      if (path === "/api/v1/companion/conversation") return json(200, { items: [], next_cursor: null, disclosure: "I am an AI." });
      if (path === "/api/v1/companion/usage") return json(200, { used_today: 20, daily_limit: 20, tier: "free", session: null, resets_at: "2026-11-29T00:00:00Z" });
      if (path === "/api/v1/companion/settings") return json(200, { share_profile: false });
      return json(429, used);
    });
    render(<Companion />);
    await screen.findByText("I am an AI.");
    const box = screen.getByLabelText("Message to the companion") as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "One more thing" } });
    fireEvent.submit(box.form!);
    await screen.findByRole("button", { name: "Buy a session for 30 credits" });
    expect(box.value).toBe("One more thing");
    expect(screen.queryByText(/back in the box/)).toBeNull();
    expect(screen.getByRole("log").textContent).not.toContain("One more thing");
  });
});
