import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { Events } from "./Events";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  signedIn(null);
});

const event = (id: string, title: string) => ({
  id,
  organizer_id: "org",
  title,
  description: null,
  starts_at: "2026-12-01T18:00:00Z",
  ends_at: "2026-12-01T20:00:00Z",
  time_zone: "Asia/Dubai",
  city: "Dubai",
  country: "AE",
  address: null,
  location_name: null,
  price_cents: 0,
  currency: null,
  is_free: true,
  event_type: "meetup",
  spots_remaining: 3,
  status: "published",
  cover_image_url: null,
  updated_at: "2026-11-28T09:00:00Z",
});

describe("an event's page", () => {
  it("starts afresh on another event: what was said about the last one goes", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: event("e1", "Night walk") };
      if (method === "GET" && path === "/api/v1/events/e2") return { status: 200, body: event("e2", "Dune picnic") };
      if (method === "POST" && path === "/api/v1/events/e1/registrations")
        return { status: 202, body: { id: "r1", event_id: "e1", user_id: "me", status: "waitlisted", waitlist_position: 3 } };
      return undefined;
    });
    const { rerender } = render(<Events eventId="e1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Register" }));
    await statusSaying("You are on the waiting list (position 3).");
    rerender(<Events eventId="e2" />);
    await screen.findByRole("heading", { name: "Dune picnic" });
    await waitFor(() => expect(screen.queryByText("You are on the waiting list (position 3).")).toBeNull());
    expect(screen.queryByText(/waiting list/)).toBeNull();
  });
});

describe("a paid event's seat held", () => {
  const paid = { ...event("e1", "Dune dinner"), price_cents: 2500, currency: "EUR", is_free: false };
  const held = { id: "r1", event_id: "e1", user_id: "me", status: "held", amount_cents: 2500, currency: "EUR", hold_expires_at: "2026-11-28T10:15:00Z", created_at: "2026-11-28T10:00:00Z" };

  it("is paid through the checkout, once per press, not registered again", async () => {
    signedIn({ id: "me", role: "member" });
    let answer: (reply: { status: number; body: unknown }) => void = () => undefined;
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: paid };
      if (method === "GET" && path === "/api/v1/events/e1/registrations/me") return { status: 200, body: held };
      if (method === "POST" && path === "/api/v1/events/e1/registrations") return new Promise((resolve) => (answer = resolve));
      if (method === "POST" && path === "/api/v1/payments/checkout")
        return { status: 201, body: { payment_id: "p1", session_id: "s1", checkout_url: "https://checkout.example/s1", expires_at: "2026-11-28T10:15:00Z", amount_cents: 2500, currency: "EUR", status: "open" } };
      return undefined;
    });
    const left: string[] = [];
    vi.spyOn(location, "assign").mockImplementation((url) => void left.push(String(url)));
    render(<Events eventId="e1" />);
    const pay = await screen.findByRole("button", { name: "Pay for your seat (€25.00)" });
    fireEvent.click(pay);
    await waitFor(() => expect((pay as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(pay);
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/events/e1/registrations")).toHaveLength(1));
    answer({ status: 200, body: held });
    await waitFor(() => expect(left).toEqual(["https://checkout.example/s1"]));
    const registrations = asked.filter((a) => a.method === "POST" && a.path === "/api/v1/events/e1/registrations");
    expect(registrations).toHaveLength(1);
    expect(registrations[0]!.key).toBeTruthy();
    expect(asked.find((a) => a.path === "/api/v1/payments/checkout")?.body).toMatchObject({ purpose: "event_registration", reference_id: "r1" });
    expect(screen.queryByText("You are registered.")).toBeNull();
  });
});
