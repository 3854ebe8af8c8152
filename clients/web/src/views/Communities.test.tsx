import type { ChatHubClient } from "@community/sdk";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { resync } from "../lib/session";
import { type Asked, type Reply, signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { navigate } from "../lib/router";
import { Communities } from "./Communities";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  signedIn(null);
  history.replaceState(null, "", "/app/");
});

const group = (membership_status: string, price_cents = 500) => ({
  id: "g1",
  name: "Desert riders",
  description: "Rides at dawn.",
  tags: [],
  visibility: "public",
  join_policy: "open",
  price_cents,
  currency: price_cents ? "EUR" : null,
  member_count: 12,
  my_role: membership_status === "member" ? "member" : null,
  membership_status,
  created_at: "2026-11-01T09:00:00Z",
  updated_at: "2026-11-01T09:00:00Z",
});

const opened = { payment_id: "p1", session_id: "s1", checkout_url: "https://checkout.example/g1", expires_at: "2026-11-28T12:00:00Z", amount_cents: 500, currency: "EUR", status: "open" };
const due = { title: "Payment Required", status: 402, detail: "Joining costs 5.00 EUR.", group_id: "g1", price_cents: 500, currency: "EUR", checkout: { purpose: "group_membership", reference_id: "mp1" } };

/** Social and payments as a community's page meets them: my communities and the threads listed, the rest by `answer`. */
function platform(answer: (asked: Asked) => Reply | undefined | Promise<Reply | undefined>) {
  return stubPlatform((asked) =>
    asked.path === "/api/v1/groups/mine" || asked.path === "/api/v1/threads" ? { status: 200, body: { items: [], next_cursor: null } } : answer(asked),
  );
}

describe("a priced community", () => {
  it("says its price, and joining opens the checkout of the membership, once per press", async () => {
    signedIn({ id: "me", role: "member" });
    let answer: (reply: Reply) => void = () => undefined;
    const asked = platform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/groups/g1") return { status: 200, body: group("none") };
      if (method === "POST" && path === "/api/v1/groups/g1/join") return new Promise<Reply>((resolve) => (answer = resolve));
      if (method === "POST" && path === "/api/v1/payments/checkout") return { status: 201, body: opened };
      return undefined;
    });
    const left: string[] = [];
    vi.spyOn(location, "assign").mockImplementation((url) => void left.push(String(url)));
    render(<Communities groupId="g1" />);
    await screen.findByText("Joining costs €5.00.");
    const join = screen.getByRole("button", { name: "Join (€5.00)" });
    fireEvent.click(join);
    await waitFor(() => expect((join as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(join);
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/groups/g1/join")).toHaveLength(1));
    answer({ status: 402, body: due });
    await waitFor(() => expect(left).toEqual(["https://checkout.example/g1"]));
    expect(asked.filter((a) => a.path === "/api/v1/groups/g1/join")).toHaveLength(1);
    expect(asked.find((a) => a.path === "/api/v1/payments/checkout")?.body).toMatchObject({
      purpose: "group_membership",
      reference_id: "mp1",
      success_url: `${location.origin}/app/communities/g1?checkout=paid`,
    });
  });

  it("shows an invitation as one, paid to join", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = platform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/groups/g1") return { status: 200, body: group("invited") };
      if (method === "POST" && path === "/api/v1/groups/g1/join") return { status: 402, body: due };
      if (method === "POST" && path === "/api/v1/payments/checkout") return { status: 502, body: { title: "Bad Gateway", status: 502, detail: "The payment provider did not answer." } };
      return undefined;
    });
    render(<Communities groupId="g1" />);
    await screen.findByText("You are invited to join this community: pay €5.00 to join.");
    fireEvent.click(screen.getByRole("button", { name: "Pay to join (€5.00)" }));
    expect((await screen.findByRole("alert")).textContent).toContain("The payment provider did not answer.");
    expect(asked.filter((a) => a.path === "/api/v1/payments/checkout")).toHaveLength(1);
  });

  it("back from a paid checkout, asks until the membership is there", async () => {
    signedIn({ id: "me", role: "member" });
    vi.spyOn(session, "hub").mockReturnValue(null);
    history.replaceState(null, "", "/app/communities/g1?checkout=paid");
    let reads = 0;
    platform(({ method, path }) => (method === "GET" && path === "/api/v1/groups/g1" ? { status: 200, body: group(++reads < 2 ? "none" : "member") } : undefined));
    render(<Communities groupId="g1" />);
    await statusSaying("Payment received: you join in a moment…");
    await screen.findByText("Paid: you are a member.", undefined, { timeout: 5_000 });
    expect(reads).toBe(2);
  });

  it("back from a paid checkout, lists the community under Mine once the membership is there", async () => {
    signedIn({ id: "me", role: "member" });
    vi.spyOn(session, "hub").mockReturnValue(null);
    history.replaceState(null, "", "/app/communities/g1?checkout=paid");
    let reads = 0;
    stubPlatform(({ method, path, url }) => {
      if (path === "/api/v1/groups/mine") {
        const items = url.searchParams.get("status") === null && reads >= 2 ? [group("member", 0)] : [];
        return { status: 200, body: { items, next_cursor: null } };
      }
      if (path === "/api/v1/threads") return { status: 200, body: { items: [], next_cursor: null } };
      if (method === "GET" && path === "/api/v1/groups/g1") return { status: 200, body: group(++reads < 2 ? "none" : "member") };
      return undefined;
    });
    render(<Communities groupId="g1" />);
    await screen.findByText("You are in no community yet: explore, or create one.");
    await screen.findByText("Paid: you are a member.", undefined, { timeout: 5_000 });
    await waitFor(() => expect(screen.getByRole("list", { name: "Communities" }).textContent).toContain("Desert riders"));
  });
});

