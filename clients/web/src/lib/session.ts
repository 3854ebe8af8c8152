import { createCommunityClient, type CommunityClient, type ChatHubClient, type identity } from "@community/sdk";
import { anySignal } from "./signals";

type Tokens = identity.components["schemas"]["AuthResponse"];
export type Me = Tokens["user"];
type SignInAnswer = Tokens | identity.components["schemas"]["TwoFactorChallengeResponse"];
/**
 * A sign-in step's outcome: a refusal's words (and a wait), or the second factor asked for, with how many seconds
 * its challenge lasts.
 */
export type SignInAnswerStep = { error: string | null; challenge?: string; challengeExpiresIn?: number; wait?: number };

const storageKey = "community.session";

interface Stored {
  access: string;
  refresh: string;
  /** ms since the epoch when the access token expires */
  expiresAt: number;
  user: Me;
  /** Made at sign-in and kept through refreshes: a duplicated tab copies it with the tokens, so both name one lock. */
  id?: string;
  /** How many times the session's pair was replaced (refreshes, a password change): 0 at sign-in. */
  generation?: number;
}

/**
 * The generation of each session's newest pair, for the tabs duplicated from it: a tab that was not running when another
 * one refreshed (it was away at a checkout, or the browser discarded it) wakes with a spent refresh token, and learns
 * so here without spending it (identity would take that for theft and end the session in every tab). Only a number and
 * when it was written: the tokens stay in each tab's sessionStorage.
 */
const generationKey = (id: string) => `community.session.${id}.generation`;
const generationPrefix = "community.session.";

/** How long a session's generation is kept after its last change: a refresh token lasts 7 days. */
const generationKeptMs = 8 * 24 * 3600_000;

/** A tab that found its pair replaced asks the tabs of its session for the newest one. */
interface Asked {
  asks: string;
  generation: number;
}

/** The newest pair of a session, as a tab holding it answers {@link Asked}. */
interface Current {
  current: Stored;
}

/** A refreshed pair, as one tab hands it to the other tabs of its session: `replaces` is the refresh token spent. */
interface Rotated {
  replaces: string;
  stored: Stored;
}

/** A session ended in one tab (signed out, account deleted): its duplicated tabs end it too, saying why. */
interface Ended {
  ended: string;
  reason: string;
  /** Ended by its owner (a sign-out, the account deleted), not by the platform. */
  byOwner?: boolean;
}

/**
 * Identity's /auth/ routes that act on the signed-in session: their 401 is an expired token, refreshed as anywhere
 * else. Every other /auth/ route is anonymous, and its 401 is the answer itself (a wrong password, a spent token).
 */
const sessionRoutes = new Set(["/api/v1/auth/logout", "/api/v1/auth/logout/others", "/api/v1/auth/me"]);

/** How long a tab that waited for another tab's refresh waits for the pair that tab hands on. */
const handOverMs = 1000;

const newSessionKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

type Listener = () => void;

/**
 * Dispatched on the window when the chat hub is connected again after a reconnect, or started (again): whatever it
 * pushed meanwhile is lost (only the conversations joined catch up, by seq, in the SDK), so a view that a push keeps
 * up to date (counts, lists) loads again on it.
 */
export const resync = "community:resync";

/** A request the platform never answered (offline, or the platform unreachable), as every SDK call throws it. */
export class Unreachable extends Error {
  constructor() {
    super("The platform could not be reached.");
    this.name = "Unreachable";
  }
}

/** What is said of a request that got no answer. */
export const unreachable = "The platform could not be reached. Check your connection, then try again.";

/**
 * Whether an answer settles its request: false for one the platform may get over, or may still be working on (a 5xx,
 * 408 or 429, or a 409 with Retry-After: the same idempotency key still running). A list keeps what it shows through
 * such an answer; a create keeps its key for the same fields.
 */
export function settled(response: Response): boolean {
  const { status } = response;
  return !(status >= 500 || status === 408 || status === 429 || (status === 409 && response.headers.has("Retry-After")));
}

