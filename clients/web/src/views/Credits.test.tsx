import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stubPlatform } from "../lib/testing";
import { CreditsSection } from "./Credits";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  history.replaceState(null, "", "/app/profile");
});

/** Payments as the page meets it: the balance answers `balances` one after another (the last one from then on). */
function payments(balances: number[]) {
  let asked = 0;
  stubPlatform(({ path }) => {
    if (path === "/api/v1/credits/packs") return { status: 200, body: { items: [] } };
    const balance = balances[Math.min(asked++, balances.length - 1)]!;
    const items = balance > 0 ? [{ transaction_id: "t1", amount: balance, kind: "grant", reason: "credit_pack", purpose: null, reference_id: null, created_at: new Date().toISOString() }] : [];
    return { status: 200, body: { balance, items, next_cursor: null } };
  });
  return () => asked;
}

describe("CreditsSection back from a paid checkout", () => {
  it("asks again until the pack has arrived, then says so and keeps saying it", async () => {
    sessionStorage.setItem("community.credits-before-checkout", "0");
    history.replaceState(null, "", "/app/profile?checkout=paid");
    const asked = payments([0, 0, 100]);
    const { rerender } = render(<CreditsSection />);
    await screen.findByText("Payment received: your credits arrive in a moment…");
    await screen.findByText("Your credits have arrived.", undefined, { timeout: 5_000 });
    expect(asked()).toBe(3);
    await waitFor(() => expect(sessionStorage.getItem("community.credits-before-checkout")).toBeNull());
    // a later render (the session changed, the hub connected) still says it: the storage it started from is gone
    rerender(<CreditsSection />);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(screen.getByText("Your credits have arrived.")).toBeTruthy();
    expect(screen.getByText("Credit pack")).toBeTruthy();
    expect(asked()).toBe(3);
  });

  it("says nothing of a checkout when the page was not sent back from one", async () => {
    sessionStorage.setItem("community.credits-before-checkout", "0");
    payments([100]);
    render(<CreditsSection />);
    await screen.findByText("100 credits");
    expect(screen.queryByText("Your credits have arrived.")).toBeNull();
    expect(screen.queryByText(/Payment received/)).toBeNull();
  });
});

describe("CreditsSection buying a pack", () => {
  it("opens no checkout while the balance it would be told from could not be loaded", async () => {
    const asked: string[] = [];
    stubPlatform(({ path, method }) => {
      asked.push(`${method} ${path}`);
      if (path === "/api/v1/credits/packs") return { status: 200, body: { items: [{ id: "p1", credits: 100, amount_cents: 1000, currency: "AED" }] } };
      if (path === "/api/v1/credits") return { status: 503, body: { title: "Service unavailable", status: 503 } };
      return undefined;
    });
    render(<CreditsSection />);
    fireEvent.click(await screen.findByRole("button", { name: /Buy 100 credits/ }));
    await screen.findByText(/Your balance could not be loaded/);
    expect(asked.some((a) => a.includes("checkout"))).toBe(false);
    expect(sessionStorage.getItem("community.credits-before-checkout")).toBeNull();
  });

  it("asks for one checkout at a time: the packs' buttons are off while one is asked for", async () => {
    let answer: (reply: { status: number; body?: unknown }) => void = () => undefined;
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/credits/packs") return { status: 200, body: { items: [{ id: "p1", credits: 100, amount_cents: 1000, currency: "AED" }] } };
      if (path === "/api/v1/credits") return { status: 200, body: { balance: 0, items: [], next_cursor: null } };
      if (path === "/api/v1/payments/checkout") return new Promise((resolve) => (answer = resolve));
      return undefined;
    });
    render(<CreditsSection />);
    await screen.findByText("0 credits");
    const buy = await screen.findByRole("button", { name: /Buy 100 credits/ });
    fireEvent.click(buy);
    await waitFor(() => expect((buy as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(buy);
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/payments/checkout")).toHaveLength(1));
    answer({ status: 400, body: { title: "Bad Request", status: 400, detail: "No such pack is sold." } });
    await screen.findByText(/No such pack is sold/);
    expect((buy as HTMLButtonElement).disabled).toBe(false);
    expect(asked.filter((a) => a.path === "/api/v1/payments/checkout")).toHaveLength(1);
  });
});
