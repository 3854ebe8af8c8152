import { useEffect, useRef, useState } from "preact/hooks";
import type { identity } from "@community/sdk";
import { attempt, newTxnId, session, submitted } from "../lib/app";
import { refusal, settled, type SignInAnswerStep } from "../lib/session";
import { afterSignIn, currentPath, href } from "../lib/router";
import { Banner, Failure, TryAgainIn, useWait } from "../lib/said";

type Provider = identity.components["schemas"]["ExternalProviderDto"];

/** Why an outside provider's sign-in came back without a code (its OAuth error code, passed on by identity). */
export function outsideRefusal(code: string): string {
  return code === "access_denied"
    ? "Signing in with the provider was cancelled. Try again, or sign in with your password."
    : "Signing in with the provider did not work. Try again, or sign in with your password.";
}

/** Where the page keeps the state of an outside sign-in it started, to know the way back is its own. */
const outsideStateKey = "community.outside-sign-in";

/**
 * How an outside provider's sign-in came back to /signed-in: its one-time code, or why there is none. Read once, as
 * the page first renders: the address is replaced at once, before any request could carry it (as a Referer), so a
 * reload or the history never offers the code again. A code is taken only with the state this tab stored when it
 * left for the provider: otherwise someone could send a link that signs the reader in to their own account.
 */
function outsideReturn(): { code: string } | { refused: string } | null {
  if (currentPath() !== "/signed-in") return null;
  const query = new URLSearchParams(location.search);
  history.replaceState(null, "", href("/signin"));
  const started = sessionStorage.getItem(outsideStateKey);
  sessionStorage.removeItem(outsideStateKey);
  const code = query.get("code");
  if (!code) return { refused: outsideRefusal(query.get("error") ?? "") };
  if (!started || query.get("state") !== started)
    return { refused: "This sign-in was not started on this page, so it was not used. Start again below." };
  return { code };
}

type SignInStep = SignInAnswerStep;
/** A second factor asked for: the challenge, and when it lapses (ms since the epoch). */
type Challenge = { id: string; lapsesAt: number };

/** What a sign-in step says when the page itself failed: neither a refusal of the platform's nor no answer. */
function failedHere(e: unknown): string {
  const why = e instanceof Error ? e.message : String(e);
  return `Signing in failed on this page (${why}). Reload the page and try again, or use another browser.`;
}

/**
 * One step of a sign-in (a password, an outside provider's code, a second factor): busy meanwhile, then its refusal
 * said (no answer too), the second factor asked for, or the app opened. A refusal for too many attempts asks for a
 * wait, counted down (`wait`): no step is taken until it is over.
 */
function useSignInStep(challenged: (challenge: Challenge) => void = () => undefined) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const wait = useWait();
  async function step(take: () => Promise<SignInStep>) {
    if (wait.left > 0) return;
    setError(null);
    wait.set(0);
    setBusy(true);
    let result: SignInStep = { error: null };
    try {
      await attempt(
        (text) => (result = { error: text }),
        async () => (result = await take()),
      );
    } catch (e) {
      // a fault of the page, or of a browser missing something it uses: said and logged, so the form is not left dead
      console.error(e);
      result = { error: failedHere(e) };
    } finally {
      setBusy(false);
    }
    setError(result.error);
    wait.set(result.wait);
    if (result.challenge) challenged({ id: result.challenge, lapsesAt: Date.now() + (result.challengeExpiresIn ?? 300) * 1000 });
    else if (!result.error) afterSignIn(session.user?.id ?? null);
  }
  return { error, setError, busy, wait, step };
}

/**
 * The sign-in page. On /signed-in it first ends a sign-in with an outside provider: identity sends the browser back
 * there with a one-time code (or an error), which is exchanged for the session.
 */
export function SignIn() {
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const { error, setError, busy, wait, step } = useSignInStep(setChallenge);
  const [returned] = useState(outsideReturn);
  // the code's exchange got no answer, or one that settled nothing: the same code may be sent again
  const [unsettled, setUnsettled] = useState(false);
  const [sent, setSent] = useState(0);
  const exchange = (code: string) =>
    step(async () => {
      setSent((n) => n + 1);
      setUnsettled(true); // until an answer says otherwise
      const result = await session.completeOutsideSignIn(code);
      setUnsettled(result.unsettled ?? false);
      return result;
    });

  useEffect(() => {
    if (!returned) return;
    if ("refused" in returned) return setError(returned.refused);
    void exchange(returned.code);
  }, [returned]);

  if (challenge)
    return (
      <TwoFactorStep
        challenge={challenge}
        startAgain={(why) => {
          setChallenge(null);
          setError(why);
        }}
      />
    );
  return (
    <main class="auth" id="main">
      <h1 tabIndex={-1}>Sign in to Community</h1>
      <Banner text={busy && returned && "code" in returned ? "Signing you in…" : session.endedBecause} />
      {returned && "code" in returned && unsettled && (!busy || sent > 1) && (
        // the code has left the address: sent again from here (identity takes it once); kept while it is sent, so the
        // focus stays on it
        <button type="button" disabled={busy || wait.left > 0} onClick={() => void exchange(returned.code)}>
          Finish signing in
        </button>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          void step(() => session.signIn(String(form.get("identifier")), String(form.get("password"))));
        }}
      >
        <label>
          Username, e-mail or phone
          <input name="identifier" autoComplete="username" required maxLength={254} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <Failure text={error} />
        <TryAgainIn wait={wait} />
        <button type="submit" disabled={busy || wait.left > 0}>
          Sign in
        </button>
      </form>
      <OutsideProviders />
      <p>
        <a href={href("/forgot")}>Forgot your password?</a>
      </p>
      <p>
        New here? <a href={href("/signup")}>Create an account</a>
      </p>
      <WaitlistLink />
    </main>
  );
}

