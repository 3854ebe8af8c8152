import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { Arrive, Door } from "./EventDoor";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const attendee = (id: string, name: string, code: string, arrived: string | null = null) => ({
  id,
  event_id: "e1",
  user_id: `u-${id}`,
  username: name.toLowerCase(),
  full_name: name,
  // Musa linked a picture; Olga has none
  profile_image_url: name === "Musa" ? "https://pictures.example/musa.jpg" : null,
  status: "confirmed",
  ticket_code: code,
  amount_cents: 1500,
  currency: "EUR",
  created_at: "2026-11-28T09:00:00Z",
  arrived_at: arrived,
});

/** Events as the door meets it: every request recorded (with its body), check-in answered by `checkIn`. */
function events(checkIn: (body: Record<string, unknown>) => Response) {
  let arrived: string | null = null;
  return stubPlatform(({ path, body }) => {
    if (path.endsWith("/stats"))
      return json(200, { event_id: "e1", capacity: 40, seats_taken: 2, spots_remaining: 38, registrations: { confirmed: 2, waitlisted: 1 }, arrivals: arrived ? 1 : 0, revenue_cents: 3000, refunded_cents: 0, currency: "EUR" });
    if (path.endsWith("/attendees"))
      return json(200, { items: [attendee("r1", "Musa", "EVT-AAAA", arrived), attendee("r2", "Olga", "EVT-BBBB")], next_cursor: null, page: 1, pages: 1, total: 2, limit: 50, total_is_estimate: false });
    const answer = checkIn(body);
    if (answer.ok) arrived = "2026-11-28T18:05:00Z";
    return answer;
  });
}

const checkedIn = (already = false, names: { username: string | null; full_name: string | null } = { username: null, full_name: null }) =>
  json(200, { registration_id: "r1", event_id: "e1", user_id: "u-r1", ...names, ticket_code: "EVT-AAAA", arrived_at: "2026-11-28T18:05:00Z", distance_m: null, already_checked_in: already });

describe("Door: the organizer's check-in", () => {
  it("shows the figures and everyone registered, checks a typed code in, and shows the arrival", async () => {
    signedIn({ id: "o1", role: "organizer" });
    const asked = events(() => checkedIn());
    render(<Door eventId="e1" />);
    expect((await screen.findByLabelText("Figures")).textContent).toBe("2 of 40 seats taken · 0 arrived · 1 waiting · €30.00 taken");
    await screen.findByText("Olga");
    fireEvent.input(screen.getByLabelText("Ticket code or QR"), { target: { value: " evt-aaaa " } });
    fireEvent.submit(screen.getByRole("form", { name: "Check in a ticket" }));
    await statusSaying("Musa (EVT-AAAA) checked in.");
    expect(asked.find((a) => a.method === "POST")?.body).toEqual({ latitude: null, longitude: null, ticket_code: "EVT-AAAA", qr_payload: null });
    await waitFor(() => expect(screen.getByLabelText("Figures").textContent).toMatch(/1 arrived/));
    expect(screen.getByText(/EVT-AAAA · arrived/)).toBeTruthy();
    expect((screen.getByLabelText("Ticket code or QR") as HTMLInputElement).value).toBe("");
  });

  it("sends a scanned QR payload as such, says a ticket already in, and refuses in the platform's words", async () => {
    signedIn({ id: "o1", role: "organizer" });
    const window = { check_in_opens_at: "2030-06-01T06:00:00Z", check_in_closes_at: "2030-06-01T09:00:00Z" };
    const answers = [
      checkedIn(true, { username: "zara", full_name: "Zara" }),
      json(404, { title: "Not Found", status: 404, detail: "No ticket of this event has that code." }),
      json(422, { title: "Unprocessable", status: 422, detail: "Check-in is open from 2030-06-01 06:00:00Z to 2030-06-01 09:00:00Z.", ...window }),
    ];
    const asked = events(() => answers.shift()!);
    render(<Door eventId="e1" />);
    await screen.findByText("Olga");
    const scan = (value: string) => {
      fireEvent.input(screen.getByLabelText("Ticket code or QR"), { target: { value } });
      fireEvent.submit(screen.getByRole("form", { name: "Check in a ticket" }));
    };
    scan("CT1.claims.mac");
    // named as events names the holder, though the list shown does not hold them
    await screen.findByText(/^Zara \(EVT-AAAA\) was already checked in at/);
    scan("EVT-ZZZZ");
    expect((await screen.findByRole("alert")).textContent).toBe("No ticket of this event has that code.");
    const at = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    scan("EVT-AAAA");
    await screen.findByText(`Check-in is open from ${at(window.check_in_opens_at)} to ${at(window.check_in_closes_at)}.`);
    scan("   ");
    await screen.findByText("Type or scan a ticket's code.");
    expect(asked.filter((a) => a.method === "POST").map((a) => [a.body!.ticket_code, a.body!.qr_payload])).toEqual([
      [null, "CT1.claims.mac"],
      ["EVT-ZZZZ", null],
      ["EVT-AAAA", null],
    ]);
  });

  it("shows each holder's picture beside their name, their initial without one", async () => {
    signedIn({ id: "o1", role: "organizer" });
    events(() => checkedIn());
    render(<Door eventId="e1" />);
    const rows = within(await screen.findByRole("list", { name: "Registered people" }));
    await rows.findByText("Olga");
    await waitFor(() => expect(rows.getByText("Musa").closest("li")!.querySelector("img")?.getAttribute("src")).toBe("https://pictures.example/musa.jpg"));
    expect(rows.getByText("Olga").closest("li")!.querySelector("img")).toBeNull();
    expect(rows.getByText("O").getAttribute("aria-hidden")).toBe("true");
  });

  it("lists by the status chosen", async () => {
    signedIn({ id: "o1", role: "organizer" });
    const asked = events(() => checkedIn());
    render(<Door eventId="e1" />);
    await screen.findByText("Olga");
    fireEvent.change(screen.getByLabelText("Show"), { target: { value: "waitlisted" } });
    await waitFor(() => expect(asked.filter((a) => a.path.endsWith("/attendees")).map((a) => a.url.search)).toEqual(["?limit=50", "?status=waitlisted&limit=50"]));
  });
});

