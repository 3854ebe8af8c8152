import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { json, signedIn, stubPlatform, type Reply } from "../lib/testing";
import { ForgotPassword, SignIn, SignUp } from "./Auth";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
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
    // where the page left for, and the state stored by then
    const left: { url: string; stored: string | null }[] = [];
    vi.spyOn(location, "assign").mockImplementation((url) => void left.push({ url: String(url), stored: sessionStorage.getItem("community.outside-sign-in") }));
    render(<SignIn />);

    // buttons, not links: a link opened in a new tab would leave without storing the state
    fireEvent.click(await screen.findByRole("button", { name: "Continue with Google" }));
    expect(screen.queryByRole("link", { name: /^Continue with/ })).toBeNull();
    const start = new URL(left[0]!.url, location.origin);
    expect(start.pathname).toBe("/api/v1/auth/external/google/start");
    const back = new URL(start.searchParams.get("redirect_uri")!);
    expect(back.origin + back.pathname).toBe(`${location.origin}/app/signed-in`);
    const state = back.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    // leaving for the provider keeps the state, for the way back to be checked against
    expect(left[0]!.stored).toBe(state);
    fireEvent.click(screen.getByRole("button", { name: "Continue with Acme ID" }));
    expect(new URL(left[1]!.url, location.origin).pathname).toBe("/api/v1/auth/external/acme/start");
    expect(left).toHaveLength(2);
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

describe("a sign-in step the page itself fails", () => {
  it("is said, with the button ready again, rather than nothing happening", async () => {
    // as when the browser lacks something the page uses: neither the platform's answer nor no answer
    vi.stubGlobal("fetch", () => Promise.reject(new RangeError("something this browser lacks")));
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    render(<SignIn />);
    fireEvent.input(screen.getByLabelText("Username, e-mail or phone"), { target: { value: "amira" } });
    fireEvent.input(screen.getByLabelText("Password"), { target: { value: "correct horse 42" } });
    fireEvent.submit(screen.getByRole("button", { name: "Sign in" }).closest("form")!);

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Signing in failed on this page (something this browser lacks). Reload the page and try again, or use another browser.",
    );
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(false);
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: "something this browser lacks" }));
    expect(session.user).toBeNull();
  });
});