/**
 * The second step of a sign-in with two-factor sign-in on, after a password or an outside provider. Its heading takes
 * the focus (the page changed under the reader); once the challenge lapses (identity takes no code for it then), or
 * on asking, the sign-in starts again.
 */
function TwoFactorStep({ challenge, startAgain }: { challenge: Challenge; startAgain: (why: string | null) => void }) {
  const { error, busy, wait, step } = useSignInStep();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    const lapse = setTimeout(() => startAgain("The sign-in took too long: the code is asked for within a few minutes. Sign in again."), Math.max(0, challenge.lapsesAt - Date.now()));
    return () => clearTimeout(lapse);
  }, [challenge]);
  return (
    <main class="auth" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Two-factor sign-in
      </h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const code = String(new FormData(e.currentTarget).get("code")).trim();
          void step(() => session.completeSignIn(challenge.id, code));
        }}
      >
        <label>
          The 6-digit code from your authenticator app, or a recovery code
          <input name="code" autoComplete="one-time-code" required maxLength={32} />
        </label>
        <Failure text={error} />
        <TryAgainIn wait={wait} />
        <button type="submit" disabled={busy || wait.left > 0}>
          Continue
        </button>
      </form>
      <p>
        <button type="button" class="link" onClick={() => startAgain(null)}>
          Start again
        </button>
      </p>
    </main>
  );
}

/** The outside providers identity is configured with: none until they are known, and none when they cannot be. */
export function useOutsideProviders(): Provider[] {
  const [providers, setProviders] = useState<Provider[]>([]);
  useEffect(() => {
    let shown = true;
    session.api.identity
      .GET("/api/v1/auth/external/providers")
      .then(({ data }) => {
        if (shown && data) setProviders(data.items);
      })
      .catch(() => undefined);
    return () => {
      shown = false;
    };
  }, []);
  return providers;
}

/**
 * A button for each outside provider identity is configured with (none: nothing shown). Each leaves the app for the
 * provider, by way of identity, and comes back to /signed-in. Buttons, not links: a link opened in a new tab would
 * leave without storing the state, and its way back would be refused.
 */
function OutsideProviders() {
  const providers = useOutsideProviders();
  // what identity hands back with the code; stored as the browser leaves (outsideReturn checks it)
  const [state] = useState(newTxnId);
  if (providers.length === 0) return null;
  const back = encodeURIComponent(`${location.origin}${href("/signed-in")}?state=${state}`);
  return (
    <nav class="outside" aria-label="Other ways to sign in">
      {providers.map((p) => (
        <button
          key={p.name}
          type="button"
          class="secondary"
          onClick={() => {
            sessionStorage.setItem(outsideStateKey, state);
            location.assign(`/api/v1/auth/external/${encodeURIComponent(p.name)}/start?redirect_uri=${back}`);
          }}
        >
          Continue with {p.display_name}
        </button>
      ))}
    </nav>
  );
}

/** To the launch waitlist, for whoever is not ready for an account. */
function WaitlistLink() {
  return (
    <p>
      Not ready for an account? <a href={href("/waitlist")}>Join the launch waitlist</a>
    </p>
  );
}

/**
 * Asks identity to e-mail a link for a new password (its page is the gateway's /reset-password). Asked too often, it
 * is sent again after the wait identity asks for.
 */
