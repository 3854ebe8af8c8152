import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Asked, stubPlatform } from "../lib/testing";
import { TwoFactorSection } from "./TwoFactor";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const path = "/api/v1/users/me/two-factor";
const codes = ["aaaaa-bbbbb", "ccccc-ddddd", "eeeee-fffff", "ggggg-hhhhh", "jjjjj-kkkkk", "mmmmm-nnnnn", "ppppp-qqqqq", "rrrrr-sssss", "ttttt-uuuuu", "vvvvv-wwwww"];
/** The recovery codes that replace {@link codes}. */
const fresh = codes.map((code) => code.split("").reverse().join(""));

/**
 * Identity's two-factor routes as the section meets them, holding one account's state: every call is recorded, and
 * `answers` may answer a call in place of the state (a refusal), once. The account's state is `calls.state`.
 */
function identity(answers: Record<string, { status: number; body: unknown }> = {}) {
  const state = { enabled: false, left: 0 };
  const calls = stubPlatform(({ method, path: at }) => {
    const planned = answers[`${method} ${at}`];
    if (planned) {
      delete answers[`${method} ${at}`];
      return planned;
    }
    if (method === "GET") return { status: 200, body: { enabled: state.enabled, enabled_at: state.enabled ? "2026-11-27T21:00:00Z" : null, recovery_codes_left: state.enabled ? state.left : 0 } };
    if (method === "POST" && at === path) return { status: 200, body: { secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/Community:amira?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Community" } };
    if (method === "POST" && at === `${path}/recovery-codes`) {
      state.left = 10;
      return { status: 200, body: { recovery_codes: fresh } };
    }
    if (method === "POST") {
      state.enabled = true;
      state.left = 10;
      return { status: 200, body: { recovery_codes: codes } };
    }
    state.enabled = false;
    return { status: 204 };
  });
  return Object.assign(calls, { state });
}

/** A call as these tests check it: its method, path and body. */
const sent = ({ method, path, body }: Asked) => ({ method, path, body });

const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });
const press = (name: string | RegExp) => fireEvent.click(screen.getByRole("button", { name }));

/** Renders the section, starts turning it on with the password and waits for the app's secret. */
async function startSetup() {
  render(<TwoFactorSection />);
  press(await screen.findByRole("button", { name: "Turn on two-factor sign-in" }).then((b) => b.textContent!));
  type("Your password", "correct-horse-9");
  press("Continue");
  await screen.findByRole("img", { name: /QR code/ });
}