describe("the second factor", () => {
  /** Identity asking for the second factor on a password sign-in, its challenge lasting `seconds`. */
  function challenging(seconds: number) {
    stubPlatform(({ path }) => {
      if (path === "/api/v1/auth/external/providers") return { status: 200, body: { items: [] } };
      if (path === "/api/v1/auth/login") return { status: 200, body: { two_factor_required: true, challenge: "ch-1", expires_in: seconds } };
      return undefined;
    });
    render(<SignIn />);
  }
  async function signInWithPassword() {
    fireEvent.input(await screen.findByLabelText("Username, e-mail or phone"), { target: { value: "amira" } });
    fireEvent.input(screen.getByLabelText("Password"), { target: { value: "correct horse 42" } });
    fireEvent.submit(screen.getByRole("button", { name: "Sign in" }).closest("form")!);
    return await screen.findByRole("heading", { name: "Two-factor sign-in" });
  }

  it("takes the focus to its heading, and starts again on asking", async () => {
    challenging(300);
    const heading = await signInWithPassword();
    await waitFor(() => expect(document.activeElement).toBe(heading));
    fireEvent.click(screen.getByRole("button", { name: "Start again" }));
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("starts again, saying why, once its challenge has lapsed", async () => {
    challenging(1);
    await signInWithPassword();
    expect((await screen.findByRole("alert", {}, { timeout: 3000 })).textContent).toMatch(/^The sign-in took too long/);
    expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Two-factor sign-in" })).toBeNull();
  });
});

describe("a refusal for too many attempts (429)", () => {
  afterEach(() => vi.useRealTimers());

  const slowDown = "Too many failed logins for this account; wait before trying again.";
  /** Identity's 429, with `after` as its Retry-After (none without it). */
  const tooMany = (after?: string): Reply => ({
    status: 429,
    body: { title: "Too Many Requests", status: 429, detail: slowDown },
    headers: after === undefined ? {} : { "Retry-After": after },
  });

  /** Lets `ms` of fake time pass in steps of 100 ms, each one's renders and answers settled before the next. */
  async function pass(ms: number) {
    for (let t = 0; t < ms; t += 100) await act(async () => void (await vi.advanceTimersByTimeAsync(100)));
  }

  /** The form's live region for the wait: in the page before there is a wait, so what it says is announced. */
  const waitRegion = () => {
    const region = document.querySelector("form [aria-live='polite']");
    if (!region) throw new Error("no live region for the wait");
    return region;
  };
  /** What the region shows but screen readers do not read (the count, each second). */
  const shown = (region: Element) => region.querySelector("[aria-hidden='true']")?.textContent ?? null;
  /** What screen readers read of the region. */
  const read = (region: Element) =>
    [...region.childNodes].filter((n) => !(n instanceof Element && n.getAttribute("aria-hidden") === "true")).map((n) => n.textContent).join("");

  const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;
  const type = (label: string, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });
  const submit = (name: string) => fireEvent.submit(button(name).closest("form")!);
  const signIn = () => {
    type("Username, e-mail or phone", "amira");
    type("Password", "correct horse 42");
    submit("Sign in");
  };

  it("counts Retry-After down with the button off, says the wait once, and signs in when sent again after it", async () => {
    vi.useFakeTimers();
    let refused = true;
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/auth/external/providers") return { status: 200, body: { items: [] } };
      if (path === "/api/v1/auth/login") return refused ? tooMany("3") : { status: 200, body: tokens };
    });
    const logins = () => asked.filter((a) => a.path === "/api/v1/auth/login");
    render(<SignIn />);
    const region = waitRegion();
    expect(region.textContent).toBe("");

    signIn();
    await pass(100);
    expect(screen.getByRole("alert").textContent).toBe(slowDown);
    expect(button("Sign in").disabled).toBe(true);
    expect(shown(region)).toBe("Try again in 3 s.");
    expect(read(region)).toBe("You can try again in 3 seconds.");
    // the same region that was there, empty, before
    expect(waitRegion()).toBe(region);

    await pass(1000);
    expect(shown(region)).toBe("Try again in 2 s.");
    // read once: what screen readers are told does not change with the count
    expect(read(region)).toBe("You can try again in 3 seconds.");
    expect(button("Sign in").disabled).toBe(true);
    // nor is the form sent meanwhile (Enter in a field)
    submit("Sign in");
    await pass(100);
    expect(logins()).toHaveLength(1);

    await pass(900);
    expect(shown(region)).toBe("Try again in 1 s.");
    expect(button("Sign in").disabled).toBe(true);

    await pass(1000);
    expect(button("Sign in").disabled).toBe(false);
    expect(shown(region)).toBeNull();
    expect(read(region)).toBe("You can try again now.");

    refused = false;
    submit("Sign in");
    await pass(100);
    expect(logins()).toHaveLength(2);
    expect(session.user?.username).toBe("amira");
    expect(location.pathname).toBe("/app/");
  });

  it("without Retry-After, or with a date or anything but seconds in it, says the problem and leaves the button on", async () => {
    vi.useFakeTimers();
    for (const after of [undefined, "Wed, 21 Oct 2015 07:28:00 GMT", "soon", "-5", "0"]) {
      const asked = stubPlatform(({ path }) => (path === "/api/v1/auth/login" ? tooMany(after) : { status: 200, body: { items: [] } }));
      render(<SignIn />);
      signIn();
      await pass(100);
      expect(screen.getByRole("alert").textContent, after).toBe(slowDown);
      expect(button("Sign in").disabled, after).toBe(false);
      expect(waitRegion().textContent, after).toBe("");
      // and it may be sent again at once
      submit("Sign in");
      await pass(100);
      expect(asked.filter((a) => a.path === "/api/v1/auth/login"), after).toHaveLength(2);
      cleanup();
    }
  });

  it("waits an hour at most, in minutes, and stops counting when the page goes", async () => {
    vi.useFakeTimers();
    stubPlatform(({ path }) => (path === "/api/v1/auth/login" ? tooMany("86400") : { status: 200, body: { items: [] } }));
    const { unmount } = render(<SignIn />);
    signIn();
    await pass(100);
    const region = waitRegion();
    expect(shown(region)).toBe("Try again in 60 min.");
    expect(read(region)).toBe("You can try again in 60 minutes.");
    await pass(1000);
    expect(shown(region)).toBe("Try again in 59 min 59 s.");
    // the countdown's next second, the one timer there is
    expect(vi.getTimerCount()).toBe(1);

    act(() => void unmount());
    expect(vi.getTimerCount()).toBe(0);
  });

  it("counts it down on the second factor's form too", async () => {
    vi.useFakeTimers();
    stubPlatform(({ path }) => {
      if (path === "/api/v1/auth/login") return { status: 200, body: { two_factor_required: true, challenge: "ch-1", expires_in: 300 } };
      if (path === "/api/v1/auth/login/two-factor") return tooMany("2");
      return { status: 200, body: { items: [] } };
    });
    render(<SignIn />);
    signIn();
    await pass(100);
    type("The 6-digit code from your authenticator app, or a recovery code", "123456");
    submit("Continue");
    await pass(100);
    expect(button("Continue").disabled).toBe(true);
    expect(shown(waitRegion())).toBe("Try again in 2 s.");
    await pass(2000);
    expect(button("Continue").disabled).toBe(false);
  });

  it("counts it down on the sign-up form, which creates the account when sent again after it", async () => {
    vi.useFakeTimers();
    history.replaceState(null, "", "/app/signup");
    let refused = true;
    const asked = stubPlatform(({ path }) => (path !== "/api/v1/auth/register" ? undefined : refused ? tooMany("2") : { status: 201, body: tokens }));
    render(<SignUp />);
    type("Username", "amira");
    type("E-mail", "amira@example.com");
    type("Password", "correct horse 42");
    submit("Create account");
    await pass(100);
    expect(screen.getByRole("alert").textContent).toBe(slowDown);
    expect(button("Create account").disabled).toBe(true);
    expect(shown(waitRegion())).toBe("Try again in 2 s.");
    await pass(1000);
    expect(shown(waitRegion())).toBe("Try again in 1 s.");
    submit("Create account"); // not sent meanwhile
    await pass(1000);
    expect(button("Create account").disabled).toBe(false);
    expect(asked).toHaveLength(1);

    refused = false;
    submit("Create account");
    await pass(100);
    expect(asked).toHaveLength(2);
    expect(session.user?.username).toBe("amira");
    expect(location.pathname).toBe("/app/");
  });

  it("signs in to the account a sign-up answered 504 made, when the same sign-up is sent again and its username is taken", async () => {
    history.replaceState(null, "", "/app/signup");
    let registered = false;
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/auth/register") {
        // the gateway gave up waiting, but identity made the account: sent again, its username is taken
        if (registered) return { status: 409, body: { title: "Conflict", status: 409, detail: "This username is taken." } };
        registered = true;
        return { status: 504, body: { title: "Gateway Timeout", status: 504, detail: "The service did not answer in time." } };
      }
      return path === "/api/v1/auth/login" ? { status: 200, body: tokens } : undefined;
    });
    render(<SignUp />);
    type("Username", "amira");
    type("E-mail", "amira@example.com");
    type("Password", "correct horse 42");
    submit("Create account");
    await screen.findByText("The service did not answer in time.");
    submit("Create account");
    await waitFor(() => expect(session.user?.username).toBe("amira"));
    expect(asked.map((a) => a.path)).toEqual(["/api/v1/auth/register", "/api/v1/auth/register", "/api/v1/auth/login"]);
  });

  it("keeps the sign-up's button on without Retry-After", async () => {
    vi.useFakeTimers();
    stubPlatform(() => tooMany());
    render(<SignUp />);
    type("Username", "amira");
    type("E-mail", "amira@example.com");
    type("Password", "correct horse 42");
    submit("Create account");
    await pass(100);
    expect(screen.getByRole("alert").textContent).toBe(slowDown);
    expect(button("Create account").disabled).toBe(false);
    expect(waitRegion().textContent).toBe("");
  });

  it("counts it down on the forgotten password's form, which asks for the link when sent again after it", async () => {
    vi.useFakeTimers();
    let refused = true;
    const asked = stubPlatform(({ path }) => (path !== "/api/v1/auth/password/forgot" ? undefined : refused ? tooMany("2") : { status: 202 }));
    render(<ForgotPassword />);
    type("Username, e-mail or phone", "amira");
    submit("Send me a link");
    await pass(100);
    expect(screen.getByRole("alert").textContent).toBe(slowDown);
    expect(button("Send me a link").disabled).toBe(true);
    expect(shown(waitRegion())).toBe("Try again in 2 s.");
    submit("Send me a link"); // not sent meanwhile
    await pass(2000);
    expect(button("Send me a link").disabled).toBe(false);
    expect(asked).toHaveLength(1);

    refused = false;
    submit("Send me a link");
    await pass(100);
    expect(asked).toHaveLength(2);
    expect(screen.getByRole("status").textContent).toMatch(/^If an account matches/);
  });

  it("keeps the forgotten password's button on with a date in Retry-After", async () => {
    vi.useFakeTimers();
    stubPlatform(() => tooMany("Wed, 21 Oct 2015 07:28:00 GMT"));
    render(<ForgotPassword />);
    type("Username, e-mail or phone", "amira");
    submit("Send me a link");
    await pass(100);
    expect(screen.getByRole("alert").textContent).toBe(slowDown);
    expect(button("Send me a link").disabled).toBe(false);
    expect(waitRegion().textContent).toBe("");
  });
});