describe("Arrive: a ticket holder's check-in at the venue", () => {
  const located = (coords: { latitude: number; longitude: number } | null) =>
    vi.stubGlobal("navigator", {
      ...navigator,
      geolocation: {
        getCurrentPosition: (ok: (p: unknown) => void, fail: (e: unknown) => void) => (coords ? ok({ coords }) : fail({ code: 1, message: "denied" })),
      },
    });

  it("sends where the browser says they are, and says the platform's refusal", async () => {
    signedIn({ id: "u-r1", role: "member" });
    located({ latitude: 52.52, longitude: 13.41 });
    const asked = events(() => json(422, { title: "Too far", status: 422, detail: "You are 1.2 km from the venue; check-in needs you within 200 m.", distance_m: 1200, geofence_radius_m: 200 }));
    const arrived = vi.fn();
    render(<Arrive eventId="e1" arrivedAt={null} arrived={arrived} />);
    fireEvent.click(screen.getByRole("button", { name: "Check in: I am here" }));
    expect((await screen.findByRole("alert")).textContent).toBe("You are 1.2 km from the venue; check-in needs you within 200 m.");
    expect(asked[0]!.body).toEqual({ latitude: 52.52, longitude: 13.41, ticket_code: null, qr_payload: null });
    expect(arrived).not.toHaveBeenCalled();
  });

  it("checks in, then says when; without a location it sends nothing and says what to do", async () => {
    signedIn({ id: "u-r1", role: "member" });
    located({ latitude: 52.52, longitude: 13.41 });
    events(() => checkedIn());
    const arrived = vi.fn();
    const { rerender } = render(<Arrive eventId="e1" arrivedAt={null} arrived={arrived} />);
    fireEvent.click(screen.getByRole("button", { name: "Check in: I am here" }));
    await waitFor(() => expect(arrived).toHaveBeenCalledOnce());
    rerender(<Arrive eventId="e1" arrivedAt="2026-11-28T18:05:00Z" arrived={arrived} />);
    expect(screen.getByText(/^You checked in at/)).toBeTruthy();
    cleanup();

    located(null);
    const asked = events(() => checkedIn());
    render(<Arrive eventId="e1" arrivedAt={null} arrived={arrived} />);
    fireEvent.click(screen.getByRole("button", { name: "Check in: I am here" }));
    await screen.findByText(/Your location is needed to check in here/);
    expect(asked).toEqual([]);
  });
});

const refundsPath = "/api/v1/payments/p1/refunds";

/**
 * Events and payments as a paid ticket's refund meets them: Musa's ticket is paid (payment p1), Olga's free. Payments
 * answers each refund with `refund()`; once one was made, events' list shows it from its second reading on (events
 * hears of it after payments). `paged`: Olga's is the first page, Musa's the second (cursor c2).
 */
function refunds(refund: () => Response | "no answer", paged = false) {
  let made = false;
  let readsSinceRefund = 0;
  return stubPlatform(({ path, url }) => {
    if (path === refundsPath) {
      const answer = refund();
      made ||= answer !== "no answer" && answer.ok;
      return answer;
    }
    if (path.endsWith("/stats"))
      return json(200, { event_id: "e1", capacity: 40, seats_taken: 2, spots_remaining: 38, registrations: { confirmed: 2 }, arrivals: 0, revenue_cents: 1500, refunded_cents: 0, currency: "EUR" });
    const olga = { ...attendee("r2", "Olga", "EVT-BBBB"), amount_cents: 0, currency: null, payment_id: null, refunded_cents: 0 };
    const cursor = url.searchParams.get("cursor");
    if (paged && cursor === null) return json(200, { items: [olga], next_cursor: "c2", limit: 1 });
    const seen = made && ++readsSinceRefund > 1;
    const musa = { ...attendee("r1", "Musa", "EVT-AAAA"), payment_id: "p1", refunded_cents: seen ? 1500 : 0, status: seen ? "refunded" : "confirmed" };
    if (paged) return json(200, { items: [musa], next_cursor: null, limit: 1 });
    return json(200, { items: [musa, olga], next_cursor: null, page: 1, pages: 1, total: 2, limit: 50, total_is_estimate: false });
  });
}

