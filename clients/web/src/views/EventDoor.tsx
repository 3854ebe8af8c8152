import type { events } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { formatPrice, formatTime, session, submitted, useAction } from "../lib/app";
import { useDisclosure } from "../lib/disclosure";
import { ListState, LoadFailed, ShowMore, useAskingAgain, useList, useLoad } from "../lib/list";
import { Avatar } from "../lib/picture";
import { problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";
import { ScanTicket } from "./ScanTicket";

type Attendee = events.components["schemas"]["AttendeeDto"];
type Stats = events.components["schemas"]["EventStatsDto"];
type CheckIn = events.components["schemas"]["CheckInDto"];

type AttendeeStatus = NonNullable<events.operations["ListAttendees"]["parameters"]["query"]>["status"] & string;
/** The statuses the attendee list filters by, as events names them. */
const statuses: readonly AttendeeStatus[] = ["confirmed", "held", "waitlisted", "cancelled", "expired", "refunded"];

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
  const [status, setStatus] = useState<AttendeeStatus | "">("");
  const [said, setSaid] = useState<string | null>(null);
  // the registration of a refund just made: until events shows it, the list is asked again (useAskingAgain)
  const [refunding, setRefunding] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const path = { params: { path: { id: eventId } } };
  const stats = useLoad<Stats>(() => session.api.events.GET("/api/v1/events/{id}/stats", path), [eventId], { keep: true });
  const attendees = useList<Attendee>(
    (at) => session.api.events.GET("/api/v1/events/{id}/attendees", { params: { path: { id: eventId }, query: { status: status || undefined, limit: 50, ...at } } }),
    [eventId, status],
    { keep: true },
  );

  const refunded = refunding ? attendees.value?.find((a) => a.id === refunding) : undefined;
  const asking = useAskingAgain(!!refunded && refunded.refunded_cents < refunded.amount_cents, attendees);
  useEffect(() => {
    if (refunding && asking !== "asking") {
      stats.retry();
      setRefunding(null);
    }
  }, [refunding, asking]);

  const checkIn = (form: HTMLFormElement) => {
    const input = form.elements.namedItem("ticket") as HTMLInputElement;
    return checkInTicket(input.value, input);
  };

  /** A ticket's code or QR payload, as typed or read; the field it came from is emptied once it is checked in. */
  const checkInTicket = (typed: string, input: HTMLInputElement | null) =>
    run(async () => {
      setSaid(null);
      const read = typed.trim();
      if (!read) return setError("Type or scan a ticket's code.");
      // a ticket's QR code holds its signed payload (CT1.…); its printed code is EVT-…
      const qr = read.startsWith("CT1.");
      const { data, error, response } = await session.api.events.POST("/api/v1/events/{id}/check-in", {
        ...path,
        body: { latitude: null, longitude: null, ticket_code: qr ? null : read.toUpperCase(), qr_payload: qr ? read : null },
      });
      if (!data) return setError(refusal(error, response, "That ticket was not checked in."));
      setSaid(checkedIn(data, attendees.value ?? []));
      if (input) {
        input.value = "";
        input.focus();
      }
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
      <ScanTicket read={(payload) => void checkInTicket(payload, null)} />
      <Banner text={said} />
      <Failure text={error} />
      <label>
        Show
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value as AttendeeStatus | "")}>
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
            {/* the holder's picture, to compare with who shows the ticket */}
            <Avatar userId={a.user_id} url={a.profile_image_url} name={nameOf(a)} />
            <span class="title">{nameOf(a)}</span>
            <span class="meta">
              {a.status}
              {a.ticket_code ? ` · ${a.ticket_code}` : ""}
              {a.arrived_at ? ` · arrived ${formatTime(a.arrived_at)}` : ""}
              {a.refunded_cents > 0 ? ` · ${formatPrice(a.refunded_cents, a.currency)} refunded` : ""}
            </span>
            <RefundTicket
              attendee={a}
              underWay={refunding === a.id}
              refunded={(text) => {
                setSaid(text);
                setRefunding(a.id);
              }}
            />
          </li>
        ))}
      </ul>
      <ShowMore what="attendees" list={attendees} />
    </div>
  );
}

/** An attendee as the door names them: their name, else their username. */
const nameOf = (a: Attendee) => a.full_name || a.username || "Someone";

/**
 * A paid ticket's refund by its organizer (or an admin): what is left of its payment, with a reason kept with the
 * refund. Payments refunds it through the card's provider; events hears of it after, and `refunded` follows that.
 * Pressed again after no answer, it is the same refund (its Idempotency-Key).
 */
export function RefundTicket({ attendee, underWay, refunded }: { attendee: Attendee; underWay: boolean; refunded: (said: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  // the form opens on its reason; "Keep the ticket" gives the focus back to "Refund…", where the person left it
  const refund = useDisclosure();
  const left = attendee.amount_cents - attendee.refunded_cents;
  // a refund made and not yet heard of by events is not offered again
  if (underWay || !attendee.payment_id || left <= 0 || (attendee.status !== "confirmed" && attendee.status !== "cancelled")) return null;
  const paymentId = attendee.payment_id;
  const price = formatPrice(left, attendee.currency);
  const who = attendee.full_name || attendee.username || attendee.ticket_code || "this ticket";
  if (!refund.open)
    return (
      <button type="button" class="small secondary" aria-label={`Refund ${who}`} ref={refund.opener} onClick={refund.show}>
        Refund…
      </button>
    );
  return (
    <form
      class="refund"
      aria-label={`Refund ${who}`}
      onSubmit={submitted(setError, async (form, key) => {
        const { data, error, response } = await session.api.payments.POST("/api/v1/payments/{id}/refunds", {
          params: { path: { id: paymentId }, header: { "Idempotency-Key": key } },
          body: { reason: String(form.get("reason")).trim(), amount_cents: null },
        });
        if (!data) {
          setError(problemText(error, response, "The ticket was not refunded."));
          return settled(response);
        }
        // what payments refunded, by its own count (events' may lag); a refused one is a 422, said above
        const amount = formatPrice(data.amount_cents, attendee.currency);
        refunded(data.status === "succeeded" ? `Refunded ${amount} to ${who}.` : `The refund of ${amount} to ${who} is under way.`);
        refund.hide();
      })}
    >
      <label>
        Why (kept with the refund)
        <input name="reason" required maxLength={500} ref={refund.first} />
      </label>
      <button type="submit">Refund {price}</button>
      <button type="button" class="secondary" onClick={refund.hide}>
        Keep the ticket
      </button>
      <Failure text={error} />
    </form>
  );
}

/** A check-in refused, in the platform's words; outside its window, the window in the reader's own time. */
function refusal(error: unknown, response: Response, fallback: string): string {
  const window = error as { check_in_opens_at?: string | null; check_in_closes_at?: string | null } | undefined;
  if (response.status === 422 && window?.check_in_opens_at && window.check_in_closes_at)
    return `Check-in is open from ${formatTime(window.check_in_opens_at)} to ${formatTime(window.check_in_closes_at)}.`;
  return problemText(error, response, fallback);
}

/**
 * What the door says of a ticket checked in: whose (as events names the holder, or as the list shown does), and
 * whether it had been already.
 */
function checkedIn(done: CheckIn, known: Attendee[]): string {
  const who = known.find((a) => a.id === done.registration_id);
  const holder = done.full_name || done.username || who?.full_name || who?.username;
  const name = holder ? `${holder} (${done.ticket_code})` : done.ticket_code;
  return done.already_checked_in ? `${name} was already checked in at ${formatTime(done.arrived_at)}.` : `${name} checked in.`;
}
