import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { formatTime } from "../lib/app";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Asked, type Reply, signedIn, stubPlatform } from "../lib/testing";
import { BoostSection, describe as described, MembershipSection } from "./Membership";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  sessionStorage.clear();
  signedIn(null);
  history.replaceState(null, "", "/app/profile");
});

type Subscription = Parameters<typeof described>[0];
const free: Subscription = { tier: "free", tier_source: "none", status: "none", plan: null, tier_until: null, current_period_end: null, cancel_at_period_end: false };
const premium: Subscription = { tier: "premium", tier_source: "subscription", status: "active", plan: "premium", tier_until: "2026-12-28T00:00:00Z", current_period_end: "2026-12-28T00:00:00Z", cancel_at_period_end: false };

/** An access token whose claims carry `tier` (the page reads the claim; nobody checks a signature here). */
const token = (tier: string) => `e30.${btoa(JSON.stringify({ sub: "u1", tier })).replace(/=+$/, "")}.sig`;

const plans = { items: [{ tier: "premium", amount_cents: 999, currency: "EUR", period_days: 30 }, { tier: "elite", amount_cents: 2499, currency: "EUR", period_days: 30 }] };

/** Payments and identity as the section meets them: every request recorded, answered by `answer` (the plans as on sale). */
function platform(answer: (asked: Asked) => Reply | Promise<Reply>) {
  return stubPlatform((asked) => (asked.path === "/api/v1/subscriptions/plans" ? { status: 200, body: plans } : answer(asked)));
}