describe("the communities column", () => {
  it("lists the invitations waiting for me, and the communities I asked to join, each on its own tab", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ path, url }) => {
      if (path !== "/api/v1/groups/mine") return undefined;
      const status = url.searchParams.get("status");
      const items = status === "invited" ? [{ ...group("invited", 0), name: "Secret riders" }] : status === "pending" ? [{ ...group("pending", 0), name: "Dawn hikers" }] : [];
      return { status: 200, body: { items, next_cursor: null } };
    });
    render(<Communities />);
    await screen.findByText("You are in no community yet: explore, or create one.");
    fireEvent.click(screen.getByRole("button", { name: "Invitations" }));
    await waitFor(() => expect(screen.getByRole("list", { name: "Communities" }).textContent).toContain("Secret riders"));
    expect(screen.getByRole("list", { name: "Communities" }).textContent).toContain("· invited");
    fireEvent.click(screen.getByRole("button", { name: "Asked to join" }));
    await waitFor(() => expect(screen.getByRole("list", { name: "Communities" }).textContent).toContain("Dawn hikers12 members · asked to join"));
    expect(asked.filter((a) => a.path === "/api/v1/groups/mine").map((a) => a.url.searchParams.get("status"))).toEqual([null, "invited", "pending"]);
  });
});

describe("the communities column after joining or leaving", () => {
  it("lists the community under Mine once its invitation is accepted, and no longer once I left", async () => {
    signedIn({ id: "me", role: "member" });
    vi.spyOn(session, "hub").mockReturnValue(null);
    let state = "invited";
    const asked = stubPlatform(({ method, path, url }) => {
      if (path === "/api/v1/groups/mine") {
        const status = url.searchParams.get("status");
        const items = status === null && state === "member" ? [group("member", 0)] : status === "invited" && state === "invited" ? [group("invited", 0)] : [];
        return { status: 200, body: { items, next_cursor: null } };
      }
      if (path === "/api/v1/threads") return { status: 200, body: { items: [], next_cursor: null } };
      if (method === "GET" && path === "/api/v1/groups/g1") return { status: 200, body: group(state, 0) };
      if (method === "POST" && path === "/api/v1/groups/g1/join") {
        state = "member";
        return { status: 200, body: { group_id: "g1", user_id: "me", role: "member", status: "member" } };
      }
      if (method === "POST" && path === "/api/v1/groups/g1/leave") {
        state = "none";
        return { status: 204 };
      }
      return undefined;
    });
    render(<Communities groupId="g1" />);
    await screen.findByText("You are in no community yet: explore, or create one.");
    fireEvent.click(await screen.findByRole("button", { name: "Accept the invitation" }));
    await waitFor(() => expect(screen.getByRole("list", { name: "Communities" }).textContent).toContain("Desert riders12 members · joined"));
    // asked first: a misclick leaves nothing
    const asking = vi.fn(() => false);
    vi.stubGlobal("confirm", asking);
    fireEvent.click(await screen.findByRole("button", { name: "Leave" }));
    expect(asking).toHaveBeenCalledWith("Leave Desert riders?");
    expect(asked.some((a) => a.path === "/api/v1/groups/g1/leave")).toBe(false);
    vi.stubGlobal("confirm", () => true);
    fireEvent.click(await screen.findByRole("button", { name: "Leave" }));
    await screen.findByText("You are in no community yet: explore, or create one.");
    expect(asked.filter((a) => a.path === "/api/v1/groups/mine")).toHaveLength(3);
  });
});

