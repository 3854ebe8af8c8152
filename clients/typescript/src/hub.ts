import * as signalR from "@microsoft/signalr";
import { hubEventNames, hubPath, type HubEvents, type HubMethods, type components } from "./generated/messaging-hub.js";

type MessageDto = components["schemas"]["MessageDto"];
type MessageHistory = components["schemas"]["MessageHistory"];

export interface ChatHubOptions {
  /** The gateway's URL, e.g. http://localhost:8080. */
  baseUrl: string;
  /** The access token, or how to get the current one: asked again at every (re)connect. */
  token: string | (() => string | undefined | Promise<string | undefined>);
  /** A typing indicator with no typing repeated and no stop_typing within this long ends by itself (default 6000). */
  typingTimeoutMs?: number;
  /**
   * Waits before each reconnect attempt; the last one repeats for ever (default 0, 2 s, 5 s, 10 s, 30 s), unless a
   * reconnect is refused 401 (see onUnauthorized).
   */
  retryDelaysMs?: number[];
  /**
   * A join (joinConversation, JoinGroup) asked while the connection reconnects waits for it at most this long, then
   * fails (default 30000): reconnecting goes on for ever, and an app offline should hear of it. Infinity waits until
   * the connection is back or closes.
   */
  reconnectWaitMs?: number;
  logLevel?: signalR.LogLevel;
}

/** Someone started or stopped typing; stopped also when their indicator expired or their message arrived. */
export interface TypingChange {
  conversation_id: string;
  user_id: string;
  typing: boolean;
}

type Listener<T> = (payload: T) => void;

/** A push of a conversation being joined, held until the caller holds the page. */
interface HeldPush {
  name: "new_message" | "message_updated" | "message_deleted";
  message: MessageDto;
}

/** How many conversations and groups a reconnect joins again at once. */
const rejoinsAtOnce = 4;

/**
 * Waits before each catch-up tried again while connected, after one that failed other than by a refusal (the hub
 * answering 503 past its retries, its rate limit while many tabs rejoin at once); the last repeats.
 */
const catchUpRetryMs = [2000, 5000, 10000, 30000];

/**
 * A typed client of the chat hub (/hubs/chat). It reconnects by itself and then joins again the conversations it
 * had joined, from the last seq it holds: what was missed arrives as new_message, once per seq, in order (a message
 * this connection sent is its answer, never a new_message). A gap in seq (a push lost) is caught up the same way.
 * Groups subscribed to with JoinGroup are subscribed to again.
 */
export class ChatHubClient {
  readonly connection: signalR.HubConnection;
  private readonly listeners = new Map<string, Set<Listener<never>>>();
  /** Joined conversations and the highest seq delivered of each. */
  private readonly joined = new Map<string, number>();
  /** Seqs of this connection's own sends above the highest delivered: the hub answers them and pushes no copy. */
  private readonly own = new Map<string, Set<number>>();
  /**
   * Conversations being joined, with the pushes (messages, edits, deletions) that arrived meanwhile, in order: one
   * queue however many joins of it are on their way, delivered by the latest once it is answered.
   */
  private readonly joining = new Map<string, HeldPush[]>();
  /** Groups subscribed to with JoinGroup, subscribed again after a reconnect. */
  private readonly groups = new Set<string>();
  private readonly catchingUp = new Map<string, boolean>();
  /** Catch-ups tried again later (see {@link catchUpRetryMs}): the timer, and how many failed in a row. */
  private readonly catchUpRetries = new Map<string, { timer: ReturnType<typeof setTimeout> | undefined; failed: number }>();
  /**
   * The latest join or leave asked of each conversation and group, numbered: a join answered after a leave asked
   * later (or after another join) keeps nothing, as the hub handled the leave after it. An entry goes once no call
   * of its key is pending and the key is not held: none reads its number then, and a missing entry reads as a leave.
   */
  private readonly intents = new Map<string, { n: number; join: boolean; pending: number }>();
  private intentCount = 0;
  private readonly typing = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly typingTimeoutMs: number;
  /** How many times stop() was called: a catch-up under way when it was says nothing after it. */
  private stops = 0;
  /** Why reconnecting was given up, when a reconnect was refused 401: said to onUnauthorized once closed. */
  private refused: Error | undefined;
  /** Joins asked while the connection was reconnecting: each goes on once it is back, or fails once it closes. */
  private readonly awaitingReconnect: (() => void)[] = [];
  private readonly reconnectWaitMs: number;

