import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { json, signedIn } from "../lib/testing";
import { SignIn } from "./Auth";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
  sessionStorage.clear();
  history.replaceState(null, "", "/app/signin");
});

/** The way back from the provider as this tab started it (its state stored as it left). */
function cameBack(query: string, state = "s-1") {
  sessionStorage.setItem("community.outside-sign-in", state);
  history.replaceState(null, "", `/app/signed-in?${query}`);
}

const amira = { id: "0193a4c2-0000-7000-8000-000000000001", username: "amira", role: "member" };
const tokens = { user: amira, access_token: "a1", refresh_token: "r1", token_type: "bearer", expires_in: 900 };

/**
 * Identity as the sign-in page meets it: the providers it names, and an answer to the exchange of a one-time code.
 * Every call is recorded with the page's address at the moment it was sent (hence a stub of its own).
 */
function identity(providers: { name: string; display_name: string }[], ...exchange: ({ status: number; body: unknown } | "no answer")[]) {
  // the exchange's answers in turn, the last one from then on
  const answers = exchange.length ? exchange : [{ status: 200, body: tokens }];
  const calls: { method: string; path: string; body: unknown; address: string }[] = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    const path = new URL(request.url).pathname;
    // where the page was when it asked: a one-time code must be off the address by then
    const address = location.pathname + location.search;
    calls.push({ method: request.method, path, body: request.method === "GET" ? null : await request.json(), address });
    if (path === "/api/v1/auth/external/providers") return json(200, { items: providers });
    if (path === "/api/v1/auth/external/exchange") {
      const answer = answers[Math.min(exchanges(calls).length, answers.length) - 1]!;
      if (answer === "no answer") throw new TypeError("Failed to fetch");
      return json(answer.status, answer.body);
    }
    return json(404, { title: "Not Found", status: 404 });
  });
  return calls;
}

const exchanges = <T extends { path: string }>(calls: T[]) => calls.filter((c) => c.path === "/api/v1/auth/external/exchange");

describe("SignIn with an outside provider", () => {
  it("offers each provider identity names, leading to its start with the way back and this tab's state", async () => {
    identity([
      { name: "acme", display_name: "Acme ID" },
      { name: "google", display_name: "Google" },
    ]);
    render(<SignIn />);

    const google = await screen.findByRole("link", { name: "Continue with Google" });
    const start = new URL(google.getAttribute("href")!, location.origin);
    expect(start.pathname).toBe("/api/v1/auth/external/google/start");
    const back = new URL(start.searchParams.get("redirect_uri")!);
    expect(back.origin + back.pathname).toBe(`${location.origin}/app/signed-in`);
    const state = back.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(new URL(screen.getByRole("link", { name: "Continue with Acme ID" }).getAttribute("href")!, location.origin).pathname).toBe("/api/v1/auth/external/acme/start");
    // leaving for the provider keeps the state, for the way back to be checked against
    google.addEventListener("click", (e) => e.preventDefault());
    fireEvent.click(google);
    expect(sessionStorage.getItem("community.outside-sign-in")).toBe(state);
  });

  it("offers none when identity names none", async () => {
    const calls = identity([]);
    render(<SignIn />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(screen.queryByRole("navigation", { name: "Other ways to sign in" })).toBeNull();
    expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
  });

  it("exchanges the code it comes back with once, after taking it off the address, and signs in", async () => {
    const calls = identity([]);
    cameBack("state=s-1&code=one-time-abc");
    render(<SignIn />);

    await waitFor(() => expect(session.user?.username).toBe("amira"));
    expect(exchanges(calls)).toEqual([{ method: "POST", path: "/api/v1/auth/external/exchange", body: { code: "one-time-abc" }, address: "/app/signin" }]);
    // nor did any other request carry it (as a Referer)
    expect(calls.every((c) => !c.address.includes("one-time-abc"))).toBe(true);
    expect(sessionStorage.getItem("community.outside-sign-in")).toBeNull();
    expect(location.pathname).toBe("/app/");
  });

  it("uses no code that comes back without this tab's state: someone else's sign-in, sent as a link", async () => {
    const calls = identity([]);
    cameBack("state=the-senders&code=theirs", "mine");
    render(<SignIn />);

    expect(await screen.findByText(/^This sign-in was not started on this page/)).toBeTruthy();
    history.replaceState(null, "", "/app/signed-in?state=x&code=theirs"); // and with no state stored at all
    cleanup();
    render(<SignIn />);
    expect(await screen.findByText(/^This sign-in was not started on this page/)).toBeTruthy();
    expect(exchanges(calls)).toEqual([]);
    expect(session.user).toBeNull();
  });

  it("says a used or expired code in identity's words, and the address no longer holds it", async () => {
    identity([], { status: 401, body: { title: "Unauthorized", status: 401, detail: "The sign-in code is invalid, used or expired." } });
    cameBack("state=s-1&code=stale");
    render(<SignIn />);

    expect(await screen.findByText("The sign-in code is invalid, used or expired.")).toBeTruthy();
    expect(session.user).toBeNull();
    expect(location.pathname + location.search).toBe("/app/signin");
    // a refused code is spent: no second try is offered
    expect(screen.queryByRole("button", { name: "Finish signing in" })).toBeNull();
  });

  it("after no answer or an answer that settled nothing, says so (announced) and sends the same code again when asked", async () => {
    const unavailable = { status: 503, body: { title: "Service Unavailable", status: 503, detail: "Identity is starting. Try again in a moment." } };
    const calls = identity([], "no answer", unavailable, { status: 200, body: tokens });
    cameBack("state=s-1&code=one-time-abc");
    render(<SignIn />);

    // one live region, there as its words come and go
    const status = screen.getByRole("status");
    expect(status.textContent).toBe("Signing you in…");
    expect((await screen.findByRole("alert")).textContent).toContain("could not be reached");
    expect(status.isConnected).toBe(true);
    expect(status.textContent).toBe("");
    fireEvent.click(screen.getByRole("button", { name: "Finish signing in" }));
    await screen.findByText("Identity is starting. Try again in a moment.");
    fireEvent.click(screen.getByRole("button", { name: "Finish signing in" }));

    await waitFor(() => expect(location.pathname).toBe("/app/"));
    expect(exchanges(calls).map((c) => c.body)).toEqual([{ code: "one-time-abc" }, { code: "one-time-abc" }, { code: "one-time-abc" }]);
    expect(session.user?.username).toBe("amira");
  });

  it("says a cancelled sign-in without asking identity anything", async () => {
    const calls = identity([]);
    cameBack("state=s-1&error=access_denied");
    render(<SignIn />);

    expect(await screen.findByText(/^Signing in with the provider was cancelled/)).toBeTruthy();
    expect(exchanges(calls)).toEqual([]);
    expect(location.pathname + location.search).toBe("/app/signin");
  });

  it("asks for the second factor when the account has two-factor sign-in on", async () => {
    identity([], { status: 200, body: { two_factor_required: true, challenge: "ch-1", expires_in: 300 } });
    cameBack("state=s-1&code=abc");
    render(<SignIn />);

    expect(await screen.findByRole("heading", { name: "Two-factor sign-in" })).toBeTruthy();
    expect(session.user).toBeNull();
  });
});