describe("leaving a community", () => {
  it("says what joining again takes: approval where members ask to join, and the price", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = platform(({ method, path }) => (method === "GET" && path === "/api/v1/groups/g1" ? { status: 200, body: { ...group("member", 500), join_policy: "request" } } : undefined));
    const asking = vi.fn(() => false);
    vi.stubGlobal("confirm", asking);
    render(<Communities groupId="g1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Leave" }));
    const said = String((asking.mock.calls[0] as unknown[])[0]);
    expect(said).toContain("Leave Desert riders?");
    expect(said).toContain("Joining again needs approval.");
    expect(said).toContain("Joining again costs");
    expect(asked.some((a) => a.path === "/api/v1/groups/g1/leave")).toBe(false);
  });
});

describe("a community's page", () => {
  it("leads back to the communities, not to the home page", async () => {
    signedIn({ id: "me", role: "member" });
    platform(({ method, path }) => (method === "GET" && path === "/api/v1/groups/g1" ? { status: 200, body: group("member", 0) } : undefined));
    render(<Communities groupId="g1" />);
    const back = await screen.findByRole("link", { name: "← Communities" });
    expect(new URL((back as HTMLAnchorElement).href).pathname).toMatch(/\/communities$/);
  });
});

describe("a community's threads", () => {
  it("are loaded again when the hub is back: a thread started while it was away was never pushed", async () => {
    signedIn({ id: "me", role: "member" });
    vi.spyOn(session, "hub").mockReturnValue(null);
    const thread = (id: string, title: string) => ({ id, group_id: "g1", title, tags: [], pinned: false, message_count: 1, author: { username: "amira" }, last_activity_at: "2026-11-28T10:00:00Z" });
    let threads = [thread("t1", "Dawn ride")];
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/groups/g1") return { status: 200, body: group("member", 0) };
      if (path === "/api/v1/groups/mine") return { status: 200, body: { items: [], next_cursor: null } };
      if (path === "/api/v1/threads") return { status: 200, body: { items: threads, next_cursor: null } };
      return undefined;
    });
    render(<Communities groupId="g1" />);
    await screen.findByText("Dawn ride");

    threads = [thread("t2", "Night ride"), ...threads];
    dispatchEvent(new Event(resync));
    await screen.findByText("Night ride");
    expect(asked.filter((a) => a.path === "/api/v1/threads")).toHaveLength(2);
  });
});