/**
 * Asks with `ask` again while the platform answers 409 with Retry-After: what the request names has not reached the
 * service that answers yet (a seat hold or an enrollment on its way from the service that sells it), or the same
 * request is still being worked on. It waits as long as Retry-After says (at most 5 s) and keeps asking for
 * `patienceMs` at most, then gives the last answer; and no longer once `still()` is false (the person went elsewhere).
 * `ask` must be safe to repeat: a read, or a write under one idempotency key.
 */
export async function askedUntilReady<T extends { response: Response }>(ask: () => Promise<T>, patienceMs = 30_000, still = () => true): Promise<T> {
  const giveUpAt = Date.now() + patienceMs;
  for (;;) {
    const answer = await ask();
    const after = answer.response.headers.get("Retry-After");
    if (answer.response.status !== 409 || after === null || Date.now() >= giveUpAt || !still()) return answer;
    const wait = Math.min(retryAfterSeconds(answer.response) ?? 1, 5);
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait * 1000, Math.max(giveUpAt - Date.now(), 0))));
  }
}

/**
 * How long an answer may take: its headers, then each next piece of its body (a whole file on a slow link takes longer,
 * and is not cut while it keeps coming). Past it the request counts as unanswered (a half-open connection would
 * otherwise keep a form busy until the browser gives up). The platform answers within it: its own calls between
 * services end within 30 s, the companion's model streams a next piece within 20 s.
 */
export const answerLimitMs = 45_000;

/**
 * How long a file's upload (a multipart body) may take until its answer's headers: the platform reads an upload for up
 * to 2 minutes (its slowest allowed link), then stores it; a fetch cannot tell how far the sending has come.
 */
export const uploadLimitMs = 150_000;

/**
 * The browser's fetch: a request that gets no answer (a network error, or none within {@link answerLimitMs}, for an
 * upload {@link uploadLimitMs}) throws {@link Unreachable}, and so does an answer cut off in its body, or one whose body
 * stops coming for the limit; the body is read here whole. A stream of events is left to its reader, which sees a
 * cut, or a stream quiet for too long, as a TypeError.
 */
