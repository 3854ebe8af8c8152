import type { ChatHubClient } from "@community/sdk";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { session } from "./lib/app";
import { resync } from "./lib/session";
import { type Reply, signedIn, stubPlatform } from "./lib/testing";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  signedIn(null);
});

/** The hub's events as the shell listens to them: `push(event)` calls its handlers. */
function hubEvents() {
  const handlers = new Map<string, (() => void)[]>();
  const hub = {
    on: (event: string, handler: () => void) => {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      return () => handlers.set(event, (handlers.get(event) ?? []).filter((h) => h !== handler));
    },
  };
  vi.spyOn(session, "hub").mockReturnValue(hub as unknown as ChatHubClient);
  return (event: string) => (handlers.get(event) ?? []).forEach((h) => h());
}

const nav = () => within(screen.getByRole("navigation", { name: "Main" }));

describe("the navigation's unread counts", () => {
  it("says a count in a region that was there before it, and empties the region when it is read", async () => {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/notifications");
    const push = hubEvents();
    let unread = { messages: 0, notifications: 0 };
    stubPlatform(({ path }) => {
      if (path === "/api/v1/messages/unread-count") return { status: 200, body: { total: unread.messages, by_kind: { direct: unread.messages } } };
      if (path === "/api/v1/notifications/unread-count") return { status: 200, body: { total: unread.notifications, by_kind: {} } };
      if (path === "/api/v1/notifications") return { status: 200, body: { items: [], next_cursor: null } };
      return undefined;
    });
    render(<App />);
    /** The counts become `now`, and the hub says `event`: the shell asks again after its half-second wait. */
    const changed = async (now: typeof unread, event: string) => {
      vi.useFakeTimers();
      unread = now;
      act(() => push(event));
      await act(async () => void (await vi.advanceTimersByTimeAsync(600)));
      vi.useRealTimers();
    };

    // one region for messages and one for notifications, empty while nothing is unread
    const regions = nav().getAllByRole("status");
    expect(regions).toHaveLength(2);
    await waitFor(() => expect(regions.map((r) => r.textContent)).toEqual(["", ""]));

    await changed({ messages: 1, notifications: 3 }, "notification");
    await waitFor(() => expect(regions[1]!.textContent).toContain("3 unread notifications"));
    // the same element: a region inserted with its words is not announced
    expect(nav().getAllByRole("status")[1]).toBe(regions[1]);
    // the number is shown, the sentence is read
    expect(within(regions[1]!).getByText("3").getAttribute("aria-hidden")).toBe("true");
    expect(regions[0]!.textContent).toContain("1 unread message");
    expect(regions[0]!.textContent).not.toContain("messages");

    await changed({ messages: 0, notifications: 0 }, "read");
    await waitFor(() => expect(regions[1]!.textContent).toBe(""));
    const after = nav().getAllByRole("status");
    expect(after).toHaveLength(2);
    after.forEach((region, i) => expect(region).toBe(regions[i]));
  });
});

describe("the navigation's unread counts, the hub back", () => {
  it("are asked for again: what the hub pushed while it was away is lost", async () => {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/notifications");
    hubEvents();
    let unread = { messages: 0, notifications: 0 };
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/messages/unread-count") return { status: 200, body: { total: unread.messages, by_kind: { direct: unread.messages } } };
      if (path === "/api/v1/notifications/unread-count") return { status: 200, body: { total: unread.notifications, by_kind: {} } };
      if (path === "/api/v1/notifications") return { status: 200, body: { items: [], next_cursor: null } };
      return undefined;
    });
    render(<App />);
    const regions = nav().getAllByRole("status");
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/messages/unread-count")).toHaveLength(1));

    unread = { messages: 2, notifications: 1 };
    act(() => void dispatchEvent(new Event(resync)));
    await waitFor(() => expect(regions[0]!.textContent).toContain("2 unread messages"));
    expect(regions[1]!.textContent).toContain("1 unread notification");
  });
});

