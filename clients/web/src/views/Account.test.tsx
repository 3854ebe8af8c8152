import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { type Asked, type Reply, signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { AccountSection, InviteSection, invitationLink } from "./Account";
import { SignUp } from "./Auth";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  history.replaceState(null, "", "/app/profile");
});

const user = { id: "u1", username: "amira", email: "amira@example.com", email_verified: false } as Parameters<typeof AccountSection>[0]["user"];
const type = (label: string | RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });
const press = (name: string | RegExp) => fireEvent.click(screen.getByRole("button", { name }));

describe("InviteSection", () => {
  it("gives the link that signs a friend up with the code, and what it brought", async () => {
    stubPlatform((c) => (c.path === "/api/v1/referrals/me" ? { status: 200, body: { referral_code: "AMIRA7Q2", referrals_count: 3, conversions: 2, pending: 1, credits_earned: 100 } } : undefined));
    render(<InviteSection />);
    const link = (await screen.findByLabelText("Your invitation link")) as HTMLInputElement;
    expect(link.value).toBe(`${location.origin}/app/signup?ref=AMIRA7Q2`);
    expect(screen.getByText("3 signed up with it: 2 of them bought a membership, a boost or credits (1 not yet). You earned 100 credits.")).toBeTruthy();
  });
});

describe("SignUp through an invitation link", () => {
  it("sends the code the link carries", async () => {
    history.replaceState(null, "", new URL(invitationLink("AMIRA7Q2")).pathname + "?ref=AMIRA7Q2");
    const calls = stubPlatform((c) => (c.path === "/api/v1/auth/register" ? { status: 409, body: { title: "Conflict", status: 409, detail: "This username is taken." } } : undefined));
    render(<SignUp />);
    expect((screen.getByLabelText("Invitation code (optional)") as HTMLInputElement).value).toBe("AMIRA7Q2");
    type("Username", "bilal");
    type("E-mail", "bilal@example.com");
    type("Password", "correct horse 42");
    fireEvent.submit(screen.getByRole("button", { name: "Create account" }).closest("form")!);
    await screen.findByText("This username is taken.");
    expect(calls[0]).toMatchObject({ path: "/api/v1/auth/register", body: { username: "bilal", referral_code: "AMIRA7Q2" } });
  });

  it("sends no code when none was given", async () => {
    const calls = stubPlatform(() => ({ status: 409, body: { title: "Conflict", status: 409, detail: "This username is taken." } }));
    render(<SignUp />);
    type("Username", "bilal");
    type("E-mail", "bilal@example.com");
    type("Password", "correct horse 42");
    fireEvent.submit(screen.getByRole("button", { name: "Create account" }).closest("form")!);
    await screen.findByText("This username is taken.");
    expect(calls[0]).toMatchObject({ body: { referral_code: null } });
  });
});

describe("SignUp with a phone", () => {
  it("sends the phone without its spaces, and no e-mail", async () => {
    const calls = stubPlatform((c) => (c.path === "/api/v1/auth/register" ? { status: 409, body: { title: "Conflict", status: 409, detail: "This username is taken." } } : undefined));
    render(<SignUp />);
    type("Username", "pia");
    type("Phone", "+971 50 123-4567");
    type("Password", "correct horse 42");
    fireEvent.submit(screen.getByRole("button", { name: "Create account" }).closest("form")!);
    await screen.findByText("This username is taken.");
    expect(calls[0]).toMatchObject({ path: "/api/v1/auth/register", body: { username: "pia", email: null, phone: "+971501234567" } });
  });

  it("asks for an e-mail or a phone before sending anything", async () => {
    const calls = stubPlatform(() => undefined);
    render(<SignUp />);
    type("Username", "pia");
    type("Password", "correct horse 42");
    fireEvent.submit(screen.getByRole("button", { name: "Create account" }).closest("form")!);
    expect((await screen.findByRole("alert")).textContent).toMatch(/^Give an e-mail address or a phone number/);
    expect(calls).toEqual([]);
  });
});

const twoFactorOff = { enabled: false, enabled_at: null, recovery_codes_left: 0 };
const twoFactorOn = { enabled: true, enabled_at: "2026-11-01T09:00:00Z", recovery_codes_left: 10 };
const codeLabel = "A code from your authenticator app, or a recovery code";

