import type { messaging } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { attempt, formatTime, session } from "../lib/app";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";
import { Avatar } from "../lib/picture";
import { href } from "../lib/router";
import { problemText, resync } from "../lib/session";
import { Failure } from "../lib/said";

type Item = messaging.components["schemas"]["NotificationItem"];

/** Notifications, newest first; a new one arrives live (the hub's notification event), and all are loaded again when the hub reconnects. */
export function Notifications() {
  const [refused, setRefused] = useState<string | null>(null);
  // a notification folds others of its subject (`ids`): read, or joined by a new one, it stands for those shown before
  const list = useList<Item>((at) => session.api.messaging.GET("/api/v1/notifications", { params: { query: { limit: 50, ...at } } }), [], {
    keep: true,
    covers: (n) => n.ids,
  });
  const items = list.value;

  useEffect(() => {
    // the hub's notification is the list's item (the AsyncAPI and the OpenAPI document describe the same JSON)
    const off = session.hub()?.on("notification", (n: Item) => {
      list.update((all) => [n, ...all.filter((x) => x.id !== n.id && !n.ids.includes(x.id))]);
    });
    // those pushed while the hub was away are lost: the list is loaded again
    const reload = () => list.retry();
    addEventListener(resync, reload);
    return () => {
      off?.();
      removeEventListener(resync, reload);
    };
  }, []);

  async function markRead(body: { ids?: string[]; all?: boolean }) {
    setRefused(null);
    const { error, response } = await session.api.messaging.PATCH("/api/v1/notifications/read", { body: { ids: body.ids ?? null, all: body.all ?? null } });
    if (!response.ok) return setRefused(problemText(error, response, "Marking them read failed."));
    dispatchEvent(new Event("community:unread-changed"));
    // Read here too, on every page shown: loading again renews the first pages only, and keeps the rest as it was.
    const read = new Date().toISOString();
    list.update((all) => all.map((n) => (!n.read_at && (body.all || n.ids.some((id) => body.ids?.includes(id))) ? { ...n, read_at: read } : n)));
    list.retry();
  }

  const unread = (items ?? []).filter((i) => !i.read_at).length;
  return (
    <div class="page">
      <section aria-labelledby="notifications-heading">
        <div class="column-head">
          <h2 id="notifications-heading" tabIndex={-1}>Notifications</h2>
          {unread > 0 && (
            <button type="button" class="small secondary" onClick={() => void attempt(setRefused, () => markRead({ all: true }))}>
              Mark all as read
            </button>
          )}
        </div>
        <Failure text={refused} />
        <LoadFailed what="Notifications" loaded={list} />
        <ListState list={list} empty="Nothing yet." />
        <ul class="list" aria-label="Notifications">
          {(items ?? []).map((n) => (
            <li key={n.id} class={n.read_at ? "" : "unread"}>
              <a class="with-avatar" href={link(n)} onClick={() => !n.read_at && void attempt(setRefused, () => markRead({ ids: n.ids }))}>
                {n.actor && <Avatar userId={n.actor.user_id} url={n.actor.profile_image_url} name={n.actor.name ?? "?"} />}
                <span>
                  <span class="title">
                    {!n.read_at && <span class="visually-hidden">Unread: </span>}
                    {n.summary}
                  </span>
                  <span class="meta">{formatTime(n.created_at)}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
        <ShowMore what="notifications" list={list} />
      </section>
    </div>
  );
}

/** Where a notification leads in this app (the contract lists each kind's subject and data). */
function link(n: Item): string {
  const data = (key: string) => {
    const value = n.data[key];
    return typeof value === "string" ? value : undefined;
  };
  switch (n.subject_type) {
    case "conversation": {
      // a thread in its group, an event's chat at its event (older notifications name neither: the communities)
      const [kind, group, event] = [data("conversation_kind"), data("group_id"), data("event_id")];
      if (kind === "direct") return href(`/messages/${n.subject_id}`);
      if (kind === "thread" && group) return href(`/communities/${group}/${n.subject_id}`);
      if (kind === "event_chat" && event) return href(`/events/${event}`);
      return href("/communities");
    }
    case "event":
      return href(`/events/${n.subject_id}`);
    case "connection":
      // who asked or accepted: the connection itself has no page
      return href(n.actor ? `/people/${n.actor.user_id}` : "/people");
    case "group":
      return href(`/communities/${n.subject_id}`);
    case "course":
      return href(`/courses/${n.subject_id}`);
    case "payment":
      // the payments are listed on the profile
      return href("/profile");
    case "report": {
      // a report's outcome leads to what was reported, where it has a page (a message alone has none)
      const [type, target] = [data("target_type"), data("target_id")];
      const page = type === "user" ? "people" : type === "group" ? "communities" : type === "event" ? "events" : null;
      return href(page && target ? `/${page}/${target}` : "/notifications");
    }
    default:
      // a kind this app does not know yet: the summary says it all
      return href("/notifications");
  }
}
