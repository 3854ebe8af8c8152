import type { messaging } from "@community/sdk";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { displayName, formatTime, newTxnId, session, useSession } from "../lib/app";
import { Avatar } from "../lib/picture";
import { Report } from "./Safety";
import { type Attachment, AttachmentView, upload } from "./Attachment";
import { attachmentRule } from "../lib/file";
import { gist, MessageSearch, Quote, type Quoted } from "./MessageSearch";
import { Replies } from "./Replies";
import { Banner, Failure, NotSent } from "../lib/said";
import { problemText, resync, settled } from "../lib/session";
import { type Pending, updateWaiting, useWaiting, waitingIn } from "../lib/outbox";

// the REST schema: its optional fields take the hub's (required, nullable) ones as they are
type Message = messaging.components["schemas"]["MessageDto"];

interface Props {
  conversationId: string;
  /** What the discussion is about, for the log's description (a thread's title, the other person's name). */
  title: string;
  canSend: boolean;
  /** Direct conversations show read receipts. */
  receipts?: boolean;
  /** A community's thread: the replies to a message are listed under it. */
  thread?: boolean;
}

/**
 * A conversation, live through the chat hub: the newest page on join, new messages as they arrive, edits and
 * deletions in place, older pages on scrolling up, typing indicators both ways, and a reconnect that catches up from
 * the last seq (the SDK's hub client) and reads the messages shown again (edits and deletions made meanwhile). A
 * message sent while the platform is away waits, and is sent again with the same client_txn_id, so it is never lost
 * nor doubled: it waits in the outbox (`lib/outbox.ts`), not here, so leaving the conversation, or reloading the tab,
 * loses none; the conversation opened again shows it and sends it.
 *
 * Render it with `key={conversationId}`: another conversation is then a new Discussion, so nothing of the last one
 * (a draft, a receipt, files attached, an answer still on its way) carries over.
 *
 * A conversation deleted while open (its thread, or its whole group: the hub's conversation_closed, or a 404 when it
 * is joined or read again after a reconnect) is closed: its messages go, a notice says why, the composer is disabled,
 * and what waited in the outbox leaves it (sent again, it would only be refused), shown to be copied with the draft.
 */