describe("the navigation's unread counts, answered out of order", () => {
  it("show the newest count asked for, not an older answer arriving after it", async () => {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/notifications");
    hubEvents();
    let late: (reply: Reply) => void = () => undefined;
    let unread = 5;
    let reads = 0;
    stubPlatform(({ path }) => {
      if (path === "/api/v1/messages/unread-count") {
        const body = { total: unread, by_kind: { direct: unread } };
        // the first answer is slow: it arrives after the one asked for next
        return ++reads === 1 ? new Promise<Reply>((resolve) => (late = () => resolve({ status: 200, body }))) : { status: 200, body };
      }
      if (path === "/api/v1/notifications/unread-count") return { status: 200, body: { total: 0, by_kind: {} } };
      if (path === "/api/v1/notifications") return { status: 200, body: { items: [], next_cursor: null } };
      return undefined;
    });
    render(<App />);
    const regions = nav().getAllByRole("status");
    await waitFor(() => expect(reads).toBe(1));
    unread = 1;
    vi.useFakeTimers();
    act(() => void dispatchEvent(new Event("community:unread-changed")));
    await act(async () => void (await vi.advanceTimersByTimeAsync(600)));
    vi.useRealTimers();
    await waitFor(() => expect(regions[0]!.textContent).toContain("1 unread message"));
    await act(async () => late({ status: 200 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(regions[0]!.textContent).toContain("1 unread message");
  });
});

describe("focus on a route change", () => {
  it("goes to the heading of the view a link opens, the deepest column's, and stays where it is on the first view", async () => {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/communities");
    hubEvents();
    const hikers = { id: "g1", name: "Hikers", description: "", tags: [], member_count: 3, my_role: "member", membership_status: "member", price_cents: 0, join_policy: "open", visibility: "public" };
    stubPlatform(({ path }) => {
      if (path === "/api/v1/groups/mine") return { status: 200, body: { items: [hikers], next_cursor: null } };
      if (path === "/api/v1/groups/g1") return { status: 200, body: hikers };
      if (path === "/api/v1/threads") return { status: 200, body: { items: [], next_cursor: null } };
      return undefined;
    });
    render(<App />);
    const link = await screen.findByRole("link", { name: /Hikers/ });
    expect(document.activeElement).toBe(document.body);

    fireEvent.click(link);
    await waitFor(() => expect(document.activeElement).toBe(document.getElementById("threads-heading")));
    expect(location.pathname).toBe("/app/communities/g1");

    fireEvent.click(nav().getByRole("link", { name: "Communities" }));
    await waitFor(() => expect(document.activeElement).toBe(document.getElementById("communities-heading")));
    expect(location.pathname).toBe("/app/communities");
  });
});

describe("signing in", () => {
  it("goes where the visitor was going when signed out (a link opened in a new tab), once", async () => {
    signedIn(null);
    history.replaceState(null, "", "/app/events/e1?checkout=cancelled");
    hubEvents();
    const amira = { id: "0193a4c2-0000-7000-8000-000000000001", username: "amira", role: "member" };
    stubPlatform(({ path }) => {
      if (path === "/api/v1/auth/external/providers") return { status: 200, body: { items: [] } };
      if (path === "/api/v1/auth/login") return { status: 200, body: { user: amira, access_token: "a1", refresh_token: "r1", token_type: "bearer", expires_in: 900 } };
      return undefined;
    });
    render(<App />);
    await waitFor(() => expect(location.pathname).toBe("/app/signin"));
    fireEvent.input(await screen.findByLabelText("Username, e-mail or phone"), { target: { value: "amira" } });
    fireEvent.input(screen.getByLabelText("Password"), { target: { value: "correct horse 42" } });
    fireEvent.submit(screen.getByRole("button", { name: "Sign in" }).closest("form")!);
    await waitFor(() => expect(location.pathname + location.search).toBe("/app/events/e1?checkout=cancelled"));
    // kept once: the next sign-in of this tab starts at home
    expect(sessionStorage.getItem("community.after-sign-in")).toBeNull();

    // signing out of one's own accord forgets where one was: the next sign-in is at home
    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(location.pathname).toBe("/app/signin"));
    expect(sessionStorage.getItem("community.after-sign-in")).toBeNull();
  });

  it("takes back to a page where a session ended only the account it was, not the next one to sign in on the tab", async () => {
    const amira = { id: "0193a4c2-0000-7000-8000-000000000001", username: "amira", role: "member" };
    const bilal = { id: "0193a4c2-0000-7000-8000-000000000002", username: "bilal", role: "member" };
    for (const [next, lands] of [
      [bilal, "/app/"],
      [amira, "/app/events/e1"],
    ] as const) {
      signedIn(amira);
      history.replaceState(null, "", "/app/events/e1");
      hubEvents();
      stubPlatform(({ path }) => {
        if (path === "/api/v1/auth/external/providers") return { status: 200, body: { items: [] } };
        if (path === "/api/v1/auth/login") return { status: 200, body: { user: next, access_token: "a2", refresh_token: "r2", token_type: "bearer", expires_in: 900 } };
        return undefined;
      });
      render(<App />);
      // Amira's session ends on her event's page (the refresh refused: revoked, suspended, changed elsewhere)
      (session as unknown as { end(reason: string | null): void }).end("Your session ended. Sign in again.");
      await waitFor(() => expect(location.pathname).toBe("/app/signin"));
      fireEvent.input(await screen.findByLabelText("Username, e-mail or phone"), { target: { value: next.username } });
      fireEvent.input(screen.getByLabelText("Password"), { target: { value: "correct horse 42" } });
      fireEvent.submit(screen.getByRole("button", { name: "Sign in" }).closest("form")!);
      await waitFor(() => expect(location.pathname).toBe(lands));
      cleanup();
      signedIn(null);
    }
  });
});

describe("signing out", () => {
  /** Signed in at home, the person clicks "Sign out"; identity answers when the test says. */
  async function signOutAnsweredLater(): Promise<(reply: Reply) => void> {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/");
    hubEvents();
    let answerLogout: (reply: Reply) => void = () => undefined;
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/auth/logout") return new Promise<Reply>((resolve) => (answerLogout = resolve));
      if (path === "/api/v1/auth/external/providers") return { status: 200, body: { items: [] } };
      return undefined;
    });
    render(<App />);
    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(asked.map((a) => a.path)).toContain("/api/v1/auth/logout"));
    return (reply) => answerLogout(reply);
  }

  it("leaves the page the person went on to when the session ended before identity answered the sign-out", async () => {
    const answerLogout = await signOutAnsweredLater();
    // identity ended the session before its answer came: a request refused meanwhile, then its refresh
    act(() => (session as unknown as { end(reason: string | null): void }).end("Your session ended. Sign in again."));
    await waitFor(() => expect(location.pathname).toBe("/app/signin"));
    fireEvent.click(await screen.findByRole("link", { name: "Forgot your password?" }));
    await screen.findByRole("button", { name: "Send me a link" });

    await act(async () => {
      answerLogout({ status: 204 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(location.pathname).toBe("/app/forgot");
    expect(screen.getByRole("button", { name: "Send me a link" })).toBeTruthy();
    expect(sessionStorage.getItem("community.after-sign-in")).toBeNull();
  });

  it("forgets the page the person went on to before identity answered the sign-out: the next sign-in starts at home", async () => {
    const answerLogout = await signOutAnsweredLater();
    fireEvent.click(within(screen.getByRole("navigation", { name: "Main" })).getByRole("link", { name: "Events" }));
    await waitFor(() => expect(location.pathname).toBe("/app/events"));

    await act(async () => {
      answerLogout({ status: 204 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    await waitFor(() => expect(location.pathname).toBe("/app/signin"));
    expect(sessionStorage.getItem("community.after-sign-in")).toBeNull();
  });
});
