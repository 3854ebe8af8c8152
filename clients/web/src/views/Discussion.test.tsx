import type { ChatHubClient, messaging } from "@community/sdk";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { signedIn, stubPlatform } from "../lib/testing";
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
 * A connected chat hub: joining answers `pages[id]`, SendMessage answers as `send` says (the sent message, or a
 * rejection as SignalR gives the server's), and `push` calls the view's handlers of a hub event.
 */
function connectedHub(pages: Record<string, Message[]>, send: (text: string, txn: string) => Promise<Message> = async () => message("c1", 99, "?")) {
  const handlers = new Map<string, ((payload: any) => void)[]>();
  const listen = (event: string, handler: (payload: any) => void) => {
    handlers.set(event, [...(handlers.get(event) ?? []), handler]);
    return () => handlers.set(event, handlers.get(event)!.filter((h) => h !== handler));
  };
  const sent: string[] = [];
  const hub = {
    state: "Connected",
    on: listen,
    onTypingChange: (handler: (payload: any) => void) => listen("#typing", handler),
    onRejoined: (handler: (payload: any) => void) => listen("#rejoined", handler),
    joinConversation: async (id: string) => ({ items: pages[id] ?? [], has_more: false }),
    leaveConversation: async () => undefined,
    invoke: async (method: string, ...args: unknown[]) => {
      if (method !== "SendMessage") return undefined;
      sent.push(args[1] as string);
      return send(args[1] as string, args[2] as string);
    },
  };
  vi.spyOn(session, "hub").mockReturnValue(hub as unknown as ChatHubClient);
  vi.spyOn(session, "hubReady").mockResolvedValue(hub as unknown as ChatHubClient);
  return { sent, push: (event: string, payload: unknown) => handlers.get(event)?.forEach((h) => h(payload)) };
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
    write("Anyway, see you Sunday");
    fireEvent.submit(screen.getByLabelText("Message").closest("form")!);

    await log().findByRole("article", { name: /^Me,/ });
    expect(log().getByText("Anyway, see you Sunday")).toBeTruthy();
    expect(log().queryByRole("article", { name: "You, sending" })).toBeNull();
    expect(sent).toEqual(["About that message", "Anyway, see you Sunday"]);
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
});
