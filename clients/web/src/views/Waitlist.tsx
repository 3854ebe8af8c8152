import { useState } from "preact/hooks";
import { formatDay, session, submitted } from "../lib/app";
import { LoadFailed, useLoad } from "../lib/list";
import { href } from "../lib/router";
import { problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";

/**
 * The launch waitlist, open to anyone, signed in or not. Identity never says whether an address is listed, nor where:
 * joining (again) and asking for one's place both answer "check your e-mail", and the place goes to the address. The
 * e-mail's link (Identity:WaitlistStatusUrl, /app/waitlist?token=) shows it here to whoever holds the mail.
 */
export function Waitlist() {
  const [token] = useState(() => new URLSearchParams(location.search).get("token")?.trim() || null);
  // a link that holds no place (404) will not hold one on asking again
  const place = useLoad(() => (token ? session.api.identity.GET("/api/v1/waitlist/status", { params: { query: { token } } }) : null), [token], {
    finalOn: [404],
  });
  // asked with a token, identity answers the place itself (with an e-mail address, "check your e-mail")
  const shown = place.value && "waitlist_position" in place.value ? place.value : null;
  return (
    <main class="auth" id="main">
      <h1 tabIndex={-1}>The Community waitlist</h1>
      <Banner text={token && shown === null && place.loading ? "Finding your place…" : null} />
      {shown && (
        <section class="card" aria-labelledby="your-place">
          <h2 id="your-place">You are number {shown.waitlist_position}</h2>
          <p>
            {shown.email} joined on {formatDay(shown.joined_at)}. The e-mail's link shows your place any
            time.
          </p>
        </section>
      )}
      <LoadFailed what="Your place" loaded={place} />
      {/* the forms once the link's place is known not to be shown (none asked, or it failed) */}
      {!shown && !(token && place.loading && place.value === null) && (
        <>
          <JoinWaitlist />
          <PlaceByEmail />
        </>
      )}
      <p>{session.user ? <a href={href("/")}>Back to Community</a> : <a href={href("/signin")}>Sign in</a>}</p>
    </main>
  );
}

/** Joining: the place and a link to follow it are e-mailed, whether the address is new or already listed. */
function JoinWaitlist() {
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  return (
    <>
      <Banner text={sent} />
      {!sent && (
        <form
          aria-labelledby="join-waitlist"
          onSubmit={submitted(setError, async (form) => {
            const email = String(form.get("email")).trim();
            const { data, error, response } = await session.api.identity.POST("/api/v1/waitlist", { body: { email, source: "web" } });
            if (data) setSent(data.message);
            else setError(problemText(error, response, "You could not be put on the waitlist."));
            return settled(response);
          })}
        >
          <h2 id="join-waitlist">Join the waitlist</h2>
          <p class="hint" id="join-hint">
            Your place comes by e-mail, the first time with a link to see it any time. We use the address for the launch only.
          </p>
          <label>
            E-mail
            <input name="email" type="email" autoComplete="email" required maxLength={254} aria-describedby="join-hint" />
          </label>
          <Failure text={error} />
          <button type="submit">Join the waitlist</button>
        </form>
      )}
    </>
  );
}

/** For whoever lost the e-mail: the place is e-mailed to the address again, if it is listed. */
function PlaceByEmail() {
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  return (
    <details class="card">
      <summary>Already on the waitlist? Get your place by e-mail</summary>
      <Banner text={sent} />
      {!sent && (
        <form
          aria-label="Get your place by e-mail"
          onSubmit={submitted(setError, async (form) => {
            const email = String(form.get("email")).trim();
            const { data, error, response } = await session.api.identity.GET("/api/v1/waitlist/status", { params: { query: { email } } });
            // a status token was not asked for: the answer is "202, check your e-mail"
            if (response.status === 202 && data && "message" in data) setSent(data.message);
            else setError(problemText(error, response, "Your place could not be sent."));
            return settled(response);
          })}
        >
          <label>
            E-mail
            <input name="email" type="email" autoComplete="email" required maxLength={254} />
          </label>
          <Failure text={error} />
          <button type="submit" class="secondary">
            Send me my place
          </button>
        </form>
      )}
    </details>
  );
}