describe("AccountSection", () => {
  it("sends the e-mail's link again and says where to", async () => {
    const calls = stubPlatform((c) => (c.path === "/api/v1/users/me/email/verification" ? { status: 202 } : undefined));
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Send the link again");
    await screen.findByText("A new link to confirm it is on its way to amira@example.com.");
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /api/v1/users/me/email/verification"]);
  });

  it("deletes the account with the password, then ends the session", async () => {
    const calls = stubPlatform((c) =>
      c.path === "/api/v1/users/me/two-factor" ? { status: 200, body: twoFactorOff } : c.method === "DELETE" && c.path === "/api/v1/users/me" ? { status: 204 } : undefined,
    );
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    await vi.waitFor(() => expect(calls).toHaveLength(1)); // whether two-factor sign-in is on: it is off
    type(/^Your password/, "correct horse 42");
    expect(screen.queryByLabelText(codeLabel)).toBeNull();
    press("Delete my account");
    await vi.waitFor(() => expect(session.endedBecause).toBe("Your account is deleted, with your profile and your sessions."));
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["GET /api/v1/users/me/two-factor", "DELETE /api/v1/users/me"]);
    expect(calls[1]!.body).toEqual({ password: "correct horse 42" });
  });

  it("opens the deletion on the password, and gives the focus back to its button when kept", async () => {
    stubPlatform((c) => (c.path === "/api/v1/users/me/two-factor" ? { status: 200, body: twoFactorOff } : undefined));
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText(/^Your password/)));
    press("Keep it");
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Delete your account…" })));
    // and the password's change opens on the current password
    press("Change your password…");
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Your current password")));
  });

  it("with two-factor sign-in on, asks for a code too and sends it with the password", async () => {
    const calls = stubPlatform((c) =>
      c.path === "/api/v1/users/me/two-factor" ? { status: 200, body: twoFactorOn } : c.method === "DELETE" && c.path === "/api/v1/users/me" ? { status: 204 } : undefined,
    );
    session.endedBecause = null;
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    const code = (await screen.findByLabelText(codeLabel)) as HTMLInputElement;
    expect(code.required).toBe(true);
    type(/^Your password/, "correct horse 42");
    type(codeLabel, " 123456 ");
    press("Delete my account");
    await vi.waitFor(() => expect(session.endedBecause).toBe("Your account is deleted, with your profile and your sessions."));
    expect(calls.find((c) => c.method === "DELETE")!.body).toEqual({ password: "correct horse 42", code: "123456" });
  });

  it("says a wrong code in the platform's words and keeps the account and the session", async () => {
    stubPlatform((c) =>
      c.path === "/api/v1/users/me/two-factor"
        ? { status: 200, body: twoFactorOn }
        : c.method === "DELETE"
          ? { status: 400, body: { title: "One or more validation errors occurred.", status: 400, errors: { code: ["The code is wrong, used or expired."] } } }
          : undefined,
    );
    session.endedBecause = null;
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    type(/^Your password/, "correct horse 42");
    await screen.findByLabelText(codeLabel);
    type(codeLabel, "000000");
    press("Delete my account");
    expect((await screen.findByRole("alert")).textContent).toContain("The code is wrong, used or expired.");
    expect(session.endedBecause).toBeNull();
  });

  it("asks for the code once a refusal says it is needed: two-factor sign-in turned on after the form opened", async () => {
    let on = false;
    const calls = stubPlatform((c) => {
      if (c.path === "/api/v1/users/me/two-factor") return { status: 200, body: on ? twoFactorOn : twoFactorOff };
      if (c.method !== "DELETE") return undefined;
      if (!c.body.code) return { status: 400, body: { title: "One or more validation errors occurred.", status: 400, errors: { code: ["code is required: two-factor sign-in is on."] } } };
      return { status: 204 };
    });
    session.endedBecause = null;
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    on = true; // in another tab
    type(/^Your password/, "correct horse 42");
    press("Delete my account");
    expect((await screen.findByRole("alert")).textContent).toContain("code is required: two-factor sign-in is on.");
    await screen.findByLabelText(codeLabel);
    type(codeLabel, "ABCD-EFGH");
    press("Delete my account");
    await vi.waitFor(() => expect(session.endedBecause).toBe("Your account is deleted, with your profile and your sessions."));
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.body)).toEqual([{ password: "correct horse 42" }, { password: "correct horse 42", code: "ABCD-EFGH" }]);
  });

  it("offers the code as optional, saying when it is needed, when identity could not say whether two-factor sign-in is on", async () => {
    stubPlatform((c) => (c.path === "/api/v1/users/me/two-factor" ? { status: 503, body: { title: "Service Unavailable", status: 503 } } : undefined));
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    const code = (await screen.findByLabelText(codeLabel)) as HTMLInputElement;
    expect(code.required).toBe(false);
    expect(document.getElementById(code.getAttribute("aria-describedby")!)?.textContent).toBe("Only if two-factor sign-in is on.");
  });

  it("says a wrong password and keeps the account and the session", async () => {
    stubPlatform((c) =>
      c.method === "DELETE"
        ? { status: 400, body: { title: "One or more validation errors occurred.", status: 400, errors: { password: ["The password is wrong."] } } }
        : undefined,
    );
    session.endedBecause = null;
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    type(/^Your password/, "wrong");
    press("Delete my account");
    await screen.findByText(/The password is wrong\./);
    expect(session.endedBecause).toBeNull();
  });

  it("says a refusal in the platform's words and keeps the session", async () => {
    stubPlatform((c) => (c.method === "DELETE" ? { status: 503, body: { title: "Service Unavailable", status: 503, detail: "Identity is restarting; try again in a moment." } } : undefined));
    session.endedBecause = null;
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    type(/^Your password/, "correct horse 42");
    press("Delete my account");
    await screen.findByText("Identity is restarting; try again in a moment.");
    expect(session.endedBecause).toBeNull();
  });

  it("texts a code to the phone and confirms it with the code typed", async () => {
    const phoned = { ...user, email: null, phone: "+971501234567", phone_verified: false } as typeof user;
    const calls = stubPlatform((c) =>
      c.path === "/api/v1/users/me/phone/verification"
        ? { status: 202 }
        : c.path === "/api/v1/users/me/phone/verification/confirm"
          ? { status: 200, body: { ...phoned, phone_verified: true } }
          : undefined,
    );
    const changed = vi.fn();
    render(<AccountSection user={phoned} changed={changed} />);
    press("Text me a code");
    await screen.findByText(/A 6-digit code is on its way to \+971501234567/);
    type("The code in the text message", "123 456");
    press("Confirm my phone");
    await screen.findByText("Your phone is confirmed.");
    expect(changed).toHaveBeenCalledWith(expect.objectContaining({ phone_verified: true }));
    expect(calls.map((c) => [c.path, c.body])).toEqual([
      ["/api/v1/users/me/phone/verification", null],
      ["/api/v1/users/me/phone/verification/confirm", { code: "123456" }],
    ]);
  });
});