describe("a community's threads, one deleted while open", () => {
  /** The hub's pushes as the list listens to them: `push(event, payload)` calls its handlers. */
  function hubPushes() {
    const handlers = new Map<string, ((payload: any) => void)[]>();
    const hub = {
      on: (event: string, handler: (payload: any) => void) => {
        handlers.set(event, [...(handlers.get(event) ?? []), handler]);
        return () => handlers.set(event, handlers.get(event)!.filter((h) => h !== handler));
      },
    };
    vi.spyOn(session, "hub").mockReturnValue(hub as unknown as ChatHubClient);
    return (event: string, payload: unknown) => handlers.get(event)?.forEach((h) => h(payload));
  }
  const thread = (id: string, title: string) => ({ id, group_id: "g1", title, tags: [], pinned: false, message_count: 1, author: { username: "amira" }, last_activity_at: "2026-11-28T10:00:00Z" });

  /** A community I belong to, with two threads; `gone`: the community deleted since. */
  function community() {
    let gone = false;
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/groups/g1") return gone ? { status: 404, body: { title: "Not Found", status: 404 } } : { status: 200, body: group("member", 0) };
      if (path === "/api/v1/groups/mine") return { status: 200, body: { items: [], next_cursor: null } };
      if (path === "/api/v1/threads") return { status: 200, body: { items: [thread("t1", "Dawn ride"), thread("t2", "Night ride")], next_cursor: null } };
      return undefined;
    });
    return { asked, deleted: () => (gone = true) };
  }

  it("leaves the list when the hub closes its conversation", async () => {
    signedIn({ id: "me", role: "member" });
    const push = hubPushes();
    const { asked } = community();
    render(<Communities groupId="g1" />);
    await screen.findByText("Dawn ride");

    push("conversation_closed", { conversation_id: "t1", reason: "thread_deleted" });
    await waitFor(() => expect(within(screen.getByRole("list", { name: "Threads" })).queryByText("Dawn ride")).toBeNull());
    expect(within(screen.getByRole("list", { name: "Threads" })).getByText("Night ride")).toBeTruthy();
    expect(asked.filter((a) => a.path === "/api/v1/threads")).toHaveLength(1);
  });

  it("loads the community again when its whole group was deleted", async () => {
    signedIn({ id: "me", role: "member" });
    const push = hubPushes();
    const { asked, deleted } = community();
    render(<Communities groupId="g1" />);
    await screen.findByText("Dawn ride");

    deleted();
    push("conversation_closed", { conversation_id: "t1", reason: "group_deleted" });
    await screen.findByText(/^The community could not be loaded\./);
    expect(screen.queryByText("Dawn ride")).toBeNull();
    expect(asked.filter((a) => a.path === "/api/v1/groups/g1")).toHaveLength(2);
  });
});

describe("leaving a community, pressed twice", () => {
  it("asks social once", async () => {
    signedIn({ id: "me", role: "member" });
    let answer: (reply: Reply) => void = () => undefined;
    const asked = platform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/groups/g1") return { status: 200, body: group("member", 0) };
      if (method === "POST" && path === "/api/v1/groups/g1/leave") return new Promise<Reply>((resolve) => (answer = resolve));
      return undefined;
    });
    vi.stubGlobal("confirm", () => true);
    render(<Communities groupId="g1" />);
    const leave = await screen.findByRole("button", { name: "Leave" });
    fireEvent.click(leave);
    await waitFor(() => expect((leave as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(leave);
    answer({ status: 204 });
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/groups/g1/leave")).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked.filter((a) => a.path === "/api/v1/groups/g1/leave")).toHaveLength(1);
  });
});

describe("a new community", () => {
  it("opens once created, unless the person went elsewhere before the platform answered", async () => {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/communities");
    const answers: ((reply: Reply) => void)[] = [];
    platform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/groups") return { status: 200, body: { items: [], next_cursor: null } };
      if (method === "POST" && path === "/api/v1/groups") return new Promise<Reply>((resolve) => answers.push(resolve));
      return undefined;
    });
    render(<Communities />);
    const create = async (name: string) => {
      fireEvent.click(await screen.findByRole("button", { name: "New community" }));
      fireEvent.input(screen.getByLabelText("Name"), { target: { value: name } });
      fireEvent.submit(screen.getByRole("form", { name: "New community" }));
      await waitFor(() => expect(answers).toHaveLength(1));
      return answers.pop()!;
    };

    const answerFirst = await create("Desert riders");
    navigate("/events");
    answerFirst({ status: 201, body: { ...group("member", 0), id: "g7" } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(location.pathname).toBe("/app/events");

    navigate("/communities");
    const answerSecond = await create("Night riders");
    answerSecond({ status: 201, body: { ...group("member", 0), id: "g8" } });
    await waitFor(() => expect(location.pathname).toBe("/app/communities/g8"));
  });
});
