import type { events, messaging } from "@community/sdk";
import { useRef, useState } from "preact/hooks";
import { attempt, formatInZone, formatPrice, formatTime, newTxnId, session, submitted, useAction } from "../lib/app";
import { openCheckout } from "../lib/checkout";
import { QrCode } from "../lib/qr";
import { type Here, here, href } from "../lib/router";
import { HeadWithNew } from "../lib/heading";
import { ListState, LoadFailed, ShowMore, useAskingAgain, useList, useLoad } from "../lib/list";
import { problemText, settled } from "../lib/session";
import { Discussion } from "./Discussion";
import { EventPhotos } from "./EventPhotos";
import { Arrive, Door } from "./EventDoor";
import { CalendarDownload, EventCards, EventCover, MyEvents } from "./EventExtras";
import { Report } from "./Safety";
import { Banner, Failure } from "../lib/said";
import { priceStep, toMinorUnits } from "../lib/money";

type Event = events.components["schemas"]["EventDto"];
type Registration = events.components["schemas"]["RegistrationDto"];
type Ticket = events.components["schemas"]["TicketDto"];
type Conversation = messaging.components["schemas"]["ConversationDto"];
type Catalogue = NonNullable<events.operations["ListEvents"]["parameters"]["query"]>;
type Filters = { q: string; city: string; event_type: NonNullable<Catalogue["event_type"]> | ""; price: NonNullable<Catalogue["price"]> | "" };

const eventTypes: readonly Exclude<Filters["event_type"], "">[] = ["meetup", "workshop", "hackathon", "trip", "social", "class", "other"];

export function Events({ eventId }: { eventId?: string }) {
  return <div class="page">{eventId ? <EventDetail key={eventId} id={eventId} /> : <EventList />}</div>;
}

function EventList() {
  const [mode, setMode] = useState<"browse" | "nearby" | "mine">("browse");
  const [filters, setFilters] = useState<Filters>({ q: "", city: "", event_type: "", price: "" });
  const [place, setPlace] = useState<{ lat: number; lon: number } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const list = useList<Event>(
    (at) =>
      mode === "mine"
        ? null
        : mode === "nearby"
        ? place
          ? session.api.events.GET("/api/v1/events/nearby", { params: { query: { lat: place.lat, lon: place.lon, radius_km: 50, limit: 50 } } })
          : []
        : session.api.events.GET("/api/v1/events", {
            params: {
              query: {
                q: filters.q || undefined,
                city: filters.city || undefined,
                event_type: filters.event_type || undefined,
                price: filters.price || undefined,
                limit: 50,
                ...at,
              },
            },
          }),
    [mode, filters, place],
  );

  function locate() {
    setNote("Finding where you are…");
    navigator.geolocation.getCurrentPosition(
      (p) => (setPlace({ lat: p.coords.latitude, lon: p.coords.longitude }), setNote(null)),
      () => setNote("Your location is not available: type a place's coordinates instead."),
    );
  }

  return (
    <section aria-labelledby="events-heading">
      <HeadWithNew id="events-heading" title="Events" label="New event" open={creating} toggle={() => setCreating(!creating)} />
      {creating && <CreateEvent onCreated={(e, from) => from.navigate(`/events/${e.id}`)} />}
      <div class="tabs" role="group" aria-label="Which events">
        <button type="button" aria-pressed={mode === "browse"} onClick={() => setMode("browse")}>
          Upcoming
        </button>
        <button type="button" aria-pressed={mode === "nearby"} onClick={() => setMode("nearby")}>
          Nearby
        </button>
        <button type="button" aria-pressed={mode === "mine"} onClick={() => setMode("mine")}>
          Yours
        </button>
      </div>
      {mode === "mine" ? (
        <MyEvents />
      ) : mode === "browse" ? (
        <form
          class="filters card"
          role="search"
          aria-label="Find events"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            setFilters({ q: String(f.get("q") ?? ""), city: String(f.get("city") ?? ""), event_type: String(f.get("event_type") ?? "") as Filters["event_type"], price: String(f.get("price") ?? "") as Filters["price"] });
          }}
        >
          <div class="row">
            <label>
              Search events
              <input name="q" type="search" />
            </label>
            <label>
              City
              <input name="city" />
            </label>
            <label>
              Type
              <select name="event_type">
                <option value="">Any</option>
                {eventTypes.map((t) => (
                  <option value={t}>{t}</option>
                ))}
              </select>
            </label>
            <label>
              Price
              <select name="price">
                <option value="">Any</option>
                <option value="free">Free</option>
                <option value="paid">Paid</option>
              </select>
            </label>
          </div>
          <button type="submit">Search</button>
        </form>
      ) : (
        <form
          class="filters card"
          aria-label="Near a place"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            setPlace({ lat: Number(f.get("lat")), lon: Number(f.get("lon")) });
          }}
        >
          <div class="row">
            <label>
              Latitude
              <input name="lat" type="number" step="any" min={-90} max={90} required defaultValue={place ? String(place.lat) : ""} />
            </label>
            <label>
              Longitude
              <input name="lon" type="number" step="any" min={-180} max={180} required defaultValue={place ? String(place.lon) : ""} />
            </label>
          </div>
          <button type="submit">Show events near here</button>{" "}
          <button type="button" class="secondary" onClick={locate}>
            Use my location
          </button>
          <p role="status">{note}</p>
        </form>
      )}
      {mode !== "mine" && (
        <>
          <LoadFailed what="Events" loaded={list} />
          <ListState list={list} empty="No events found." />
          <EventCards events={list.value ?? []} label="Events" />
          <ShowMore what="events" list={list} />
        </>
      )}
    </section>
  );
}

