import type { messaging } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { displayName, formatTime, session } from "../lib/app";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";

type Message = messaging.components["schemas"]["MessageDto"];

/** Matches a page, newest first. */
const pageSize = 20;

/**
 * Searches one conversation's messages (full text, newest first; what is hidden from me is not found), a page at a
 * time: the next page starts before the last match shown (`before_seq`). Each match can be shown in the discussion.
 */
export function MessageSearch({ conversationId, show }: { conversationId: string; show: (seq: number) => void }) {
  const [query, setQuery] = useState("");
  const found = useList<Message>(
    (at) =>
      !query
        ? null
        : session.api.messaging
            .GET("/api/v1/conversations/{id}/messages/search", {
              params: { path: { id: conversationId }, query: { q: query, limit: pageSize, before_seq: at.cursor ? Number(at.cursor) : undefined } },
            })
            // where the next page starts, as a cursor: before the oldest match shown, while there are more
            .then(({ data, ...rest }) => ({ ...rest, data: data && { items: data.items, next_cursor: data.has_more && data.items.length ? String(data.items[data.items.length - 1]!.seq) : null } })),
    [conversationId, query],
  );
  useEffect(() => setQuery(""), [conversationId]);

  return (
    <details class="message-search">
      <summary>Search this conversation</summary>
      <form
        class="inline"
        role="search"
        aria-label="Search messages"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(String(new FormData(e.currentTarget).get("q") ?? "").trim());
        }}
      >
        <label class="visually-hidden" for={`search-${conversationId}`}>
          Words to find
        </label>
        <input id={`search-${conversationId}`} name="q" type="search" maxLength={200} placeholder="Words to find" />
        <button type="submit" class="small">
          Search
        </button>
      </form>
      {query && (
        <>
          <LoadFailed what="The matches" loaded={found} />
          <ListState list={found} empty={`No message matches “${query}”.`} />
          <ul class="list matches" aria-label="Messages found">
            {(found.value ?? []).map((m) => (
              <li key={m.id}>
                <SentBy message={m} />
                <p class="text">{m.text}</p>
                <button type="button" class="link" onClick={() => show(m.seq)}>
                  Show in the conversation
                </button>
              </li>
            ))}
          </ul>
          <ShowMore what="matches" list={found} />
        </>
      )}
    </details>
  );
}

/**
 * The messages replied to that are not among those shown, asked for once each (a failure the platform may get over is
 * asked again). Each Discussion keeps its own: what it learnt goes with it, so a message deleted or hidden since (its
 * author blocked), or what another account signed in may not read, is asked afresh.
 */
export type Quoted = Map<string, Promise<Message | "gone">>;

/**
 * What a message replies to, as one line: its author and the start of its text; pressed, it is shown in the
 * discussion. `shown` is what is known without asking (the messages shown, those changed live); `quoted` what the
 * discussion asked for already.
 */
export function Quote({ conversationId, id, shown, quoted, show }: { conversationId: string; id: string; shown: Message[]; quoted: Quoted; show: (seq: number) => void }) {
  const inView = shown.find((m) => m.id === id);
  const [fetched, setFetched] = useState<Message | "gone" | null>(null);
  useEffect(() => {
    if (inView) return;
    let live = true;
    let answer = quoted.get(id);
    if (!answer) {
      answer = session.api.messaging
        .GET("/api/v1/conversations/{id}/messages/{message_id}", { params: { path: { id: conversationId, message_id: id } } })
        .then(({ data, response }) => {
          if (data) return data;
          if (response.status === 404) return "gone" as const;
          throw new Error(`answered ${response.status}`);
        });
      quoted.set(id, answer);
      answer.catch(() => quoted.delete(id));
    }
    answer.then((m) => live && setFetched(m)).catch(() => undefined);
    return () => void (live = false);
  }, [conversationId, id, !inView, quoted]);

  const original = inView ?? (fetched === "gone" ? null : fetched);
  const about =
    fetched === "gone" && !inView
      ? "a message no longer here"
      : !original
        ? "an earlier message"
        : original.deleted_at || original.hidden
          ? gist(original)
          : `${original.sender.user_id === session.user?.id ? "you" : displayName(original.sender)}: “${gist(original)}”`;
  return original ? (
    <button type="button" class="link quote" onClick={() => show(original.seq)}>
      Replying to {about}
    </button>
  ) : (
    <p class="meta quote">Replying to {about}</p>
  );
}

/** Who sent a message and when, as a list of messages shows it: "You, 10:42". */
export function SentBy({ message }: { message: Message }) {
  return (
    <span class="meta">
      {message.sender.user_id === session.user?.id ? "You" : displayName(message.sender)}, <time dateTime={message.created_at}>{formatTime(message.created_at)}</time>
    </span>
  );
}

/** What a message says, its start on one line ("a file" for files alone), or what became of it (deleted, hidden). */
export function gist(message: Message, length = 80): string {
  if (message.deleted_at) return "a deleted message";
  if (message.hidden) return "a hidden message";
  return excerpt(message.text ?? (message.attachments.length ? "a file" : ""), length);
}

/** The start of a text, on one line. */
export const excerpt = (text: string, length = 80) => {
  const line = text.replace(/\s+/g, " ").trim();
  if (line.length <= length) return line;
  // an emoji is two UTF-16 units: one across the cut goes whole
  const cut = line.slice(0, length - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
};
