import type { events } from "@community/sdk";
import { useState } from "preact/hooks";
import { formatPrice, formatTime, session, useAction } from "../lib/app";
import { ListState, LoadFailed, ShowMore, useList, useLoad } from "../lib/list";
import { problemText } from "../lib/session";
import { Banner, Failure } from "../lib/said";

type Attendee = events.components["schemas"]["AttendeeDto"];
type Stats = events.components["schemas"]["EventStatsDto"];
type CheckIn = events.components["schemas"]["CheckInDto"];

/** The statuses the attendee list filters by, as events names them. */
const statuses = ["confirmed", "held", "waitlisted", "cancelled", "expired", "refunded"] as const;

/** Where the browser says the attendee is, or why it cannot say. */
function whereAmI(): Promise<GeolocationPosition> {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) return reject(new Error("no geolocation"));
    navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 20_000 });
  });
}

/**
 * A ticket holder's check-in at the venue: their location is sent, and events checks it is inside the venue's
 * geofence while check-in is open (from shortly before the start to the end). Once in, it says when.
 */
export function Arrive({ eventId, arrivedAt, arrived }: { eventId: string; arrivedAt: string | null | undefined; arrived: () => void }) {
  const { busy, error, setError, run } = useAction();
  const [note, setNote] = useState<string | null>(null);
  if (arrivedAt) return <p class="banner">You checked in at {formatTime(arrivedAt)}.</p>;

  const checkIn = () =>
    run(async () => {
      setNote("Finding where you are…");
      let place: GeolocationPosition;
      try {
        place = await whereAmI();
      } catch {
        setNote(null);
        return setError("Your location is needed to check in here. Allow it, or show your ticket to the organizer at the door.");
      }
      setNote(null);
      const { latitude, longitude } = place.coords;
      const { data, error, response } = await session.api.events.POST("/api/v1/events/{id}/check-in", {
        params: { path: { id: eventId } },
        body: { latitude, longitude, ticket_code: null, qr_payload: null },
      });
      if (data) return arrived();
      setError(refusal(error, response, "Checking in failed."));
    });

  return (
    <div aria-busy={busy}>
      <button type="button" disabled={busy} onClick={() => void checkIn()}>
        Check in: I am here
      </button>
      <Banner text={note} />
      <Failure text={error} />
    </div>
  );
}

/**
 * The organizer's door: the event's figures, a ticket checked in by its code or its QR payload (typed, pasted, or
 * entered by a scanner that types what it reads and presses Enter), and everyone registered, by status.
 */
export function Door({ eventId }: { eventId: string }) {
  const [status, setStatus] = useState<string>("");
  const [said, setSaid] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const path = { params: { path: { id: eventId } } };
  const stats = useLoad<Stats>(() => session.api.events.GET("/api/v1/events/{id}/stats", path), [eventId], { keep: true });
  const attendees = useList<Attendee>(
    (at) => session.api.events.GET("/api/v1/events/{id}/attendees", { params: { path: { id: eventId }, query: { status: status || undefined, limit: 50, ...at } } }),
    [eventId, status],
    { keep: true },
  );

  const checkIn = (form: HTMLFormElement) =>
    run(async () => {
      setSaid(null);
      const input = form.elements.namedItem("ticket") as HTMLInputElement;
      const read = input.value.trim();
      if (!read) return setError("Type or scan a ticket's code.");
      // a ticket's QR code holds its signed payload (CT1.…); its printed code is EVT-…
      const qr = read.startsWith("CT1.");
      const { data, error, response } = await session.api.events.POST("/api/v1/events/{id}/check-in", {
        ...path,
        body: { latitude: null, longitude: null, ticket_code: qr ? null : read.toUpperCase(), qr_payload: qr ? read : null },
      });
      if (!data) return setError(refusal(error, response, "That ticket was not checked in."));
      setSaid(checkedIn(data, attendees.value ?? []));
      input.value = "";
      input.focus();
      stats.retry();
      attendees.retry();
    });

  const figures = stats.value;
  return (
    <div class="card" aria-labelledby="door-heading" aria-busy={busy}>
      <h3 id="door-heading">Attendees</h3>
      <LoadFailed what="The figures" loaded={stats} />
      {figures && (
        <p class="meta" aria-label="Figures">
          {figures.seats_taken}
          {figures.capacity != null ? ` of ${figures.capacity}` : ""} seats taken · {figures.arrivals} arrived · {figures.registrations.waitlisted ?? 0} waiting
          {figures.revenue_cents > 0 ? ` · ${formatPrice(figures.revenue_cents, figures.currency)} taken` : ""}
          {figures.refunded_cents > 0 ? ` · ${formatPrice(figures.refunded_cents, figures.currency)} refunded` : ""}
        </p>
      )}
      <form
        class="row"
        aria-label="Check in a ticket"
        onSubmit={(e) => {
          e.preventDefault();
          void checkIn(e.currentTarget);
        }}
      >
        <label>
          Ticket code or QR
          <input name="ticket" autocomplete="off" spellcheck={false} placeholder="EVT-…" maxLength={2000} />
        </label>
        <button type="submit" disabled={busy}>
          Check in
        </button>
      </form>
      <Banner text={said} />
      <Failure text={error} />
      <label>
        Show
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">Everyone</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <LoadFailed what="Attendees" loaded={attendees} />
      <ListState list={attendees} empty={status ? `Nobody ${status}.` : "Nobody registered yet."} />
      <ul class="list" aria-label="Registered people">
        {(attendees.value ?? []).map((a) => (
          <li key={a.id} class="row">
            <span class="title">{a.full_name || a.username || "Someone"}</span>
            <span class="meta">
              {a.status}
              {a.ticket_code ? ` · ${a.ticket_code}` : ""}
              {a.arrived_at ? ` · arrived ${formatTime(a.arrived_at)}` : ""}
            </span>
          </li>
        ))}
      </ul>
      <ShowMore what="attendees" list={attendees} />
    </div>
  );
}

/** A check-in refused, in the platform's words; outside its window, the window in the reader's own time. */
function refusal(error: unknown, response: Response, fallback: string): string {
  const window = error as { check_in_opens_at?: string | null; check_in_closes_at?: string | null } | undefined;
  if (response.status === 422 && window?.check_in_opens_at && window.check_in_closes_at)
    return `Check-in is open from ${formatTime(window.check_in_opens_at)} to ${formatTime(window.check_in_closes_at)}.`;
  return problemText(error, response, fallback);
}

/** What the door says of a ticket checked in: whose, and whether it had been already. */
function checkedIn(done: CheckIn, known: Attendee[]): string {
  const who = known.find((a) => a.id === done.registration_id);
  const name = who ? `${who.full_name || who.username} (${done.ticket_code})` : done.ticket_code;
  return done.already_checked_in ? `${name} was already checked in at ${formatTime(done.arrived_at)}.` : `${name} checked in.`;
}