/** `onCreated` is told where the person created it: they may have gone elsewhere before the platform answered. */
function CreateEvent({ onCreated }: { onCreated: (event: Event, from: Here) => void }) {
  const [error, setError] = useState<string | null>(null);
  // the draft created by a submit whose publication was refused: the next submit changes and publishes it, not another
  const draft = useRef<string | null>(null);
  // the price's currency as typed: the price takes as many decimals as it has
  const [currency, setCurrency] = useState("EUR");
  return (
    <form
      class="card"
      aria-label="New event"
      onSubmit={submitted(setError, async (f, key) => {
        const from = here();
        const starts = new Date(String(f.get("starts_at")));
        const hours = Number(f.get("hours") || 2);
        const typed = toMinorUnits(String(f.get("price") ?? ""), String(f.get("currency") || "EUR"));
        if ("error" in typed) return setError(typed.error);
        const price = typed.minor;
        const body = {
            title: String(f.get("title")),
            description: String(f.get("description") ?? ""),
            event_type: String(f.get("event_type")),
            city: String(f.get("city") ?? "") || null,
            location_name: String(f.get("location_name") ?? "") || null,
            latitude: Number(f.get("lat")),
            longitude: Number(f.get("lon")),
            starts_at: starts.toISOString(),
            ends_at: new Date(starts.getTime() + hours * 3_600_000).toISOString(),
            // the zone the start was typed in, which the event's times are shown in
            time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
            capacity: Number(f.get("capacity") || 0) || null,
            price_cents: price,
            currency: price ? String(f.get("currency") || "EUR") : null,
          } as events.components["schemas"]["EventInput"];
        const saved = draft.current
          ? await session.api.events.PATCH("/api/v1/events/{id}", { params: { path: { id: draft.current } }, body })
          : await session.api.events.POST("/api/v1/events", { params: { header: { "Idempotency-Key": key } }, body });
        if (!saved.data) {
          // the draft deleted meanwhile: the next submit creates the event afresh
          if (draft.current && saved.response.status === 404) draft.current = null;
          setError(problemText(saved.error, saved.response, draft.current ? "The draft could not be changed." : "The event could not be created."));
          return settled(saved.response);
        }
        draft.current = saved.data.id;
        const published = await session.api.events.POST("/api/v1/events/{id}/publish", { params: { path: { id: saved.data.id } } });
        if (!published.data) {
          setError(problemText(published.error, published.response, "The event was saved as a draft but not published: correct it and submit again."));
          return false;
        }
        draft.current = null;
        onCreated(published.data, from);
      })}
    >
      <label>
        Title
        <input name="title" required maxLength={200} />
      </label>
      <label>
        Description
        <textarea name="description" rows={2} />
      </label>
      <div class="row">
        <label>
          Type
          <select name="event_type">
            {eventTypes.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Starts
          <input name="starts_at" type="datetime-local" required />
        </label>
        <label>
          Hours
          <input name="hours" type="number" min={1} max={72} defaultValue="2" />
        </label>
      </div>
      <div class="row">
        <label>
          Place
          <input name="location_name" />
        </label>
        <label>
          City
          <input name="city" />
        </label>
        <label>
          Latitude
          <input name="lat" type="number" step="any" required defaultValue="25.2048" />
        </label>
        <label>
          Longitude
          <input name="lon" type="number" step="any" required defaultValue="55.2708" />
        </label>
      </div>
      <div class="row">
        <label>
          Capacity
          <input name="capacity" type="number" min={1} />
        </label>
        <label>
          Price (0 for free)
          <input name="price" type="number" min={0} step={priceStep(currency)} defaultValue="0" />
        </label>
        <label>
          Currency
          <input name="currency" defaultValue="EUR" maxLength={3} onInput={(e) => setCurrency(e.currentTarget.value)} />
        </label>
      </div>
      <Failure text={error} />
      <button type="submit">Publish event</button>
    </form>
  );
}

function EventDetail({ id }: { id: string }) {
  const [status, setStatus] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const [chat, setChat] = useState<Conversation | null>(null);
  // kept until an answer settles the registration: a press again after no answer is the same registration
  const key = useRef<string | null>(null);
  const back = new URLSearchParams(location.search).get("checkout");
  const loaded = useLoad<{ event: Event; registration: Registration | null; ticket: Ticket | null }>(
    async () => {
      const [e, r] = await Promise.all([
        session.api.events.GET("/api/v1/events/{id}", { params: { path: { id } } }),
        session.api.events.GET("/api/v1/events/{id}/registrations/me", { params: { path: { id } } }),
      ]);
      if (!e.data) return { error: e.error, response: e.response };
      // only a 404 says there is no registration: a failure (a 5xx, a 429) says nothing of it, and is shown as such
      if (!r.data && r.response.status !== 404) return { error: r.error, response: r.response };
      const ticket =
        r.data?.status === "confirmed" ? await session.api.events.GET("/api/v1/events/{id}/registrations/me/ticket", { params: { path: { id } } }) : null;
      if (ticket && !ticket.data) return { error: ticket.error, response: ticket.response };
      return { data: { event: e.data, registration: r.data ?? null, ticket: ticket?.data ?? null } };
    },
    [id],
    { keep: true },
  );
  const registration = loaded.value?.registration ?? null;
  const ticket = loaded.value?.ticket ?? null;
  // back from the checkout: the payment is confirmed by the platform a moment later (webhook, then the ticket)
  const asking = useAskingAgain(back === "paid" && registration !== null && registration.status !== "confirmed", loaded);
  const checkout =
    asking === "asking"
      ? "Payment received: waiting for your ticket…"
      : asking === "gave up"
        ? "Your payment is still being confirmed: reload this page in a moment."
        : back === "paid" && registration?.status === "confirmed"
          ? "Paid: here is your ticket."
          : back === "cancelled"
            ? "The checkout was cancelled: your seat stays held for a while."
            : null;

  /**
   * Registers, or pays for the seat held: registering again while a seat is held (the checkout was cancelled, or was
   * not ready) answers the same held registration, which is paid through the checkout, not registered again.
   */
  const register = () =>
    run(async () => {
      const from = here(); // the checkout it may lead to opens only if the person is still here
      key.current ??= newTxnId();
      const { data, error, response } = await session.api.events.POST("/api/v1/events/{id}/registrations", {
        params: { path: { id }, header: { "Idempotency-Key": key.current } },
      });
      if (settled(response)) key.current = null;
      if (data?.status === "held") return pay("event_registration", data.id, from);
      if (data) {
        setStatus(data.status === "waitlisted" ? `You are on the waiting list (position ${data.waitlist_position}).` : "You are registered.");
        return loaded.retry();
      }
      if (response.status !== 402) return setError(problemText(error, response, "Registering failed."));
      if (!("checkout" in error)) return setError("Registering failed: no checkout was offered.");
      await pay(error.checkout.purpose, error.checkout.reference_id, from);
    });

  /** Opens the checkout for the seat held; the page leaves for it, or says why it could not. */
  async function pay(purpose: Parameters<typeof openCheckout>[0], referenceId: string, from?: ReturnType<typeof here>) {
    setStatus("Opening the checkout…");
    const failed = await openCheckout(purpose, referenceId, `/events/${id}`, from);
    setStatus(null);
    setError(failed);
  }

  /** Cancels after the person confirms; busy (the buttons off) until the platform answers. */
  const cancel = () =>
    run(async () => {
      if (!confirm("Cancel your registration?")) return;
      const { error, response } = await session.api.events.DELETE("/api/v1/events/{id}/registrations/me", { params: { path: { id } } });
      if (response.ok) {
        setStatus("Your registration is cancelled.");
        loaded.retry();
      } else setError(problemText(error, response, "Cancelling failed."));
    });

  /** Publishes the organizer's draft (one left when publishing failed after it was saved). */
  const publish = () =>
    run(async () => {
      const { data, error, response } = await session.api.events.POST("/api/v1/events/{id}/publish", { params: { path: { id } } });
      if (!data) return setError(problemText(error, response, "Publishing failed."));
      setStatus("The event is published.");
      loaded.retry();
    });

  async function openChat() {
    const { data, error, response } = await session.api.messaging.GET("/api/v1/conversations/by-event/{event_id}", { params: { path: { event_id: id } } });
    if (data) setChat(data);
    else setError(problemText(error, response, "The event chat is open to registered people."));
  }

  if (!loaded.value)
    return <section>{loaded.failed === null ? <p role="status">Loading…</p> : <LoadFailed what="This event" loaded={loaded} />}</section>;
  const event = loaded.value.event;
  // a seat held, a ticket or a place on the list; after an expired hold or a refund one may register again
  const active = registration && (registration.status === "held" || registration.status === "confirmed" || registration.status === "waitlisted");
  const ended = registration?.status === "expired" ? "Your seat's hold ended before it was paid; nothing was charged." : registration?.status === "refunded" ? "Your ticket was refunded." : null;
  const organizes = event.organizer_id === session.user?.id || session.user?.role === "admin";
  // only a published event takes registrations, payments and check-ins; a cancelled one says so and why
  const open = event.status === "published";
  return (
    <section aria-labelledby="event-heading">
      <a href={href("/events")}>← Events</a>
      <h2 id="event-heading">{event.title}</h2>
      <EventCover event={event} organizes={organizes} changed={loaded.retry} />
      <p>{startsAt(event)}</p>
      <p class="meta">
        {[event.location_name, event.address, event.city, event.country].filter(Boolean).join(", ")} · {event.event_type} · {formatPrice(event.price_cents, event.currency)}
        {event.spots_remaining != null ? ` · ${event.spots_remaining} spots left` : ""}
      </p>
      {event.description && <p>{event.description}</p>}
      {event.status === "cancelled" && (
        <p class="notice">
          <strong>This event is cancelled</strong>
          {event.cancellation_reason ? `: ${event.cancellation_reason}.` : "."} Tickets paid for are refunded.
        </p>
      )}
      {event.status === "draft" && organizes && (
        <p class="notice row">
          <span>This event is a draft: nobody else can see it until it is published.</span>
          <button type="button" class="small" disabled={busy} onClick={() => void publish()}>
            Publish event
          </button>
        </p>
      )}
      <LoadFailed what="This event" loaded={loaded} />
      <Banner text={status ?? checkout} />
      <Failure text={error} />
      {ticket ? (
        <div class="card" aria-labelledby="ticket-heading">
          <h3 id="ticket-heading">Your ticket</h3>
          <QrCode value={ticket.qr_payload} label={`Ticket QR code, ${ticket.ticket_code}`} />
          <p>
            Ticket <strong>{ticket.ticket_code}</strong>
          </p>
          {open || registration?.arrived_at ? <Arrive eventId={event.id} arrivedAt={registration?.arrived_at} arrived={loaded.retry} /> : null}
        </div>
      ) : active ? (
        <p>
          Your registration: {registration.status}
          {registration.status === "held" ? ` (waiting for payment${registration.hold_expires_at ? ` until ${formatTime(registration.hold_expires_at)}` : ""})` : ""}.
        </p>
      ) : ended ? (
        <p>{ended}</p>
      ) : null}
      <p class="row">
        {open && (!active || registration?.status === "held") ? (
          <button type="button" disabled={busy} onClick={() => void register()}>
            {event.is_free
              ? "Register"
              : registration?.status === "held"
                ? `Pay for your seat (${formatPrice(event.price_cents, event.currency)})`
                : `Buy a ticket (${formatPrice(event.price_cents, event.currency)})`}
          </button>
        ) : null}
        {open && active && (
          <button type="button" class="secondary" disabled={busy} onClick={() => void cancel()}>
            Cancel registration
          </button>
        )}
        <CalendarDownload event={event} />
        {!chat && (
          <button type="button" class="secondary" onClick={() => void attempt(setError, openChat)}>
            Open the event chat
          </button>
        )}
      </p>
      {chat && (
        <div class="card">
          <h3>Event chat</h3>
          <Discussion key={chat.id} conversationId={chat.id} title={`${event.title} chat`} canSend={chat.can_send} />
        </div>
      )}
      {organizes ? <Door eventId={event.id} /> : <Report target="event" id={event.id} what="this event" />}
      <EventPhotos eventId={event.id} organizerId={event.organizer_id} canAdd={registration?.status === "confirmed" || event.organizer_id === session.user?.id} />
    </section>
  );
}

/**
 * When an event starts, in its own time zone and saying which ("Tuesday, 1 December 2026 at 22:00 (Asia/Dubai)"); in
 * the reader's own, without a zone, when the event's is not one the browser knows.
 */
export function startsAt(event: Pick<Event, "starts_at" | "time_zone">): string {
  return formatInZone(event.starts_at, event.time_zone, { dateStyle: "full", timeStyle: "short" });
}
