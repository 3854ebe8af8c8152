import type { identity } from "@community/sdk";
import { useState } from "preact/hooks";
import { attempt, session, submitted } from "../lib/app";
import { LoadFailed, useLoad } from "../lib/list";
import { href } from "../lib/router";
import { problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";

type User = identity.components["schemas"]["UserDto"];
type Referrals = identity.components["schemas"]["ReferralSummary"];

/** The sign-up page with an invitation: who signs up through it brings its owner credits once they first pay. */
export function invitationLink(code: string): string {
  return `${location.origin}${href("/signup")}?ref=${encodeURIComponent(code)}`;
}

/**
 * Invite friends: the link that signs them up with your referral code, and what it has brought (who signed up, who has
 * bought a membership, a boost or credits since, the credits that earned you).
 */
export function InviteSection() {
  const [copied, setCopied] = useState<string | null>(null);
  const referrals = useLoad<Referrals>(() => session.api.identity.GET("/api/v1/referrals/me"), []);
  const mine = referrals.value;
  return (
    <section aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite friends</h2>
      <LoadFailed what="Your invitations" loaded={referrals} />
      {mine === null && referrals.failed === null && <p role="status">Loading…</p>}
      {mine && (
        <>
          <p>Who signs up through your link and then buys a membership, a boost or credits earns you 50 credits.</p>
          <label>
            Your invitation link
            <input readOnly value={invitationLink(mine.referral_code)} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <p class="row">
            <button
              type="button"
              class="secondary"
              onClick={() =>
                void navigator.clipboard
                  .writeText(invitationLink(mine.referral_code))
                  .then(() => setCopied("Copied."))
                  .catch(() => setCopied("Copying was not allowed: select the link and copy it."))
              }
            >
              Copy the link
            </button>
          </p>
          <p class="meta" role="status">
            {copied}
          </p>
          <p>
            {mine.referrals_count === 0
              ? "Nobody has signed up with it yet."
              : `${mine.referrals_count} signed up with it: ${mine.conversions} of them bought a membership, a boost or credits (${mine.pending} not yet). You earned ${mine.credits_earned} credits.`}
          </p>
        </>
      )}
    </section>
  );
}

/**
 * Your account: whether your e-mail is confirmed (the link sent again on request), and deleting the account, which
 * asks for the password first: it cannot be undone, and a token alone must not do it.
 */
export function AccountSection({ user, changed }: { user: User; changed: (user: User) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  // a code was texted to the phone: its box is shown
  const [texted, setTexted] = useState(false);

  async function textCode() {
    setError(null);
    const { error, response } = await session.api.identity.POST("/api/v1/users/me/phone/verification");
    if (response.ok) {
      setTexted(true);
      setStatus(`A 6-digit code is on its way to ${user.phone} by text message. It works for 10 minutes.`);
    } else setError(problemText(error, response, "The code could not be sent."));
  }

  const confirmPhone = submitted(setError, async (form) => {
    const { data, error, response } = await session.api.identity.POST("/api/v1/users/me/phone/verification/confirm", {
      body: { code: String(form.get("code") ?? "").replace(/\s/g, "") },
    });
    if (data) {
      setTexted(false);
      setStatus("Your phone is confirmed.");
      changed(data);
    } else setError(problemText(error, response, "The code was not accepted."));
    return settled(response);
  });

  async function sendLink() {
    setError(null);
    const { error, response } = await session.api.identity.POST("/api/v1/users/me/email/verification");
    if (response.ok) setStatus(`A new link to confirm it is on its way to ${user.email}.`);
    else setError(problemText(error, response, "The link could not be sent."));
  }

  const remove = submitted(setError, async (form) => {
    const failed = await session.deleteAccount(String(form.get("password") ?? ""));
    setError(failed);
    // a refusal stands; an answer the platform may get over (a 5xx) is left to pressing again
    return failed === null;
  });

  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">Your account</h2>
      <Banner text={status} />
      {user.email && (
        <p>
          E-mail: {user.email}{" "}
          {user.email_verified ? (
            <span class="meta">(confirmed)</span>
          ) : (
            <>
              <span class="meta">(not confirmed yet: open the link we sent to it)</span>{" "}
              <button type="button" class="small" onClick={() => void attempt(setError, sendLink)}>
                Send the link again
              </button>
            </>
          )}
        </p>
      )}
      {user.phone && (
        <p>
          Phone: {user.phone}{" "}
          {user.phone_verified ? (
            <span class="meta">(confirmed)</span>
          ) : (
            <>
              <span class="meta">(not confirmed yet)</span>{" "}
              <button type="button" class="small" onClick={() => void attempt(setError, textCode)}>
                {texted ? "Text me another code" : "Text me a code"}
              </button>
            </>
          )}
        </p>
      )}
      {texted && !user.phone_verified && (
        <form onSubmit={confirmPhone} aria-label="Confirm your phone">
          <label>
            The code in the text message
            <input name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={16} />
          </label>
          <button type="submit">Confirm my phone</button>
        </form>
      )}
      {!deleting ? (
        <button type="button" class="secondary" onClick={() => setDeleting(true)}>
          Delete your account…
        </button>
      ) : (
        <form onSubmit={remove} aria-label="Delete your account" class="card">
          <p>
            Your profile, connections, follows, group memberships, event registrations and sessions go with it, and your name leaves your messages. It
            cannot be undone. Tickets and credits you paid for are not refunded.
          </p>
          <label>
            Your password, to confirm it is you
            <input name="password" type="password" autoComplete="current-password" required maxLength={128} />
          </label>
          <p class="meta">Signed up with another service and never set a password? Set one first with "Forgot your password?" on the sign-in page.</p>
          <div class="row">
            <button type="submit" class="danger">
              Delete my account
            </button>
            <button type="button" class="secondary" onClick={() => setDeleting(false)}>
              Keep it
            </button>
          </div>
        </form>
      )}
      <Failure text={error} />
    </section>
  );
}
