import type { identity } from "@community/sdk";
import { useState } from "preact/hooks";
import { formatTime, session, submitted } from "../lib/app";
import { LoadFailed, useLoad } from "../lib/list";
import { QrCode } from "../lib/qr";
import { problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";
import { SignOutElsewhere } from "./Account";

type Status = identity.components["schemas"]["TwoFactorStatus"];
type Setup = identity.components["schemas"]["TwoFactorSetup"];

/**
 * Where turning it on has got to: nothing yet, the password asked, the app's secret shown, the recovery codes shown;
 * or, with it on, the password and a code asked for new recovery codes, then those shown (`renewed`).
 */
type Step = { at: "idle" } | { at: "password" } | { at: "secret"; setup: Setup } | { at: "renew" } | { at: "codes"; codes: string[]; renewed: boolean };

/**
 * Two-factor sign-in with an authenticator app: whether it is on and the recovery codes left; turning it on (the
 * password, then the app's secret as a QR code and as text, then the app's first code, then the recovery codes, shown
 * this once); new recovery codes in place of the old ones, which stop working (the password and a code or a recovery
 * code, then the new codes, shown this once); and turning it off (the password and a code or a recovery code).
 */
export function TwoFactorSection() {
  const [step, setStep] = useState<Step>({ at: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const loaded = useLoad<Status>(() => session.api.identity.GET("/api/v1/users/me/two-factor"), [], { keep: true });
  const on = loaded.value?.enabled === true;

  /** A refusal that says the state is not what this page shows (turned on or off elsewhere): shown as it now is. */
  function refused(response: Response, error: unknown, fallback: string) {
    setError(problemText(error, response, fallback));
    if (response.status === 409) {
      setStep({ at: "idle" });
      loaded.retry();
    }
  }

  const start = submitted(setError, async (form) => {
    const { data, error, response } = await session.api.identity.POST("/api/v1/users/me/two-factor", { body: { password: String(form.get("password") ?? "") } });
    if (data) setStep({ at: "secret", setup: data });
    else refused(response, error, "Setting up two-factor sign-in failed.");
    return settled(response);
  });

  const confirm = submitted(setError, async (form) => {
    const { data, error, response } = await session.api.identity.POST("/api/v1/users/me/two-factor/confirm", { body: { code: String(form.get("code") ?? "").replace(/\s/g, "") } });
    if (data) {
      setStep({ at: "codes", codes: data.recovery_codes, renewed: false });
      loaded.retry();
    } else refused(response, error, "The code was not accepted.");
    return settled(response);
  });

  const renew = submitted(setError, async (form) => {
    const { data, error, response } = await session.api.identity.POST("/api/v1/users/me/two-factor/recovery-codes", {
      body: { password: String(form.get("password") ?? ""), code: String(form.get("code") ?? "").trim() },
    });
    if (data) {
      setStep({ at: "codes", codes: data.recovery_codes, renewed: true });
      loaded.retry();
    } else refused(response, error, "New recovery codes could not be made.");
    return settled(response);
  });

  const turnOff = submitted(setError, async (form) => {
    const { error, response } = await session.api.identity.DELETE("/api/v1/users/me/two-factor", {
      body: { password: String(form.get("password") ?? ""), code: String(form.get("code") ?? "").trim() },
    });
    if (response.ok) {
      setStatus("Two-factor sign-in is off: signing in takes your password only.");
      loaded.retry();
    } else refused(response, error, "Turning two-factor sign-in off failed.");
    return settled(response);
  });

  return (
    <section aria-labelledby="two-factor-heading">
      <h2 id="two-factor-heading">Two-factor sign-in</h2>
      <Banner text={status} />
      <LoadFailed what="Your two-factor sign-in" loaded={loaded} />
      {loaded.value === null && loaded.failed === null && <p role="status">Loading…</p>}
      {loaded.value && step.at !== "codes" && (
        <p>
          {on
            ? `On since ${formatTime(loaded.value.enabled_at!)}: signing in asks for a code from your authenticator app. ${loaded.value.recovery_codes_left} of 10 recovery codes left.`
            : "Off: signing in takes your password only. With it on, it also asks for a code from an authenticator app on your phone."}
        </p>
      )}
      {loaded.value && !on && step.at === "idle" && (
        <button
          type="button"
          onClick={() => {
            setError(null);
            setStatus(null);
            setStep({ at: "password" });
          }}
        >
          Turn on two-factor sign-in
        </button>
      )}
      {!on && step.at === "password" && (
        <form onSubmit={start} aria-label="Turn on two-factor sign-in">
          <label>
            Your password
            <input name="password" type="password" autoComplete="current-password" required maxLength={128} />
          </label>
          <div class="row">
            <button type="submit">Continue</button>
            <button type="button" class="secondary" onClick={() => setStep({ at: "idle" })}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {step.at === "secret" && (
        <form onSubmit={confirm} aria-label="Confirm two-factor sign-in">
          <p>Scan this code with your authenticator app, or type the key into it.</p>
          <QrCode value={step.setup.otpauth_uri} label="Two-factor sign-in QR code for your authenticator app" />
          <p>
            Key: <code class="secret">{step.setup.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
          </p>
          <label>
            The 6-digit code the app shows now
            <input name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={16} />
          </label>
          <div class="row">
            <button type="submit">Turn on</button>
            <button type="button" class="secondary" onClick={() => setStep({ at: "idle" })}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {on && step.at === "renew" && (
        <form onSubmit={renew} aria-label="New recovery codes">
          <p>New recovery codes replace the ones you have: those stop working.</p>
          <label>
            Your password
            <input name="password" type="password" autoComplete="current-password" required maxLength={128} />
          </label>
          <label>
            A code from the app, or a recovery code
            <input name="code" autoComplete="one-time-code" required maxLength={64} />
          </label>
          <div class="row">
            <button type="submit">Get new recovery codes</button>
            <button type="button" class="secondary" onClick={() => setStep({ at: "idle" })}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {step.at === "codes" && (
        <div class="card" aria-labelledby="recovery-heading">
          <h3 id="recovery-heading">{step.renewed ? "Your new recovery codes" : "Two-factor sign-in is on: your recovery codes"}</h3>
          <p>
            {step.renewed && "The recovery codes you had before no longer work. "}
            Each signs in once in place of a code from the app, if you lose your phone. Keep them somewhere safe: they are not shown again.
          </p>
          <ul class="recovery-codes" aria-label="Recovery codes">
            {step.codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setStep({ at: "idle" })}>
            I have kept them
          </button>
          {!step.renewed && <SignOutElsewhere note="Signed in on another device or browser before? That sign-in gave no code: sign it out, and it signs in again with one." />}
        </div>
      )}
      {on && step.at === "idle" && (
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setError(null);
            setStatus(null);
            setStep({ at: "renew" });
          }}
        >
          New recovery codes
        </button>
      )}
      {on && step.at === "idle" && (
        <form onSubmit={turnOff} aria-label="Turn off two-factor sign-in">
          <label>
            Your password
            <input name="password" type="password" autoComplete="current-password" required maxLength={128} />
          </label>
          <label>
            A code from the app, or a recovery code
            <input name="code" autoComplete="one-time-code" required maxLength={64} />
          </label>
          <button type="submit" class="secondary">
            Turn off two-factor sign-in
          </button>
        </form>
      )}
      <Failure text={error} />
    </section>
  );
}
