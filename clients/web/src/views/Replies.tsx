import type { messaging } from "@community/sdk";
import { useState } from "preact/hooks";
import { displayName, plural, session } from "../lib/app";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";
import { gist, SentBy } from "./MessageSearch";

type Message = messaging.components["schemas"]["MessageDto"];

/** Replies a page, oldest first. */
const pageSize = 20;

/**
 * "2 replies" under a thread's message that shown messages answer: pressed, the replies as the platform lists them
 * (`GET /api/v1/threads/{id}/messages/{message_id}/replies`, oldest first, a page at a time; what is hidden from me is
 * not listed), each shown in the discussion when pressed. `count` is how many of the shown messages answer it: all of
 * them, as the discussion shows every message from its oldest shown one to now.
 */
export function Replies({ threadId, message, count, show }: { threadId: string; message: Message; count: number; show: (seq: number) => void }) {
  const [open, setOpen] = useState(false);
  const replies = useList<Message>(
    (at) =>
      !open
        ? null
        : session.api.messaging.GET("/api/v1/threads/{id}/messages/{message_id}/replies", {
            params: { path: { id: threadId, message_id: message.id }, query: { limit: pageSize, cursor: at.cursor } },
          }),
    [threadId, message.id, open],
  );
  const about = message.sender.user_id === session.user?.id ? "your message" : `the message of ${displayName(message.sender)}`;
  return (
    <div class="replies">
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {plural(count, "reply", "replies")}
      </button>
      {open && (
        <>
          <LoadFailed what="The replies" loaded={replies} />
          <ListState list={replies} empty="No replies to show." />
          <ul class="list replies-list" aria-label={`Replies to ${about}`}>
            {(replies.value ?? []).map((r) => (
              <li key={r.id}>
                <SentBy message={r} />{" "}
                <button type="button" class="link" onClick={() => show(r.seq)}>
                  {gist(r, 100)}
                </button>
              </li>
            ))}
          </ul>
          <ShowMore what="replies" list={replies} />
        </>
      )}
    </div>
  );
}
