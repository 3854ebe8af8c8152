import type { aiCompanion } from "@community/sdk";
import { formatTime, session, useAction } from "../lib/app";
import { href, navigate } from "../lib/router";
import { LoadFailed, ShowMore, useList } from "../lib/list";
import { problemText } from "../lib/session";
import { Failure } from "../lib/said";

type Item = aiCompanion.components["schemas"]["ActivityItem"];

/** Where an item's link (the API's address of what it is about) leads in this client, or null when nowhere. */
export function pageOf(link: string): string | null {
  const match = /^\/api\/v1\/(events|groups|courses|profiles)\/([0-9a-f-]{36})$/i.exec(link);
  if (match) return `/${{ events: "events", groups: "communities", courses: "courses", profiles: "people" }[match[1]!.toLowerCase() as "events"]}/${match[2]}`;
  return link === "/api/v1/boosts/me" ? "/profile" : null;
}

/**
 * The companion's suggestions for me (an event or circle near me, a new connection with shared interests, a course that
 * fits, a boost that ended), newest first: each leads to what it is about and is then read; all can be marked read.
 * Nothing is shown while there are none.
 */
export function Concierge() {
  const items = useList<Item>((at) => session.api.aiCompanion.GET("/api/v1/activity", { params: { query: { limit: 5, ...at } } }), [], { keep: true });
  const { busy, error, setError, run } = useAction();
  const unread = (items.value ?? []).filter((i) => !i.read).length;

  const open = (item: Item) =>
    run(async () => {
      if (!item.read) {
        const { error, response } = await session.api.aiCompanion.POST("/api/v1/activity/{id}/read", { params: { path: { id: item.id } } });
        // gone meanwhile is read enough; anything else is said, and the page stays
        if (!response.ok && response.status !== 404) return setError(problemText(error, response, "That could not be opened."));
      }
      const page = pageOf(item.action_link);
      if (page) navigate(page);
      else items.update((all) => all.map((i) => (i.id === item.id ? { ...i, read: true } : i)));
    });

  const readAll = () =>
    run(async () => {
      const { error, response } = await session.api.aiCompanion.POST("/api/v1/activity/read-all");
      if (!response.ok) return setError(problemText(error, response, "They were not marked read."));
      items.update((all) => all.map((i) => ({ ...i, read: true })));
    });

  if (items.value !== null && items.value.length === 0) return null;
  return (
    <section class="card" aria-labelledby="concierge-heading" aria-busy={busy}>
      <h3 id="concierge-heading">From your companion{unread > 0 ? ` (${unread} new)` : ""}</h3>
      <LoadFailed what="Your companion's suggestions" loaded={items} />
      <Failure text={error} />
      <ul class="plain" aria-label="From your companion">
        {(items.value ?? []).map((item) => (
          <li key={item.id} class={item.read ? "" : "unread"}>
            <strong>{item.title}</strong> <time class="meta" dateTime={item.created_at}>{formatTime(item.created_at)}</time>
            <p>{item.description}</p>
            {pageOf(item.action_link) ? (
              <a
                href={href(pageOf(item.action_link)!)}
                onClick={(e) => {
                  e.preventDefault();
                  e.stopPropagation();
                  void open(item);
                }}
              >
                {item.action_text}
              </a>
            ) : (
              !item.read && (
                <button type="button" class="link" onClick={() => void open(item)}>
                  Mark read
                </button>
              )
            )}
          </li>
        ))}
      </ul>
      <ShowMore what="suggestions" list={items} />
      {unread > 0 && (
        <button type="button" class="small secondary" disabled={busy} onClick={() => void readAll()}>
          Mark all read
        </button>
      )}
    </section>
  );
}
