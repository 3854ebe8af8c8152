import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { Events } from "./Events";

afterEach(() => {
  cleanup();
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