export function ForgotPassword() {
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const wait = useWait();
  const ask = submitted(setError, async (form) => {
    wait.set(0);
    const identifier = String(form.get("identifier")).trim();
    const { error, response } = await session.api.identity.POST("/api/v1/auth/password/forgot", { body: { identifier } });
    if (response.ok) setSent(true);
    else {
      const refused = refusal(error, response, "The link could not be sent.");
      setError(refused.error);
      wait.set(refused.wait);
    }
    return settled(response);
  });
  return (
    <main class="auth" id="main">
      <h1 tabIndex={-1}>Forgot your password?</h1>
      <Banner
        text={
          sent
            ? "If an account matches and has an e-mail address, a link to choose a new password is on its way to it. " +
              "The link works once; choosing a new password signs out every session."
            : null
        }
      />
      {!sent && (
        <form
          aria-label="Forgot your password?"
          onSubmit={(e) => (wait.left > 0 ? e.preventDefault() : ask(e))}
        >
          <label>
            Username, e-mail or phone
            <input name="identifier" autoComplete="username" required maxLength={254} />
          </label>
          <Failure text={error} />
          <TryAgainIn wait={wait} />
          <button type="submit" disabled={wait.left > 0}>
            Send me a link
          </button>
        </form>
      )}
      <p>
        <a href={href("/signin")}>Back to sign in</a>
      </p>
    </main>
  );
}

/** Identity's rules for a password, as the forms that choose one say them (it checks them, and says which one failed). */
export const passwordHint = "10 to 128 characters with letters and a digit or symbol, not containing your username";

export function SignUp() {
  // a friend's invitation link (/app/signup?ref=<their referral code>)
  const invitedWith = new URLSearchParams(location.search).get("ref")?.trim() || "";
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // a refusal for too many sign-ups: none is sent until it is over
  const wait = useWait();
  // the last sign-up that got no answer: sent again as it was, its account may already exist
  const unanswered = useRef<string | null>(null);
  return (
    <main class="auth" id="main">
      <h1 tabIndex={-1}>Create your account</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (wait.left > 0) return;
          const form = new FormData(e.currentTarget);
          const email = String(form.get("email") ?? "").trim() || null;
          const phone = String(form.get("phone") ?? "").replace(/[\s()-]/g, "") || null;
          if (!email && !phone) return setError("Give an e-mail address or a phone number: you sign in and recover your account with it.");
          setError(null);
          wait.set(0);
          setBusy(true);
          let failed: { error: string | null; wait?: number; unsettled?: boolean } = { error: null };
          const body = {
            username: String(form.get("username")).trim().toLowerCase(),
            email,
            phone,
            password: String(form.get("password")),
            full_name: String(form.get("full_name") ?? "").trim() || null,
            role: form.get("organizer") ? "organizer" : "member",
            referral_code: String(form.get("referral_code") ?? "").trim() || null,
          } as const;
          const sent = JSON.stringify(body);
          const again = unanswered.current === sent;
          unanswered.current = null;
          try {
            await attempt(
              (text) => {
                failed = { error: text };
                unanswered.current = sent;
              },
              async () => (failed = await session.signUp(body, again)),
            );
          } finally {
            setBusy(false);
          }
          // answered in a way that may change (a gateway's 504 while identity made the account): as unanswered
          if (failed.unsettled) unanswered.current = sent;
          setError(failed.error);
          wait.set(failed.wait);
          if (!failed.error) afterSignIn(session.user?.id ?? null);
        }}
      >
        <label>
          Username
          <input name="username" autoComplete="username" required minLength={3} maxLength={30} pattern="[a-zA-Z0-9_.]+" aria-describedby="username-hint" />
        </label>
        <p class="hint" id="username-hint">
          3 to 30 letters, digits, _ or . (shown to everyone)
        </p>
        <label>
          Full name
          <input name="full_name" autoComplete="name" maxLength={100} />
        </label>
        <label>
          E-mail
          <input name="email" type="email" autoComplete="email" aria-describedby="contact-hint" />
        </label>
        <label>
          Phone
          <input name="phone" type="tel" autoComplete="tel" maxLength={24} pattern="\+[0-9 \-]{7,22}" title="+ and the country code, then the number" placeholder="+971 50 123 4567" aria-describedby="contact-hint" />
        </label>
        <p class="hint" id="contact-hint">
          An e-mail, a phone in international form (+ and the country code), or both. We send a link or text a code to confirm it; you can use Community meanwhile.
        </p>
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" required minLength={10} maxLength={128} aria-describedby="password-hint" />
        </label>
        <p class="hint" id="password-hint">
          {passwordHint}
        </p>
        <label>
          Invitation code (optional)
          <input name="referral_code" autoComplete="off" maxLength={32} defaultValue={invitedWith} aria-describedby="referral-hint" />
        </label>
        <p class="hint" id="referral-hint">
          {invitedWith ? "From the friend who invited you: they earn credits when you first pay for something." : "A friend's code, if one invited you."}
        </p>
        <label class="check">
          <input type="checkbox" name="organizer" /> I organize events
        </label>
        <Failure text={error} />
        <TryAgainIn wait={wait} />
        <button type="submit" disabled={busy || wait.left > 0}>
          Create account
        </button>
      </form>
      <p>
        Already have an account? <a href={href("/signin")}>Sign in</a>
      </p>
      <WaitlistLink />
    </main>
  );
}