export async function send(request: Request, limitMs = answerLimitMs, uploadMs = uploadLimitMs): Promise<Response> {
  const limit = new AbortController();
  const upload = request.headers.get("Content-Type")?.startsWith("multipart/form-data") ?? false;
  let timer = setTimeout(() => limit.abort(new Unreachable()), upload ? Math.max(limitMs, uploadMs) : limitMs);
  const { signal, release } = anySignal([request.signal, limit.signal]);
  let response: Response;
  try {
    response = await fetch(request, { signal });
  } catch (e) {
    clearTimeout(timer);
    release();
    throw e instanceof TypeError ? new Unreachable() : e;
  }
  if (response.body === null) {
    clearTimeout(timer);
    release();
    return response;
  }
  if (response.headers.get("Content-Type")?.startsWith("text/event-stream")) {
    const quiet = () => limit.abort(new TypeError("The stream of events went quiet."));
    // The stream's end, however it comes (read to its end, cut, gone quiet, or cancelled by its reader), stops the
    // watch and releases the signals' join: without AbortSignal.any its listeners sit on the caller's signal.
    const over = () => {
      clearTimeout(timer);
      release();
    };
    clearTimeout(timer);
    timer = setTimeout(quiet, limitMs);
    const reader = response.body.getReader();
    const watched = new ReadableStream<Uint8Array>({
      async pull(out) {
        let piece: ReadableStreamReadResult<Uint8Array>;
        try {
          piece = await reader.read();
        } catch (e) {
          over();
          throw e;
        }
        if (piece.done) {
          over();
          out.close();
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(quiet, limitMs);
        out.enqueue(piece.value);
      },
      cancel(reason) {
        over();
        return reader.cancel(reason);
      },
    });
    const { status, statusText, headers } = response;
    return new Response(watched, { status, statusText, headers });
  }
  const pieces: Uint8Array[] = [];
  const stalled = () => limit.abort(new Unreachable());
  try {
    const reader = response.body.getReader();
    for (;;) {
      clearTimeout(timer);
      timer = setTimeout(stalled, limitMs);
      const { done, value } = await reader.read();
      if (done) break;
      pieces.push(value);
    }
  } catch (e) {
    // whatever the browser calls the cut (a TypeError in Chromium); an abort asked for stays an abort
    throw e instanceof DOMException && e.name === "AbortError" ? e : new Unreachable();
  } finally {
    clearTimeout(timer);
    release();
  }
  // Chromium hands a 204 an empty body stream; a Response of a status without a body may be given none
  const bodiless = [101, 103, 204, 205, 304].includes(response.status);
  const body = bodiless ? null : new Blob(pieces as BlobPart[]);
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * The signed-in session: tokens kept in sessionStorage (one tab, one login), the access token refreshed a minute
 * before it expires (and once more on a 401), the session ended when the platform says it ended (the refresh is
 * refused). Every request goes through the SDK with this session's token.
 *
 * A duplicated tab starts with a copy of the same tokens. Identity takes a second use of a spent refresh token for
 * theft and ends the session, so the tabs of one session refresh under one Web Lock, and the tab that refreshed hands
 * the new pair to the others over a BroadcastChannel. Without both APIs each tab refreshes on its own.
 */
export class Session {
  readonly api: CommunityClient;
  private stored: Stored | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private hubClient: ChatHubClient | null = null;
  private readonly listeners = new Set<Listener>();
  /** The name of the session's lock while this tab holds it for more than a refresh (a password change). */
  private holding: string | null = null;
  /** The other tabs of this origin: a tab that refreshed hands its new pair to those of the same session. */
  private readonly tabs = typeof BroadcastChannel === "function" ? new BroadcastChannel(storageKey) : null;
  /** Why the last session ended, shown on the sign-in page. */
  endedBecause: string | null = null;
  /**
   * Whether the last session ended by its owner's doing (a sign-out, here or in a duplicated tab, or the account
   * deleted) rather than the platform's (a refresh refused: the password changed elsewhere, a revocation, an expiry):
   * what the owner left unsent is forgotten only then, and kept for them to sign in again otherwise.
   */
  endedByOwner = false;

  constructor(baseUrl: string) {
    this.api = createCommunityClient({ baseUrl, token: () => this.stored?.access, fetch: (r) => this.fetch(r) });
    const raw = sessionStorage.getItem(storageKey);
    if (raw) {
      try {
        this.stored = JSON.parse(raw) as Stored;
        if (this.stored && !this.stored.id) {
          // kept from before sessions had a key: the tabs duplicated from this one share the key made now
          this.stored.id = newSessionKey();
          sessionStorage.setItem(storageKey, JSON.stringify(this.stored));
        }
        this.schedule();
      } catch {
        sessionStorage.removeItem(storageKey);
      }
    }
    forgetOldGenerations();
    if (this.tabs)
      this.tabs.onmessage = ({ data }: MessageEvent<Rotated | Ended | Asked | Current | null>) => {
        if (data && "stored" in data) this.adopt(data);
        else if (data && "ended" in data && data.ended === this.stored?.id) this.end(data.reason, data.byOwner ?? false);
        else if (data && "asks" in data) this.answer(data);
        else if (data && "current" in data) this.catchUp(data.current);
      };
    // woken with a pair another tab has replaced since: the newest is asked for now, before a refresh needs it
    if (this.stored && this.behind(this.stored)) this.ask(this.stored);
  }

  get user(): Me | null {
    return this.stored?.user ?? null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The chat hub of this session, started on first use; null when signed out. */
  hub(): ChatHubClient | null {
    if (!this.stored) return null;
    if (!this.hubClient) {
      this.hubClient = this.api.hub({ retryDelaysMs: [0, 1000, 2000, 5000, 10000] });
      const hub = this.hubClient;
      hub.connection.onreconnecting(() => this.notify());
      hub.connection.onreconnected(() => this.connected(hub));
      hub.connection.onclose(() => {
        // closed for good (not a reconnect: the SDK's retries gave up, or the platform ended the session's
        // connection): a refresh tells which; with a new token the hub starts again
        if (this.hubClient !== hub) return;
        this.notify();
        void this.refresh().finally(() => this.hubClient === hub && this.startHub(hub));
      });
      this.startHub(hub);
    }
    return this.hubClient;
  }

  /** Starts the hub, trying again every 2 s while the platform cannot be reached. */
  private startHub(hub: ChatHubClient): void {
    hub.start().then(
      () => this.connected(hub),
      () => setTimeout(() => this.hubClient === hub && hub.state === "Disconnected" && this.startHub(hub), 2000),
    );
  }

  /** The hub connected (started, or reconnected): the views that pushes keep up to date load again ({@link resync}). */
  private connected(hub: ChatHubClient): void {
    this.notify();
    if (this.hubClient === hub) dispatchEvent(new Event(resync));
  }

  /** Resolves once the hub is connected (it may be reconnecting meanwhile). */
  async hubReady(): Promise<ChatHubClient> {
    const hub = this.hub();
    if (!hub) throw new Error("signed out");
    while (hub.state !== "Connected") {
      if (this.hubClient !== hub) throw new Error("signed out");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return hub;
  }

  /**
   * Signs in; with two-factor sign-in on, the answer is a challenge to complete with {@link completeSignIn}. A refusal
   * for too many attempts says how long to wait (see {@link refusal}).
   */
  async signIn(identifier: string, password: string): Promise<SignInAnswerStep> {
    const answer = await this.api.identity.POST("/api/v1/auth/login", { body: { identifier, password } });
    return this.signedInBy(answer, "Signing in failed.");
  }

  /**
   * Ends a sign-in with an outside provider: the one-time code (60 s, single use) identity put on the way back to
   * /signed-in. With two-factor sign-in on, the answer is a challenge, as for a password.
   */
  /**
   * Exchanges an outside provider's one-time code for the session. `unsettled`: identity's answer settled nothing (a
   * 5xx, 408 or 429), so the same code may be sent again; a refusal spends it.
   */
  async completeOutsideSignIn(code: string): Promise<SignInAnswerStep & { unsettled?: boolean }> {
    const answer = await this.api.identity.POST("/api/v1/auth/external/exchange", { body: { code } });
    return { ...this.signedInBy(answer, "Signing in with the provider did not finish. Start again."), unsettled: !settled(answer.response) };
  }

  private signedInBy(
    { data, error, response }: { data?: SignInAnswer; error?: unknown; response: Response },
    fallback: string,
  ): SignInAnswerStep {
    if (!data) return refusal(error, response, fallback);
    if ("two_factor_required" in data) return { error: null, challenge: data.challenge, challengeExpiresIn: data.expires_in };
    this.begin(data);
    return { error: null };
  }

  /**
   * The second step: a code from the authenticator app, or a recovery code (each works once). A refusal for too many
   * wrong codes says how long to wait (see {@link refusal}).
   */
  async completeSignIn(challenge: string, code: string): Promise<{ error: string | null; wait?: number }> {
    const { data, error, response } = await this.api.identity.POST("/api/v1/auth/login/two-factor", {
      body: { challenge, code },
    });
    if (!data) return refusal(error, response, "That code did not work.");
    this.begin(data);
    return { error: null };
  }

  /**
   * Creates the account and signs in. `again` says the same sign-up was sent before and got no answer: registration
   * is anonymous and takes no idempotency key, so the first one may have made the account, and the username is then
   * "taken" by it. Signing in with the same username and password tells: it works only for that account. An answer
   * that may have made the account all the same (a 5xx, 408) is `unsettled`, as no answer is. A refusal for too many
   * sign-ups says how long to wait (see {@link refusal}).
   */
  async signUp(
    body: identity.components["schemas"]["RegisterRequest"],
    again = false,
  ): Promise<{ error: string | null; wait?: number; unsettled?: boolean }> {
    const { data, error, response } = await this.api.identity.POST("/api/v1/auth/register", { body });
    if (data) {
      this.begin(data);
      return { error: null };
    }
    if (again && response.status === 409 && body.username) {
      const signedIn = await this.signIn(body.username, body.password);
      if (!signedIn.error && !signedIn.challenge) return { error: null };
    }
    // a 5xx or 408 (a gateway's timeout among them): the account may have been made all the same, as without an
    // answer, so the same sign-up sent again is `again`; a 429 certainly made nothing
    const refused = refusal(error, response, "Creating the account failed.");
    return response.status >= 500 || response.status === 408 ? { ...refused, unsettled: true } : refused;
  }

  async signOut(): Promise<void> {
    const stored = this.stored;
    await this.api.identity.POST("/api/v1/auth/logout").catch(() => undefined);
    // the session may have ended here before the answer came (a request refused once identity had ended it, then its
    // refresh): ended again all the same, as its owner's (the messages it left waiting are forgotten, the banner says
    // nothing), but another account signed in since stays; the tabs duplicated from it end it too
    const here = this.stored === null || (stored !== null && this.still(stored));
    this.endEverywhere(stored?.id, null, "You signed out in another tab.", true, here);
  }

  /**
   * Deletes the signed-in account (its password, and with two-factor sign-in on a code from the authenticator app or a
   * recovery code, prove it is the owner); the session ends with it. Answers the platform's words when it refused.
   */
  async deleteAccount(password: string, code?: string): Promise<string | null> {
    const stored = this.stored;
    const { error, response } = await this.api.identity.DELETE("/api/v1/users/me", { body: { password, ...(code ? { code } : {}) } });
    if (!response.ok) return problemText(error, response, "Deleting your account failed.");
    const deleted = "Your account is deleted, with your profile and your sessions.";
    // as a sign-out's answer: the session may have ended here meanwhile (the deletion ended it), another begun since
    const here = this.stored === null || (stored !== null && this.still(stored));
    this.endEverywhere(stored?.id, deleted, deleted, true, here);
    return null;
  }

  /**
   * A new password, chosen while signed in: the current one proves it is the owner, with a code from the authenticator
   * app or a recovery code when two-factor sign-in is on. Identity ends every other session of the account and answers
   * a new pair for this one, kept as a refresh's is (the session's key stays) and handed to the tabs duplicated from
   * this one, which share this session and go on with it. It is sent under the lock the session's refreshes take (see
   * {@link refreshOnceForAllTabs}), so no tab spends the refresh token it replaces meanwhile; a refresh due before its
   * answer could come is done first. A refusal for too many attempts says how long to wait (see {@link refusal}).
   */
  async changePassword(currentPassword: string, newPassword: string, code?: string): Promise<{ error: string | null; wait?: number }> {
    const signedOut = { error: "Your session ended. Sign in again." };
    let stored = this.stored;
    if (!stored) return signedOut;
    if (this.refreshing || stored.expiresAt - Date.now() < 60_000 + answerLimitMs) {
      await this.refresh();
      if (!this.still(stored)) return signedOut;
      stored = this.stored!;
    }
    const session = stored;
    return this.underLock(session, async () => {
      if (!this.still(session)) return signedOut;
      const { data, error, response } = await this.api.identity.POST("/api/v1/users/me/password", {
        body: { current_password: currentPassword, new_password: newPassword, ...(code ? { code } : {}) },
      });
      if (!data) return refusal(error, response, "Changing your password failed.");
      // signed out meanwhile, or into another account: the pair is not for the session this tab has now
      if (!this.still(session)) return { error: null };
      // the refresh token this tab and its duplicates hold now (a refresh may have replaced the one it started with)
      const replaces = this.stored!.refresh;
      this.begin(data, session.id, this.stored!.generation ?? 0);
      this.tabs?.postMessage({ replaces, stored: this.stored! } satisfies Rotated);
      return { error: null };
    });
  }

  /** Ends the session here, and in the tabs duplicated from this one (which share its key and its tokens). */
  private endEverywhere(id: string | undefined, reason: string | null, elsewhere: string, byOwner: boolean, here = true): void {
    if (here) this.end(reason, byOwner);
    if (id) this.tabs?.postMessage({ ended: id, reason: elsewhere, byOwner } satisfies Ended);
    if (id) forgetGeneration(id);
  }

  /** Updates the user kept with the session (after a profile change). */
  setUser(user: Me): void {
    // an answer that came after a sign-out and another account's sign-in is not this session's
    if (!this.stored || this.stored.user.id !== user.id) return;
    this.stored = { ...this.stored, user };
    this.save();
  }

  /**
   * Keeps the tokens of a sign-in (a new session key), or of a refresh or a password change (the session's key as `id`,
   * and the generation of the pair they replace as `replaced`), and writes their generation for the session's tabs.
   */
  private begin(tokens: Tokens, id = newSessionKey(), replaced = -1): void {
    this.endedBecause = null;
    this.stored = {
      access: tokens.access_token,
      refresh: tokens.refresh_token,
      expiresAt: Date.now() + tokens.expires_in * 1000,
      user: tokens.user,
      id,
      generation: replaced + 1,
    };
    writeGeneration(id, replaced + 1);
    this.save();
    this.schedule();
  }

  private end(reason: string | null, byOwner = false): void {
    clearTimeout(this.timer);
    this.endedByOwner = byOwner;
    this.stored = null;
    // a refresh on its way is this session's: the next session's refreshes do not wait for it
    this.refreshing = null;
    sessionStorage.removeItem(storageKey);
    this.endedBecause = reason;
    const hub = this.hubClient;
    this.hubClient = null;
    void hub?.stop().catch(() => undefined);
    this.notify();
  }

  private save(): void {
    if (this.stored) sessionStorage.setItem(storageKey, JSON.stringify(this.stored));
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.stored) return;
    const wait = Math.max(0, this.stored.expiresAt - Date.now() - 60_000);
    this.timer = setTimeout(() => void this.refresh(), wait);
  }

  private refreshIn(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
  }

  /** Rotates the refresh token once at a time; false (and signed out) when the platform refuses it. */
  refresh(): Promise<boolean> {
    if (!this.stored) return Promise.resolve(false);
    if (!this.refreshing) {
      const refreshing = this.refreshOnceForAllTabs(this.stored).finally(() => {
        // unless the session ended meanwhile, and the next one's refresh is on its way
        if (this.refreshing === refreshing) this.refreshing = null;
      });
      this.refreshing = refreshing;
    }
    return this.refreshing;
  }

  /** Whether the session kept is still `stored`'s: the same sign-in of the same account, its tokens refreshed or not. */
  private still(stored: Stored): boolean {
    return this.stored !== null && this.stored.id === stored.id && this.stored.user.id === stored.user.id;
  }

  /**
   * Refreshes under the lock of the session, which its duplicated tabs share. A tab that had to wait for it finds its
   * refresh token spent by the tab before it, and takes the pair that tab handed on instead of spending it again.
   */
  private async refreshOnceForAllTabs(stored: Stored): Promise<boolean> {
    const locks = typeof navigator === "undefined" ? null : navigator.locks;
    if (!locks || !this.tabs || !stored.id) return this.rotate(stored);
    const name = `community.refresh.${stored.id}`;
    // this tab holds the lock (a password change, whose request was answered 401): it is the one to spend the token
    if (this.holding === name) return this.rotate(stored);
    // replaced meanwhile: another tab spent it, and this one took the pair it handed on (signed out, or signed in
    // again, meanwhile: nothing to refresh)
    const spend = () =>
      !this.still(stored) ? false : this.stored!.refresh !== stored.refresh ? true : this.behind(stored) ? this.caughtUp(stored) : this.rotate(stored);
    const alone = await locks.request(name, { ifAvailable: true }, (lock) => lock && spend());
    if (alone !== null) return alone;
    return locks.request(name, async () => {
      await this.handedOver(stored.refresh);
      return spend();
    });
  }

  /**
   * Runs `work` under the lock of the session's refreshes, which its duplicated tabs share: none of them refreshes
   * meanwhile (each waits, then takes the pair `work` may hand on). A tab that had to wait for the lock first takes the
   * pair the tab before it handed on. Without Web Locks or a BroadcastChannel it just runs. While it runs, a refresh of
   * this tab (a 401 of `work`'s request) spends the token at once: the lock it would wait for is this one.
   */
  private async underLock<T>(stored: Stored, work: () => Promise<T>): Promise<T> {
    const locks = typeof navigator === "undefined" ? null : navigator.locks;
    if (!locks || !this.tabs || !stored.id) return work();
    const name = `community.refresh.${stored.id}`;
    const held = async (waited: boolean) => {
      if (waited) await this.handedOver(stored.refresh);
      this.holding = name;
      try {
        return await work();
      } finally {
        this.holding = null;
      }
    };
    const alone = await locks.request(name, { ifAvailable: true }, async (lock) => (lock ? { done: await held(false) } : null));
    return alone ? alone.done : locks.request(name, () => held(true));
  }

  /** Resolves once another tab has handed on the pair that replaces `spent`, or after {@link handOverMs} without it. */
  private handedOver(spent: string): Promise<void> {
    return this.until(() => this.stored?.refresh !== spent);
  }

  /** Resolves once `holds` (asked now, then at each change of the session), or after {@link handOverMs} without it. */
  private until(holds: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, handOverMs);
      const off = this.subscribe(() => holds() && done());
      if (holds()) done();
    });
  }


  /** Whether a tab of the session has replaced the pair of `stored` (see {@link generationKey}). */
  private behind(stored: Stored): boolean {
    return !!stored.id && readGeneration(stored.id) > (stored.generation ?? 0);
  }

  private ask(stored: Stored): void {
    if (stored.id) this.tabs?.postMessage({ asks: stored.id, generation: stored.generation ?? 0 } satisfies Asked);
  }

  /** A tab of this session asks for a pair newer than the one it holds: this tab's, if it is. */
  private answer({ asks, generation }: Asked): void {
    if (this.stored && this.stored.id === asks && (this.stored.generation ?? 0) > generation)
      this.tabs?.postMessage({ current: this.stored } satisfies Current);
  }

  /** Another tab of this session answered with its pair: this tab takes it when it is newer than its own. */
  private catchUp(current: Stored): void {
    if (!this.stored || current.id !== this.stored.id || (current.generation ?? 0) <= (this.stored.generation ?? 0)) return;
    this.stored = current;
    this.save();
    this.schedule();
  }

  /**
   * Under the session's lock, with a spent pair (see {@link behind}): takes the newest from a tab that holds it. When
   * none answers (the tabs that went on with the session were closed), the session ends in this tab only, and its spent
   * token is never sent: identity would end the session everywhere, a discarded tab that comes back with the newest
   * pair included.
   */
  private async caughtUp(stored: Stored): Promise<boolean> {
    const newest = readGeneration(stored.id!);
    this.ask(stored);
    await this.until(() => !this.still(stored) || (this.stored!.generation ?? 0) >= newest);
    if (!this.still(stored)) return false;
    if ((this.stored!.generation ?? 0) >= newest) return true;
    this.end("This session went on in another tab, since closed. Sign in again.");
    return false;
  }

  /** Another tab of this session refreshed: its pair replaces the refresh token this tab holds, which is spent now. */
  private adopt({ replaces, stored }: Rotated): void {
    if (!this.stored || stored.id !== this.stored.id || replaces !== this.stored.refresh) return;
    this.stored = stored;
    this.save();
    this.schedule();
  }

  /** Spends the refresh token of `stored`; its answer is for that session only (see {@link still}). */
  private async rotate(stored: Stored): Promise<boolean> {
    const refresh_token = stored.refresh;
    try {
      const { data, response } = await this.api.identity.POST("/api/v1/auth/refresh", { body: { refresh_token } });
      // signed out while it was on its way, or signed in again (another account, or the same one anew): the answer
      // neither signs the tab in again nor ends the session it now has
      if (!this.still(stored)) return false;
      if (data) {
        this.begin(data, stored.id, stored.generation ?? 0);
        this.tabs?.postMessage({ replaces: refresh_token, stored: this.stored! } satisfies Rotated);
        return true;
      }
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        this.end("Your session ended. Sign in again.");
      } else if (!settled(response)) {
        // identity may get over it (a 5xx, 408, 429): the token expires meanwhile, and nothing else renews it
        this.refreshIn(retryAfterMs(response));
      }
      return false;
    } catch {
      if (this.still(stored)) this.refreshIn(5000); // offline: try again soon
      return false;
    }
  }

  /**
   * Every SDK request: a 401 refreshes the token once and repeats the request with the new one. A request refused
   * with a token another request's refresh has replaced meanwhile is repeated with the new one, without a second
   * refresh (each refresh rotates the refresh token).
   */
  private async fetch(request: Request): Promise<Response> {
    // the gateway checks any bearer token it is sent, on anonymous routes too: a refresh must not carry the
    // (expired or refused) access token it replaces
    const path = new URL(request.url).pathname;
    if (path === "/api/v1/auth/refresh") request.headers.delete("Authorization");
    const sentWith = request.headers.get("Authorization");
    const sentFor = this.stored;
    const again = request.clone();
    const response = await send(request);
    const anonymous = path.startsWith("/api/v1/auth/") && !sessionRoutes.has(path);
    // signed out, or into another session, while it was on its way: it is not sent again as someone else
    if (response.status !== 401 || !this.stored || anonymous || !sentFor || !this.still(sentFor)) return response;
    const replaced = sentWith !== `Bearer ${this.stored.access}`;
    if (!replaced && !(await this.refresh())) return response;
    if (!this.stored) return response;
    again.headers.set("Authorization", `Bearer ${this.stored.access}`);
    return send(again);
  }
}

