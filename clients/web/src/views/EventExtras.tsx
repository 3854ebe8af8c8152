import type { events } from "@community/sdk";
import { multipart } from "@community/sdk";
import { useState } from "preact/hooks";
import { formatInZone, formatPrice, saveFile, session, useAction } from "../lib/app";
import { ChooseFile, coverRule, fileRefusal } from "../lib/file";
import { href } from "../lib/router";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";
import { useShownImage } from "../lib/picture";
import { problemText } from "../lib/session";
import { Failure } from "../lib/said";

type Event = events.components["schemas"]["EventDto"];

/**
 * An event's cover: an uploaded one from events' bytes (asked with the token; the event's `updated_at` shows a replaced
 * one at once), a linked one from its address. Its organizer (or an admin) uploads another or removes it; `changed`
 * loads the event again. Sent without If-Match: the event's version moves with every registration, and a picture
 * chosen replaces whatever cover there is, as the organizer means it to.
 */
export function EventCover({ event, organizes, changed }: { event: Event; organizes: boolean; changed: () => void }) {
  const uploaded = event.cover_image_url?.startsWith(`/api/v1/events/${event.id}/cover`) ?? false;
  const shown = useShownImage(
    event.cover_image_url,
    uploaded ? () => session.api.events.GET("/api/v1/events/{id}/cover", { params: { path: { id: event.id } }, parseAs: "blob" }) : null,
    event.updated_at,
  );
  const { busy, error, setError, run } = useAction();

  const upload = (file: File) =>
    run(async () => {
      const wrong = fileRefusal(file, coverRule);
      if (wrong) return setError(wrong);
      const { data, error, response } = await session.api.events.PUT("/api/v1/events/{id}/cover", {
        params: { path: { id: event.id } },
        body: { file },
        bodySerializer: multipart,
      });
      if (data) changed();
      else setError(problemText(error, response, "The cover was not accepted."));
    });

  const remove = () =>
    run(async () => {
      const { error, response } = await session.api.events.DELETE("/api/v1/events/{id}/cover", { params: { path: { id: event.id } } });
      if (response.ok || response.status === 404) changed();
      else setError(problemText(error, response, "The cover was not removed."));
    });

  if (!organizes) return shown ? <img class="cover" src={shown} alt={`Cover of ${event.title}`} /> : null;
  return (
    <div class="cover-edit" aria-busy={busy}>
      {shown && <img class="cover" src={shown} alt={`Cover of ${event.title}`} />}
      <ChooseFile label={event.cover_image_url ? "Choose another cover" : "Choose a cover"} rule={coverRule} busy={busy} chosen={(file) => void upload(file)} small />
      {event.cover_image_url && (
        <button type="button" class="small secondary" disabled={busy} onClick={() => void remove()}>
          Remove the cover
        </button>
      )}
      <Failure text={error} />
    </div>
  );
}

/** The event as an iCalendar file, for one's own calendar: asked with the token (a plain link could not send it). */
export function CalendarDownload({ event }: { event: Event }) {
  const [failed, setFailed] = useState<string | null>(null);
  async function download() {
    setFailed(null);
    const answer = await session.api.events.GET("/api/v1/events/{id}.ics", { params: { path: { id: event.id } }, parseAs: "blob" }).catch(() => null);
    if (!answer?.data) return setFailed(answer ? problemText(answer.error, answer.response, "The calendar file could not be made.") : "The platform could not be reached.");
    saveFile(answer.data, `${event.title.replace(/[\\/:*?"<>|]+/g, " ").replace(/\s+/g, " ").trim() || "event"}.ics`);
  }
  return (
    <>
      <button type="button" class="secondary" onClick={() => void download()}>
        Add to my calendar
      </button>
      {failed && (
        <span class="error" role="alert">
          {" "}
          {failed}
        </span>
      )}
    </>
  );
}

/** Events I organize and events I joined (registered, held or on the waiting list), each list a page at a time. */
export function MyEvents() {
  const joined = useList<Event>((at) => session.api.events.GET("/api/v1/events/my/joined", { params: { query: { limit: 50, ...at } } }), [], { keep: true });
  const created = useList<Event>((at) => session.api.events.GET("/api/v1/events/my/created", { params: { query: { limit: 50, ...at } } }), [], { keep: true });
  return (
    <>
      <h3>Events you are going to</h3>
      <LoadFailed what="The events you are going to" loaded={joined} />
      <ListState list={joined} empty="None yet: find one under Upcoming or Nearby." />
      {joined.value !== null && joined.value.length > 0 && <EventCards events={joined.value} label="Events you are going to" />}
      <ShowMore what="events you are going to" list={joined} />
      <h3>Events you organize</h3>
      <LoadFailed what="The events you organize" loaded={created} />
      <ListState list={created} empty="None yet." />
      {created.value !== null && created.value.length > 0 && <EventCards events={created.value} label="Events you organize" />}
      <ShowMore what="events you organize" list={created} />
    </>
  );
}

/** Events as the list shows them: title, when (in the event's own time zone, as its page says it) and where, price and type, seats left. */
export function EventCards({ events, label, empty }: { events: Event[]; label: string; empty?: string }) {
  if (events.length === 0 && empty) return <p class="meta">{empty}</p>;
  return (
    <ul class="grid" aria-label={label}>
      {events.map((e) => (
        <li key={e.id}>
          <a class="title" href={href(`/events/${e.id}`)}>
            {e.title}
          </a>
          <p class="meta">
            {formatInZone(e.starts_at, e.time_zone, { dateStyle: "medium", timeStyle: "short" })} · {e.city ?? e.location_name ?? ""}
            {e.status !== "published" ? ` · ${e.status}` : ""}
          </p>
          <p class="meta">
            {formatPrice(e.price_cents, e.currency)} · {e.event_type}
            {e.spots_remaining != null ? ` · ${e.spots_remaining} spots left` : ""}
          </p>
        </li>
      ))}
    </ul>
  );
}
