import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { Events, startsAt } from "./Events";

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

  it("says a cancelled event is off and why, and offers no registration, payment, cancellation or check-in", async () => {
    signedIn({ id: "me", role: "member" });
    const cancelled = { ...event("e1", "Night walk"), status: "cancelled", cancellation_reason: "Storm warning" };
    const confirmed = { id: "r1", event_id: "e1", user_id: "me", status: "confirmed", ticket_code: "EVT-AAAAAAAAAA", arrived_at: null };
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: cancelled };
      if (method === "GET" && path === "/api/v1/events/e1/registrations/me") return { status: 200, body: confirmed };
      if (method === "GET" && path === "/api/v1/events/e1/registrations/me/ticket") return { status: 200, body: { ticket_code: "EVT-AAAAAAAAAA", qr_payload: "CT1.a.b" } };
      return undefined;
    });
    render(<Events eventId="e1" />);
    await screen.findByText(/^Ticket/);
    expect(screen.getByText(/This event is cancelled/).parentElement!.textContent).toBe("This event is cancelled: Storm warning. Tickets paid for are refunded.");
    for (const name of [/Register/, /Buy a ticket/, /Cancel registration/, /Check in/]) expect(screen.queryByRole("button", { name })).toBeNull();
  });

  it("says its registration could not be read, and offers no registration, when events fails to answer for it", async () => {
    signedIn({ id: "me", role: "member" });
    const confirmed = { id: "r1", event_id: "e1", user_id: "me", status: "confirmed", ticket_code: "EVT-AAAAAAAAAA", arrived_at: null };
    let failing: "registration" | "ticket" | null = "registration";
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: event("e1", "Night walk") };
      if (method === "GET" && path === "/api/v1/events/e1/registrations/me")
        return failing === "registration" ? { status: 503, body: { title: "Service Unavailable", status: 503, request_id: "q1" } } : { status: 200, body: confirmed };
      if (method === "GET" && path === "/api/v1/events/e1/registrations/me/ticket")
        return failing === "ticket" ? { status: 429, body: { title: "Too Many Requests", status: 429 }, headers: { "Retry-After": "1" } } : { status: 200, body: { ticket_code: "EVT-AAAAAAAAAA", qr_payload: "CT1.a.b" } };
      return undefined;
    });
    render(<Events eventId="e1" />);
    expect((await screen.findByRole("alert")).textContent).toMatch(/^This event could not be loaded/);
    expect(screen.queryByRole("button", { name: /Register/ })).toBeNull();

    // the registration read, its ticket not: still not shown as a registration without its ticket
    failing = "ticket";
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/Too Many Requests/));
    expect(screen.queryByText(/Your registration/)).toBeNull();

    failing = null;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByText(/^Ticket/);
    expect(screen.queryByRole("button", { name: /Register/ })).toBeNull();
  });

  it("opens a cancelled event's chat as messaging says it is: closed, with no message box", async () => {
    signedIn({ id: "me", role: "member" });
    vi.spyOn(session, "hub").mockReturnValue(null);
    const cancelled = { ...event("e1", "Night walk"), status: "cancelled", cancellation_reason: "Storm warning" };
    const chat = { id: "c1", kind: "event", event_id: "e1", title: "Night walk", closed: true, can_send: false, unread_count: 0, last_message: null, last_activity_at: "2026-11-28T09:00:00Z" };
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: cancelled };
      if (method === "GET" && path === "/api/v1/conversations/by-event/e1") return { status: 200, body: chat };
      if (method === "GET" && path === "/api/v1/conversations/c1/messages") return { status: 200, body: { items: [], next_cursor: null } };
      return undefined;
    });
    render(<Events eventId="e1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Open the event chat" }));
    await screen.findByText("This conversation is closed.");
    expect(screen.queryByRole("button", { name: /^Send/ })).toBeNull();
  });

  it("offers its organizer to publish a draft, and shows it published", async () => {
    signedIn({ id: "org", role: "organizer" });
    let status = "draft";
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: { ...event("e1", "Night walk"), status } };
      if (method === "POST" && path === "/api/v1/events/e1/publish") return (status = "published"), { status: 200, body: { ...event("e1", "Night walk"), status } };
      return undefined;
    });
    render(<Events eventId="e1" />);
    await screen.findByText("This event is a draft: nobody else can see it until it is published.");
    fireEvent.click(screen.getByRole("button", { name: "Publish event" }));
    await statusSaying("The event is published.");
    await waitFor(() => expect(screen.queryByText(/This event is a draft/)).toBeNull());
    expect(asked.filter((a) => a.method === "POST" && a.path === "/api/v1/events/e1/publish")).toHaveLength(1);
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

