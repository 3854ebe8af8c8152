import type { ChatHubClient, messaging } from "@community/sdk";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { resync } from "../lib/session";
import { signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { Communities } from "./Communities";
import { Discussion } from "./Discussion";
import { Messages } from "./Messages";

type Message = messaging.components["schemas"]["MessageDto"];

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  signedIn(null);
});

const amira = { user_id: "u-amira", display_name: "Amira", profile_image_url: null };
const me = { user_id: "me", display_name: "Me", profile_image_url: null };

const message = (conversation_id: string, seq: number, text: string, sender = me, client_txn_id: string | null = null) =>
  ({ id: `${conversation_id}-${seq}`, conversation_id, seq, sender, text, attachments: [], created_at: "2026-11-28T10:00:00Z", client_txn_id }) as unknown as Message;

/**
 * A connected chat hub: joining answers `pages[id]` (with older pages to load when `older`), SendMessage answers as `send` says (the sent message, or a
 * rejection as SignalR gives the server's), and `push` calls the view's handlers of a hub event.
 */
function connectedHub(pages: Record<string, Message[]>, send: (text: string, txn: string) => Promise<Message> = async () => message("c1", 99, "?"), older = false) {
  const handlers = new Map<string, ((payload: any) => void)[]>();
  const listen = (event: string, handler: (payload: any) => void) => {
    handlers.set(event, [...(handlers.get(event) ?? []), handler]);
    return () => handlers.set(event, handlers.get(event)!.filter((h) => h !== handler));
  };
  const sent: string[] = [];
  const marked: unknown[][] = [];
  const hub = {
    state: "Connected",
    on: listen,
    onTypingChange: (handler: (payload: any) => void) => listen("#typing", handler),
    onRejoined: (handler: (payload: any) => void) => listen("#rejoined", handler),
    onRejoinFailed: (handler: (payload: any) => void) => listen("#rejoin-failed", handler),
    joinConversation: async (id: string) => ({ items: pages[id] ?? [], has_more: older }),
    leaveConversation: async () => undefined,
    invoke: async (method: string, ...args: unknown[]) => {
      if (method === "MarkRead") marked.push(args);
      if (method !== "SendMessage") return undefined;
      sent.push(args[1] as string);
      return send(args[1] as string, args[2] as string);
    },
  };
  vi.spyOn(session, "hub").mockReturnValue(hub as unknown as ChatHubClient);
  vi.spyOn(session, "hubReady").mockResolvedValue(hub as unknown as ChatHubClient);
  return { sent, marked, push: (event: string, payload: unknown) => handlers.get(event)?.forEach((h) => h(payload)) };
}

/** How SignalR's client rejects an invocation the hub refused with a HubException. */
const refused = (words: string) => new Error(`An unexpected error occurred invoking 'SendMessage' on the server. HubException: ${words}`);

const log = () => within(screen.getByRole("log", { name: "Discussion" }));

function write(text: string) {
  fireEvent.input(screen.getByLabelText("Message"), { target: { value: text } });
}

