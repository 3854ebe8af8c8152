import type { events } from "@community/sdk";
import { multipart } from "@community/sdk";
import { useRef } from "preact/hooks";
import { newTxnId, session, useAction } from "../lib/app";
import { fileHint, fileRefusal, photoRule } from "../lib/file";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";
import { useShownImage } from "../lib/picture";
import { problemText, settled } from "../lib/session";
import { Failure } from "../lib/said";

type Photo = events.components["schemas"]["PhotoDto"];

/** Photos a page: the newest first, then more on asking. */
const pageSize = 24;

/**
 * An event's photos, newest first: its organizer and its confirmed attendees add them (a file and a caption); the one
 * who added a photo, or the organizer, removes it.
 */
export function EventPhotos({ eventId, organizerId, canAdd }: { eventId: string; organizerId: string; canAdd: boolean }) {
  const photos = useList<Photo>(
    (at) => session.api.events.GET("/api/v1/events/{id}/photos", { params: { path: { id: eventId }, query: { limit: pageSize, ...at } } }),
    [eventId],
    { keep: true },
  );
  const { busy, error, setError, run } = useAction();
  // kept until an answer settles the upload, with what it sent: the same file and caption sent again after no answer
  // add the photo once; another file or caption starts afresh (another body under a used key is refused)
  const key = useRef<{ id: string; file: File; caption: string | null } | null>(null);
  const me = session.user?.id;
  const organizes = organizerId === me || session.user?.role === "admin";

  const add = (form: HTMLFormElement) =>
    run(async () => {
      const file = (form.elements.namedItem("file") as HTMLInputElement).files?.[0];
      const caption = String(new FormData(form).get("caption") ?? "").trim() || null;
      if (!file) return setError("Choose a photo.");
      const wrong = fileRefusal(file, photoRule);
      if (wrong) return setError(wrong);
      if (key.current?.file !== file || key.current.caption !== caption) key.current = { id: newTxnId(), file, caption };
      const { data, error, response } = await session.api.events.POST("/api/v1/events/{id}/photos", {
        params: { path: { id: eventId }, header: { "Idempotency-Key": key.current.id } },
        body: { file, caption },
        bodySerializer: multipart,
      });
      if (settled(response)) key.current = null;
      if (!data) return setError(problemText(error, response, "The photo was not added."));
      form.reset();
      photos.retry();
    });

  const remove = (photo: Photo) =>
    run(async () => {
      if (!confirm("Remove this photo?")) return;
      const { error, response } = await session.api.events.DELETE("/api/v1/events/{id}/photos/{photo_id}", { params: { path: { id: eventId, photo_id: photo.id } } });
      if (response.ok || response.status === 404) {
        // taken out at once: the refresh keeps the later pages shown, and would keep it there
        photos.update((all) => all.filter((p) => p.id !== photo.id));
        photos.retry();
      }
      else setError(problemText(error, response, "The photo was not removed."));
    });

  return (
    <div class="card" aria-labelledby="photos-heading" aria-busy={busy}>
      <h3 id="photos-heading">Photos</h3>
      <LoadFailed what="The photos" loaded={photos} />
      <ListState list={photos} empty="No photos yet." />
      <ul class="photos" aria-label="Photos">
        {(photos.value ?? []).map((photo) => (
          <li key={photo.id}>
            <EventPhoto photo={photo} />
            {(photo.uploaded_by === me || organizes) && (
              <button type="button" class="small secondary" disabled={busy} onClick={() => void remove(photo)} aria-label={`Remove the photo${photo.caption ? ` ${photo.caption}` : ""}`}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <ShowMore what="photos" list={photos} />
      {canAdd && (
        <form
          aria-label="Add a photo"
          onSubmit={(e) => {
            e.preventDefault();
            void add(e.currentTarget);
          }}
        >
          <label>
            Photo
            <input name="file" type="file" accept={photoRule.accept} required aria-describedby="photo-hint" />
          </label>
          <p class="hint" id="photo-hint">
            {fileHint(photoRule)}
          </p>
          <label>
            Caption (optional)
            <input name="caption" maxLength={500} />
          </label>
          <button type="submit" disabled={busy}>
            Add the photo
          </button>
        </form>
      )}
      <Failure text={error} />
    </div>
  );
}

/** One photo: from the bytes events answers to the session's token, or from its address when it is public. */
function EventPhoto({ photo }: { photo: Photo }) {
  const served = photo.url.startsWith(`/api/v1/events/${photo.event_id}/photos/${photo.id}/content`);
  const shown = useShownImage(
    photo.url,
    served
      ? () => session.api.events.GET("/api/v1/events/{id}/photos/{photo_id}/content", { params: { path: { id: photo.event_id, photo_id: photo.id } }, parseAs: "blob" })
      : null,
  );
  return (
    <figure>
      {shown ? <img src={shown} alt={photo.caption || "A photo of the event"} width={photo.width ?? undefined} height={photo.height ?? undefined} /> : <div class="photo-loading" aria-hidden="true" />}
      {photo.caption && <figcaption>{photo.caption}</figcaption>}
    </figure>
  );
}