  constructor(options: ChatHubOptions) {
    const token = options.token;
    const delays = options.retryDelaysMs ?? [0, 2000, 5000, 10000, 30000];
    this.typingTimeoutMs = options.typingTimeoutMs ?? 6000;
    // setTimeout takes at most 2^31-1 ms (a longer delay, Infinity included, fires at once): longer waits for ever
    this.reconnectWaitMs = options.reconnectWaitMs ?? 30_000;
    this.connection = new signalR.HubConnectionBuilder()
      .withUrl(options.baseUrl.replace(/\/+$/, "") + hubPath, {
        accessTokenFactory: async () => (typeof token === "function" ? await token() : token) ?? "",
        transport: signalR.HttpTransportType.WebSockets,
      })
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (context) => {
          // The token the factory gave was refused: every later attempt would be, until the person signs in again.
          // Said once the connection is closed (below), so that a listener may start() again at once.
          if (refusedToken(context.retryReason)) {
            this.refused = context.retryReason;
            return null;
          }
          return delays[Math.min(context.previousRetryCount, delays.length - 1)] ?? 0;
        },
      })
      .configureLogging(options.logLevel ?? signalR.LogLevel.Warning)
      .build();
    for (const name of hubEventNames) this.connection.on(name, (payload: never) => this.received(name, payload));
    this.connection.onreconnected(() => {
      this.releaseAwaitingReconnect();
      void this.rejoinAll();
    });
    // registered first, so the app hears of the refusal before its own close handlers run
    this.connection.onclose(() => {
      // a join waiting for the reconnect fails now, as a call on a closed connection does
      this.releaseAwaitingReconnect();
      const error = this.refused;
      this.refused = undefined;
      if (error !== undefined) this.emit("#unauthorized", { error });
    });
  }

  get state(): signalR.HubConnectionState {
    return this.connection.state;
  }

  /** Connects; conversations joined before a stop are joined again. */
  async start(): Promise<void> {
    await this.connection.start();
    await this.rejoinAll();
  }

  async stop(): Promise<void> {
    this.stops++;
    for (const retry of this.catchUpRetries.values()) clearTimeout(retry.timer);
    this.catchUpRetries.clear();
    await this.connection.stop();
    // the indicators shown end now (a typing push may have come until the connection stopped): neither their expiry
    // nor a stop_typing will come
    for (const [key, timer] of this.typing) {
      clearTimeout(timer);
      const [conversation_id, user_id] = key.split(":") as [string, string];
      this.emit("#typing", { conversation_id, user_id, typing: false });
    }
    this.typing.clear();
  }

  /**
   * Calls a hub method with its typed arguments; resolves with its result, rejects with the server's refusal. A
   * message sent here is answered here and not pushed back (no new_message for it); groups joined here are joined
   * again after a reconnect, as conversations joined with joinConversation are.
   */
  async invoke<M extends keyof HubMethods>(method: M, ...args: HubMethods[M]["args"]): Promise<HubMethods[M]["result"]> {
    if (method === "JoinConversation") return (await this.joinConversation(...(args as [string, number | null]))) as HubMethods[M]["result"];
    if (method === "LeaveConversation") return (await this.leaveConversation(args[0] as string)) as HubMethods[M]["result"];
    // left here even when the call fails: not subscribed to again
    const group = args[0] as string;
    if (method === "LeaveGroup") {
      const leaving = this.intend(`group:${group}`, false);
      this.groups.delete(group);
      try {
        // the connection down: nothing to ask (see leaveConversation)
        if (this.connection.state !== signalR.HubConnectionState.Connected) return undefined as HubMethods[M]["result"];
        const left = await this.invokePaced("LeaveGroup", [group], this.latest(`group:${group}`, leaving));
        return left as HubMethods[M]["result"];
      } finally {
        this.settle(`group:${group}`);
      }
    }
    if (method === "JoinGroup") {
      const joining = this.intend(`group:${group}`, true);
      let result: HubMethods[M]["result"];
      try {
        try {
          await this.untilReconnected();
          result = (await this.invokePaced("JoinGroup", [group])) as HubMethods[M]["result"];
        } catch (e) {
          if (!this.groups.has(group)) this.joinFailed(`group:${group}`, joining);
          throw e;
        }
        if (this.stillWanted(`group:${group}`, joining, "LeaveGroup", group)) this.groups.add(group);
      } finally {
        this.settle(`group:${group}`);
      }
      return result;
    }
    const result = (await this.connection.invoke(method, ...args)) as HubMethods[M]["result"];
    if (method === "SendMessage") this.sent(result as MessageDto);
    return result;
  }

  /**
   * Starts live delivery of a conversation and answers the hub's page: the messages after sinceSeq (catch-up) or,
   * without it, the newest page (has_more: older messages exist, read them with the messages API); what was pushed
   * meanwhile (new_message, message_updated, message_deleted) follows once the caller holds it, in the order it came.
   * From then on the client keeps the conversation joined across reconnects. A catch-up page that is not the whole of
   * it (has_more) is followed by the rest, delivered here as new_message events in seq order, then onRejoined: the
   * caller does not page the rest itself, which the pushes coming meanwhile would deliver twice. Asked while the
   * connection is reconnecting, it is asked of the hub once the connection is back (it fails if the connection closes
   * instead).
   */
  async joinConversation(id: string, sinceSeq: number | null = null): Promise<MessageHistory> {
    // The hub starts pushing before it reads the page: a message committed meanwhile may come both ways, and an edit
    // or deletion pushed meanwhile may be of a message the page holds in its older version, or does not hold yet.
    // A join on its way already: this one takes over its queue, so what either holds comes once and in order.
    const pushed = this.joining.get(id) ?? [];
    this.joining.set(id, pushed);
    const intent = this.intend(id, true);
    try {
      let page: MessageHistory;
      try {
        await this.untilReconnected();
        page = await this.invokePaced<MessageHistory>("JoinConversation", [id, sinceSeq]);
      } catch (e) {
        if (!this.joined.has(id)) this.joinFailed(id, intent);
        // delivered when still joined (a join again), else dropped; a join asked since holds it on, a leave dropped it
        if (this.latest(id, intent)()) this.release(id, pushed);
        throw e;
      }
      // Left while the join was on its way: not kept joined here (a reconnect would join it again), and left at the
      // hub once more (a join slowed down by its limit may have reached it after the leave). Joined again: that join
      // keeps it, and what was pushed meanwhile with it.
      if (!this.stillWanted(id, intent, "LeaveConversation", id)) return page;
      const seen = Math.max(this.joined.get(id) ?? 0, sinceSeq ?? 0, ...page.items.map((m) => m.seq));
      this.joined.set(id, seen);
      // What came meanwhile, and the rest of a catch-up (has_more), is delivered once the caller holds the page (a
      // message delivered before it would be lost under the page the caller then shows); pushes keep being held till
      // then, edits and deletions with them, so none comes before the message it revises.
      setTimeout(() => {
        if (this.latest(id, intent)()) this.release(id, pushed);
        if (sinceSeq !== null && page.has_more && this.joined.has(id)) void this.catchUp(id);
      }, 0);
      return page;
    } finally {
      this.settle(id);
    }
  }

  /**
   * Stops live delivery of a conversation; it is not joined again after a reconnect. Asked while the connection is
   * down (reconnecting, or stopped), it resolves at once: the hub keeps nothing of a connection that is gone, and the
   * reconnect joins again only what is still joined here.
   */
  async leaveConversation(id: string): Promise<void> {
    const leaving = this.intend(id, false);
    this.forget(id);
    try {
      if (this.connection.state !== signalR.HubConnectionState.Connected) return;
      await this.invokePaced("LeaveConversation", [id], this.latest(id, leaving));
    } finally {
      this.settle(id);
    }
  }

  /**
   * A join of `key` not kept here failed: while it is still the latest asked, it counts as a leave, so a catch-up or
   * resubscription answered later leaves the hub again (it may have reached the hub before the failure).
   */
  /** A conversation no longer kept joined here: left, refused (403, 404) or closed (conversation_closed). */
  private forget(id: string): void {
    this.joined.delete(id);
    this.own.delete(id);
    this.joining.delete(id);
    clearTimeout(this.catchUpRetries.get(id)?.timer);
    this.catchUpRetries.delete(id);
    this.prune(id);
  }

  private joinFailed(key: string, intent: number): void {
    const latest = this.intents.get(key);
    if (latest?.n === intent) latest.join = false;
  }

  /** Numbers a join or leave of `key` as the latest asked, pending until its {@link settle}; answers its number. */
  private intend(key: string, join: boolean): number {
    const latest = this.intents.get(key) ?? { n: 0, join, pending: 0 };
    latest.n = ++this.intentCount;
    latest.join = join;
    latest.pending++;
    this.intents.set(key, latest);
    return latest.n;
  }

  /** A call of `key` that read its number is over: its entry goes once none is pending (see {@link prune}). */
  private settle(key: string): void {
    const latest = this.intents.get(key);
    if (latest) latest.pending--;
    this.prune(key);
  }

  /** Drops the entry of `key` when no call of it is pending and it is not held (joined, subscribed): none reads it. */
  private prune(key: string): void {
    const held = key.startsWith("group:") ? this.groups.has(key.slice("group:".length)) : this.joined.has(key);
    if (!held && this.intents.get(key)?.pending === 0) this.intents.delete(key);
  }

  /**
   * Whether the join numbered `intent` is still the latest asked of `key`; when a leave came after it, the leave is
   * asked of the hub once more, in case the join reached it after the leave.
   */
  private stillWanted(key: string, intent: number, leave: "LeaveConversation" | "LeaveGroup", id: string): boolean {
    const latest = this.intents.get(key);
    if (latest?.n === intent) return true;
    if (latest && !latest.join) this.leaveAgain(leave, id);
    return false;
  }

  /**
   * Asks the hub to leave once more, without waiting or failing: a join that was slowed down by the hub's limit may
   * have reached it after the leave. Not when the latest asked is a join (one still on its way, asked after the
   * leave): the leave would undo it.
   */
  private leaveAgain(leave: "LeaveConversation" | "LeaveGroup", id: string): void {
    const key = leave === "LeaveGroup" ? `group:${id}` : id;
    const latest = this.intents.get(key);
    if (latest?.join) return;
    // the latest asked is a leave: pending while this one is on its way, or a new one when it was pruned
    if (latest) latest.pending++;
    const leaving = latest ? latest.n : this.intend(key, false);
    void this.invokePaced(leave, [id], this.latest(key, leaving))
      .catch(() => undefined)
      .finally(() => this.settle(key));
  }

  /** Whether the join or leave numbered `intent` is still the latest asked of `key`, asked when it would be tried again. */
  private latest(key: string, intent: number): () => boolean {
    return () => this.intents.get(key)?.n === intent;
  }

  /** The highest seq delivered of a joined conversation. */
  lastSeq(id: string): number | undefined {
    return this.joined.get(id);
  }

  /** Listens to a hub event; returns what stops listening. */
  on<E extends keyof HubEvents>(event: E, listener: Listener<HubEvents[E]>): () => void {
    return this.listen(event, listener);
  }

  /** Typing indicators: true on typing, false on stop_typing, on expiry or on that person's new message. */
  onTypingChange(listener: Listener<TypingChange>): () => void {
    return this.listen("#typing", listener);
  }

  /**
   * A conversation could not be joined again after a reconnect or a gap: while connected, a failure that may pass (a
   * 503, the hub's rate limit, a server fault) is tried again after 2 s, 5 s, 10 s, then every 30 s; any is tried again
   * by the next reconnect; one that answers 403 or 404 (no longer a member, deleted) is no longer kept joined.
   */
  onRejoinFailed(listener: Listener<{ conversation_id: string; error: Error }>): () => void {
    return this.listen("#rejoin-failed", listener);
  }

  /**
   * A group subscribed to with JoinGroup could not be subscribed to again after a reconnect (the next reconnect tries
   * again); one that answers 403 or 404 (no longer a member, deleted) is no longer kept.
   */
  onResubscribeFailed(listener: Listener<{ group_id: string; error: Error }>): () => void {
    return this.listen("#resubscribe-failed", listener);
  }

  /**
   * A reconnect was refused 401: the token the factory gave is no longer valid (expired and not renewed, its session
   * ended while the connection was down). Reconnecting stops there and the connection closes, instead of asking again
   * for ever. Said once closed (before the connection's own onclose handlers): once signed in again (or the token
   * renewed), start() connects, from the listener itself too, and joins again every conversation and group joined
   * before. A session that ends while connected (a sign-out elsewhere, a password change) is closed by the platform
   * without a reconnect: that is the connection's onclose, not this; a start() with the same token then rejects (401).
   */
  onUnauthorized(listener: Listener<{ error: Error }>): () => void {
    return this.listen("#unauthorized", listener);
  }

  /**
   * A conversation was joined again after a reconnect (or a gap, or a catch-up page with has_more), with how many
   * missed messages it delivered.
   */
  onRejoined(listener: Listener<{ conversation_id: string; caught_up: number }>): () => void {
    return this.listen("#rejoined", listener);
  }

  private listen<T>(name: string, listener: Listener<T>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as Listener<never>);
    this.listeners.set(name, set);
    return () => set.delete(listener as Listener<never>);
  }

  /**
   * Tells every listener; one that throws does not keep the others from hearing, nor the client from going on: its
   * error is reported as an uncaught one is (reportError in a browser, an uncaught exception in Node).
   */
  private emit(name: string, payload: unknown): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<unknown>)(payload);
      } catch (error) {
        if (typeof reportError === "function") reportError(error);
        else
          setTimeout(() => {
            throw error;
          }, 0);
      }
    }
  }

  private received(name: string, payload: never): void {
    if (name === "new_message") return this.newMessage(payload as MessageDto, false);
    if (name === "message_updated" || name === "message_deleted") return this.revised(name, payload as MessageDto);
    // gone for good: not joined again after a reconnect (the hub would answer 404), nor kept by a join on its way
    if (name === "conversation_closed") {
      const { conversation_id } = payload as HubEvents["conversation_closed"];
      this.intend(conversation_id, false);
      this.forget(conversation_id);
      this.settle(conversation_id);
    }
    if (name === "typing") this.typingSignal(payload as HubEvents["typing"], true);
    if (name === "stop_typing") this.typingSignal(payload as HubEvents["stop_typing"], false);
    this.emit(name, payload);
  }

  /** Delivers a message once, in seq order; a gap means pushes were lost, so the conversation is caught up. */
  private newMessage(message: MessageDto, caughtUp: boolean): void {
    const id = message.conversation_id;
    const joining = this.joining.get(id);
    if (joining) {
      joining.push({ name: "new_message", message });
      return;
    }
    const last = this.passOwn(id);
    // a push on its way when the conversation was left (or refused, or closed): not delivered
    if (last === undefined) return;
    if (message.seq <= last) return;
    if (message.seq > last + 1 && !caughtUp) {
      void this.catchUp(id);
      return;
    }
    this.joined.set(id, message.seq);
    this.passOwn(id);
    this.typingSignal({ conversation_id: id, user_id: message.sender.user_id }, false);
    this.emit("new_message", message);
  }

  /** An edit or a deletion: held behind the messages of a conversation being joined, so it never comes before them. */
  private revised(name: "message_updated" | "message_deleted", message: MessageDto): void {
    const joining = this.joining.get(message.conversation_id);
    if (joining) joining.push({ name, message });
    else this.emit(name, message);
  }

  /**
   * Delivers what came while the joins of a conversation were on their way, in the order it came, as if it came now:
   * dropped when the conversation is not joined. Called by the latest join asked only: a join asked later holds the
   * same queue and delivers it once answered; a leave asked later dropped it.
   */
  private release(id: string, held: HeldPush[]): void {
    if (this.joining.get(id) === held) this.joining.delete(id);
    for (const { name, message } of held) {
      if (name === "new_message") this.newMessage(message, false);
      else if (this.joined.has(message.conversation_id)) this.revised(name, message);
    }
  }

  /** A message this connection sent: the seq it holds is no gap, and it is not delivered again. */
  private sent(message: MessageDto): void {
    const last = this.joined.get(message.conversation_id);
    if (last === undefined || message.seq <= last) return;
    const own = this.own.get(message.conversation_id) ?? new Set<number>();
    own.add(message.seq);
    this.own.set(message.conversation_id, own);
    this.passOwn(message.conversation_id);
  }

  /** Moves the highest seq delivered past this connection's own sends that follow it; answers it. */
  private passOwn(id: string): number | undefined {
    let last = this.joined.get(id);
    const own = this.own.get(id);
    if (last === undefined || own === undefined) return last;
    while (own.delete(last + 1)) last++;
    for (const seq of own) if (seq <= last) own.delete(seq);
    if (own.size === 0) this.own.delete(id);
    this.joined.set(id, last);
    return last;
  }

  private typingSignal(signal: { conversation_id: string; user_id: string }, typing: boolean): void {
    const key = `${signal.conversation_id}:${signal.user_id}`;
    const timer = this.typing.get(key);
    if (timer !== undefined) clearTimeout(timer);
    if (typing) {
      this.typing.set(key, setTimeout(() => this.typingSignal(signal, false), this.typingTimeoutMs));
      if (timer === undefined) this.emit("#typing", { ...signal, typing: true });
    } else if (timer !== undefined) {
      this.typing.delete(key);
      this.emit("#typing", { ...signal, typing: false });
    }
  }

  /**
   * Joins again every conversation and group after a reconnect, a few at a time: the hub takes a burst of about 20
   * calls from a connection and then 10 a second, so a client holding more is slowed down, not refused.
   */
  private async rejoinAll(): Promise<void> {
    const work = [...[...this.joined.keys()].map((id) => () => this.catchUp(id)), ...[...this.groups].map((id) => () => this.subscribeAgain(id))];
    const next = async (): Promise<void> => {
      for (let job = work.shift(); job; job = work.shift()) await job();
    };
    await Promise.all(Array.from({ length: Math.min(rejoinsAtOnce, work.length) }, next));
  }

  /**
   * Calls the hub (joining or leaving, which may be asked twice), asking again while the connection is up when it
   * answers that calls come too fast (its rate limit) or that it cannot answer now (a 503: its database busy or out of
   * reach for a moment), waiting a little longer each time, about 20 s in all. A leave is not asked again once a
   * later join or leave of the same conversation or group was asked (`current` false): sent after that one, it would
   * undo it; it then resolves with nothing.
   */
  /**
   * While the connection is reconnecting, waits until it is back (a join asked then is asked of the hub once it is),
   * or until it closes (the call then fails as any call on a closed connection does), or fails after reconnectWaitMs.
   * At once in any other state.
   */
  private async untilReconnected(): Promise<void> {
    if (this.connection.state !== signalR.HubConnectionState.Reconnecting) return;
    await new Promise<void>((resolve, reject) => {
      const resume = () => {
        clearTimeout(timer);
        resolve();
      };
      const forEver = !(this.reconnectWaitMs <= 2 ** 31 - 1);
      const timer = forEver ? undefined : setTimeout(() => {
        const at = this.awaitingReconnect.indexOf(resume);
        if (at >= 0) this.awaitingReconnect.splice(at, 1);
        reject(new Error(`The connection did not come back within ${this.reconnectWaitMs} ms; the join was not asked.`));
      }, this.reconnectWaitMs);
      this.awaitingReconnect.push(resume);
    });
  }

  private releaseAwaitingReconnect(): void {
    for (const resume of this.awaitingReconnect.splice(0)) resume();
  }

  private async invokePaced<T>(method: string, args: unknown[], current: () => boolean = () => true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.connection.invoke(method, ...args)) as T;
      } catch (e) {
        const passing = e instanceof Error && /HubException: (Too many |503 )/.test(e.message);
        if (!passing || attempt >= 8 || this.connection.state !== signalR.HubConnectionState.Connected) throw e;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)));
        if (!current()) return undefined as T;
      }
    }
  }

  /** Subscribes again to a group after a reconnect; a refusal (no longer a member) is reported and forgotten. */
  private async subscribeAgain(id: string): Promise<void> {
    try {
      await this.invokePaced("JoinGroup", [id]);
      // left while it was on its way: left at the hub once more, in case the subscription reached it after the leave
      if (!this.groups.has(id)) this.leaveAgain("LeaveGroup", id);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (/HubException: (403|404) /.test(error.message)) {
        this.groups.delete(id);
        this.prune(`group:${id}`);
      }
      this.emit("#resubscribe-failed", { group_id: id, error });
    }
  }

  /**
   * Catches up without ever rejecting: a failure is reported, and a refused conversation is dropped. Any other failure
   * while connected is tried again later ({@link catchUpRetryMs}): the hub has not joined this connection to it, so no
   * push would come until the next reconnect.
   */
  private async catchUp(id: string): Promise<void> {
    const stops = this.stops;
    const retry = this.catchUpRetries.get(id);
    if (retry) {
      clearTimeout(retry.timer);
      retry.timer = undefined;
    }
    try {
      await this.catchUpPages(id);
      this.catchUpRetries.delete(id);
    } catch (e) {
      // stopped meanwhile (its wait between tries cut short): the app asked for quiet, and start() joins again
      if (stops !== this.stops) return;
      const error = e instanceof Error ? e : new Error(String(e));
      const refused = /HubException: (403|404) /.test(error.message);
      // a refusal that asking again cannot change (a 400, a 422: too many conversations joined on this connection) is
      // not asked again; the hub's limit, a 503, or a fault that says nothing more may pass
      const passing = !/HubException: /.test(error.message) || /HubException: (Too many |503 )/.test(error.message);
      if (refused) this.forget(id);
      else if (passing && this.joined.has(id) && this.connection.state === signalR.HubConnectionState.Connected) {
        const failed = (this.catchUpRetries.get(id)?.failed ?? 0) + 1;
        const wait = catchUpRetryMs[Math.min(failed - 1, catchUpRetryMs.length - 1)]!;
        this.catchUpRetries.set(id, { failed, timer: setTimeout(() => void this.catchUp(id), wait) });
      }
      this.emit("#rejoin-failed", { conversation_id: id, error });
    }
  }

  /** Joins again from the last seq delivered and delivers what came after, page by page. */
  private async catchUpPages(id: string): Promise<void> {
    if (this.catchingUp.has(id)) {
      this.catchingUp.set(id, true);
      return;
    }
    this.catchingUp.set(id, false);
    let delivered = 0;
    try {
      do {
        this.catchingUp.set(id, false);
        for (;;) {
          const since = this.joined.get(id);
          if (since === undefined) return;
          const page = await this.invokePaced<MessageHistory>("JoinConversation", [id, since]);
          // left while the page was on its way: nothing of it is delivered, and the leave asked again (a join slowed
          // down by the hub's limit may have reached it after the leave)
          if (!this.joined.has(id)) {
            this.leaveAgain("LeaveConversation", id);
            return;
          }
          for (const message of page.items) {
            const before = this.joined.get(id) ?? 0;
            this.newMessage(message, true);
            if ((this.joined.get(id) ?? 0) > before) delivered++;
          }
          if (!page.has_more) break;
        }
      } while (this.catchingUp.get(id));
    } finally {
      this.catchingUp.delete(id);
    }
    this.emit("#rejoined", { conversation_id: id, caught_up: delivered });
  }
}

/**
 * Whether a (re)connect failed because negotiation was answered 401. SignalR's client wraps the answer's HttpError in
 * a FailedToNegotiateWithServerError whose message carries the status ("...: Status code '401'").
 */
function refusedToken(error: Error): boolean {
  return (
    (error as { errorType?: string }).errorType === "FailedToNegotiateWithServerError" && error.message.includes("Status code '401'")
  );
}