const refunded = (status: string) =>
  json(201, { id: "f1", payment_id: "p1", amount_cents: 1500, reason: "The beach is closed.", status, failure_reason: null, created_at: "2026-11-28T12:00:00Z" });

describe("Door: refunding a paid ticket", () => {
  it("refunds what is left with a reason, says so, and follows the list until events shows it", async () => {
    signedIn({ id: "o1", role: "organizer" });
    const asked = refunds(() => refunded("succeeded"));
    render(<Door eventId="e1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Refund Musa" }));
    // a free ticket has nothing to refund
    expect(screen.queryByRole("button", { name: "Refund Olga" })).toBeNull();
    const form = screen.getByRole("form", { name: "Refund Musa" });
    fireEvent.input(within(form).getByLabelText("Why (kept with the refund)"), { target: { value: " The beach is closed. " } });
    fireEvent.click(within(form).getByRole("button", { name: "Refund €15.00" }));

    await statusSaying("Refunded €15.00 to Musa.");
    // not offered again while events has not heard of it
    expect(screen.getByText("confirmed · EVT-AAAA")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Refund Musa" })).toBeNull();
    expect(asked.filter((a) => a.path === refundsPath).map(({ key, body }) => ({ key, body }))).toEqual([{ key: expect.stringMatching(/.{8,}/), body: { reason: "The beach is closed.", amount_cents: null } }]);
    await screen.findByText("refunded · EVT-AAAA · €15.00 refunded", {}, { timeout: 4000 });
    expect(screen.queryByRole("button", { name: "Refund Musa" })).toBeNull();
  });

  it("follows a refund of a ticket on a later page shown until events shows it there, and offers it no more", async () => {
    signedIn({ id: "o1", role: "organizer" });
    const asked = refunds(() => refunded("succeeded"), true);
    render(<Door eventId="e1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Show more attendees" }));
    fireEvent.click(await screen.findByRole("button", { name: "Refund Musa" }));
    const form = screen.getByRole("form", { name: "Refund Musa" });
    fireEvent.input(within(form).getByLabelText("Why (kept with the refund)"), { target: { value: "The beach is closed." } });
    fireEvent.click(within(form).getByRole("button", { name: "Refund €15.00" }));

    await statusSaying("Refunded €15.00 to Musa.");
    await screen.findByText("refunded · EVT-AAAA · €15.00 refunded", {}, { timeout: 4000 });
    expect(screen.queryByRole("button", { name: "Refund Musa" })).toBeNull();
    // the second page was asked again from where it began, and nothing more once events showed the refund
    const reads = () => asked.filter((a) => a.path.endsWith("/attendees")).length;
    const settled = reads();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reads()).toBe(settled);
    expect(screen.getByText("Olga")).toBeTruthy();
  });

  it("pressed again after no answer, it is the same refund; a refusal is said in payments' words", async () => {
    signedIn({ id: "o1", role: "organizer" });
    const answers = ["no answer" as const, json(422, { title: "Unprocessable Entity", status: 422, detail: "This payment was already refunded in full." })];
    const asked = refunds(() => answers.shift()!);
    render(<Door eventId="e1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Refund Musa" }));
    const form = screen.getByRole("form", { name: "Refund Musa" });
    fireEvent.input(within(form).getByLabelText("Why (kept with the refund)"), { target: { value: "Duplicate booking" } });
    fireEvent.click(within(form).getByRole("button", { name: "Refund €15.00" }));
    await screen.findByText(/^The platform could not be reached/);
    fireEvent.click(within(form).getByRole("button", { name: "Refund €15.00" }));

    await screen.findByText("This payment was already refunded in full.");
    const sent = asked.filter((a) => a.path === refundsPath);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.key).toBe(sent[0]!.key);
    expect(screen.getByRole("form", { name: "Refund Musa" })).toBeTruthy();
  });

  it("kept, the ticket is not refunded and the focus goes back to its Refund… button", async () => {
    signedIn({ id: "o1", role: "organizer" });
    const asked = refunds(() => refunded("succeeded"));
    render(<Door eventId="e1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Refund Musa" }));
    const form = screen.getByRole("form", { name: "Refund Musa" });
    expect(document.activeElement).toBe(within(form).getByLabelText("Why (kept with the refund)"));
    fireEvent.click(within(form).getByRole("button", { name: "Keep the ticket" }));

    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Refund Musa" })));
    expect(screen.queryByRole("form", { name: "Refund Musa" })).toBeNull();
    expect(asked.filter((a) => a.path === refundsPath)).toEqual([]);
  });
});