export function Discussion({ conversationId, title, canSend, receipts = false, thread = false }: Props) {
  useSession();
  const me = session.user!.id;
  const reconnecting = String(session.hub()?.state) !== "Connected";
  const [messages, setMessages] = useState<Message[]>([]);
  const pending = useWaiting(me, conversationId);
  const setPending = (change: (all: Pending[]) => Pending[]) => updateWaiting(me, conversationId, change);
  const [hasOlder, setHasOlder] = useState(false);
  const [loading, setLoading] = useState(true);
  const [typing, setTyping] = useState<string[]>([]);
  const [otherRead, setOtherRead] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // the join was refused or lost (not a 404: that closes it): nothing was loaded, and it is asked again on a press or
  // when the hub is back
  const [joinFailed, setJoinFailed] = useState(false);
  const joinFailedRef = useRef(false);
  const joinAgain = useRef<() => void>(() => undefined);
  const [draft, setDraft] = useState("");
  const [editing, setEditing] = useState<Message | null>(null);
  const [replyingTo, setReplyingTo] = useState<Message | null>(null);
  const [attached, setAttached] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(false);
  const log = useRef<HTMLDivElement>(null);
  const names = useRef(new Map<string, string>());
  const stickToBottom = useRef(true);
  const keepFromBottom = useRef<number | null>(null);
  const lastTyping = useRef(0);
  const draftRef = useRef("");
  draftRef.current = draft;
  // what was being written (and answered) when an edit began, given back when it ends
  const beforeEdit = useRef<{ text: string; replyingTo: Message | null } | null>(null);
  const shownRef = useRef<Message[]>([]);
  shownRef.current = messages;
  const textbox = useRef<HTMLTextAreaElement>(null);
  // the messages replies quote that are not shown, asked for once by this discussion alone (see Quote)
  const quoted = useRef<Quoted>(new Map());
  // messages edited or deleted live while not shown: what a reply quotes of them follows
  const [revised, setRevised] = useState<Message[]>([]);
  // the conversation is gone: why, as the notice says it (see close)
  const [closed, setClosed] = useState<string | null>(null);
  const closedRef = useRef(false);
  // what was written and never sent when it closed: shown to be copied
  const [unsent, setUnsent] = useState<string[]>([]);
  // whether the composer is shown, as the latest render has it (a send's answer may come after it is hidden)
  const canSendRef = useRef(canSend);
  canSendRef.current = canSend;
  // hidden while something was being written (a block, say): its words stay to be copied (an edit's changed words,
  // and the draft it set aside); the edit and the reply end, and the files attached are taken off and deleted at the
  // platform (one still uploading is deleted once it is in), so that none of it comes back, unseen meanwhile, if
  // sending is allowed again
  useEffect(() => {
    if (canSend) return;
    const words = [beforeEdit.current?.text.trim() ?? "", draftRef.current.trim()].filter(
      (w) => w && !(editing && w === (editing.text ?? "").trim()),
    );
    beforeEdit.current = null;
    setEditing(null);
    setReplyingTo(null);
    attached.forEach(removeAttached);
    draftRef.current = "";
    setDraft("");
    if (words.length) setUnsent((all) => [...all, ...words]);
  }, [canSend]);

  /**
   * The conversation is gone (its thread or its group deleted): nothing of it is shown, asked for or sent any more.
   * The messages waiting to be sent leave the outbox, and their words, with the draft's, are shown to be copied.
   */
  const close = (notice: string) => {
    if (closedRef.current) return;
    closedRef.current = true;
    const left = [...waitingIn(me, conversationId).map((p) => p.text.trim()), beforeEdit.current?.text.trim() ?? "", draftRef.current.trim()].filter(Boolean);
    setPending(() => []);
    setUnsent(left);
    setClosed(notice);
    setMessages([]);
    setRevised([]);
    setHasOlder(false);
    setTyping([]);
    setEditing(null);
    beforeEdit.current = null;
    setReplyingTo(null);
    setDraft("");
    setAttached([]);
    setError(null);
    // the hub's client would otherwise join it again on each reconnect
    void session.hub()?.leaveConversation(conversationId).catch(() => undefined);
  };
  /** What the notice says of a conversation that answers 404: deleted, or no longer one's to read. */
  const gone = thread ? "This thread was deleted, or you can no longer read it." : "This conversation was deleted, or you can no longer read it.";

  const merge = (incoming: Message[]) => {
    // an answer on its way when it closed: nothing of it is shown
    if (closedRef.current) return;
    for (const m of incoming) if (m.sender.user_id) names.current.set(m.sender.user_id, displayName(m.sender));
    setMessages((current) => {
      const bySeq = new Map(current.map((m) => [m.seq, m]));
      // a page read before an edit or a deletion pushed since never takes it back
      for (const m of incoming) if (!bySeq.has(m.seq) || !staler(m, bySeq.get(m.seq)!)) bySeq.set(m.seq, m);
      return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    });
    const mine = new Set(incoming.map((m) => m.client_txn_id).filter(Boolean));
    if (mine.size) setPending((p) => p.filter((x) => !mine.has(x.txn)));
  };

  /**
   * An edit or a deletion heard live: it changes the message where it is shown, and is never put in the log otherwise.
   * One older than those shown comes with its page; put above them, it would leave a gap that older pages, asked for
   * before the oldest shown, never fill.
   */
  const revise = (m: Message) => {
    if (closedRef.current) return;
    // pushes can cross (an edit's told after the deletion that followed it): an older state never replaces a newer one
    setMessages((current) => (current.some((x) => x.seq === m.seq) ? current.map((x) => (x.seq === m.seq && !staler(m, x) ? m : x)) : current));
    setRevised((all) => {
      const held = all.find((x) => x.id === m.id);
      return held && staler(m, held) ? all : [...all.filter((x) => x.id !== m.id), m];
    });
  };

  /**
   * The messages shown, read again after a reconnect: an edit or a deletion made while the connection was down is
   * never pushed, and the hub's catch-up brings only the seqs after the last one. Pages back from the newest shown to
   * the oldest (at most 20 of 100), each replacing only messages shown: none older is put in the log, and messages
   * waiting to be sent stay as they are. Unreachable, the next reconnect reads them again. A 404 says the
   * conversation is gone (deleted while the connection was down): it is closed.
   */
  async function reread() {
    const shown = shownRef.current;
    if (!shown.length || closedRef.current) return;
    const first = shown[0]!.seq;
    let before = shown[shown.length - 1]!.seq + 1;
    for (let pages = 0; before > first && pages < 20; pages++) {
      const answer = await session.api.messaging
        .GET("/api/v1/conversations/{id}/messages", { params: { path: { id: conversationId }, query: { before_seq: before, limit: Math.min(before - first, 100) } } })
        .catch(() => null);
      if (answer?.response.status === 404) return close(gone);
      const data = answer?.data;
      if (!data || closedRef.current) return;
      const read = new Map(data.items.map((m) => [m.seq, m]));
      setMessages((current) =>
        current.map((x) => {
          const m = read.get(x.seq);
          return m && !staler(m, x) ? m : x;
        }),
      );
      if (!data.items.length || !data.has_more) break;
      before = Math.min(...data.items.map((m) => m.seq));
    }
  }

  // join, listen, and leave again
  useEffect(() => {
    let live = true;
    const hub = session.hub()!;
    const offs = [
      hub.on("new_message", (m) => m.conversation_id === conversationId && merge([m])),
      hub.on("message_updated", (m) => m.conversation_id === conversationId && revise(m)),
      hub.on("message_deleted", (m) => m.conversation_id === conversationId && revise(m)),
      hub.on("conversation_closed", (c) => c.conversation_id === conversationId && close(closedBecause(c.reason, thread))),
      hub.on("read", (r) => r.conversation_id === conversationId && r.user_id !== me && setOtherRead((s) => Math.max(s, r.read_seq))),
      // the signal names who types: one with no message on the page is named too
      hub.on("typing", (t) => t.conversation_id === conversationId && (t.display_name || t.username) && names.current.set(t.user_id, displayName(t))),
      hub.onTypingChange((t) => {
        if (t.conversation_id !== conversationId || t.user_id === me || closedRef.current) return;
        setTyping((current) => (t.typing ? [...new Set([...current, t.user_id])] : current.filter((u) => u !== t.user_id)));
      }),
      hub.onRejoined((r) => {
        if (r.conversation_id !== conversationId) return;
        // joined again by the SDK on its own (it tries again while connected): what the failure said is over
        if (joinFailedRef.current) {
          joinFailedRef.current = false;
          setJoinFailed(false);
          setError(null);
        }
        void flush();
        void reread();
      }),
      hub.onRejoinFailed((f) => {
        if (f.conversation_id !== conversationId) return;
        // joined again after a reconnect, it answered 404: deleted while the connection was down
        if (/HubException: 404 /.test(f.error.message)) return close(gone);
        // refused while the connection stays up (the service unavailable a moment): nothing is pushed here until it
        // is joined again, so it says so and offers to (the connection down again: the next reconnect joins it)
        if (String(hub.state) !== "Connected" || closedRef.current) return;
        setError(hubError(f.error, "New messages cannot be received here for now."));
        joinFailedRef.current = true;
        setJoinFailed(true);
      }),
    ];
    const join = async () => {
      joinFailedRef.current = false;
      setJoinFailed(false);
      setLoading(true);
      try {
        const ready = await session.hubReady();
        // left while the hub was getting ready (its leave already tried): not joined after all
        if (!live) return;
        const page = await ready.joinConversation(conversationId);
        if (!live) return;
        setError(null);
        merge(page.items);
        setHasOlder(page.has_more);
        // messages left waiting here before (another conversation opened, a reload): those not in the page go now
        void flush();
      } catch (e) {
        if (!live) return;
        // deleted, or no longer the caller's to read: closed, as when it is joined again after a reconnect
        if (e instanceof Error && /HubException: 404 /.test(e.message)) return close(gone);
        setError(hubError(e, "This conversation could not be opened."));
        joinFailedRef.current = true;
        setJoinFailed(true);
      } finally {
        if (live) setLoading(false);
      }
    };
    joinAgain.current = () => void join();
    void join();
    // the hub back after a join that failed: asked again (a joined conversation the SDK catches up itself)
    const onResync = () => joinFailedRef.current && void join();
    addEventListener(resync, onResync);
    const retry = setInterval(() => void flush(), 3000);
    return () => {
      live = false;
      removeEventListener(resync, onResync);
      clearInterval(retry);
      offs.forEach((off) => off());
      void hub.leaveConversation(conversationId).catch(() => undefined);
    };
  }, [conversationId]);

  // keep the view at the bottom for new messages, and in place when older ones are put above
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages, pending]);

  // mark read what is shown while the page is visible
  const lastSeq = messages.length ? messages[messages.length - 1]!.seq : 0;
  useEffect(() => {
    if (!lastSeq) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const markRead = () => {
      if (document.visibilityState !== "visible") return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        session
          .hub()
          ?.invoke("MarkRead", conversationId, lastSeq)
          .then(() => dispatchEvent(new Event("community:unread-changed"))) // the hub tells the others, not me
          .catch(() => undefined);
      }, 300);
    };
    markRead();
    // opened in a background tab, or new messages while another tab was in front: read once it is looked at
    document.addEventListener("visibilitychange", markRead);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", markRead);
    };
  }, [conversationId, lastSeq]);

  async function loadOlder() {
    if (!hasOlder || !messages.length || closedRef.current) return;
    const first = messages[0]!.seq;
    setHasOlder(false);
    // refused or unreachable: older messages stay to be loaded on the next scroll
    const answer = await session.api.messaging
      .GET("/api/v1/conversations/{id}/messages", { params: { path: { id: conversationId }, query: { before_seq: first, limit: 30 } } })
      .catch(() => null);
    const data = answer?.data;
    if (!data) return setHasOlder(true);
    const el = log.current;
    if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
    merge(data.items);
    setHasOlder(data.has_more);
  }

  /**
   * Shows the message of `seq` in the log: older pages are loaded until it is among them (at most 20 pages of 100,
   * so every message between it and the newest is there too), then it is scrolled to and marked for a moment.
   */
  async function reveal(seq: number) {
    let first = shownRef.current[0]?.seq;
    for (let pages = 0; first !== undefined && first > seq && pages < 20; pages++) {
      const answer = await session.api.messaging
        .GET("/api/v1/conversations/{id}/messages", { params: { path: { id: conversationId }, query: { before_seq: first, limit: 100 } } })
        .catch(() => null);
      const data = answer?.data;
      if (!data) return setError("Older messages could not be loaded: try again.");
      merge(data.items);
      setHasOlder(data.has_more);
      if (!data.items.length || !data.has_more) break;
      first = Math.min(...data.items.map((m) => m.seq));
    }
    stickToBottom.current = false;
    keepFromBottom.current = null;
    // after the render that puts the loaded pages in the log
    setTimeout(() => {
      const found = log.current?.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
      if (!found) return setError("That message is too far back to show here.");
      found.scrollIntoView?.({ block: "center" });
      found.classList.add("found");
      found.focus();
      setTimeout(() => found.classList.remove("found"), 2000);
    }, 0);
  }

  function onScroll() {
    const el = log.current!;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60) void loadOlder();
  }

  /**
   * A message refused for good leaves the outbox, not the writer: its words go back in the composer when it is empty,
   * or else are shown to be copied, as those of a closed conversation are.
   */
  function keepWords(text: string) {
    const words = text.trim();
    if (!words) return;
    // no composer shown (nothing more may be sent here): the words go where they can be seen and copied
    if (!draftRef.current.trim() && canSendRef.current) {
      draftRef.current = words;
      setDraft(words);
    } else setUnsent((all) => [...all, words]);
  }

  /** Sends what waits, each with its own client_txn_id: a retry of one already sent is answered with that message. */
  async function flush() {
    const hub = session.hub();
    if (!hub || closedRef.current) return;
    for (const p of waitingIn(me, conversationId)) {
      // closed meanwhile: what waits has left the outbox
      if (closedRef.current) return;
      // signed out meanwhile, or into another account: not sent as anyone else
      if (String(hub.state) !== "Connected" || session.user?.id !== me) return;
      // sent meanwhile (by another try, or by the discussion left before this one)
      if (!waitingIn(me, conversationId).some((x) => x.txn === p.txn)) continue;
      try {
        if (p.attachments.length === 0) merge([await hub.invoke("SendMessage", conversationId, p.text, p.txn, p.replyTo?.id ?? null)]);
        else {
          const { data, error, response } = await session.api.messaging.POST("/api/v1/conversations/{id}/messages", {
            params: { path: { id: conversationId } },
            body: { text: p.text || null, attachments: p.attachments.map((a) => a.id), client_txn_id: p.txn, reply_to: p.replyTo?.id ?? null },
          });
          // the platform may get over it (a 5xx, 408, 429): sent again later under the same client_txn_id
          if (!data && !settled(response)) throw new Error(`answered ${response.status}`);
          if (closedRef.current) return;
          if (!data) {
            // refused for good: said, and not sent again; its words stay the writer's
            setPending((all) => all.filter((x) => x.txn !== p.txn));
            keepWords(p.text);
            setError(problemText(error, response, "The message was not sent."));
            continue;
          }
          merge([data]);
        }
      } catch (e) {
        // closed meanwhile (the send refused as it closed): what waited is shown to be copied, not said refused
        if (closedRef.current) return;
        const refusal = refusedForGood(e);
        if (refusal) {
          // sent again, it would be refused again, and hold back every message after it
          setPending((all) => all.filter((x) => x.txn !== p.txn));
          keepWords(p.text);
          setError(refusal);
          continue;
        }
        setPending((all) => all.map((x) => (x.txn === p.txn ? { ...x, failed: true } : x)));
        return;
      }
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (closedRef.current) return;
    // a file still on its way goes with the words written for it: Enter waits as the Send button does
    if (uploading && !editing) return;
    const text = draft.trim();
    if (!text && (editing || attached.length === 0)) return;
    setDraft("");
    draftRef.current = "";
    stickToBottom.current = true;
    const hub = session.hub();
    if (editing) {
      const target = editing;
      const before = endEdit();
      try {
        merge([await hub!.invoke("EditMessage", conversationId, target.id, text)]);
      } catch (e) {
        setError(hubError(e, "The message could not be edited."));
        // the edit is put back, to be saved again (once the connection is back), unless something else was written
        // meanwhile; with nothing more to be sent here, its words are kept to be copied
        if (!canSendRef.current) setUnsent((all) => [...all, text]);
        else if (draftRef.current === before.text && !beforeEdit.current) {
          beforeEdit.current = before;
          setEditing(target);
          setReplyingTo(null);
          setDraft(text);
        }
      }
      return;
    }
    lastTyping.current = 0;
    hub?.invoke("StopTyping", conversationId).catch(() => undefined);
    const item: Pending = { txn: newTxnId(), text, attachments: attached, replyTo: replyingTo, failed: false };
    setAttached([]);
    setReplyingTo(null);
    setPending((all) => [...all, item]);
    await flush();
  }

  function onInput(value: string) {
    setDraft(value);
    const hub = session.hub();
    if (!hub || String(hub.state) !== "Connected" || editing) return;
    const now = Date.now();
    if (value && now - lastTyping.current > 2500) {
      lastTyping.current = now;
      hub.invoke("Typing", conversationId).catch(() => undefined);
    } else if (!value && lastTyping.current) {
      lastTyping.current = 0;
      hub.invoke("StopTyping", conversationId).catch(() => undefined);
    }
  }

  async function remove(message: Message) {
    if (!confirm("Delete this message?")) return;
    try {
      merge([await session.hub()!.invoke("DeleteMessage", conversationId, message.id)]);
    } catch (e) {
      setError(hubError(e, "The message could not be deleted."));
    }
  }

  /** Takes a file off the draft, and deletes it at the platform, where an unsent file holds one of 20 places. */
  function removeAttached(attachment: Attachment) {
    setAttached((all) => all.filter((x) => x.id !== attachment.id));
    deleteAttached(attachment);
  }

  function deleteAttached(attachment: Attachment) {
    void session.api.messaging
      .DELETE("/api/v1/conversations/{id}/attachments/{attachment_id}", { params: { path: { id: conversationId, attachment_id: attachment.id } } })
      .catch(() => undefined);
  }

  function startEdit(message: Message) {
    if (!editing) beforeEdit.current = { text: draftRef.current, replyingTo };
    setEditing(message);
    setReplyingTo(null);
    setDraft(message.text ?? "");
    draftRef.current = message.text ?? "";
    textbox.current?.focus();
  }

  /** Ends an edit (saved, or given up), giving back what was being written and answered before it. */
  function endEdit() {
    const before = beforeEdit.current ?? { text: "", replyingTo: null };
    beforeEdit.current = null;
    setEditing(null);
    setDraft(before.text);
    draftRef.current = before.text;
    setReplyingTo(before.replyingTo);
    return before;
  }

  function startReply(message: Message) {
    if (editing) endEdit();
    setReplyingTo(message);
    textbox.current?.focus();
  }

  const typingText = typing.length
    ? `${typing.map((u) => names.current.get(u) ?? "Someone").join(" and ")} ${typing.length > 1 ? "are" : "is"} typing…`
    : "";
  const myLastSeen = receipts ? [...messages].reverse().find((m) => m.sender.user_id === me && m.seq <= otherRead) : undefined;

  // how many shown messages answer each message: all of its replies, as everything after the oldest shown is shown
  const repliesTo = new Map<string, number>();
  for (const m of messages) if (m.reply_to && !m.deleted_at && !m.hidden) repliesTo.set(m.reply_to, (repliesTo.get(m.reply_to) ?? 0) + 1);
  // what a reply may quote without asking: the messages shown, then those changed live since
  const known = revised.length ? [...messages, ...revised] : messages;

  return (
    <section class="discussion" aria-label={`Discussion: ${title}`}>
      <Banner text={closed ?? (reconnecting ? "Connecting… messages you send go out once the connection is back." : null)} />
      {closed === null && <MessageSearch conversationId={conversationId} show={(seq) => void reveal(seq)} />}
      {closed !== null && <p class="meta">Its messages can no longer be read, and nothing more can be sent to it.</p>}
      <NotSent id={`unsent-${conversationId}`} texts={unsent} />
      {closed === null && (
        <div class="log" role="log" aria-label="Discussion" aria-busy={loading} ref={log} onScroll={onScroll} tabIndex={0}>
          {hasOlder && (
            <button type="button" class="link older" onClick={() => void loadOlder()}>
              Load older messages
            </button>
          )}
          {joinFailed && (
            <button type="button" class="small secondary" onClick={() => joinAgain.current()}>
              Try again
            </button>
          )}
          {!loading && !joinFailed && !messages.length && !pending.length && <p class="empty">No messages yet. Say hello!</p>}
          {messages.map((m) => (
            <article class={`message${m.sender.user_id === me ? " mine" : ""}`} key={m.seq} data-seq={m.seq} tabIndex={-1} aria-label={`${displayName(m.sender)}, ${formatTime(m.created_at)}`}>
              <header>
                {m.sender.user_id !== me && <Avatar userId={m.sender.user_id} url={m.sender.profile_image_url} name={displayName(m.sender)} />}
                <strong>{m.sender.user_id === me ? "You" : displayName(m.sender)}</strong> <time dateTime={m.created_at}>{formatTime(m.created_at)}</time>
                {m.edited_at && !m.deleted_at && <span class="meta"> (edited)</span>}
              </header>
              {m.reply_to && !m.deleted_at && !m.hidden && <Quote conversationId={conversationId} id={m.reply_to} shown={known} quoted={quoted.current} show={(seq) => void reveal(seq)} />}
              {m.deleted_at ? (
                <p class="tombstone">This message was deleted.</p>
              ) : m.hidden ? (
                <p class="tombstone">Hidden.</p>
              ) : (
                <>
                  {m.text && <p class="text">{m.text}</p>}
                  {m.attachments.length > 0 && (
                    <ul class="attachments" aria-label="Files">
                      {m.attachments.map((a) => (
                        <li key={a.id}>
                          <AttachmentView conversationId={conversationId} attachment={a} />
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              )}
              {m.sender.user_id === me && !m.deleted_at && (
                <div class="actions">
                  {canSend && <ReplyButton message={m} reply={startReply} />}
                  <button type="button" class="link" onClick={() => startEdit(m)} aria-label={`Edit message: ${m.text ?? ""}`}>
                    Edit
                  </button>
                  <button type="button" class="link" onClick={() => void remove(m)} aria-label={`Delete message: ${m.text ?? ""}`}>
                    Delete
                  </button>
                </div>
              )}
              {m.sender.user_id !== me && !m.deleted_at && !m.hidden && (
                <div class="actions">
                  {canSend && <ReplyButton message={m} reply={startReply} />}
                  <Report target="message" id={m.id} what={`the message of ${displayName(m.sender)}`} inLog />
                </div>
              )}
              {thread && (repliesTo.get(m.id) ?? 0) > 0 && <Replies threadId={conversationId} message={m} count={repliesTo.get(m.id)!} show={(seq) => void reveal(seq)} />}
              {myLastSeen?.seq === m.seq && <p class="meta receipt">Seen</p>}
            </article>
          ))}
          {pending.map((p) => (
            <article class="message mine pending" key={p.txn} aria-label="You, sending">
              <header>
                <strong>You</strong> <span class="meta">{p.failed ? "waiting for the connection…" : "sending…"}</span>
              </header>
              {p.replyTo && <p class="meta quote">Replying to {p.replyTo.sender.user_id === me ? "you" : displayName(p.replyTo.sender)}</p>}
              {p.text && <p class="text">{p.text}</p>}
              {p.attachments.length > 0 && <p class="meta">{p.attachments.map((a) => a.file_name ?? "a file").join(", ")}</p>}
            </article>
          ))}
        </div>
      )}
      <p class="typing" aria-live="polite">
        {typingText}
      </p>
      <Failure text={error} />
      {canSend ? (
        <form class="composer" onSubmit={submit}>
          {editing && (
            <p class="meta">
              Editing a message.{" "}
              <button type="button" class="link" onClick={() => (endEdit(), textbox.current?.focus())}>
                Cancel editing
              </button>
            </p>
          )}
          {replyingTo && !editing && (
            <p class="meta replying">
              Replying to {replyingTo.sender.user_id === me ? "your message" : displayName(replyingTo.sender)}: “{gist(replyingTo, 60)}”{" "}
              <button type="button" class="link" onClick={() => setReplyingTo(null)}>
                Cancel the reply
              </button>
            </p>
          )}
          <label class="visually-hidden" for={`message-${conversationId}`}>
            Message
          </label>
          <textarea
            ref={textbox}
            id={`message-${conversationId}`}
            rows={2}
            maxLength={4000}
            value={draft}
            disabled={closed !== null}
            placeholder={closed === null ? "Write a message" : "Nothing more can be sent here"}
            onInput={(e) => onInput(e.currentTarget.value)}
            onKeyDown={(e) => {
              // an Enter that picks a word of an input method (Chinese, Japanese, Korean...) sends nothing
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          {!editing && closed === null && (
            <div class="attach">
              <label class="file small">
                {uploading ? "Attaching…" : "Attach a file"}
                <input
                  type="file"
                  accept={attachmentRule.accept}
                  disabled={uploading}
                  onChange={(e) => {
                    const input = e.currentTarget;
                    const file = input.files?.[0];
                    input.value = "";
                    if (!file) return;
                    setError(null);
                    setUploading(true);
                    void upload(conversationId, file)
                      .then(({ attachment, refused }) => {
                        if (!attachment) return setError(refused ?? null);
                        // nothing more may be sent here since it was chosen: it is not kept for later
                        if (closedRef.current) return;
                        if (!canSendRef.current) return deleteAttached(attachment);
                        setAttached((all) => [...all, attachment]);
                      })
                      .catch(() => setError("The platform could not be reached: the file was not attached."))
                      .finally(() => setUploading(false));
                  }}
                />
              </label>
              {attached.length > 0 && (
                <ul class="attachments" aria-label="Attached">
                  {attached.map((a) => (
                    <li key={a.id}>
                      {a.file_name ?? "A file"}{" "}
                      <button type="button" class="link" aria-label={`Remove ${a.file_name ?? "the file"}`} onClick={() => removeAttached(a)}>
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <button type="submit" disabled={uploading || closed !== null}>
            {editing ? "Save" : "Send"}
          </button>
        </form>
      ) : (
        <p class="meta">This conversation is closed.</p>
      )}
    </section>
  );
}

/** What the notice says of a conversation the hub closed, by the reason it gave. */
function closedBecause(reason: string, thread: boolean): string {
  if (reason === "group_deleted") return "This group was deleted.";
  if (reason === "thread_deleted" || thread) return "This thread was deleted.";
  return "This conversation was closed.";
}

/** "Reply" under a message: the next message sent answers it. */
function ReplyButton({ message, reply }: { message: Message; reply: (message: Message) => void }) {
  return (
    <button type="button" class="link" onClick={() => reply(message)} aria-label={`Reply to: ${gist(message, 60)}`}>
      Reply
    </button>
  );
}

/**
 * What the hub said refusing a message for good: a 4xx of the service ("403 Forbidden: ..." when blocked, "409 ..."
 * when the conversation is closed for sending), as HubRefusalFilter words it. Null for what may pass when sent again:
 * a 408 or 429, the rate limit's "Too many ...", a lost connection.
 */
function refusedForGood(e: unknown): string | null {
  const status = /HubException: (4\d\d) /.exec(e instanceof Error ? e.message : "")?.[1];
  return status && status !== "408" && status !== "429" ? hubError(e, "The message was not sent.") : null;
}

/**
 * Whether `read` (a page read over REST) is older than `shown`, the same message as changed live while the page was on
 * its way: a deletion is never undone, nor an edit; a later edit wins.
 */
function staler(read: Message, shown: Message): boolean {
  if (read.deleted_at) return false;
  if (shown.deleted_at) return true;
  if (!shown.edited_at) return false;
  return !read.edited_at || Date.parse(read.edited_at) < Date.parse(shown.edited_at);
}

function hubError(e: unknown, fallback: string): string {
  const text = e instanceof Error ? e.message : "";
  const match = /HubException: (.*)$/.exec(text);
  return match ? match[1]! : fallback;
}