describe("AccountSection, signing out everywhere else", () => {
  afterEach(() => signedIn(null));
  const tokens = () => (session as unknown as { stored: { access: string; refresh: string } | null }).stored;

  it("ends the other sessions, says how many, and this one goes on", async () => {
    signedIn({ id: "u1", role: "member" }, "a1");
    const calls = stubPlatform((c) => (c.method === "POST" && c.path === "/api/v1/auth/logout/others" ? { status: 200, body: { sessions_ended: 2 } } : undefined));
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Sign out everywhere else");

    await statusSaying("Signed out of 2 other sessions: those devices and browsers sign in again.");
    const asked = calls.filter((c) => c.path === "/api/v1/auth/logout/others");
    expect(asked).toHaveLength(1);
    expect(asked[0].request.headers.get("Authorization")).toBe("Bearer a1");
    expect(tokens()).toMatchObject({ access: "a1" });
    expect(session.user).toMatchObject({ id: "u1" });
  });

  it("says when there was no other session, and a refusal in the platform's words", async () => {
    signedIn({ id: "u1", role: "member" }, "a1");
    let answer: Reply = { status: 200, body: { sessions_ended: 0 } };
    stubPlatform((c) => (c.path === "/api/v1/auth/logout/others" ? answer : undefined));
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Sign out everywhere else");
    await statusSaying("You were signed in nowhere else.");

    answer = { status: 503, body: { title: "Service Unavailable", status: 503, detail: "Identity is busy: try again shortly." } };
    press("Sign out everywhere else");
    expect((await screen.findByRole("alert")).textContent).toBe("Identity is busy: try again shortly.");
    expect(screen.queryByText("You were signed in nowhere else.")).toBeNull();
  });
});

