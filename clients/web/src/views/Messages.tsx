import type { messaging } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { displayName, formatTime, session, submitted, useAction } from "../lib/app";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";
import { href, navigate } from "../lib/router";
import { problemText, resync } from "../lib/session";
import { Discussion } from "./Discussion";
import { excerpt } from "./MessageSearch";
import { Failure } from "../lib/said";
import { Avatar } from "../lib/picture";

type Conversation = messaging.components["schemas"]["ConversationDto"];

/** Direct messages: conversations with unread counts (live), the open one's discussion with read receipts. */
export function Messages({ conversationId }: { conversationId?: string }) {
  // the direct ones only, asked of messaging: threads and event chats, listed here and hidden, could fill whole pages
  const list = useList<Conversation>((at) => session.api.messaging.GET("/api/v1/conversations", { params: { query: { kind: "direct", limit: 100, ...at } } }), [], { keep: true });
  const conversations = list.value;

  useEffect(() => {
    const hub = session.hub();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reload = () => {
      clearTimeout(timer);
      // a refresh: the conversations loaded past the first page stay shown
      timer = setTimeout(list.retry, 400);
    };
    const offs = [
      // pushed only to the connections that joined the conversation: the one open here
      hub?.on("new_message", reload),
      hub?.on("read", (r) => {
        if (r.user_id !== session.user?.id) return;
        // read here at once, on whichever page it is shown: loading again renews the first pages only (useList)
        list.update((all) => all.map((c) => (c.id === r.conversation_id && r.read_seq > c.read_seq ? { ...c, read_seq: r.read_seq, unread_count: Math.max(0, c.last_seq - r.read_seq) } : c)));
        reload();
      }),
      // a message into any other conversation, or a first one, is told by its notification (a muted one's by neither)
      hub?.on("notification", (n) => n.subject_type === "conversation" && (n.data.conversation_kind ?? "direct") === "direct" && reload()),
    ];
    addEventListener("community:unread-changed", reload);
    // what the hub pushed while it was away is lost
    addEventListener(resync, reload);
    return () => {
      clearTimeout(timer);
      offs.forEach((off) => off?.());
      removeEventListener("community:unread-changed", reload);
      removeEventListener(resync, reload);
    };
  }, []);

  const open = conversations?.find((c) => c.id === conversationId);
  return (
    <div class="columns two" data-depth={conversationId ? "discussion" : "communities"}>
      <section class="column" aria-labelledby="messages-heading">
        <h2 id="messages-heading" tabIndex={-1}>Messages</h2>
        <NewConversation started={list.retry} />
        <LoadFailed what="Conversations" loaded={list} />
        <ListState list={{ ...list, value: conversations }} empty="No conversations yet. Connect with people, then write to them." />
        <ul class="list" aria-label="Conversations">
          {(conversations ?? []).map((c) => (
            <li key={c.id}>
              <a class="with-avatar" href={href(`/messages/${c.id}`)} aria-current={c.id === conversationId ? "page" : undefined}>
                {c.other_user && <Avatar userId={c.other_user.user_id} url={c.other_user.profile_image_url} name={displayName(c.other_user)} />}
                <span>
                  <span class="title">
                    {displayName(c.other_user)}
                    {c.unread_count > 0 && c.id !== conversationId && (
                      <span class="badge">
                        <span aria-hidden="true">{c.unread_count}</span>
                        <span class="visually-hidden">{`, ${c.unread_count} unread`}</span>
                      </span>
                    )}
                  </span>
                  <span class="meta">{c.last_message ? `${preview(c.last_message)} · ${formatTime(c.last_activity_at)}` : "No messages yet"}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
        <ShowMore what="conversations" list={list} />
      </section>
      {conversationId ? (
        <section class="column discussion-column" aria-labelledby="conversation-heading">
          <a class="back" href={href("/messages")}>
            ← Messages
          </a>
          <div class="column-head">
            <h2 id="conversation-heading" tabIndex={-1}>{open ? displayName(open.other_user) : "Conversation"}</h2>
            {open && <Mute key={open.id} conversation={open} changed={(muted) => list.update((all) => all.map((c) => (c.id === open.id ? { ...c, muted } : c)))} />}
          </div>
          <Discussion key={conversationId} conversationId={conversationId} title={open ? displayName(open.other_user) : "conversation"} canSend={open?.can_send ?? true} receipts />
        </section>
      ) : (
        <section class="column placeholder">
          <p>Choose a conversation.</p>
        </section>
      )}
    </div>
  );
}

/**
 * Mutes a conversation (its messages leave my unread total and notify me no more) or unmutes it; the badge in the
 * header follows.
 */
export function Mute({ conversation, changed }: { conversation: Conversation; changed: (muted: boolean) => void }) {
  const { busy, error, setError, run } = useAction();
  const toggle = () =>
    run(async () => {
      const path = { params: { path: { id: conversation.id } } };
      const { error, response } = conversation.muted
        ? await session.api.messaging.DELETE("/api/v1/conversations/{id}/mute", path)
        : await session.api.messaging.PUT("/api/v1/conversations/{id}/mute", path);
      if (!response.ok) return setError(problemText(error, response, "That did not work."));
      changed(!conversation.muted);
      dispatchEvent(new Event("community:unread-changed"));
    });
  return (
    <span>
      <button type="button" class="small secondary" aria-pressed={conversation.muted} disabled={busy} onClick={() => void toggle()}>
        Mute
      </button>
      <Failure text={error} />
    </span>
  );
}

/**
 * Starts (or finds) the direct conversation with a connection, by username, and opens it; `started` loads the list
 * again, where a new one is shown with the person's name.
 */
function NewConversation({ started: loadAgain }: { started: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="inline"
      aria-label="New conversation"
      onSubmit={submitted(setError, async (form) => {
        const username = String(form.get("username") ?? "").trim().replace(/^@/, "");
        if (!username) return;
        const profile = await session.api.social.GET("/api/v1/profiles/by-username/{username}", { params: { path: { username } } });
        if (!profile.data) return setError(profile.response.status === 404 ? `Nobody is called ${username}.` : problemText(profile.error, profile.response, "Looking them up failed."));
        const started = await startConversation(profile.data.user_id);
        if (!started.id) return setError(started.error ?? null);
        loadAgain();
        navigate(`/messages/${started.id}`);
      })}
    >
      <label class="visually-hidden" for="new-conversation">
        Write to (username)
      </label>
      <input id="new-conversation" name="username" placeholder="Write to (username)" />
      <button type="submit" class="small">
        Write
      </button>
      <Failure text={error} />
    </form>
  );
}

/**
 * The direct conversation's id, or why there is none (not connected, blocked...). `connected`: social says the two
 * are connected, which messaging learns from social's events a moment later, so its refusal (403) is asked again for a
 * few seconds before it is believed (a connection just accepted), while `still()` (the person has not gone elsewhere).
 */
export async function startConversation(userId: string, connected = false, still = () => true): Promise<{ id?: string; error?: string }> {
  for (let asked = 1; ; asked++) {
    const { data, error, response } = await session.api.messaging.POST("/api/v1/conversations/direct", { body: { user_id: userId } });
    if (data) return { id: data.id };
    if (!connected || response.status !== 403 || asked === 20 || !still()) return { error: problemText(error, response, "The conversation could not be started.") };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

type Preview = messaging.components["schemas"]["MessagePreview"];

/** A conversation's last message in the list: its words, or what it is when it has none to show. */
export function preview(message: Preview): string {
  if (message.deleted) return "(deleted)";
  if (message.hidden) return "(hidden)";
  return excerpt(message.text ?? (message.attachment_count > 0 ? "(a file)" : ""), 80);
}
