import type { messaging } from "@community/sdk";
import { useState } from "preact/hooks";
import { session, useAction } from "../lib/app";
import { here } from "../lib/router";
import { problemText } from "../lib/session";
import { Failure } from "../lib/said";

type Thread = messaging.components["schemas"]["ThreadDto"];

/** Said when a thread changed or went, so the community's list of threads follows (`detail`: the thread's id). */
export const threadsChanged = "community:threads-changed";
export const threadGone = "community:thread-gone";

/** At most this many tags a thread, as messaging takes them. */
const maxTags = 10;

/**
 * What may be done to a thread: its group's owner and moderators pin and unpin it; they and its author change its
 * title and tags (against the version loaded: a 412 loads it again, keeping what was written) and delete it. `changed`
 * loads it again.
 */
export function ThreadActions({ thread, etag, moderates, changed }: { thread: Thread; etag: string | null; moderates: boolean; changed: () => void }) {
  const [editing, setEditing] = useState(false);
  const { busy, error, setError, run } = useAction();
  const path = { params: { path: { id: thread.id } } };
  const mine = thread.author.user_id === session.user?.id;
  if (!moderates && !mine) return null;

  const done = () => {
    dispatchEvent(new CustomEvent(threadsChanged, { detail: thread.id }));
    changed();
  };

  const pin = (on: boolean) =>
    run(async () => {
      const { error, response } = on ? await session.api.messaging.POST("/api/v1/threads/{id}/pin", path) : await session.api.messaging.POST("/api/v1/threads/{id}/unpin", path);
      if (response.ok) done();
      else setError(problemText(error, response, on ? "The thread was not pinned." : "The thread was not unpinned."));
    });

  const save = (form: HTMLFormElement) =>
    run(async () => {
      const fields = new FormData(form);
      const title = String(fields.get("title") ?? "").trim();
      const tags = [...new Set(String(fields.get("tags") ?? "").split(",").map((t) => t.trim()).filter(Boolean))];
      if (!title) return setError("Give the thread a title.");
      if (tags.length > maxTags) return setError(`At most ${maxTags} tags.`);
      const sameTags = tags.length === thread.tags.length && tags.every((t, i) => t === thread.tags[i]);
      const body = { ...(title !== thread.title && { title }), ...(!sameTags && { tags: tags.length ? tags : null }) };
      if (Object.keys(body).length === 0) return setEditing(false);
      const { error, response } = await session.api.messaging.PATCH("/api/v1/threads/{id}", { ...path, params: { ...path.params, header: { "If-Match": etag ?? "*" } }, body });
      if (response.ok) {
        setEditing(false);
        return done();
      }
      if (response.status === 412) {
        // the form stays open with what was written: saved again, it is compared with the version loaded now
        setError("The thread was changed elsewhere since it was loaded. It is loaded again and your changes are kept here: save them once more.");
        return changed();
      }
      setError(problemText(error, response, "The thread was not changed."));
    });

  const remove = () =>
    run(async () => {
      if (!confirm(`Delete the thread “${thread.title}” and its messages?`)) return;
      const from = here();
      const { error, response } = await session.api.messaging.DELETE("/api/v1/threads/{id}", path);
      if (!response.ok && response.status !== 404) return setError(problemText(error, response, "The thread was not deleted."));
      dispatchEvent(new CustomEvent(threadGone, { detail: thread.id }));
      from.navigate(`/communities/${thread.group_id}`);
    });

  return (
    <div class="thread-actions" aria-busy={busy}>
      <div class="actions">
        {moderates && (
          <button type="button" class="small secondary" disabled={busy} onClick={() => void pin(!thread.pinned)}>
            {thread.pinned ? "Unpin" : "Pin to the top"}
          </button>
        )}
        <button type="button" class="small secondary" disabled={busy} aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
          Edit the thread
        </button>
        <button type="button" class="small secondary" disabled={busy} onClick={() => void remove()}>
          Delete the thread
        </button>
      </div>
      {editing && (
        <form
          class="stack"
          aria-label="Edit the thread"
          onSubmit={(e) => {
            e.preventDefault();
            void save(e.currentTarget);
          }}
        >
          <label>
            Title
            <input name="title" required maxLength={200} defaultValue={thread.title} />
          </label>
          <label>
            Tags (separated by commas, up to {maxTags})
            <input name="tags" maxLength={500} defaultValue={thread.tags.join(", ")} />
          </label>
          <button type="submit" disabled={busy}>
            Save
          </button>
        </form>
      )}
      <Failure text={error} />
    </div>
  );
}