describe("Discussion", () => {
  it("starts afresh in another conversation: no draft nor receipt of the last one carries over", async () => {
    signedIn({ id: "me", role: "member" });
    const direct = (id: string) => ({ id, kind: "direct", other_user: amira, unread_count: 0, last_message: null, last_activity_at: "2026-11-28T10:00:00Z", muted: false, can_send: true });
    stubPlatform(({ path }) => (path === "/api/v1/conversations" ? { status: 200, body: { items: [direct("c1"), direct("c2")], next_cursor: null } } : undefined));
    const { push } = connectedHub({ c1: [message("c1", 1, "Hello Amira")], c2: [message("c2", 1, "Hello again")] });

    const { rerender } = render(<Messages conversationId="c1" />);
    await log().findByText("Hello Amira");
    push("read", { conversation_id: "c1", user_id: "u-amira", read_seq: 1 });
    await log().findByText("Seen");
    write("half a thought for Amira");

    rerender(<Messages conversationId="c2" />);
    await log().findByText("Hello again");
    expect(log().queryByText("Seen")).toBeNull();
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("");
  });

  it("starts afresh in another thread of a community: no draft carries over", async () => {
    signedIn({ id: "me", role: "member" });
    const thread = (id: string) => ({ id, group_id: "g1", title: `Thread ${id}`, tags: [], pinned: false, author: amira });
    stubPlatform(({ path }) => (path.startsWith("/api/v1/threads/t") && !path.includes("/messages") ? { status: 200, body: thread(path.split("/")[4]!) } : undefined));
    connectedHub({ t1: [message("t1", 1, "First walk")], t2: [message("t2", 1, "Second walk")] });

    const { rerender } = render(<Communities groupId="g1" threadId="t1" />);
    await log().findByText("First walk");
    write("half a thought for the first walk");

    rerender(<Communities groupId="g1" threadId="t2" />);
    await log().findByText("Second walk");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("");
  });

  it("shows nothing of the last thread while the next loads, and says when the next could not be loaded", async () => {
    signedIn({ id: "me", role: "member" });
    const thread = (id: string) => ({ id, group_id: "g1", title: `Thread ${id}`, tags: [], pinned: false, author: amira, last_activity_at: "2026-11-28T10:00:00Z" });
    const group = { id: "g1", name: "Hikers", description: "", tags: [], member_count: 3, my_role: "owner", membership_status: "member", price_cents: 0, join_policy: "open", visibility: "public" };
    let t2: (reply: { status: number; body: unknown }) => void = () => undefined;
    stubPlatform(({ path }) => {
      if (path === "/api/v1/groups/g1") return { status: 200, body: group };
      if (path === "/api/v1/threads") return { status: 200, body: { items: [thread("t1"), thread("t2")], next_cursor: null } };
      if (path === "/api/v1/threads/t1") return { status: 200, body: thread("t1") };
      if (path === "/api/v1/threads/t2") return new Promise((resolve) => (t2 = resolve));
      return undefined;
    });
    connectedHub({ t1: [message("t1", 1, "First walk")], t2: [message("t2", 1, "Second walk")] });

    const { rerender } = render(<Communities groupId="g1" threadId="t1" />);
    await screen.findByRole("heading", { name: "Thread t1" });
    await screen.findByRole("button", { name: "Pin to the top" });

    rerender(<Communities groupId="g1" threadId="t2" />);
    await log().findByText("Second walk");
    expect(screen.queryByRole("heading", { name: "Thread t1" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Pin to the top" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete the thread" })).toBeNull();
    t2({ status: 503, body: { title: "Service Unavailable", status: 503, detail: "The messaging service is unavailable." } });
    await screen.findByText("This thread could not be loaded. The messaging service is unavailable.");
    expect(screen.getByRole("heading", { level: 2, name: "Discussion" })).toBeTruthy();
  });

  it("deletes a file taken off the draft at the platform, where an unsent file holds one of its places", async () => {
    signedIn({ id: "me", role: "member" });
    const direct = { id: "c1", kind: "direct", other_user: amira, unread_count: 0, last_message: null, last_activity_at: "2026-11-28T10:00:00Z", muted: false, can_send: true };
    const file = { id: "f1", content_type: "application/pdf", file_name: "plan.pdf", size_bytes: 3, url: "/api/v1/conversations/c1/attachments/f1/content" };
    const asked = stubPlatform(({ method, path }) =>
      path === "/api/v1/conversations"
        ? { status: 200, body: { items: [direct], next_cursor: null } }
        : method === "POST" && path === "/api/v1/conversations/c1/attachments"
          ? { status: 201, body: file }
          : method === "DELETE"
            ? { status: 204 }
            : undefined,
    );
    connectedHub({ c1: [message("c1", 1, "Hello Amira")] });
    render(<Messages conversationId="c1" />);
    await log().findByText("Hello Amira");

    fireEvent.change(screen.getByLabelText("Attach a file"), { target: { files: [new File(["%PDF"], "plan.pdf", { type: "application/pdf" })] } });
    fireEvent.click(await screen.findByRole("button", { name: "Remove plan.pdf" }));
    await waitFor(() => expect(asked.some((a) => a.method === "DELETE")).toBe(true));
    expect(asked.filter((a) => a.method === "DELETE").map((a) => a.path)).toEqual(["/api/v1/conversations/c1/attachments/f1"]);
    expect(screen.queryByRole("button", { name: "Remove plan.pdf" })).toBeNull();
  });

  it("says a message the hub refuses for good, drops it and sends the ones after it", async () => {
    signedIn({ id: "me", role: "member" });
    const { sent } = connectedHub({}, async (text, txn) => {
      if (text === "About that message") throw refused("404 Not Found: The message you reply to was deleted.");
      return message("c1", 2, text, me, txn);
    });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await waitFor(() => expect(log().getByText("No messages yet. Say hello!")).toBeTruthy());

    write("About that message");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    expect((await screen.findByRole("alert")).textContent).toBe("404 Not Found: The message you reply to was deleted.");
    // its words are back in the composer, not lost
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("About that message");
    write("Anyway, see you Sunday");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);

    await log().findByRole("article", { name: /^Me,/ });
    expect(log().getByText("Anyway, see you Sunday")).toBeTruthy();
    expect(log().queryByRole("article", { name: "You, sending" })).toBeNull();
    expect(sent).toEqual(["About that message", "Anyway, see you Sunday"]);
  });

  it("keeps the words of a message refused for good beside a draft written meanwhile", async () => {
    signedIn({ id: "me", role: "member" });
    let release: () => void = () => undefined;
    connectedHub({}, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      throw refused("403 Forbidden: You can no longer send messages here.");
    });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await waitFor(() => expect(log().getByText("No messages yet. Say hello!")).toBeTruthy());

    write("The long message I wrote");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await waitFor(() => expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe(""));
    write("A new draft");
    release();
    expect((await screen.findByRole("alert")).textContent).toBe("403 Forbidden: You can no longer send messages here.");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("A new draft");
    const kept = within(screen.getByRole("list", { name: "Not sent: copy what you want to keep." }));
    expect(kept.getByText("The long message I wrote")).toBeTruthy();
  });

  it("keeps words where they can be copied when nothing more may be sent here: a refusal's, and a draft's", async () => {
    signedIn({ id: "me", role: "member" });
    let release: () => void = () => undefined;
    connectedHub({}, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      throw refused("403 Forbidden: You can no longer send messages here.");
    });
    const { rerender } = render(<Discussion conversationId="c1" title="Amira" canSend />);
    await waitFor(() => expect(log().getByText("No messages yet. Say hello!")).toBeTruthy());
    write("The long message I wrote");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await waitFor(() => expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe(""));
    write("And a second thought");

    // blocked meanwhile: the list, loaded again, says nothing more may be sent; the composer goes
    rerender(<Discussion conversationId="c1" title="Amira" canSend={false} />);
    release();
    expect((await screen.findByRole("alert")).textContent).toBe("403 Forbidden: You can no longer send messages here.");
    expect(screen.queryByLabelText("Message")).toBeNull();
    const kept = within(screen.getByRole("list", { name: "Not sent: copy what you want to keep." }));
    expect(kept.getByText("The long message I wrote")).toBeTruthy();
    expect(kept.getByText("And a second thought")).toBeTruthy();
  });

  it("ends an edit and takes the files off when nothing more may be sent here: allowed again, none of it comes back", async () => {
    signedIn({ id: "me", role: "member" });
    const file = { id: "f1", content_type: "application/pdf", file_name: "plan.pdf", size_bytes: 3, url: "/api/v1/conversations/c1/attachments/f1/content" };
    const asked = stubPlatform(({ method, path }) =>
      method === "POST" && path === "/api/v1/conversations/c1/attachments" ? { status: 201, body: file } : method === "DELETE" ? { status: 204 } : undefined,
    );
    connectedHub({ c1: [message("c1", 1, "Meet at nine"), message("c1", 2, "Who brings bread?", amira)] });
    const { rerender } = render(<Discussion conversationId="c1" title="Amira" canSend />);
    fireEvent.click(await log().findByRole("button", { name: "Reply to: Who brings bread?" }));
    fireEvent.change(screen.getByLabelText("Attach a file"), { target: { files: [new File(["%PDF"], "plan.pdf", { type: "application/pdf" })] } });
    await screen.findByRole("button", { name: "Remove plan.pdf" });
    write("I bring the map");
    fireEvent.click(log().getByRole("button", { name: "Edit message: Meet at nine" }));
    write("Meet at ten");

    // blocked meanwhile: the composer goes, and what was being written can be copied
    rerender(<Discussion conversationId="c1" title="Amira" canSend={false} />);
    const kept = within(screen.getByRole("list", { name: "Not sent: copy what you want to keep." }));
    expect(kept.getByText("I bring the map")).toBeTruthy();
    expect(kept.getByText("Meet at ten")).toBeTruthy();
    await waitFor(() => expect(asked.filter((a) => a.method === "DELETE").map((a) => a.path)).toEqual(["/api/v1/conversations/c1/attachments/f1"]));

    // unblocked: an empty composer, neither the edit, the reply nor the file still on it
    rerender(<Discussion conversationId="c1" title="Amira" canSend />);
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("");
    expect(screen.queryByText(/Editing a message/)).toBeNull();
    expect(screen.queryByText(/Replying to/)).toBeNull();
    expect(screen.queryByRole("button", { name: "Remove plan.pdf" })).toBeNull();
    expect(screen.getByRole("button", { name: "Send" })).toBeTruthy();
  });

  it("deletes a file still uploading when nothing more may be sent here, and keeps no unchanged edit as unsent", async () => {
    signedIn({ id: "me", role: "member" });
    const file = { id: "f2", content_type: "application/pdf", file_name: "late.pdf", size_bytes: 3, url: "/api/v1/conversations/c1/attachments/f2/content" };
    let uploaded: () => void = () => undefined;
    const asked = stubPlatform(async ({ method, path }) => {
      if (method === "POST" && path === "/api/v1/conversations/c1/attachments") {
        await new Promise<void>((resolve) => (uploaded = resolve));
        return { status: 201, body: file };
      }
      return method === "DELETE" ? { status: 204 } : undefined;
    });
    connectedHub({ c1: [message("c1", 1, "Meet at nine")] });
    const { rerender } = render(<Discussion conversationId="c1" title="Amira" canSend />);
    await log().findByText("Meet at nine");
    fireEvent.change(screen.getByLabelText("Attach a file"), { target: { files: [new File(["%PDF"], "late.pdf", { type: "application/pdf" })] } });
    await waitFor(() => expect(asked.some((a) => a.method === "POST")).toBe(true));
    fireEvent.click(log().getByRole("button", { name: "Edit message: Meet at nine" }));

    rerender(<Discussion conversationId="c1" title="Amira" canSend={false} />);
    uploaded();
    await waitFor(() => expect(asked.filter((a) => a.method === "DELETE").map((a) => a.path)).toEqual(["/api/v1/conversations/c1/attachments/f2"]));
    // the message's own words, unchanged, were sent long ago: nothing to copy
    expect(screen.queryByRole("list", { name: "Not sent: copy what you want to keep." })).toBeNull();

    rerender(<Discussion conversationId="c1" title="Amira" canSend />);
    expect(screen.queryByRole("button", { name: "Remove late.pdf" })).toBeNull();
    expect(screen.queryByText(/Editing a message/)).toBeNull();
  });

  it("keeps the words of an edit that fails once nothing more may be sent here, instead of putting the edit back", async () => {
    signedIn({ id: "me", role: "member" });
    connectedHub({ c1: [message("c1", 1, "Meet at nine")] });
    const hub = session.hub()!;
    const send = hub.invoke;
    let fail: () => void = () => undefined;
    vi.spyOn(hub, "invoke").mockImplementation((async (method: string, ...args: unknown[]) => {
      if (method !== "EditMessage") return (send as (...all: unknown[]) => unknown)(method, ...args);
      await new Promise<void>((resolve) => (fail = resolve));
      throw refused("403 Forbidden: You can no longer send messages here.");
    }) as typeof hub.invoke);
    const { rerender } = render(<Discussion conversationId="c1" title="Amira" canSend />);
    fireEvent.click(await log().findByRole("button", { name: "Edit message: Meet at nine" }));
    write("Meet at ten");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);

    rerender(<Discussion conversationId="c1" title="Amira" canSend={false} />);
    fail();
    const kept = within(await screen.findByRole("list", { name: "Not sent: copy what you want to keep." }));
    expect(kept.getByText("Meet at ten")).toBeTruthy();
    rerender(<Discussion conversationId="c1" title="Amira" canSend />);
    expect(screen.queryByText(/Editing a message/)).toBeNull();
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("");
  });

  it("marks a conversation opened in a background tab read once the tab is looked at", async () => {
    signedIn({ id: "me", role: "member" });
    const visibility = vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    const { marked } = connectedHub({ c1: [message("c1", 1, "Hello", amira), message("c1", 2, "Are you there?", amira)] });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await log().findByText("Are you there?");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(marked).toEqual([]);

    visibility.mockReturnValue("visible");
    document.dispatchEvent(new Event("visibilitychange"));
    await waitFor(() => expect(marked).toEqual([["c1", 2]]));
  });

  it("keeps a message the hub may take later (the rate limit) and sends it again on the next try", async () => {
    signedIn({ id: "me", role: "member" });
    let limited = true;
    const { sent, push } = connectedHub({}, async (text, txn) => {
      if (limited) throw refused("Too many SendMessage calls: at most 2 per second. Slow down.");
      return message("c1", 1, text, me, txn);
    });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await waitFor(() => expect(log().getByText("No messages yet. Say hello!")).toBeTruthy());

    write("Quick one");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await log().findByText("waiting for the connection…");
    expect(screen.queryByRole("alert")?.textContent ?? "").toBe("");

    limited = false;
    push("#rejoined", { conversation_id: "c1" });
    await log().findByRole("article", { name: /^Me,/ });
    expect(log().queryByRole("article", { name: "You, sending" })).toBeNull();
    expect(sent).toEqual(["Quick one", "Quick one"]);
  });

  it("keeps a message waiting when its conversation is left: opened again, it shows it and sends it under the same client_txn_id", async () => {
    signedIn({ id: "me", role: "member" });
    const direct = (id: string) => ({ id, kind: "direct", other_user: amira, unread_count: 0, last_message: null, last_activity_at: "2026-11-28T10:00:00Z", muted: false, can_send: true });
    stubPlatform(({ path }) => (path === "/api/v1/conversations" ? { status: 200, body: { items: [direct("c1"), direct("c2")], next_cursor: null } } : undefined));
    let down = true;
    const txns: string[] = [];
    connectedHub({ c1: [message("c1", 1, "Who brings the map?", amira)], c2: [message("c2", 1, "Hello again")] }, async (text, txn) => {
      txns.push(txn);
      if (down) throw new Error("WebSocket closed with status code: 1006");
      return message("c1", 2, text, me, txn);
    });

    const { rerender } = render(<Messages conversationId="c1" />);
    await log().findByText("Who brings the map?");
    write("I do, see you at nine");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await log().findByText("waiting for the connection…");

    // another conversation opened: the message is not shown there, nor lost
    rerender(<Messages conversationId="c2" />);
    await log().findByText("Hello again");
    expect(log().queryByText("I do, see you at nine")).toBeNull();
    rerender(<Messages conversationId="c1" />);
    await log().findByText("Who brings the map?");
    expect(log().getByRole("article", { name: "You, sending" }).textContent).toContain("I do, see you at nine");

    // the page left, and opened again once the connection is back: it is sent
    cleanup();
    down = false;
    render(<Messages conversationId="c1" />);
    await waitFor(() => expect(document.querySelector('[data-seq="2"]')?.textContent).toContain("I do, see you at nine"));
    expect(log().queryByRole("article", { name: "You, sending" })).toBeNull();
    expect(txns.length).toBeGreaterThan(1);
    expect(new Set(txns).size).toBe(1);
  });

  it("keeps a message waiting for the account that wrote it, also past a session the platform ended: another one signed in neither sees nor sends it, and a sign-out forgets it", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ path }) => (path === "/api/v1/auth/logout" ? { status: 204 } : undefined));
    let down = true;
    const { sent } = connectedHub({}, async (text, txn) => {
      if (down) throw new Error("WebSocket closed with status code: 1006");
      return message("c1", 1, text, me, txn);
    });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await waitFor(() => expect(log().getByText("No messages yet. Say hello!")).toBeTruthy());
    write("Mine alone");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await log().findByText("waiting for the connection…");
    cleanup();

    down = false;
    signedIn({ id: "olga", role: "member" });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await waitFor(() => expect(log().getByText("No messages yet. Say hello!")).toBeTruthy());
    expect(log().queryByText("Mine alone")).toBeNull();
    expect(sent).toEqual(["Mine alone"]);
    cleanup();

    // the account that wrote it, back: it still waits
    down = true;
    signedIn({ id: "me", role: "member" });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    expect((await log().findByRole("article", { name: "You, sending" })).textContent).toContain("Mine alone");
    cleanup();
    expect(sessionStorage.getItem("community.outbox")).toContain("Mine alone");

    // the platform ended the session (a refresh refused): it still waits for the account, signed in again
    (session as unknown as { end(reason: string | null): void }).end("Your session ended. Sign in again.");
    expect(sessionStorage.getItem("community.outbox")).toContain("Mine alone");
    signedIn({ id: "me", role: "member" });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    expect((await log().findByRole("article", { name: "You, sending" })).textContent).toContain("Mine alone");
    cleanup();

    down = false;
    await session.signOut();
    expect(sessionStorage.getItem("community.outbox")).toBeNull();
    signedIn({ id: "me", role: "member" });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await waitFor(() => expect(log().getByText("No messages yet. Say hello!")).toBeTruthy());
    expect(log().queryByText("Mine alone")).toBeNull();
    // tried once more while it waited (the connection down), and never after the sign-out
    expect(sent).toEqual(["Mine alone", "Mine alone", "Mine alone"]);
  });

  it("changes a message edited or deleted live where it is shown, and never puts one older than those shown in the log", async () => {
    signedIn({ id: "me", role: "member" });
    const reply = { ...message("c1", 11, "Agreed, see you there", amira), reply_to: "c1-5" } as Message;
    const asked = stubPlatform(({ path, url }) => {
      if (path === "/api/v1/conversations/c1/messages/c1-5") return { status: 200, body: message("c1", 5, "Meet at the bridge at nine") };
      if (path === "/api/v1/conversations/c1/messages") return { status: 200, body: { items: Number(url.searchParams.get("before_seq")) === 10 ? [message("c1", 9, "Who brings the map?")] : [], has_more: false } };
      return undefined;
    });
    const { push } = connectedHub({ c1: [message("c1", 10, "Nine it is"), reply] }, undefined, true);
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await screen.findByRole("button", { name: "Replying to you: “Meet at the bridge at nine”" });

    push("message_updated", { ...message("c1", 10, "Half past nine it is"), edited_at: "2026-11-28T10:05:00Z" });
    await log().findByText("Half past nine it is");
    // an older edit told late changes nothing
    push("message_updated", { ...message("c1", 10, "Nine thirty"), edited_at: "2026-11-28T10:04:00Z" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log().getByText("Half past nine it is")).toBeTruthy();
    expect(log().queryByText("Nine thirty")).toBeNull();
    push("message_deleted", { ...message("c1", 5, ""), text: null, deleted_at: "2026-11-28T10:06:00Z" });
    await screen.findByRole("button", { name: "Replying to a deleted message" });
    push("message_updated", { ...message("c1", 3, "An old one, edited"), edited_at: "2026-11-28T10:07:00Z" });
    expect(log().queryByText("An old one, edited")).toBeNull();
    expect([...document.querySelectorAll("[data-seq]")].map((m) => m.getAttribute("data-seq"))).toEqual(["10", "11"]);

    fireEvent.click(log().getByRole("button", { name: "Load older messages" }));
    await log().findByText("Who brings the map?");
    expect(asked.filter((a) => a.path === "/api/v1/conversations/c1/messages").map((a) => a.url.searchParams.get("before_seq"))).toEqual(["10"]);

    // an edit told after the message's deletion does not bring its words back
    push("message_deleted", { ...message("c1", 10, ""), text: null, deleted_at: "2026-11-28T10:08:00Z" });
    await waitFor(() => expect(log().queryByText("Half past nine it is")).toBeNull());
    push("message_updated", { ...message("c1", 10, "Half past nine, sorry"), edited_at: "2026-11-28T10:07:30Z" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log().queryByText("Half past nine, sorry")).toBeNull();
  });

  it("reads the messages shown again on a reconnect: edits and deletions made while it was down are applied, a message waiting stays", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ path }) =>
      path === "/api/v1/conversations/c1/messages"
        ? {
            status: 200,
            body: {
              items: [
                message("c1", 1, "Who brings the map?", amira),
                { ...message("c1", 2, "I do, the new one"), edited_at: "2026-11-28T10:05:00Z" },
                { ...message("c1", 3, ""), text: null, deleted_at: "2026-11-28T10:06:00Z" },
              ],
              has_more: false,
              last_seq: 3,
            },
          }
        : undefined,
    );
    const { push } = connectedHub({ c1: [message("c1", 1, "Who brings the map?", amira), message("c1", 2, "I do"), message("c1", 3, "And the snacks")] }, async () => {
      throw new Error("WebSocket closed with status code: 1006");
    });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await log().findByText("And the snacks");
    write("See you at nine");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await log().findByText("waiting for the connection…");

    push("#rejoined", { conversation_id: "c1", caught_up: 0 });
    await log().findByText("I do, the new one");
    expect(log().getByText("This message was deleted.")).toBeTruthy();
    expect(log().queryByText("And the snacks")).toBeNull();
    expect(log().getByText("See you at nine")).toBeTruthy();
    expect([...document.querySelectorAll("[data-seq]")].map((m) => m.getAttribute("data-seq"))).toEqual(["1", "2", "3"]);
    const reads = asked.filter((a) => a.path === "/api/v1/conversations/c1/messages");
    expect(reads.map((a) => [a.url.searchParams.get("before_seq"), a.url.searchParams.get("limit")])).toEqual([["4", "3"]]);
  });

  it("asks afresh for what a reply quotes in a discussion opened again: a message deleted or hidden since is not shown as it was", async () => {
    signedIn({ id: "me", role: "member" });
    let quoted = message("c1", 5, "Meet at the bridge at nine", amira);
    const asked = stubPlatform(({ path }) => (path === "/api/v1/conversations/c1/messages/c1-5" ? { status: 200, body: quoted } : undefined));
    connectedHub({ c1: [{ ...message("c1", 11, "Agreed"), reply_to: "c1-5" } as Message] });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await screen.findByRole("button", { name: "Replying to Amira: “Meet at the bridge at nine”" });
    cleanup();

    quoted = { ...quoted, text: null, hidden: true } as Message;
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await screen.findByRole("button", { name: "Replying to a hidden message" });
    expect(screen.queryByText(/Meet at the bridge/)).toBeNull();
    expect(asked.filter((a) => a.path === "/api/v1/conversations/c1/messages/c1-5")).toHaveLength(2);
  });
});

