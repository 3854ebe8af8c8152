import { cleanup, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { signedIn } from "../lib/testing";
import { SignIn } from "./Auth";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
  history.replaceState(null, "", "/app/signin");
});

const amira = { id: "0193a4c2-0000-7000-8000-000000000001", username: "amira", role: "member" };
const tokens = { user: amira, access_token: "a1", refresh_token: "r1", token_type: "bearer", expires_in: 900 };

/**
 * Identity as the sign-in page meets it: the providers it names, and an answer to the exchange of a one-time code.
 * Every call is recorded.
 */
function identity(providers: { name: string; display_name: string }[], exchange: { status: number; body: unknown } = { status: 200, body: tokens }) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    const path = new URL(request.url).pathname;
    calls.push({ method: request.method, path, body: request.method === "GET" ? null : await request.json() });
    const json = (status: number, value: unknown) =>
      new Response(JSON.stringify(value), { status, headers: { "Content-Type": status < 300 ? "application/json" : "application/problem+json" } });
    if (path === "/api/v1/auth/external/providers") return json(200, { items: providers });
    if (path === "/api/v1/auth/external/exchange") return json(exchange.status, exchange.body);
    return json(404, { title: "Not Found", status: 404 });
  });
  return calls;
}

const exchanges = (calls: { path: string }[]) => calls.filter((c) => c.path === "/api/v1/auth/external/exchange");

describe("SignIn with an outside provider", () => {
  it("offers each provider identity names, leading to its start with the way back to the app", async () => {
    identity([
      { name: "acme", display_name: "Acme ID" },
      { name: "google", display_name: "Google" },
    ]);
    render(<SignIn />);

    const google = await screen.findByRole("link", { name: "Continue with Google" });
    const back = encodeURIComponent(`${location.origin}/app/signed-in`);
    expect(google.getAttribute("href")).toBe(`/api/v1/auth/external/google/start?redirect_uri=${back}`);
    expect(screen.getByRole("link", { name: "Continue with Acme ID" }).getAttribute("href")).toBe(`/api/v1/auth/external/acme/start?redirect_uri=${back}`);
  });

  it("offers none when identity names none", async () => {
    const calls = identity([]);
    render(<SignIn />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(screen.queryByRole("navigation", { name: "Other ways to sign in" })).toBeNull();
    expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
  });

  it("exchanges the code it comes back with, once, takes it off the address, and signs in", async () => {
    const calls = identity([]);
    history.replaceState(null, "", "/app/signed-in?code=one-time-abc");
    render(<SignIn />);

    await waitFor(() => expect(session.user?.username).toBe("amira"));
    expect(exchanges(calls)).toEqual([{ method: "POST", path: "/api/v1/auth/external/exchange", body: { code: "one-time-abc" } }]);
    expect(location.pathname).toBe("/app/");
    expect(location.search).toBe("");
  });

  it("says a used or expired code in identity's words, and the address no longer holds it", async () => {
    identity([], { status: 400, body: { title: "Bad Request", status: 400, detail: "The sign-in code is unknown, used or expired; sign in again." } });
    history.replaceState(null, "", "/app/signed-in?code=stale");
    render(<SignIn />);

    expect(await screen.findByText("The sign-in code is unknown, used or expired; sign in again.")).toBeTruthy();
    expect(session.user).toBeNull();
    expect(location.pathname + location.search).toBe("/app/signin");
  });

  it("says a cancelled sign-in without asking identity anything", async () => {
    const calls = identity([]);
    history.replaceState(null, "", "/app/signed-in?error=access_denied");
    render(<SignIn />);

    expect(await screen.findByText(/^Signing in with the provider was cancelled/)).toBeTruthy();
    expect(exchanges(calls)).toEqual([]);
    expect(location.pathname + location.search).toBe("/app/signin");
  });

  it("asks for the second factor when the account has two-factor sign-in on", async () => {
    identity([], { status: 200, body: { two_factor_required: true, challenge: "ch-1", expires_in: 300 } });
    history.replaceState(null, "", "/app/signed-in?code=abc");
    render(<SignIn />);

    expect(await screen.findByRole("heading", { name: "Two-factor sign-in" })).toBeTruthy();
    expect(session.user).toBeNull();
  });
});
