import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { stubPlatform } from "../lib/testing";
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

describe("AccountSection", () => {
  it("sends the e-mail's link again and says where to", async () => {
    const calls = stubPlatform((c) => (c.path === "/api/v1/users/me/email/verification" ? { status: 202 } : undefined));
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Send the link again");
    await screen.findByText("A new link to confirm it is on its way to amira@example.com.");
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /api/v1/users/me/email/verification"]);
  });

  it("deletes the account with the password, then ends the session", async () => {
    const calls = stubPlatform((c) => (c.method === "DELETE" && c.path === "/api/v1/users/me" ? { status: 204 } : undefined));
    render(<AccountSection user={user} changed={vi.fn()} />);
    press("Delete your account…");
    type(/^Your password/, "correct horse 42");
    press("Delete my account");
    await vi.waitFor(() => expect(session.endedBecause).toBe("Your account is deleted, with your profile and your sessions."));
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["DELETE /api/v1/users/me"]);
    expect(calls[0]).toMatchObject({ body: { password: "correct horse 42" } });
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
