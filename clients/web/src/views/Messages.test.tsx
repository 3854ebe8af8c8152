import type { ChatHubClient } from "@community/sdk";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { resync } from "../lib/session";
import { signedIn, stubPlatform } from "../lib/testing";
import { Messages, Mute } from "./Messages";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  signedIn(null);
});

type Conversation = Parameters<typeof Mute>[0]["conversation"];
const conversation = (muted: boolean) => ({ id: "c1", kind: "direct", muted }) as unknown as Conversation;

describe("Mute", () => {
  it("mutes and unmutes the conversation, pressed while muted, and says a refusal", async () => {
    signedIn({ id: "me", role: "member" });
    let status = 204;
    const asked = stubPlatform(() => (status === 204 ? { status } : { status, body: { title: "Not Found", status, detail: "No such conversation." } }));
    const changed = vi.fn();
    const { rerender } = render(<Mute conversation={conversation(false)} changed={changed} />);
    expect(screen.getByRole("button", { name: "Mute" }).getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(screen.getByRole("button", { name: "Mute" }));
    await waitFor(() => expect(changed).toHaveBeenCalledWith(true));
    rerender(<Mute conversation={conversation(true)} changed={changed} />);
    expect(screen.getByRole("button", { name: "Mute" }).getAttribute("aria-pressed")).toBe("true");
    status = 404;
    fireEvent.click(screen.getByRole("button", { name: "Mute" }));
    expect((await screen.findByRole("alert")).textContent).toBe("No such conversation.");
    expect(asked.map((a) => `${a.method} ${a.path}`)).toEqual(["PUT /api/v1/conversations/c1/mute", "DELETE /api/v1/conversations/c1/mute"]);
    expect(changed).toHaveBeenCalledTimes(1);
  });
});

describe("the conversations listed", () => {
  const direct = (id: string, name: string, text: string) => ({
    id,
    kind: "direct",
    other_user: { user_id: `u-${id}`, display_name: name, profile_image_url: null },
    unread_count: 1,
    last_message: { text },
    last_activity_at: "2026-11-28T10:00:00Z",
    muted: false,
    can_send: true,
  });

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

  /** Messaging's list of direct conversations (the kind asked of it): `shown` as it is when asked; how many times it was asked. */
  function listed(shown: () => unknown[]) {
    const asked = stubPlatform(({ path, url }) =>
      path === "/api/v1/conversations" && url.searchParams.get("kind") === "direct" ? { status: 200, body: { items: shown(), next_cursor: null } } : undefined,
    );
    return () => asked.filter((a) => a.path === "/api/v1/conversations").length;
  }

  const rows = () => within(screen.getByRole("list", { name: "Conversations" }));
  const notification = (subject_type: string, data: Record<string, unknown>) => ({ id: "n1", ids: ["n1"], kind: "message_received", subject_type, subject_id: "c2", data, summary: "", count: 1 });

  it("shows a first message, in a conversation not open here, when its notification comes", async () => {
    signedIn({ id: "me", role: "member" });
    const push = hubPushes();
    let items = [direct("c1", "Amira", "See you")];
    const loads = listed(() => items);
    render(<Messages />);
    await rows().findByText("Amira");

    // another kind of notification, or one of a thread's message: the list stays as it is
    push("notification", notification("event", { event_id: "e1" }));
    push("notification", notification("conversation", { conversation_kind: "thread", group_id: "g1" }));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(loads()).toBe(1);

    items = [direct("c2", "Bilal", "Hello there"), ...items];
    push("notification", notification("conversation", { conversation_id: "c2", conversation_kind: "direct" }));
    await rows().findByText("Bilal");
    expect(loads()).toBe(2);
  });

  it("lists a conversation started with Write to, named, as it opens", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    let items = [direct("c1", "Amira", "See you")];
    const asked = stubPlatform(({ method, path }) => {
      if (path === "/api/v1/conversations") return { status: 200, body: { items, next_cursor: null } };
      if (path === "/api/v1/profiles/by-username/bilal") return { status: 200, body: { user_id: "u-c2", username: "bilal" } };
      if (method === "POST" && path === "/api/v1/conversations/direct") {
        items = [{ ...direct("c2", "Bilal", ""), unread_count: 0, last_message: null } as never, ...items];
        return { status: 201, body: { id: "c2" } };
      }
      return undefined;
    });
    render(<Messages />);
    await rows().findByText("Amira");
    fireEvent.input(screen.getByLabelText("Write to (username)"), { target: { value: "@bilal" } });
    fireEvent.click(screen.getByRole("button", { name: "Write" }));
    await rows().findByText("Bilal");
    expect(asked.filter((a) => a.path === "/api/v1/conversations")).toHaveLength(2);
    expect(location.pathname).toMatch(/\/messages\/c2$/);
  });

  it("counts a conversation read here as read at once, on whichever page it is shown", async () => {
    signedIn({ id: "me", role: "member" });
    const push = hubPushes();
    const older = { ...direct("c9", "Omar", "Old news"), unread_count: 3, last_seq: 7, read_seq: 4 };
    stubPlatform(({ path, url }) => {
      if (path !== "/api/v1/conversations") return undefined;
      // a first page, then an older one; the first page stays the same when asked again
      return url.searchParams.get("cursor") === "p2"
        ? { status: 200, body: { items: [older], next_cursor: null } }
        : { status: 200, body: { items: [direct("c1", "Amira", "See you")], next_cursor: "p2" } };
    });
    render(<Messages />);
    fireEvent.click(await screen.findByRole("button", { name: "Show more conversations" }));
    await rows().findByText(/3 unread/);

    push("read", { conversation_id: "c9", user_id: "me", read_seq: 7 });
    await waitFor(() => expect(rows().queryByText(/3 unread/)).toBeNull());
    // someone else's read position changes nothing of mine
    push("read", { conversation_id: "c1", user_id: "u-c1", read_seq: 9 });
    expect(rows().getByText(/1 unread/)).toBeTruthy();
  });

  it("is loaded again when the hub is back: what it pushed meanwhile is lost", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    let items = [direct("c1", "Amira", "See you")];
    const loads = listed(() => items);
    render(<Messages />);
    await rows().findByText(/See you/);

    items = [{ ...direct("c1", "Amira", "Running late"), unread_count: 2 }];
    dispatchEvent(new Event(resync));
    await rows().findByText(/Running late/);
    expect(loads()).toBe(2);
  });
});