function readGeneration(id: string): number {
  try {
    const kept = JSON.parse(localStorage.getItem(generationKey(id)) ?? "null") as { generation?: unknown } | null;
    return typeof kept?.generation === "number" ? kept.generation : -1;
  } catch {
    return -1;
  }
}

function writeGeneration(id: string, generation: number): void {
  try {
    // never lowered (a tab behind that changed the password with its access token still valid): the newest stays known
    localStorage.setItem(generationKey(id), JSON.stringify({ generation: Math.max(generation, readGeneration(id)), at: Date.now() }));
  } catch {
    // storage full or refused: a tab that wakes with a spent pair then spends it, as before generations were kept
  }
}

function forgetGeneration(id: string): void {
  try {
    localStorage.removeItem(generationKey(id));
  } catch {
    // nothing kept
  }
}

/** Forgets the generations of sessions unchanged for longer than a refresh token lasts. */
function forgetOldGenerations(): void {
  try {
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith(generationPrefix) || !key.endsWith(".generation")) continue;
      const at = (JSON.parse(localStorage.getItem(key) ?? "null") as { at?: unknown } | null)?.at;
      if (typeof at !== "number" || Date.now() - at > generationKeptMs) localStorage.removeItem(key);
    }
  } catch {
    // unreadable storage: nothing to forget
  }
}