describe("cancelling a registration", () => {
  it("is one request however often it is pressed while events answers", async () => {
    signedIn({ id: "me", role: "member" });
    const registered = { id: "r1", event_id: "e1", user_id: "me", status: "confirmed", ticket_code: "EVT-AAAAAAAAAA", arrived_at: null };
    let answer: (reply: { status: number; body?: unknown }) => void = () => undefined;
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: event("e1", "Dune walk") };
      if (method === "GET" && path === "/api/v1/events/e1/registrations/me") return { status: 200, body: registered };
      if (method === "GET" && path === "/api/v1/events/e1/registrations/me/ticket") return { status: 200, body: { ticket_code: "EVT-AAAAAAAAAA", qr_payload: "CT1.a.b" } };
      if (method === "DELETE" && path === "/api/v1/events/e1/registrations/me") return new Promise((resolve) => (answer = resolve));
      return undefined;
    });
    vi.stubGlobal("confirm", () => true);
    render(<Events eventId="e1" />);
    const cancel = await screen.findByRole("button", { name: "Cancel registration" });
    fireEvent.click(cancel);
    await waitFor(() => expect((cancel as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(cancel);
    answer({ status: 204 });
    await screen.findByText("Your registration is cancelled.");
    expect(asked.filter((a) => a.method === "DELETE")).toHaveLength(1);
  });
});

describe("a paid event's seat no longer held", () => {
  const paid = { ...event("e1", "Dune dinner"), price_cents: 2500, currency: "EUR", is_free: false };

  for (const [status, said] of [
    ["expired", "Your seat's hold ended before it was paid; nothing was charged."],
    ["refunded", "Your ticket was refunded."],
  ] as const)
    it(`offers a ticket again once the registration is ${status}, and nothing to cancel`, async () => {
      signedIn({ id: "me", role: "member" });
      const ended = { id: "r1", event_id: "e1", user_id: "me", status, amount_cents: 2500, currency: "EUR", hold_expires_at: null, created_at: "2026-11-28T10:00:00Z" };
      stubPlatform(({ method, path }) => {
        if (method === "GET" && path === "/api/v1/events/e1") return { status: 200, body: paid };
        if (method === "GET" && path === "/api/v1/events/e1/registrations/me") return { status: 200, body: ended };
        return undefined;
      });
      render(<Events eventId="e1" />);
      await screen.findByText(said);
      expect(screen.getByRole("button", { name: "Buy a ticket (€25.00)" })).toBeTruthy();
      expect(screen.queryByRole("button", { name: "Cancel registration" })).toBeNull();
    });
});