describe("MembershipSection", () => {
  it("offers premium and elite to a free member, and opens the checkout back to the profile", async () => {
    signedIn({ id: "u1", role: "member" });
    const asked = platform(({ method }) =>
      method === "GET" ? { status: 200, body: free } : { status: 200, body: { payment_id: "p1", session_id: "s1", checkout_url: "https://checkout.example/s1", expires_at: "2026-11-28T12:00:00Z", amount_cents: 999, currency: "EUR", status: "open" } },
    );
    const left: string[] = [];
    vi.spyOn(location, "assign").mockImplementation((url) => void left.push(String(url)));
    render(<MembershipSection />);
    await screen.findByText("You are on the free tier.");
    fireEvent.click(await screen.findByRole("button", { name: "Go premium (€9.99 a month)" }));
    await waitFor(() => expect(left).toEqual(["https://checkout.example/s1"]));
    expect(asked.find((a) => a.method === "POST")?.body).toEqual({
      tier: "premium",
      payment_method: "card",
      success_url: `${location.origin}/app/profile?membership=paid`,
      cancel_url: `${location.origin}/app/profile?membership=cancelled`,
    });
    expect(screen.getByRole("button", { name: "Go elite (€24.99 a month)" })).toBeTruthy();
  });

  it("does not leave for a checkout whose address is not a secure one, and says so", async () => {
    signedIn({ id: "u1", role: "member" });
    platform(({ method }) =>
      method === "GET" ? { status: 200, body: free } : { status: 200, body: { payment_id: "p1", session_id: "s1", checkout_url: "javascript:alert(1)", expires_at: "2026-11-28T12:00:00Z", amount_cents: 999, currency: "EUR", status: "open" } },
    );
    const left = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    render(<MembershipSection />);
    fireEvent.click(await screen.findByRole("button", { name: "Go premium (€9.99 a month)" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/^The checkout's address is not a secure one/);
    expect(left).not.toHaveBeenCalled();
    // nothing is waited for on coming back
    expect(sessionStorage.getItem("community.membership-asked")).toBeNull();
  });

  it("back from a paid checkout, asks until the subscription runs, then renews the token until it carries the tier", async () => {
    signedIn({ id: "u1", role: "member" });
    sessionStorage.setItem("community.membership-asked", "premium");
    history.replaceState(null, "", "/app/profile?membership=paid");
    const answers = [free, free, premium];
    let renewed = 0;
    const asked = platform(({ path }) => {
      if (path === "/api/v1/auth/refresh") {
        renewed++;
        // identity hears of the subscription a moment later: the first renewed token still says free
        return { status: 200, body: { access_token: token(renewed < 2 ? "free" : "premium"), refresh_token: `r${renewed}`, expires_in: 900, user: { id: "u1", role: "member" } } };
      }
      return { status: 200, body: answers.length > 1 ? answers.shift() : answers[0] };
    });
    render(<MembershipSection />);
    await screen.findByText("Payment received: your membership starts in a moment…");
    await screen.findByText("Your Premium membership is running.", undefined, { timeout: 5_000 });
    await waitFor(() => expect(renewed).toBe(2), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(renewed).toBe(2);
    expect(asked.filter((a) => a.path === "/api/v1/subscriptions/me")).toHaveLength(3);
    expect(screen.getByText(/^Premium, renewed on/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: /^Go premium/ })).toBeNull();
    expect(screen.getByRole("button", { name: /^Go elite/ })).toBeTruthy();
  });

  it("takes renewal up again before the period ends: the same subscription, no checkout", async () => {
    signedIn({ id: "u1", role: "member" });
    const stopping = { ...premium, cancel_at_period_end: true };
    const asked = platform(({ method }) => ({ status: 200, body: method === "POST" ? premium : stopping }));
    // the token already says premium: nothing to renew
    sessionStorage.setItem("community.session", JSON.stringify({ access: token("premium") }));
    const left: string[] = [];
    vi.spyOn(location, "assign").mockImplementation((url) => void left.push(String(url)));
    render(<MembershipSection />);
    await screen.findByText(/^Premium until .*; it is not renewed\.$/);
    fireEvent.click(await screen.findByRole("button", { name: "Keep renewing" }));
    await screen.findByText(/^Premium, renewed on/);
    expect(asked.find((a) => a.method === "POST")?.body).toMatchObject({ tier: "premium", payment_method: "card" });
    expect(left).toEqual([]);
    expect(screen.queryByRole("button", { name: "Keep renewing" })).toBeNull();
    expect(screen.getByRole("button", { name: "Stop renewing" })).toBeTruthy();
  });

  it("stops renewal when confirmed, and says until when the tier stays", async () => {
    signedIn({ id: "u1", role: "member" });
    platform(({ method }) => ({ status: 200, body: method === "DELETE" ? { ...premium, cancel_at_period_end: true } : premium }));
    // the token already says premium: nothing to renew
    sessionStorage.setItem("community.session", JSON.stringify({ access: token("premium") }));
    vi.stubGlobal("confirm", () => true);
    render(<MembershipSection />);
    fireEvent.click(await screen.findByRole("button", { name: "Stop renewing" }));
    await screen.findByText(/^Premium until .*; it is not renewed\.$/);
    expect(screen.queryByRole("button", { name: "Stop renewing" })).toBeNull();
  });

  it("says a tier earned by invitations, for life or until when", () => {
    expect(described({ ...free, tier: "elite", tier_source: "referral" })).toBe("Elite for life, earned by your invitations.");
    expect(described({ ...free, tier: "elite", tier_source: "referral", tier_until: "2027-02-28T00:00:00Z" })).toMatch(/^Elite until .*, earned by your invitations\.$/);
  });
});

describe("BoostSection", () => {
  const prices = { items: [{ days: 1, amount_cents: 199, currency: "EUR", credits: 20 }, { days: 7, amount_cents: 899, currency: "EUR", credits: null }] };

  it("boosts with credits once per press, and opens the card checkout for a boost credits do not buy", async () => {
    signedIn({ id: "u1", role: "member" });
    let active = false;
    const asked = platform(({ path }) => {
      if (path === "/api/v1/boosts/prices") return { status: 200, body: prices };
      if (path === "/api/v1/boosts/me") return { status: 200, body: { active, boosted_until: active ? "2026-11-29T10:00:00Z" : null } };
      if (path === "/api/v1/credits/spend") return ((active = true), { status: 201, body: { amount: 20, purpose: "boost", balance: 80 } });
      return { status: 200, body: { payment_id: "p1", session_id: "s1", checkout_url: "https://checkout.example/b7", expires_at: "2026-11-28T12:00:00Z", amount_cents: 899, currency: "EUR", status: "open" } };
    });
    const left: string[] = [];
    vi.spyOn(location, "assign").mockImplementation((url) => void left.push(String(url)));
    render(<BoostSection />);
    await screen.findByText("Your profile is not boosted.");
    expect(screen.queryByRole("form", { name: "Boost 7 days with credits" })).toBeNull();
    fireEvent.submit(screen.getByRole("form", { name: "Boost 1 day with credits" }));
    await screen.findByText("Boosted for a day: 80 credits left.");
    await screen.findByText(/^Your profile is shown first in discovery until/);
    const spend = asked.find((a) => a.path === "/api/v1/credits/spend");
    expect(spend?.body).toEqual({ purpose: "boost", reference_id: null, days: 1 });
    expect(spend?.key).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Boost 7 days by card, €8.99" }));
    await waitFor(() => expect(left).toEqual(["https://checkout.example/b7"]));
    expect(asked.find((a) => a.path === "/api/v1/boosts/checkout")?.body).toMatchObject({ days: 7, success_url: `${location.origin}/app/profile?boost=paid` });
  });

  it("says when the card checkout got no answer, and opens one checkout however fast it is pressed", async () => {
    signedIn({ id: "u1", role: "member" });
    let answer: (reply: Reply) => void = () => undefined;
    let reachable = false;
    const asked = platform(({ path }) => {
      if (path === "/api/v1/boosts/prices") return { status: 200, body: prices };
      if (path === "/api/v1/boosts/me") return { status: 200, body: { active: false, boosted_until: null } };
      return reachable ? new Promise<Reply>((resolve) => (answer = resolve)) : "no answer";
    });
    const left: string[] = [];
    vi.spyOn(location, "assign").mockImplementation((url) => void left.push(String(url)));
    render(<BoostSection />);
    const byCard = await screen.findByRole("button", { name: "Boost 7 days by card, €8.99" });
    fireEvent.click(byCard);
    expect((await screen.findByRole("alert")).textContent).toBe("The platform could not be reached. Check your connection, then try again.");

    reachable = true;
    fireEvent.click(byCard);
    await waitFor(() => expect((byCard as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(byCard);
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/boosts/checkout")).toHaveLength(2));
    answer({ status: 200, body: { payment_id: "p1", session_id: "s1", checkout_url: "https://checkout.example/b7", expires_at: "2026-11-28T12:00:00Z", amount_cents: 899, currency: "EUR", status: "open" } });
    await waitFor(() => expect(left).toEqual(["https://checkout.example/b7"]));
    expect(asked.filter((a) => a.path === "/api/v1/boosts/checkout")).toHaveLength(2);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("back from a paid checkout, asks until the boost runs", async () => {
    signedIn({ id: "u1", role: "member" });
    sessionStorage.setItem("community.boost-asked", "7");
    history.replaceState(null, "", "/app/profile?boost=paid");
    let reads = 0;
    platform(({ path }) =>
      path === "/api/v1/boosts/prices" ? { status: 200, body: prices } : { status: 200, body: ++reads < 3 ? { active: false, boosted_until: null } : { active: true, boosted_until: "2026-12-05T10:00:00Z" } },
    );
    render(<BoostSection />);
    await screen.findByText("Payment received: your boost starts in a moment…");
    await screen.findByText(/^Your profile is shown first in discovery until/, undefined, { timeout: 5_000 });
    expect(reads).toBe(3);
    await waitFor(() => expect(sessionStorage.getItem("community.boost-asked")).toBeNull());
  });

  it("back from a paid checkout extending the running boost, asks until it runs longer", async () => {
    signedIn({ id: "u1", role: "member" });
    sessionStorage.setItem("community.boost-asked", JSON.stringify({ days: 7, until: "2026-12-05T10:00:00Z" }));
    history.replaceState(null, "", "/app/profile?boost=paid");
    let reads = 0;
    platform(({ path }) =>
      path === "/api/v1/boosts/prices"
        ? { status: 200, body: prices }
        : { status: 200, body: { active: true, boosted_until: ++reads < 3 ? "2026-12-05T10:00:00Z" : "2026-12-12T10:00:00Z" } },
    );
    render(<BoostSection />);
    await screen.findByText("Payment received: your boost starts in a moment…");
    await waitFor(() => expect(reads).toBe(3), { timeout: 5_000 });
    await waitFor(() => expect(screen.queryByText("Payment received: your boost starts in a moment…")).toBeNull());
    expect(screen.getByText(/^Your profile is shown first in discovery until/).textContent).toBe(`Your profile is shown first in discovery until ${formatTime("2026-12-12T10:00:00Z")}.`);
    await waitFor(() => expect(sessionStorage.getItem("community.boost-asked")).toBeNull());
  });
});