/**
 * The seconds an answer's Retry-After asks to wait (its delta-seconds form, a whole number); null without it, or with
 * an HTTP date or anything else.
 */
export function retryAfterSeconds(response: Response): number | null {
  const after = response.headers.get("Retry-After")?.trim();
  return after && /^\d+$/.test(after) ? Number(after) : null;
}

/** How long Retry-After (in seconds) asks to wait, at least 1 s; 5 s without it, or with a date. */
function retryAfterMs(response: Response): number {
  const seconds = retryAfterSeconds(response);
  return seconds === null ? 5000 : Math.max(seconds, 1) * 1000;
}

/** The longest wait a refusal is taken to ask for, in seconds (an hour): a longer Retry-After is waited this long. */
export const longestWait = 3600;

/**
 * A refusal as a form says it: the problem's text, and for a 429 (too many attempts) with Retry-After in seconds,
 * `wait`: the seconds to wait before the form is sent again (at most {@link longestWait}). Without Retry-After, or
 * with a date, only the text.
 */
export function refusal(error: unknown, response: Response, fallback: string): { error: string; wait?: number } {
  const text = problemText(error, response, fallback);
  const seconds = response.status === 429 ? retryAfterSeconds(response) : null;
  return seconds ? { error: text, wait: Math.min(seconds, longestWait) } : { error: text };
}

/**
 * The problem's title and detail (and each invalid field), as the platform words them. A failure of the platform (a
 * 5xx), or a problem that says no more than its title, ends with its request_id ("(reference: ...)"), which the
 * contract asks to be quoted when the problem is reported; a refusal that says why (a 4xx's detail, its invalid fields)
 * is said as it is.
 */
export function problemText(error: unknown, response: Response | undefined, fallback: string): string {
  const problem = (error ?? {}) as { title?: string; detail?: string; errors?: Record<string, string[]>; request_id?: string };
  const fields = Object.values(problem.errors ?? {}).flat();
  const text = [problem.detail ?? problem.title, ...fields].filter(Boolean).join(" ") || (response ? `${fallback} (${response.status})` : fallback);
  const failed = (response?.status ?? 0) >= 500 || (!problem.detail && !fields.length);
  return problem.request_id && failed ? `${text} (reference: ${problem.request_id})` : text;
}
