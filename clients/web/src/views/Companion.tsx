import type { aiCompanion } from "@community/sdk";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatTime, newTxnId, session } from "../lib/app";
import { LoadFailed, useLoad } from "../lib/list";
import { problemText, settled, Unreachable, unreachable } from "../lib/session";
import { Banner, Failure, NotSent } from "../lib/said";
import { type Offer, SessionOffer, offerOf } from "./CompanionSession";
import { CompanionSettings } from "./CompanionSettings";

type Message = aiCompanion.components["schemas"]["CompanionMessageDto"];
type Schemas = aiCompanion.components["schemas"];
/** Each event of a streamed reply and its data, as the contract names them (x-events). */
interface StreamEvents {
  delta: Schemas["StreamDelta"];
  replace: Schemas["StreamReplace"];
  reminder: Schemas["StreamReminder"];
  done: Schemas["StreamDone"];
  error: Schemas["StreamError"];
}
interface Line {
  id: string;
  role: string;
  text: string;
  safety?: string | null;
  reminder?: string | null;
  streaming?: boolean;
  // shown, but the platform kept nothing of it (a safety answer whose store failed stays on screen)
  unsaved?: boolean;
}

/** The AI companion: the disclosure as the API words it, replies streamed (server-sent events) as they are written. */
export function Companion() {
  const [lines, setLines] = useState<Line[]>([]);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // one more for each exchange, so today's count follows
  const [exchanges, setExchanges] = useState(0);
  // past today's limit: the session the refusal offers, and what became of one bought
  const [offer, setOffer] = useState<Offer | null>(null);
  const [note, setNote] = useState<string | null>(null);
  // messages not answered while the box held the next one: kept on screen to copy, never silently dropped
  const [unsent, setUnsent] = useState<string[]>([]);
  // where the conversation before the lines shown goes on (null: nothing earlier), and a read of it on its way
  const [earlier, setEarlier] = useState<string | null>(null);
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const log = useRef<HTMLDivElement>(null);
  // the next change of lines adds older ones above: the view stays where the person is reading
  const keepScroll = useRef<number | null>(null);
  // a message whose reply never reached the page, and its client_txn_id: sent again, the companion answers it once
  const unanswered = useRef<{ text: string; txn: string; kept?: string[] } | null>(null);
  // a forget or a new history makes an earlier page on its way stale
  const generation = useRef(0);
  // what the box holds now, for a reply that fails after the person started typing the next message
  const typed = useRef("");
  typed.current = draft;
  // the generation a history load began in: one that began before a forget answers what was forgotten
  const historyAsked = useRef(0);
  const history = useLoad(() => {
    historyAsked.current = generation.current;
    return session.api.aiCompanion.GET("/api/v1/companion/conversation", { params: { query: { limit: 50 } } });
  }, []);
  const disclosure = history.value?.disclosure ?? null;

  useEffect(() => {
    if (!history.value || historyAsked.current !== generation.current) return;
    // what was said before this page, above anything already sent from it
    const before = [...history.value.items].reverse().map(toLine);
    const known = new Set(before.map((l) => l.id));
    setLines((current) => [...before, ...current.filter((l) => !known.has(l.id))]);
    setEarlier(history.value.next_cursor ?? null);
  }, [history.value]);

  useLayoutEffect(() => {
    if (!log.current) return;
    const below = keepScroll.current;
    keepScroll.current = null;
    log.current.scrollTop = below === null ? log.current.scrollHeight : log.current.scrollHeight - below;
  }, [lines]);

  /** The page of the conversation before the lines shown, above them (each line once). */
  async function showEarlier() {
    if (!earlier || loadingEarlier || busy) return;
    const asked = generation.current;
    setLoadingEarlier(true);
    setError(null);
    try {
      const { data, error, response } = await session.api.aiCompanion.GET("/api/v1/companion/conversation", {
        params: { query: { limit: 50, cursor: earlier } },
      });
      if (asked !== generation.current) return;
      if (!data) return setError(problemText(error, response, "The earlier conversation could not be loaded."));
      const older = [...data.items].reverse().map(toLine);
      if (log.current) keepScroll.current = log.current.scrollHeight - log.current.scrollTop;
      setLines((current) => {
        const known = new Set(current.map((l) => l.id));
        return [...older.filter((l) => !known.has(l.id)), ...current];
      });
      setEarlier(data.next_cursor ?? null);
    } catch (e) {
      if (e instanceof Unreachable) setError(unreachable);
      else throw e;
    } finally {
      setLoadingEarlier(false);
    }
  }

  async function send(event: Event) {
    event.preventDefault();
    const text = draft.trim();
    if (!text || busy) return;
    setBusy(true);
    setError(null);
    setNote(null);
    setDraft("");
    setUnsent((all) => all.filter((t) => t !== text));
    const again = unanswered.current?.text === text ? unanswered.current : null;
    const txn = again ? again.txn : newTxnId();
    unanswered.current = null;
    // a safety answer kept on screen from the attempt before: this one shows the exchange anew (replayed, if kept)
    if (again?.kept) setLines((all) => all.filter((l) => !again.kept!.includes(l.id)));
    const replyId = `reply-${newTxnId()}`;
    setLines((all) => [...all, { id: `me-${replyId}`, role: "user", text }, { id: replyId, role: "assistant", text: "", streaming: true }]);
    const update = (change: Partial<Line>) => setLines((all) => all.map((l) => (l.id === replyId ? { ...l, ...change } : l)));
    // a safety answer shown (help is available) is never taken off the screen, whatever becomes of its storing
    let crisisShown = false;
    // the message goes back in the box, or, when the person has started the next one, under "Not sent"
    const giveBack = () => {
      if (!typed.current.trim()) {
        setDraft(text);
        return "Your message is back in the box.";
      }
      setUnsent((all) => (all.includes(text) ? all : [...all, text]));
      return "Your message was not answered: copy it from \u201cNot sent\u201d to send it again.";
    };
    // the reply never reached the page whole, or the platform may still be on it: the message may have been answered
    // and kept, so it keeps its client_txn_id, and sent again it is answered once (the exchange kept, or a new reply)
    // (`refused`: the platform said it kept nothing; otherwise the connection went and it may have kept it)
    const unsettled = (why: string, refused = false) => {
      unanswered.current = { text, txn, kept: crisisShown ? [replyId, `me-${replyId}`] : undefined };
      if (crisisShown)
        setLines((all) =>
          all.map((l) => (l.id === replyId || l.id === `me-${replyId}` ? { ...l, streaming: false, unsaved: refused } : l)),
        );
      else setLines((all) => all.filter((l) => l.id !== replyId && l.id !== `me-${replyId}`));
      setError(`${why} ${giveBack()}`);
    };
    try {
      const { data, error, response } = await session.api.aiCompanion.POST("/api/v1/companion/messages/stream", {
        body: { text, client_txn_id: txn },
        parseAs: "stream",
      });
      if (!data) {
        const why = problemText(error, response, "The companion could not answer.");
        // past today's limit (a 429 that offers a session, unlike the rate limit's): the message waits in the box
        const offered = response.status === 429 ? offerOf(error) : null;
        if (offered) {
          setLines((all) => all.filter((l) => l.id !== replyId && l.id !== `me-${replyId}`));
          if (typed.current.trim()) setUnsent((all) => (all.includes(text) ? all : [...all, text]));
          else setDraft(text);
          return setOffer(offered);
        }
        if (!settled(response)) return unsettled(why);
        // refused for good (text it does not take, a 403): nothing was kept, so the exchange goes and the words go back
        // in the box for the person to change, unless they started the next message
        setLines((all) => all.filter((l) => l.id !== replyId && l.id !== `me-${replyId}`));
        if (!typed.current.trim()) {
          setDraft(text);
          return setError(why);
        }
        return setError(`${why} ${giveBack()}`);
      }
      let written = "";
      let ended = false;
      for await (const { event: name, data: payload } of serverSentEvents(data)) {
        const body: unknown = JSON.parse(payload);
        const as = <K extends keyof StreamEvents>(_: K) => body as StreamEvents[K];
        if (name === "delta") update({ text: (written += as("delta").text) });
        else if (name === "replace") {
          crisisShown ||= as("replace").safety === "crisis";
          update({ text: (written = as("replace").text), safety: as("replace").safety ?? null });
        }
        else if (name === "reminder") update({ reminder: as("reminder").text });
        else if (name === "done") {
          ended = true;
          // both lines take the ids they were stored under, so a history read later does not show them twice
          const done = as("done");
          // a replayed exchange (the history loaded meanwhile may hold it) is shown once, where this page put it
          const stored = new Set([done.message.id, done.reply.id]);
          setLines((all) =>
            all
              .filter((l) => !stored.has(l.id))
              .map((l) =>
                l.id === replyId
                  ? { ...toLine(done.reply), streaming: false }
                  : l.id === `me-${replyId}`
                    ? { ...l, id: done.message.id }
                    : l,
              ),
          );
        }
        else if (name === "error") {
          // the platform says the reply failed, in a problem's words, and kept nothing: the exchange goes, and the
          // message is back in the box (with its client_txn_id, should a send racing this one have kept it)
          ended = true;
          const problem = as("error");
          unsettled(problem.detail || problem.title || "The reply was cut short.", true);
        }
      }
      if (!ended) return unsettled("The connection to the companion was lost.");
      update({ streaming: false });
    } catch (e) {
      // no answer at all, or the stream cut off part way (its reader fails with a TypeError); anything else is a bug
      if (e instanceof Unreachable) unsettled(unreachable);
      else if (e instanceof TypeError) unsettled("The connection to the companion was lost.");
      else throw e;
    } finally {
      setBusy(false);
      setExchanges((n) => n + 1);
    }
  }

  /** Forgets the whole conversation, irreversibly, once the person says so; what the box holds stays. */
  async function forget() {
    if (busy || !confirm("Forget your whole conversation with the companion? This cannot be undone.")) return;
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const { error, response } = await session.api.aiCompanion.DELETE("/api/v1/companion/conversation");
      if (!response.ok) return setError(problemText(error, response, "The conversation could not be forgotten."));
      setLines([]);
      setEarlier(null);
      generation.current++;
      unanswered.current = null;
      setNote("Your conversation with the companion is forgotten.");
    } catch (e) {
      if (e instanceof Unreachable) setError(unreachable);
      else throw e;
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="page">
      <section aria-labelledby="companion-heading">
        <h2 id="companion-heading" tabIndex={-1}>Companion</h2>
        {disclosure && <p class="notice">{disclosure}</p>}
        <LoadFailed what="The conversation so far" loaded={history} />
        <div class="log companion-log" role="log" aria-label="Companion conversation" ref={log} tabIndex={0} aria-busy={busy}>
          {earlier && (
            <button type="button" class="link older" disabled={loadingEarlier || busy} onClick={() => void showEarlier()}>
              Show earlier messages
            </button>
          )}
          {lines.length === 0 && history.value && <p class="empty">Say hello to start.</p>}
          {lines.map((l) => (
            <article key={l.id} class={`message${l.role === "user" ? " mine" : ""}`} aria-label={l.role === "user" ? "You" : "Companion"}>
              <header>
                <strong>{l.role === "user" ? "You" : "Companion"}</strong>
                {l.streaming && <span class="meta"> writing…</span>}
              </header>
              <p class="text">{l.text}</p>
              {l.safety && <p class="meta">{l.safety === "crisis" ? "Safety answer: help is available." : "The companion cannot help with this."}</p>}
              {l.reminder && <p class="banner">{l.reminder}</p>}
              {l.unsaved && <p class="meta">Not saved: the conversation does not keep this.</p>}
            </article>
          ))}
        </div>
        <NotSent id="companion-unsent" texts={unsent} />
        <Failure text={error} />
        <Banner text={note} />
        {offer && (
          <SessionOffer
            offer={offer}
            started={(s) => {
              setOffer(null);
              setNote(`Your session runs${s.ends_at ? ` until ${formatTime(s.ends_at)}` : ""}: send your message.`);
              setExchanges((n) => n + 1);
            }}
          />
        )}
        <form class="composer" onSubmit={send}>
          <label class="visually-hidden" for="companion-message">
            Message to the companion
          </label>
          <textarea id="companion-message" rows={2} maxLength={2000} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button type="submit" disabled={busy}>
            Send
          </button>
        </form>
        {lines.length > 0 && (
          <p>
            <button type="button" class="small" onClick={forget} disabled={busy}>
              Forget this conversation
            </button>
          </p>
        )}
        <CompanionSettings version={exchanges} />
      </section>
    </div>
  );
}

function toLine(m: Message): Line {
  return { id: m.id, role: m.role, text: m.text, safety: m.safety, reminder: m.reminder };
}

/** The events of a text/event-stream body: each one's event name and data. */
async function* serverSentEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = stream.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = "";
  let crEnded = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    // CRLF, CR and LF each end a line; a CR that ended the last chunk ended its line, so an LF opening this one is
    // that CRLF's second half.
    const text = crEnded && value.startsWith("\n") ? value.slice(1) : value;
    if (value) crEnded = value.endsWith("\r");
    buffer += text.replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: data.join("\n") };
    }
  }
}
