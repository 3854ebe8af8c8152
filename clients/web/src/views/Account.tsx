import type { identity } from "@community/sdk";
import { useId, useState } from "preact/hooks";
import { attempt, session, submitted, useAction } from "../lib/app";
import { useDisclosure } from "../lib/disclosure";
import { LoadFailed, useLoad } from "../lib/list";
import { href } from "../lib/router";
import { problemText, settled } from "../lib/session";
import { Banner, Failure, TryAgainIn, useWait } from "../lib/said";
import { passwordHint } from "./Auth";

type User = identity.components["schemas"]["UserDto"];
type Referrals = identity.components["schemas"]["ReferralSummary"];
type TwoFactorStatus = identity.components["schemas"]["TwoFactorStatus"];

/** How a form that proves it is the owner asks for a second factor: required, optional (it is not known), or not at all. */
type CodeAsked = "required" | "optional" | null;

/**
 * Whether the forms that prove it is the owner (deleting the account, changing the password) ask for a code: identity
 * is asked whether two-factor sign-in is on when one of them opens (it may have been turned on or off since the page
 * loaded), and again after a refusal (turned on meanwhile: the code is then asked for). Required when it is on,
 * optional when identity could not be asked, not asked when it is off (nor while asking: a refusal then asks for it).
 */
export function useCodeAsked(open: boolean): { asked: CodeAsked; recheck: () => void } {
  const status = useLoad<TwoFactorStatus>(() => (open ? session.api.identity.GET("/api/v1/users/me/two-factor") : null), [open]);
  return {
    asked: status.value?.enabled ? "required" : status.value === null && status.failed !== null ? "optional" : null,
    recheck: () => {
      if (open) status.retry();
    },
  };
}

/** The field for a code from the authenticator app, or a recovery code; optional, it says when it is needed. */
export function CodeField({ asked }: { asked: CodeAsked }) {
  const hint = useId();
  if (!asked) return null;
  return (
    <>
      <label>
        A code from your authenticator app, or a recovery code
        <input name="code" autoComplete="one-time-code" required={asked === "required"} maxLength={64} aria-describedby={asked === "optional" ? hint : undefined} />
      </label>
      {asked === "optional" && (
        <p class="hint" id={hint}>
          Only if two-factor sign-in is on.
        </p>
      )}
    </>
  );
}

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
 * Signing out everywhere else: every other device and browser signed in to the account signs in again, and this one
 * stays. Offered in the account's section, and after two-factor sign-in is turned on (a sign-in from before it gave no
 * code), with `note` saying why there.
 */
export function SignOutElsewhere({ note }: { note?: string }) {
  const action = useAction();
  const [said, setSaid] = useState<string | null>(null);
  const signOut = () =>
    action.run(async () => {
      setSaid(null);
      const { data, error, response } = await session.api.identity.POST("/api/v1/auth/logout/others");
      if (!data) return action.setError(problemText(error, response, "Signing out everywhere else failed."));
      const ended = data.sessions_ended;
      setSaid(
        ended === 0
          ? "You were signed in nowhere else."
          : `Signed out of ${ended === 1 ? "1 other session" : `${ended} other sessions`}: those devices and browsers sign in again.`,
      );
    });
  return (
    <div>
      {note && <p>{note}</p>}
      <button type="button" class="secondary" disabled={action.busy} onClick={() => void signOut()}>
        Sign out everywhere else
      </button>
      {said && <Banner text={said} />}
      <Failure text={action.error} />
    </div>
  );
}

/**
 * Your account: whether your e-mail is confirmed (the link sent again on request), changing the password (every other
 * session ends), and deleting the account. Both ask for the password first, and with two-factor sign-in on for a code
 * too: a token alone must not do them, and deleting cannot be undone.
 */
export function AccountSection({ user, changed }: { user: User; changed: (user: User) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  // each form opens in the place of its button, on its first field, and gives the focus back to the button when closed
  const deleting = useDisclosure();
  const passwordForm = useDisclosure();
  const code = useCodeAsked(deleting.open || passwordForm.open);
  // a refusal of a password change for too many attempts: none is sent until it is over
  const wait = useWait();
  const passwordHintId = useId();
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
    const failed = await session.deleteAccount(String(form.get("password") ?? ""), String(form.get("code") ?? "").trim() || undefined);
    setError(failed);
    if (failed) code.recheck();
    // a refusal stands; an answer the platform may get over (a 5xx) is left to pressing again
    return failed === null;
  });

  const changePassword = submitted(setError, async (form) => {
    if (wait.left > 0) return;
    wait.set(0);
    setStatus(null);
    const failed = await session.changePassword(
      String(form.get("current_password") ?? ""),
      String(form.get("new_password") ?? ""),
      String(form.get("code") ?? "").trim() || undefined,
    );
    setError(failed.error);
    wait.set(failed.wait);
    if (failed.error) {
      code.recheck();
      return;
    }
    passwordForm.hide();
    setStatus("Your password is changed; you were signed out everywhere else.");
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
      {!passwordForm.open ? (
        <button
          type="button"
          class="secondary"
          ref={passwordForm.opener}
          onClick={() => {
            setError(null);
            setStatus(null);
            passwordForm.show();
          }}
        >
          Change your password…
        </button>
      ) : (
        <form onSubmit={changePassword} aria-label="Change your password" class="card">
          <p>Every other session of your account ends: other devices and browsers sign in again with the new password. This one stays signed in.</p>
          <label>
            Your current password
            <input name="current_password" type="password" autoComplete="current-password" required maxLength={128} ref={passwordForm.first} />
          </label>
          <label>
            New password
            <input name="new_password" type="password" autoComplete="new-password" required minLength={10} maxLength={128} aria-describedby={passwordHintId} />
          </label>
          <p class="hint" id={passwordHintId}>
            {passwordHint}
          </p>
          <CodeField asked={code.asked} />
          <p class="meta">Signed up with another service and never set a password? Set one with "Forgot your password?" on the sign-in page.</p>
          <TryAgainIn wait={wait} />
          <div class="row">
            <button type="submit" disabled={wait.left > 0}>
              Change password
            </button>
            <button type="button" class="secondary" onClick={passwordForm.hide}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <SignOutElsewhere />
      {!deleting.open ? (
        <button type="button" class="secondary" ref={deleting.opener} onClick={deleting.show}>
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
            <input name="password" type="password" autoComplete="current-password" required maxLength={128} ref={deleting.first} />
          </label>
          <CodeField asked={code.asked} />
          <p class="meta">Signed up with another service and never set a password? Set one first with "Forgot your password?" on the sign-in page.</p>
          <div class="row">
            <button type="submit" class="danger">
              Delete my account
            </button>
            <button type="button" class="secondary" onClick={deleting.hide}>
              Keep it
            </button>
          </div>
        </form>
      )}
      <Failure text={error} />
    </section>
  );
}