describe("AccountSection, changing the password", () => {
  afterEach(() => signedIn(null));

  /** Identity: whether two-factor sign-in is on as `twoFactor` says, and the change answered by `change`. */
  function identity(change: (asked: Asked) => Reply | Promise<Reply>, twoFactor: unknown = twoFactorOff) {
    return stubPlatform((c) =>
      c.path === "/api/v1/users/me/two-factor" ? { status: 200, body: twoFactor } : c.method === "POST" && c.path === "/api/v1/users/me/password" ? change(c) : undefined,
    );
  }
  const changed = { user: { ...user, username: "amira" }, access_token: "a2", refresh_token: "r2", token_type: "Bearer", expires_in: 900 };
  const tokens = () => (session as unknown as { stored: { access: string; refresh: string } | null }).stored;

  function fill(current: string, next: string) {
    press("Change your password…");
    type("Your current password", current);
    type("New password", next);
  }

  it("changes it with the current one, says the other sessions ended, and goes on with the new pair", async () => {
    signedIn({ id: "u1", role: "member" }, "a1");
    const calls = identity(() => ({ status: 200, body: changed }));
    render(<AccountSection user={user} changed={vi.fn()} />);
    fill("correct horse 42", "quiet harbour 77");
    const next = screen.getByLabelText("New password") as HTMLInputElement;
    expect([next.minLength, next.maxLength, next.autocomplete]).toEqual([10, 128, "new-password"]);
    expect(document.getElementById(next.getAttribute("aria-describedby")!)?.textContent).toBe("10 to 128 characters with letters and a digit or symbol, not containing your username");
    press("Change password");

    await statusSaying("Your password is changed; you were signed out everywhere else.");
    expect(screen.queryByRole("form", { name: "Change your password" })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Change your password…" }));
    const change = calls.find((c) => c.path === "/api/v1/users/me/password")!;
    expect(change.body).toEqual({ current_password: "correct horse 42", new_password: "quiet harbour 77" });
    expect(change.request.headers.get("Authorization")).toBe("Bearer a1");
    expect(tokens()).toMatchObject({ access: "a2", refresh: "r2" });
    expect(session.user).toMatchObject({ id: "u1" });
    expect(JSON.parse(sessionStorage.getItem("community.session")!)).toMatchObject({ access: "a2", refresh: "r2" });
  });

  it("with two-factor sign-in on, asks for a code and sends it", async () => {
    signedIn({ id: "u1", role: "member" }, "a1");
    const calls = identity(() => ({ status: 200, body: changed }), twoFactorOn);
    render(<AccountSection user={user} changed={vi.fn()} />);
    fill("correct horse 42", "quiet harbour 77");
    const code = (await screen.findByLabelText(codeLabel)) as HTMLInputElement;
    expect(code.required).toBe(true);
    type(codeLabel, "123456");
    press("Change password");
    await statusSaying("Your password is changed; you were signed out everywhere else.");
    expect(calls.find((c) => c.path === "/api/v1/users/me/password")!.body).toEqual({ current_password: "correct horse 42", new_password: "quiet harbour 77", code: "123456" });
  });

  it("says a refusal in the platform's words, and keeps the form and the session's pair", async () => {
    signedIn({ id: "u1", role: "member" }, "a1");
    identity(() => ({
      status: 400,
      body: { title: "One or more validation errors occurred.", status: 400, errors: { new_password: ["The password must not contain the username."] } },
    }));
    render(<AccountSection user={user} changed={vi.fn()} />);
    fill("correct horse 42", "amira amira 7");
    press("Change password");
    expect((await screen.findByRole("alert")).textContent).toContain("The password must not contain the username.");
    expect(screen.getByRole("form", { name: "Change your password" })).toBeTruthy();
    expect(tokens()).toMatchObject({ access: "a1", refresh: "r" });
  });

  it("waits as long as a 429's Retry-After asks, the button off meanwhile", async () => {
    signedIn({ id: "u1", role: "member" }, "a1");
    const calls = identity(() => ({ status: 429, body: { title: "Too Many Requests", status: 429, detail: "Too many attempts." }, headers: { "Retry-After": "30" } }));
    render(<AccountSection user={user} changed={vi.fn()} />);
    fill("wrong password", "quiet harbour 77");
    press("Change password");
    expect((await screen.findByRole("alert")).textContent).toBe("Too many attempts.");
    expect(await screen.findByText("Try again in 30 s.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Change password" }) as HTMLButtonElement).disabled).toBe(true);
    expect(calls.filter((c) => c.path === "/api/v1/users/me/password")).toHaveLength(1);
  });
});