describe("a new event", () => {
  /** Events as an organizer's new event meets it: the catalogue, the draft created and then published. */
  function organizer() {
    signedIn({ id: "org", role: "organizer" });
    return stubPlatform(({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/events") return { status: 200, body: { items: [], next_cursor: null } };
      if (method === "POST" && path === "/api/v1/events") return { status: 201, body: { ...event("e9", body.title), ...body } };
      if (method === "POST" && path === "/api/v1/events/e9/publish") return { status: 200, body: event("e9", "Published") };
      return undefined;
    });
  }

  /** Opens the form, fills it with a price in `currency` and sends it. */
  async function publish(price: string, currency: string) {
    render(<Events />);
    fireEvent.click(await screen.findByRole("button", { name: "New event" }));
    const form = within(screen.getByRole("form", { name: "New event" }));
    fireEvent.input(form.getByLabelText("Title"), { target: { value: "Tea ceremony" } });
    fireEvent.input(form.getByLabelText("Starts"), { target: { value: "2027-04-01T18:00" } });
    fireEvent.input(form.getByLabelText("Currency"), { target: { value: currency } });
    fireEvent.input(form.getByLabelText("Price (0 for free)"), { target: { value: price } });
    fireEvent.submit(screen.getByRole("form", { name: "New event" }));
  }

  it("sends a price in the currency's minor units: none for yen, thousandths for dinars", async () => {
    const asked = organizer();
    await publish("5000", "JPY");
    await waitFor(() => expect(asked.some((a) => a.path === "/api/v1/events/e9/publish")).toBe(true));
    cleanup();
    await publish("1.250", "KWD");
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/events/e9/publish")).toHaveLength(2));
    const created = asked.filter((a) => a.method === "POST" && a.path === "/api/v1/events").map((a) => [a.body.price_cents, a.body.currency]);
    expect(created).toEqual([
      [5000, "JPY"],
      [1250, "KWD"],
    ]);
  });

  it("refuses a price with more decimals than its currency has, and its input steps by the currency's unit", async () => {
    const asked = organizer();
    await publish("12.5", "JPY");
    expect((await screen.findByRole("alert")).textContent).toBe("A price in JPY has no decimals.");
    const price = within(screen.getByRole("form", { name: "New event" })).getByLabelText("Price (0 for free)");
    expect(price.getAttribute("step")).toBe("1");
    fireEvent.input(within(screen.getByRole("form", { name: "New event" })).getByLabelText("Currency"), { target: { value: "KWD" } });
    // thousandths are charged to the hundredth
    fireEvent.input(price, { target: { value: "1.255" } });
    await waitFor(() => expect(price.getAttribute("step")).toBe("0.01"));
    fireEvent.submit(screen.getByRole("form", { name: "New event" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("A price in KWD has at most 2 decimals."));
    expect(asked.filter((a) => a.method === "POST")).toEqual([]);
  });

  it("corrects the draft a refused publication left, rather than creating another event", async () => {
    signedIn({ id: "org", role: "organizer" });
    let publishes = 0;
    const asked = stubPlatform(({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/events") return { status: 200, body: { items: [], next_cursor: null } };
      if (method === "POST" && path === "/api/v1/events") return { status: 201, body: { ...event("e9", body.title), ...body } };
      if (method === "PATCH" && path === "/api/v1/events/e9") return { status: 200, body: { ...event("e9", body.title), ...body } };
      if (method === "POST" && path === "/api/v1/events/e9/publish")
        return ++publishes === 1
          ? { status: 422, body: { status: 422, title: "Unprocessable", detail: "This event is already over; change its dates." } }
          : { status: 200, body: event("e9", "Published") };
      return undefined;
    });
    await publish("0", "EUR");
    expect((await screen.findByRole("alert")).textContent).toContain("already over");

    const form = within(screen.getByRole("form", { name: "New event" }));
    fireEvent.input(form.getByLabelText("Starts"), { target: { value: "2027-05-01T18:00" } });
    fireEvent.submit(screen.getByRole("form", { name: "New event" }));
    await waitFor(() => expect(publishes).toBe(2));
    expect(asked.filter((a) => a.method === "POST" && a.path === "/api/v1/events")).toHaveLength(1);
    const patched = asked.filter((a) => a.method === "PATCH" && a.path === "/api/v1/events/e9");
    expect(patched).toHaveLength(1);
    expect(patched[0]!.body.starts_at).toBe(new Date("2027-05-01T18:00").toISOString());
  });

  it("sends the time zone its start was typed in", async () => {
    const asked = organizer();
    await publish("0", "EUR");
    await waitFor(() => expect(asked.some((a) => a.method === "POST" && a.path === "/api/v1/events")).toBe(true));
    const created = asked.find((a) => a.method === "POST" && a.path === "/api/v1/events")!;
    expect(created.body.time_zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(created.body.time_zone).toBeTruthy();
  });
});

describe("a paid event's price", () => {
  it("is shown in its currency's own unit: 5000 JPY is ¥5,000, 1250 KWD is KWD 1.250", async () => {
    signedIn({ id: "me", role: "member" });
    const priced = (currency: string, price_cents: number) => ({ ...event("e1", "Tea ceremony"), price_cents, currency, is_free: false });
    let shown = priced("JPY", 5000);
    stubPlatform(({ method, path }) => (method === "GET" && path === "/api/v1/events/e1" ? { status: 200, body: shown } : undefined));
    const { unmount } = render(<Events eventId="e1" />);
    await screen.findByRole("button", { name: "Buy a ticket (¥5,000)" });
    unmount();
    shown = priced("KWD", 1250);
    render(<Events eventId="e1" />);
    // Intl puts a no-break space between the code and the amount
    await screen.findByRole("button", { name: /^Buy a ticket \(KWD\s1\.250\)$/ });
  });
});

describe("an event's start", () => {
  it("is shown in the event's own time zone, which it names", () => {
    const start = { starts_at: "2026-12-01T18:00:00Z" };
    const inZone = (timeZone: string) => new Date(start.starts_at).toLocaleString([], { dateStyle: "full", timeStyle: "short", timeZone });
    expect(startsAt({ ...start, time_zone: "Asia/Dubai" })).toBe(`${inZone("Asia/Dubai")} (Asia/Dubai)`);
    expect(startsAt({ ...start, time_zone: "Asia/Dubai" })).toContain("10:00");
    expect(startsAt({ ...start, time_zone: "America/New_York" })).toBe(`${inZone("America/New_York")} (America/New_York)`);
    expect(startsAt({ ...start, time_zone: "America/New_York" })).toContain("1:00");
  });

  it("is shown in the reader's own time, naming no zone, when the event's is not one the browser knows", () => {
    const start = "2026-12-01T18:00:00Z";
    expect(startsAt({ starts_at: start, time_zone: "Mars/Olympus_Mons" })).toBe(new Date(start).toLocaleString([], { dateStyle: "full", timeStyle: "short" }));
  });

  it("on the event's page is the event's own time", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ method, path }) => (method === "GET" && path === "/api/v1/events/e1" ? { status: 200, body: { ...event("e1", "Night walk"), time_zone: "Pacific/Kiritimati" } } : undefined));
    render(<Events eventId="e1" />);
    await screen.findByRole("heading", { name: "Night walk" });
    // 18:00 UTC is 08:00 the next day at UTC+14, whatever the reader's own zone
    const when = new Date("2026-12-01T18:00:00Z").toLocaleString([], { dateStyle: "full", timeStyle: "short", timeZone: "Pacific/Kiritimati" });
    expect(screen.getByText(`${when} (Pacific/Kiritimati)`)).toBeTruthy();
    expect(when).toContain("December 2");
  });

  it("on the cards of the upcoming and nearby lists is the event's own time, which they name", async () => {
    signedIn({ id: "me", role: "member" });
    const far = { ...event("e1", "Night walk"), time_zone: "Pacific/Kiritimati" };
    const near = { ...event("e2", "Dune picnic"), starts_at: "2026-12-02T04:30:00Z", time_zone: "America/New_York" };
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/events") return { status: 200, body: { items: [far, near], next_cursor: null } };
      if (method === "GET" && path === "/api/v1/events/nearby") return { status: 200, body: { items: [near], latitude: 25.2, longitude: 55.3, radius_km: 50 } };
      return undefined;
    });
    const card = (iso: string, timeZone: string) => `${new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short", timeZone })} (${timeZone}) · Dubai`;
    // 18:00 UTC is 08:00 the next day at UTC+14; 04:30 UTC is 23:30 the day before in New York: whatever the reader's zone
    expect(card(far.starts_at, far.time_zone)).toContain("Dec 2");
    expect(card(near.starts_at, near.time_zone)).toContain("Dec 1");
    render(<Events />);
    const upcoming = await screen.findByRole("list", { name: "Events" });
    await waitFor(() => expect(within(upcoming).getAllByRole("listitem")).toHaveLength(2));
    expect(within(upcoming).getByText(card(far.starts_at, "Pacific/Kiritimati"))).toBeTruthy();
    expect(within(upcoming).getByText(card(near.starts_at, "America/New_York"))).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Nearby" }));
    fireEvent.input(screen.getByLabelText("Latitude"), { target: { value: "25.2" } });
    fireEvent.input(screen.getByLabelText("Longitude"), { target: { value: "55.3" } });
    fireEvent.click(screen.getByRole("button", { name: "Show events near here" }));
    await waitFor(() => expect(within(screen.getByRole("list", { name: "Events" })).getAllByRole("listitem")).toHaveLength(1));
    expect(within(screen.getByRole("list", { name: "Events" })).getByText(card(near.starts_at, "America/New_York"))).toBeTruthy();
  });
});