describe("TwoFactorSection", () => {
  it("turns it on: the password, the app's secret, its first code, then the recovery codes once", async () => {
    const calls = identity();
    render(<TwoFactorSection />);
    await screen.findByText(/^Off: signing in takes your password only/);
    press("Turn on two-factor sign-in");
    type("Your password", "correct-horse-9");
    press("Continue");
    expect(await screen.findByRole("img", { name: /QR code/ })).toBeTruthy();
    expect(screen.getByText("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP")).toBeTruthy();
    type("The 6-digit code the app shows now", " 492 039 ");
    press("Turn on");
    await screen.findByRole("heading", { name: /your recovery codes/ });
    expect(screen.getAllByRole("listitem").map((item) => item.textContent)).toEqual(codes);
    press("I have kept them");
    await screen.findByText(/^On since .*10 of 10 recovery codes left\.$/);
    expect(screen.queryByText("aaaaa-bbbbb")).toBeNull();
    expect(calls.filter((c) => c.method !== "GET").map(sent)).toEqual([
      { method: "POST", path, body: { password: "correct-horse-9" } },
      { method: "POST", path: `${path}/confirm`, body: { code: "492039" } },
    ]);
  });

  it("once on, offers to sign out the sessions that began without a code", async () => {
    const calls = identity({ "POST /api/v1/auth/logout/others": { status: 200, body: { sessions_ended: 1 } } });
    await startSetup();
    type("The 6-digit code the app shows now", "492039");
    press("Turn on");
    const card = (await screen.findByRole("heading", { name: /your recovery codes/ })).parentElement!;
    expect(card.textContent).toContain("Signed in on another device or browser before? That sign-in gave no code");
    press("Sign out everywhere else");
    expect((await screen.findByText(/^Signed out of 1 other session/)).textContent).toBe("Signed out of 1 other session: those devices and browsers sign in again.");
    expect(calls.filter((c) => c.path === "/api/v1/auth/logout/others").map(sent)).toEqual([{ method: "POST", path: "/api/v1/auth/logout/others", body: null }]);
  });

  it("says a wrong code in the platform's words and keeps the secret shown to try again", async () => {
    identity({ [`POST ${path}/confirm`]: { status: 400, body: { title: "Bad Request", status: 400, detail: "The code is wrong or expired." } } });
    await startSetup();
    type("The 6-digit code the app shows now", "000000");
    press("Turn on");
    expect((await screen.findByRole("alert")).textContent).toContain("The code is wrong or expired.");
    type("The 6-digit code the app shows now", "492039");
    press("Turn on");
    await screen.findByRole("heading", { name: /your recovery codes/ });
  });

  it("turns it off with the password and a recovery code", async () => {
    const calls = identity();
    await startSetup();
    type("The 6-digit code the app shows now", "492039");
    press("Turn on");
    press(await screen.findByRole("button", { name: "I have kept them" }).then((b) => b.textContent!));
    await screen.findByRole("form", { name: "Turn off two-factor sign-in" });
    type("Your password", "correct-horse-9");
    type("A code from the app, or a recovery code", "aaaaa-bbbbb");
    press("Turn off two-factor sign-in");
    await screen.findByText("Two-factor sign-in is off: signing in takes your password only.");
    await screen.findByRole("button", { name: "Turn on two-factor sign-in" });
    expect(sent(calls.at(-2)!)).toEqual({ method: "DELETE", path, body: { password: "correct-horse-9", code: "aaaaa-bbbbb" } });
  });

  it("shows it as it now is when it was turned on elsewhere meanwhile (409)", async () => {
    const calls = identity({ [`POST ${path}`]: { status: 409, body: { title: "Conflict", status: 409, detail: "Two-factor sign-in is already on; turn it off first to set up a new app." } } });
    render(<TwoFactorSection />);
    press(await screen.findByRole("button", { name: "Turn on two-factor sign-in" }).then((b) => b.textContent!));
    type("Your password", "correct-horse-9");
    calls.state.enabled = true; // another tab turned it on
    press("Continue");
    expect((await screen.findByRole("alert")).textContent).toContain("already on");
    await screen.findByText(/^On since /);
    expect(screen.getByRole("form", { name: "Turn off two-factor sign-in" })).toBeTruthy();
    expect(calls.filter((c) => c.method === "GET")).toHaveLength(2);
  });

  /** Renders the section for an account with two-factor sign-in on and `left` recovery codes, and opens the new codes' form. */
  async function startRenewal(calls: ReturnType<typeof identity>, left: number) {
    Object.assign(calls.state, { enabled: true, left });
    render(<TwoFactorSection />);
    await screen.findByText(new RegExp(`${left} of 10 recovery codes left\\.$`));
    press("New recovery codes");
    const form = await screen.findByRole("form", { name: "New recovery codes" });
    expect(form.textContent).toContain("those stop working");
    expect(screen.queryByRole("form", { name: "Turn off two-factor sign-in" })).toBeNull();
    type("Your password", "correct-horse-9");
    type("A code from the app, or a recovery code", " 118470 ");
  }

  it("gives new recovery codes for the password and a code, shown once, saying the old ones stop working", async () => {
    const calls = identity();
    await startRenewal(calls, 2);
    press("Get new recovery codes");
    const card = (await screen.findByRole("heading", { name: "Your new recovery codes" })).parentElement!;
    expect(card.textContent).toContain("The recovery codes you had before no longer work.");
    // new codes change no factor: no sign-in without one is left to end
    expect(screen.queryByRole("button", { name: "Sign out everywhere else" })).toBeNull();
    expect(screen.getAllByRole("listitem").map((item) => item.textContent)).toEqual(fresh);
    press("I have kept them");
    await screen.findByText(/^On since .*10 of 10 recovery codes left\.$/);
    expect(screen.queryByText(fresh[0]!)).toBeNull();
    expect(screen.getByRole("button", { name: "New recovery codes" })).toBeTruthy();
    expect(calls.filter((c) => c.method !== "GET").map(sent)).toEqual([{ method: "POST", path: `${path}/recovery-codes`, body: { password: "correct-horse-9", code: "118470" } }]);
  });

  it("says a wrong code in the platform's words and keeps the form to try again", async () => {
    const calls = identity({ [`POST ${path}/recovery-codes`]: { status: 400, body: { title: "Bad Request", status: 400, detail: "The code is wrong, used or expired." } } });
    await startRenewal(calls, 3);
    press("Get new recovery codes");
    expect((await screen.findByRole("alert")).textContent).toContain("The code is wrong, used or expired.");
    expect(screen.queryByRole("heading", { name: "Your new recovery codes" })).toBeNull();
    type("A code from the app, or a recovery code", "492039");
    press("Get new recovery codes");
    await screen.findByRole("heading", { name: "Your new recovery codes" });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body.code)).toEqual(["118470", "492039"]);
  });

  it("shows it as it now is when it was turned off elsewhere meanwhile (409)", async () => {
    const calls = identity({ [`POST ${path}/recovery-codes`]: { status: 409, body: { title: "Conflict", status: 409, detail: "Two-factor sign-in is not on." } } });
    await startRenewal(calls, 3);
    calls.state.enabled = false; // another tab turned it off
    press("Get new recovery codes");
    expect((await screen.findByRole("alert")).textContent).toContain("Two-factor sign-in is not on.");
    await screen.findByRole("button", { name: "Turn on two-factor sign-in" });
    expect(screen.queryByRole("form", { name: "New recovery codes" })).toBeNull();
  });

  it("lets the new codes' form be left without asking for any", async () => {
    const calls = identity();
    await startRenewal(calls, 3);
    press("Cancel");
    await screen.findByRole("form", { name: "Turn off two-factor sign-in" });
    expect(screen.queryByRole("form", { name: "New recovery codes" })).toBeNull();
    expect(calls.filter((c) => c.method !== "GET")).toEqual([]);
  });
});
