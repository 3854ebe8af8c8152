import { cleanup, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { PaymentsSection } from "./Payments";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const later = new Date(Date.now() + 600_000).toISOString();
const earlier = new Date(Date.now() - 600_000).toISOString();
const payment = (id: string, change: Record<string, unknown>) => ({
  id,
  status: "succeeded",
  amount_cents: 1500,
  currency: "EUR",
  purpose: "event_registration",
  reference_id: "r1",
  product: null,
  payment_method: "card",
  refunded_cents: 0,
  failure_reason: null,
  checkout_url: null,
  expires_at: later,
  created_at: "2026-11-20T10:00:00Z",
  succeeded_at: null,
  ...change,
});

function payments(items: unknown[]) {
  stubPlatform(() => ({ status: 200, body: { items, next_cursor: null } }));
}

describe("PaymentsSection", () => {
  it("says what each payment was for and where it stands, with the way back to a checkout still open", async () => {
    signedIn({ id: "me", role: "member" });
    payments([
      payment("p1", { purpose: "subscription", product: "premium", amount_cents: 999 }),
      payment("p2", { purpose: "boost", product: "7", status: "pending", checkout_url: "https://checkout.example/p2" }),
      payment("p3", { purpose: "credits", status: "pending", checkout_url: "https://checkout.example/p3", expires_at: earlier }),
      payment("p4", { status: "partially_refunded", refunded_cents: 500 }),
      payment("p5", { purpose: "course", status: "failed", failure_reason: "Your card was declined." }),
    ]);
    render(<PaymentsSection />);
    const rows = await screen.findAllByRole("listitem");
    const text = rows.map((r) => r.textContent!.replace(/\s+/g, " "));
    expect(text[0]).toMatch(/^Membership \(premium\) .* €9\.99 Paid$/);
    expect(text[1]).toMatch(/^Profile boost \(7 days\) .* Waiting for payment · Finish paying$/);
    expect(text[2]).toMatch(/^Credit pack .* Waiting for payment$/);
    expect(text[3]).toMatch(/^Event ticket .* €5\.00 refunded$/);
    expect(text[4]).toMatch(/^Course .* Failed: Your card was declined\.$/);
    expect(screen.getByRole("link", { name: "Finish paying" }).getAttribute("href")).toBe("https://checkout.example/p2");
  });

  it("links to no checkout whose address the app does not leave for, and says so", async () => {
    signedIn({ id: "me", role: "member" });
    payments([
      payment("p1", { status: "pending", checkout_url: "javascript:alert(document.cookie)" }),
      payment("p2", { status: "pending", checkout_url: "/sandbox/checkout/cs_sandbox_2" }),
    ]);
    render(<PaymentsSection />);
    const rows = await screen.findAllByRole("listitem");
    expect(rows[0]!.textContent).toContain("Waiting for payment · The checkout's address is not a secure one");
    expect(screen.getAllByRole("link", { name: "Finish paying" }).map((a) => a.getAttribute("href"))).toEqual([`${location.origin}/sandbox/checkout/cs_sandbox_2`]);
  });

  it("shows nothing without payments", async () => {
    signedIn({ id: "me", role: "member" });
    payments([]);
    const { container } = render(<PaymentsSection />);
    await waitFor(() => expect(container.innerHTML).toBe(""));
  });

  it("back from a paid checkout, asks again until the newest payment is confirmed", async () => {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/profile?checkout=paid");
    let asked = 0;
    stubPlatform(({ path }) => {
      if (path !== "/api/v1/payments") return undefined;
      asked++;
      const pack = { purpose: "credits", checkout_url: "https://checkout.example/p1" };
      const newest = asked < 2 ? payment("p1", { ...pack, status: "pending" }) : payment("p1", { ...pack, succeeded_at: "2026-11-28T10:00:00Z" });
      return { status: 200, body: { items: [newest], next_cursor: null } };
    });
    render(<PaymentsSection />);
    await screen.findByText(/Waiting for payment/);
    await screen.findByText(/^Paid /, undefined, { timeout: 3000 });
    expect(screen.queryByRole("link", { name: "Finish paying" })).toBeNull();
    history.replaceState(null, "", "/app/");
  });
});