describe("a conversation deleted while open", () => {
  /** The discussion of thread t1 open, with a message of Amira's shown and one of mine waiting for the connection. */
  async function openWithOneWaiting() {
    signedIn({ id: "me", role: "member" });
    let down = true;
    const hub = connectedHub({ t1: [message("t1", 1, "Who brings the map?", amira)] }, async (text, txn) => {
      if (down) throw new Error("WebSocket closed with status code: 1006");
      return message("t1", 2, text, me, txn);
    });
    render(<Discussion conversationId="t1" title="Dawn ride" canSend thread />);
    await log().findByText("Who brings the map?");
    write("I do, see you at nine");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await log().findByText("waiting for the connection…");
    write("And the snacks?");
    return { ...hub, back: () => (down = false) };
  }

  /** Closed: the notice said, nothing of it shown, the composer off, and what was not sent shown to be copied. */
  async function closedSaying(notice: string) {
    await statusSaying(notice);
    expect(screen.queryByRole("log", { name: "Discussion" })).toBeNull();
    expect(screen.queryByText("Who brings the map?")).toBeNull();
    const composer = screen.getByLabelText("Message") as HTMLTextAreaElement;
    expect(composer.disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    const unsent = within(screen.getByRole("list", { name: "Not sent: copy what you want to keep." }));
    expect(unsent.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["I do, see you at nine", "And the snacks?"]);
  }

  it("closes on the hub's conversation_closed: its messages go, the notice says why, and what waited is never sent there", async () => {
    const { push, sent, back } = await openWithOneWaiting();
    push("conversation_closed", { conversation_id: "t2", reason: "thread_deleted" }); // another conversation's
    expect(log().getByText("Who brings the map?")).toBeTruthy();

    push("conversation_closed", { conversation_id: "t1", reason: "thread_deleted" });
    await closedSaying("This thread was deleted.");
    expect(sessionStorage.getItem("community.outbox")).toBeNull();

    // the connection back, and the next try (a reconnect's, as every 3 s's): nothing is sent there
    back();
    push("#rejoined", { conversation_id: "t1", caught_up: 0 });
    push("new_message", message("t1", 3, "A late one", amira));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toEqual(["I do, see you at nine"]);
    expect(screen.queryByText("A late one")).toBeNull();
  });

  it("says the whole group was deleted when it was", async () => {
    const { push } = await openWithOneWaiting();
    push("conversation_closed", { conversation_id: "t1", reason: "group_deleted" });
    await closedSaying("This group was deleted.");
  });

  it("closes when the messages read again after a reconnect answer 404, instead of showing them as they were", async () => {
    const { push } = await openWithOneWaiting();
    stubPlatform(({ path }) => (path === "/api/v1/conversations/t1/messages" ? { status: 404, body: { title: "Not Found", status: 404, detail: "No such conversation." } } : undefined));
    push("#rejoined", { conversation_id: "t1", caught_up: 0 });
    await closedSaying("This thread was deleted, or you can no longer read it.");
  });

  it("closes when joining it again after a reconnect answers 404", async () => {
    const { push } = await openWithOneWaiting();
    push("#rejoin-failed", { conversation_id: "t1", error: new Error("An unexpected error occurred invoking 'JoinConversation' on the server. HubException: 404 Not Found: No such conversation.") });
    await closedSaying("This thread was deleted, or you can no longer read it.");
  });

  it("stays open when joining it again failed for a while (the connection down again)", async () => {
    const { push } = await openWithOneWaiting();
    (session.hub() as unknown as { state: string }).state = "Reconnecting";
    push("#rejoin-failed", { conversation_id: "t1", error: new Error("WebSocket closed with status code: 1006") });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log().getByText("Who brings the map?")).toBeTruthy();
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).disabled).toBe(false);
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("says when joining it again was refused with the connection up, and joins it again on a press", async () => {
    const { push } = await openWithOneWaiting();
    const hub = session.hub() as unknown as { joinConversation: (id: string) => Promise<unknown> };
    const joined: string[] = [];
    hub.joinConversation = async (id) => {
      joined.push(id);
      return { items: [message("t1", 1, "Who brings the map?", amira), message("t1", 3, "Anyone?", amira)], has_more: false };
    };
    push("#rejoin-failed", {
      conversation_id: "t1",
      error: new Error("An unexpected error occurred invoking 'JoinConversation' on the server. HubException: 503 Service Unavailable: try again"),
    });
    expect((await screen.findByRole("alert")).textContent).toBe("503 Service Unavailable: try again");
    expect(log().getByText("Who brings the map?")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await log().findByText("Anyone?");
    expect(joined).toEqual(["t1"]);
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("ends what a failed rejoin said once the SDK joins it again on its own: no alert, no Try again", async () => {
    const { push } = await openWithOneWaiting();
    push("#rejoin-failed", {
      conversation_id: "t1",
      error: new Error("An unexpected error occurred invoking 'JoinConversation' on the server. HubException: 503 Service Unavailable: try again"),
    });
    expect((await screen.findByRole("alert")).textContent).toBe("503 Service Unavailable: try again");
    push("#rejoined", { conversation_id: "t1", caught_up: 0 });
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });
});

describe("who is typing", () => {
  it("is named by the hub's signal, also one with no message shown", async () => {
    signedIn({ id: "me", role: "member" });
    const { push } = connectedHub({ c1: [] });
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await screen.findByText("No messages yet. Say hello!");
    const signal = { conversation_id: "c1", user_id: "u-amira", username: "amira", display_name: "Amira" };
    // as the SDK does: its own typing change first, then the hub's event
    push("#typing", { ...signal, typing: true });
    push("typing", signal);
    await screen.findByText("Amira is typing…");
  });
});

describe("opening a conversation", () => {
  /** A hub whose joins answer, in turn, as `answers` say: an error is the hub's refusal. */
  function joins(...answers: (Message[] | Error)[]) {
    const hub = connectedHub({});
    const asked: string[] = [];
    (session.hub() as unknown as { joinConversation: (id: string) => Promise<unknown> }).joinConversation = async (id) => {
      asked.push(id);
      const answer = answers.shift()!;
      if (answer instanceof Error) throw answer;
      return { items: answer, has_more: false };
    };
    return { ...hub, asked };
  }
  const joinRefused = (words: string) => new Error(`An unexpected error occurred invoking 'JoinConversation' on the server. HubException: ${words}`);

  it("says a refused join in the hub's words instead of an empty conversation, and tries again on a press", async () => {
    signedIn({ id: "me", role: "member" });
    const { asked } = joins(joinRefused("503 Service Unavailable: try again"), [message("c1", 1, "Hello from Amira", amira)]);
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    expect((await screen.findByRole("alert")).textContent).toBe("503 Service Unavailable: try again");
    expect(screen.queryByText("No messages yet. Say hello!")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await log().findByText("Hello from Amira");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
    expect(asked).toEqual(["c1", "c1"]);
  });

  it("tries a failed join again when the hub is back", async () => {
    signedIn({ id: "me", role: "member" });
    joins(new Error("WebSocket closed with status code: 1006"), [message("c1", 1, "Back again", amira)]);
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    expect((await screen.findByRole("alert")).textContent).toBe("This conversation could not be opened.");
    dispatchEvent(new Event(resync));
    await log().findByText("Back again");
  });

  it("closes when joining it answers 404: deleted, or no longer mine to read", async () => {
    signedIn({ id: "me", role: "member" });
    joins(joinRefused("404 Not Found: No such conversation."));
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await statusSaying("This conversation was deleted, or you can no longer read it.");
    expect(screen.queryByRole("log", { name: "Discussion" })).toBeNull();
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).disabled).toBe(true);
  });
});

describe("editing a message", () => {
  it("puts the edit back when it could not be saved (the connection down), to be saved again", async () => {
    signedIn({ id: "me", role: "member" });
    connectedHub({ c1: [message("c1", 1, "Meet at nine")] });
    const hub = session.hub()!;
    const send = hub.invoke;
    let down = true;
    vi.spyOn(hub, "invoke").mockImplementation((async (method: string, ...args: unknown[]) => {
      if (method !== "EditMessage") return (send as (...all: unknown[]) => unknown)(method, ...args);
      if (down) throw new Error("Cannot send data if the connection is not in the 'Connected' State.");
      return { ...message("c1", 1, args[2] as string), edited_at: "2026-11-28T10:05:00Z" };
    }) as typeof hub.invoke);
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    fireEvent.click(await log().findByRole("button", { name: "Edit message: Meet at nine" }));
    write("Meet at half past nine");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);

    expect((await screen.findByRole("alert")).textContent).toBe("The message could not be edited.");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("Meet at half past nine");
    expect(screen.getByText(/Editing a message/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Save" })).toBeTruthy();

    down = false;
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await log().findByText("Meet at half past nine");
    expect(log().queryByText("Meet at nine")).toBeNull();
    expect(screen.queryByText(/Editing a message/)).toBeNull();
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("");
  });

  it("leaves what was written meanwhile as it is when the edit fails later", async () => {
    signedIn({ id: "me", role: "member" });
    connectedHub({ c1: [message("c1", 1, "Meet at nine")] });
    const hub = session.hub()!;
    let fail: (e: Error) => void = () => undefined;
    vi.spyOn(hub, "invoke").mockImplementation(((method: string) => (method === "EditMessage" ? new Promise((_, reject) => (fail = reject)) : Promise.resolve(undefined))) as typeof hub.invoke);
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    fireEvent.click(await log().findByRole("button", { name: "Edit message: Meet at nine" }));
    write("Meet at half past nine");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);
    await waitFor(() => expect(screen.queryByText(/Editing a message/)).toBeNull());
    write("And bring water");
    fail(new Error("WebSocket closed with status code: 1006"));

    expect((await screen.findByRole("alert")).textContent).toBe("The message could not be edited.");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("And bring water");
    expect(screen.queryByText(/Editing a message/)).toBeNull();
  });

  it("gives back what was being written when an edit is given up or saved, and a reply started meanwhile ends the edit", async () => {
    signedIn({ id: "me", role: "member" });
    const { sent } = connectedHub({ c1: [message("c1", 1, "Meet at nine"), message("c1", 2, "Who brings bread?", amira)] });
    const hub = session.hub()!;
    const send = hub.invoke;
    vi.spyOn(hub, "invoke").mockImplementation((async (method: string, ...args: unknown[]) => {
      if (method !== "EditMessage") return (send as (...all: unknown[]) => unknown)(method, ...args);
      return { ...message("c1", 1, args[2] as string), edited_at: "2026-11-28T10:05:00Z" };
    }) as typeof hub.invoke);
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    const box = () => screen.getByLabelText("Message") as HTMLTextAreaElement;
    fireEvent.click(await log().findByRole("button", { name: "Reply to: Who brings bread?" }));
    write("I bring the bread and");

    fireEvent.click(log().getByRole("button", { name: "Edit message: Meet at nine" }));
    expect(box().value).toBe("Meet at nine");
    fireEvent.click(screen.getByRole("button", { name: "Cancel editing" }));
    expect(box().value).toBe("I bring the bread and");
    expect(screen.getByText(/Replying to Amira/)).toBeTruthy();

    fireEvent.click(log().getByRole("button", { name: "Edit message: Meet at nine" }));
    write("Meet at half past nine");
    fireEvent.submit(box().closest("form")!);
    await log().findByText("Meet at half past nine");
    expect(box().value).toBe("I bring the bread and");
    expect(screen.getByText(/Replying to Amira/)).toBeTruthy();

    // Reply pressed while editing: the edit is given up, not sent as a new message
    fireEvent.click(log().getByRole("button", { name: "Edit message: Meet at half past nine" }));
    fireEvent.click(log().getByRole("button", { name: "Reply to: Who brings bread?" }));
    expect(screen.queryByText(/Editing a message/)).toBeNull();
    expect(box().value).toBe("I bring the bread and");
    expect(sent).toEqual([]);
  });

  it("counts a message's replies as its list shows them: none hidden by a block nor deleted", async () => {
    signedIn({ id: "me", role: "member" });
    const reply = (seq: number, more: object) => ({ ...message("t1", seq, `Reply ${seq}`, amira), reply_to: "t1-1", ...more }) as Message;
    connectedHub({ t1: [message("t1", 1, "Who runs Saturday?", amira), reply(2, {}), reply(3, { hidden: true, text: null }), reply(4, { deleted_at: "2026-11-28T10:05:00Z" })] });
    render(<Discussion conversationId="t1" title="Saturday" canSend thread />);
    expect(await screen.findByRole("button", { name: "1 reply" })).toBeTruthy();
  });

  it("sends nothing on an Enter pressed while a file is on its way, and sends the words with the file once it is attached", async () => {
    signedIn({ id: "me", role: "member" });
    const file = { id: "f1", content_type: "application/pdf", file_name: "plan.pdf", size_bytes: 3, url: "/api/v1/conversations/c1/attachments/f1/content" };
    let attach: () => void = () => undefined;
    const asked = stubPlatform(({ method, path, body }) =>
      method === "POST" && path === "/api/v1/conversations/c1/attachments"
        ? new Promise((resolve) => (attach = () => resolve({ status: 201, body: file })))
        : method === "POST" && path === "/api/v1/conversations/c1/messages"
          ? { status: 201, body: { ...message("c1", 1, (body as { text: string }).text, me), attachments: [file] } }
          : undefined,
    );
    const { sent } = connectedHub({ c1: [] }, async (text, txn) => message("c1", 1, text, me, txn));
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await screen.findByLabelText("Message");
    fireEvent.change(screen.getByLabelText("Attach a file"), { target: { files: [new File(["%PDF"], "plan.pdf", { type: "application/pdf" })] } });
    await screen.findByText("Attaching…");
    write("Here is the plan");
    fireEvent.keyDown(screen.getByLabelText("Message"), { key: "Enter" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toEqual([]);
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("Here is the plan");

    attach();
    await screen.findByRole("button", { name: "Remove plan.pdf" });
    fireEvent.keyDown(screen.getByLabelText("Message"), { key: "Enter" });
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/conversations/c1/messages")).toHaveLength(1));
    const posted = asked.find((a) => a.path === "/api/v1/conversations/c1/messages")!.body as { text: string; attachments: string[] };
    expect(posted).toMatchObject({ text: "Here is the plan", attachments: ["f1"] });
    expect(sent).toEqual([]);
    expect(screen.queryByRole("button", { name: "Remove plan.pdf" })).toBeNull();
  });

  it("sends nothing on the Enter that picks an input method's word, and sends on the Enter after it", async () => {
    signedIn({ id: "me", role: "member" });
    const { sent } = connectedHub({ c1: [] }, async (text, txn) => message("c1", 1, text, me, txn));
    render(<Discussion conversationId="c1" title="Amira" canSend />);
    await screen.findByLabelText("Message");
    write("こんにちは");
    fireEvent.keyDown(screen.getByLabelText("Message"), { key: "Enter", isComposing: true });
    fireEvent.keyDown(screen.getByLabelText("Message"), { key: "Enter", keyCode: 229 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toEqual([]);

    fireEvent.keyDown(screen.getByLabelText("Message"), { key: "Enter" });
    await waitFor(() => expect(sent).toEqual(["こんにちは"]));
  });
});

describe("leaving while the hub gets ready", () => {
  it("joins nothing of a conversation left before the hub was ready", async () => {
    signedIn({ id: "me", role: "member" });
    connectedHub({ c1: [message("c1", 1, "Hello")], c2: [message("c2", 1, "Hi there")] });
    const hub = session.hub()!;
    const joined: string[] = [];
    const join = hub.joinConversation.bind(hub);
    vi.spyOn(hub, "joinConversation").mockImplementation((id: string, since?: number | null) => (joined.push(id), join(id, since ?? null)));
    let ready: (hub: ChatHubClient) => void = () => undefined;
    vi.spyOn(session, "hubReady").mockReturnValue(new Promise<ChatHubClient>((resolve) => (ready = resolve)));

    const { rerender } = render(<Discussion key="c1" conversationId="c1" title="Amira" canSend />);
    rerender(<Discussion key="c2" conversationId="c2" title="Omar" canSend />);
    ready(hub);
    await log().findByText("Hi there");
    expect(joined).toEqual(["c2"]);
  });
});

describe("the conversation list", () => {
  it("says what a last message without words is: a file, hidden by a block, or deleted", async () => {
    signedIn({ id: "me", role: "member" });
    const preview = (text: string | null, more: object) => ({ id: "m", seq: 1, sender_id: "u-amira", text, deleted: false, hidden: false, attachment_count: 0, created_at: "2026-11-28T10:00:00Z", ...more });
    const direct = (id: string, name: string, last: object) => ({ id, kind: "direct", other_user: { ...amira, display_name: name }, unread_count: 0, last_message: last, last_activity_at: "2026-11-28T10:00:00Z", muted: false, can_send: true });
    stubPlatform(({ path }) =>
      path === "/api/v1/conversations"
        ? {
            status: 200,
            body: {
              items: [direct("c1", "Amira", preview(null, { attachment_count: 1 })), direct("c2", "Bilal", preview(null, { hidden: true })), direct("c3", "Chen", preview(null, { deleted: true })), direct("c4", "Dana", preview("See you", {}))],
              next_cursor: null,
            },
          }
        : undefined,
    );
    connectedHub({});
    render(<Messages />);
    expect(await screen.findByText(/^\(a file\) · /)).toBeTruthy();
    expect(screen.getByText(/^\(hidden\) · /)).toBeTruthy();
    expect(screen.getByText(/^\(deleted\) · /)).toBeTruthy();
    expect(screen.getByText(/^See you · /)).toBeTruthy();
  });
});
