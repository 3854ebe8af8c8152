import type { ChatHubClient, messaging } from "@community/sdk";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../lib/app";
import { resync } from "../lib/session";
import { signedIn, stubPlatform } from "../lib/testing";
import { Notifications } from "./Notifications";

type Item = messaging.components["schemas"]["NotificationItem"];

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  signedIn(null);
});

const item = (id: string, summary: string, change: Partial<Item> = {}): Item => ({
  id,
  ids: [id],
  kind: "message_received",
  subject_type: "conversation",
  subject_id: "c1",
  actor: null,
  actor_count: 1,
  count: 1,
  data: { conversation_kind: "direct" },
  summary,
  created_at: "2026-11-28T10:00:00Z",
  read_at: null,
  ...change,
});

// Amira linked a picture; Bilal has none
const amira = { user_id: "u-amira", name: "Amira", profile_image_url: "https://pictures.example/amira.jpg" };
const bilal = { user_id: "u-bilal", name: "Bilal", profile_image_url: null };
const connection = (id: string, actor: Item["actor"]): Partial<Item> => ({
  kind: "connection_requested",
  subject_type: "connection",
  subject_id: id,
  actor,
  data: { connection_id: id },
});

/** Messaging's list (`items`, asked again after each mark) and its marks, answered `marked` (then `marking` is called). */
function messagingAnswers(items: () => Item[], marked: { status: number; body?: unknown } = { status: 200, body: { updated: 1 } }, marking = () => {}) {
  return stubPlatform(({ method, path }) => {
    if (method === "GET" && path === "/api/v1/notifications") return { status: 200, body: { items: items(), next_cursor: null } };
    if (method === "PATCH" && path === "/api/v1/notifications/read") return (marking(), marked);
    return undefined;
  });
}

/** The hub's notification event, as the session's hub would hand it on: the pushes are made by calling `push`. */
function hubPushes() {
  const handlers: ((pushed: unknown) => void)[] = [];
  const hub = {
    on: (event: string, handler: (pushed: unknown) => void) => {
      if (event === "notification") handlers.push(handler);
      return () => handlers.splice(handlers.indexOf(handler), 1);
    },
  };
  vi.spyOn(session, "hub").mockReturnValue(hub as unknown as ChatHubClient);
  return (pushed: Item) => handlers.forEach((h) => h(pushed));
}

const rows = () => within(screen.getByRole("list", { name: "Notifications" }));

describe("Notifications", () => {
  it("shows each notification with who it is from: their picture, or their initial without one, and where it leads", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    messagingAnswers(() => [
      item("n2", "Amira sent you a message", { actor: amira }),
      item("n1", "Bilal will attend Beach clean-up", {
        actor: bilal,
        kind: "event_registration",
        subject_type: "event",
        subject_id: "e1",
        data: { event_id: "e1", registration_id: "r1" },
      }),
    ]);
    render(<Notifications />);

    const fromAmira = (await rows().findByText("Amira sent you a message")).closest("a")!;
    await waitFor(() => expect(fromAmira.querySelector("img")?.getAttribute("src")).toBe(amira.profile_image_url));
    // the picture decorates the words beside it
    expect(fromAmira.querySelector("img")!.getAttribute("alt")).toBe("");
    expect(fromAmira.getAttribute("href")).toBe("/app/messages/c1");
    const fromBilal = rows().getByText("Bilal will attend Beach clean-up").closest("a")!;
    expect(fromBilal.querySelector("img")).toBeNull();
    expect(fromBilal.querySelector(".initial")?.textContent).toBe("B");
    expect(fromBilal.getAttribute("href")).toBe("/app/events/e1");
    expect(rows().getAllByText("Unread:")).toHaveLength(2);
  });

  it("leads a group thread's message to the thread and an event chat's to the event", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    const message = (id: string, summary: string, data: Item["data"]) => item(id, summary, { subject_id: id, actor: amira, data });
    messagingAnswers(() => [
      message("t1", "Amira wrote in Bouldering tonight", { conversation_kind: "thread", group_id: "g1" }),
      message("e1", "Amira wrote in the chat of Beach clean-up", { conversation_kind: "event_chat", event_id: "ev1" }),
      message("o1", "Amira wrote in a thread", { conversation_kind: "thread" }),
    ]);
    render(<Notifications />);

    const target = async (summary: string) => (await rows().findByText(summary)).closest("a")!.getAttribute("href");
    expect(await target("Amira wrote in Bouldering tonight")).toBe("/app/communities/g1/t1");
    expect(await target("Amira wrote in the chat of Beach clean-up")).toBe("/app/events/ev1");
    // one made before notifications named the group
    expect(await target("Amira wrote in a thread")).toBe("/app/communities");
  });

  it("leads each other kind to its subject, and one it does not know to the notifications", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    messagingAnswers(() => [
      item("k", "Amira accepted your request", { ...connection("k1", amira), kind: "connection_accepted" }),
      item("g", "Your request to join Bouldering was approved", {
        kind: "group_join_decided",
        subject_type: "group",
        subject_id: "g1",
        data: { group_id: "g1", approved: true },
      }),
      item("c", "You are enrolled in Sourdough basics", {
        kind: "course_enrolled",
        subject_type: "course",
        subject_id: "co1",
        data: { course_id: "co1", enrollment_id: "en1" },
      }),
      item("p", "Your payment of EUR 12.00 went through", {
        kind: "payment_succeeded",
        subject_type: "payment",
        subject_id: "p1",
        data: { payment_id: "p1", purpose: "course", reference_id: "en1", amount_cents: 1200, currency: "EUR" },
      }),
      ...(
        [
          ["r1", "user", "u-bilal"],
          ["r2", "group", "g2"],
          ["r3", "event", "e3"],
          ["r4", "message", "m4"],
        ] as const
      ).map(([id, type, target]) =>
        item(id, `Your report ${id} was reviewed`, {
          kind: "report_resolved",
          subject_type: "report",
          subject_id: id,
          data: { report_id: id, target_type: type, target_id: target, category: "spam", action: "warn" },
        }),
      ),
      item("x", "Something new happened", { kind: "badge_earned", subject_type: "badge", subject_id: "b1", data: {} }),
    ]);
    render(<Notifications />);

    const target = async (summary: string) => (await rows().findByText(summary)).closest("a")!.getAttribute("href");
    expect(await target("Amira accepted your request")).toBe("/app/people/u-amira");
    expect(await target("Your request to join Bouldering was approved")).toBe("/app/communities/g1");
    expect(await target("You are enrolled in Sourdough basics")).toBe("/app/courses/co1");
    expect(await target("Your payment of EUR 12.00 went through")).toBe("/app/profile");
    // a report's outcome leads to what was reported; a message has no page of its own
    expect(await target("Your report r1 was reviewed")).toBe("/app/people/u-bilal");
    expect(await target("Your report r2 was reviewed")).toBe("/app/communities/g2");
    expect(await target("Your report r3 was reviewed")).toBe("/app/events/e3");
    expect(await target("Your report r4 was reviewed")).toBe("/app/notifications");
    expect(await target("Something new happened")).toBe("/app/notifications");
  });

  it("marks a notification read when it is opened, all of them on Mark all as read, and loads the list again", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    let read = false;
    const asked = messagingAnswers(
      () => [item("n2", "Amira sent you 2 messages", { ids: ["n2", "n0"], count: 2, actor: amira, read_at: read ? "2026-11-28T11:00:00Z" : null })],
      { status: 200, body: { updated: 2 } },
      () => (read = true),
    );
    render(<Notifications />);

    const link = (await rows().findByText("Amira sent you 2 messages")).closest("a")!;
    link.addEventListener("click", (e) => e.preventDefault()); // the test stays on this page
    fireEvent.click(link);
    fireEvent.click(screen.getByRole("button", { name: "Mark all as read" }));
    await waitFor(() => expect(asked.filter((a) => a.method === "PATCH")).toHaveLength(2));
    expect(asked.filter((a) => a.method === "PATCH").map((a) => a.body)).toEqual([
      { ids: ["n2", "n0"], all: null },
      { ids: null, all: true },
    ]);
    await waitFor(() => expect(screen.queryByRole("button", { name: "Mark all as read" })).toBeNull());
    expect(rows().queryByText("Unread:")).toBeNull();
  });

  it("says a refused mark in messaging's words, and keeps the list", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    const refusal = { status: 400, body: { title: "Bad Request", status: 400, detail: "Give ids or all, not both." } };
    messagingAnswers(() => [item("n1", "Amira sent you a message", { actor: amira })], refusal);
    render(<Notifications />);

    fireEvent.click(await screen.findByRole("button", { name: "Mark all as read" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Give ids or all, not both.");
    expect(rows().getByText("Amira sent you a message")).toBeTruthy();
  });

  it("reads on past the first page with the cursor of the page before", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform((a) =>
      a.path === "/api/v1/notifications"
        ? a.url.searchParams.get("cursor") === "n50"
          ? { status: 200, body: { items: [item("n51", "An older one")], next_cursor: null } }
          : { status: 200, body: { items: [item("n1", "The newest")], next_cursor: "n50" } }
        : undefined,
    );
    render(<Notifications />);
    fireEvent.click(await screen.findByRole("button", { name: "Show more notifications" }));
    await waitFor(() => expect(screen.getByRole("list", { name: "Notifications" }).textContent).toContain("An older one"));
    expect(screen.getByRole("list", { name: "Notifications" }).textContent).toContain("The newest");
    expect(screen.queryByRole("button", { name: /Show more/ })).toBeNull();
    expect(asked.filter((a) => a.path === "/api/v1/notifications").map((a) => a.url.searchParams.get("cursor"))).toEqual([null, "n50"]);
  });

  it("marks every page shown read on Mark all as read, the later pages too, and the button goes", async () => {
    signedIn({ id: "me", role: "member" });
    let read: string | null = null;
    stubPlatform((a) => {
      if (a.method === "PATCH" && a.path === "/api/v1/notifications/read") return (read = "2026-11-28T11:00:00Z"), { status: 200, body: { updated: 2 } };
      if (a.path !== "/api/v1/notifications") return undefined;
      return a.url.searchParams.get("cursor") === "n50"
        ? { status: 200, body: { items: [item("n51", "An older one", { read_at: read })], next_cursor: null } }
        : { status: 200, body: { items: [item("n1", "The newest", { read_at: read })], next_cursor: "n50" } };
    });
    render(<Notifications />);
    fireEvent.click(await screen.findByRole("button", { name: "Show more notifications" }));
    await waitFor(() => expect(rows().getAllByRole("listitem")).toHaveLength(2));

    fireEvent.click(screen.getByRole("button", { name: "Mark all as read" }));

    await waitFor(() => expect(screen.queryByRole("button", { name: "Mark all as read" })).toBeNull());
    expect(rows().getAllByRole("listitem").map((li) => li.querySelector(".title")!.textContent)).toEqual(["The newest", "An older one"]);
  });

  it("shows a subject once when the first page, asked again, folds a notification of a later page shown", async () => {
    signedIn({ id: "me", role: "member" });
    let read: string | null = null;
    stubPlatform((a) => {
      if (a.method === "PATCH" && a.path === "/api/v1/notifications/read") return (read = "2026-11-28T11:00:00Z"), { status: 200, body: { updated: 1 } };
      if (a.path !== "/api/v1/notifications") return undefined;
      if (a.url.searchParams.get("cursor") === "n3")
        return { status: 200, body: { items: [item("n1", "Amira sent you 2 messages", { ids: ["n1", "n0"], count: 2, read_at: "2026-11-28T09:00:00Z" })], next_cursor: null } };
      // read, the unread one folds into the read one of its subject: one item, newest id first
      return read
        ? { status: 200, body: { items: [item("n3", "Amira sent you 3 messages", { ids: ["n3", "n1", "n0"], count: 3, read_at: read })], next_cursor: null } }
        : { status: 200, body: { items: [item("n3", "Amira sent you a message")], next_cursor: "n3" } };
    });
    render(<Notifications />);
    fireEvent.click(await screen.findByRole("button", { name: "Show more notifications" }));
    await waitFor(() => expect(rows().getAllByRole("listitem")).toHaveLength(2));

    fireEvent.click(screen.getByRole("button", { name: "Mark all as read" }));
    await rows().findByText("Amira sent you 3 messages");
    await waitFor(() => expect(screen.queryByRole("button", { name: "Mark all as read" })).toBeNull());
    expect(rows().getAllByRole("listitem").map((li) => li.querySelector(".title")!.textContent)).toEqual(["Amira sent you 3 messages"]);
  });

  it("puts a pushed notification first, with its sender's picture, in place of the ones it folds", async () => {
    signedIn({ id: "me", role: "member" });
    const push = hubPushes();
    messagingAnswers(() => [item("n1", "Amira sent you a message", { actor: amira }), item("n0", "Bilal wants to connect", connection("k1", bilal))]);
    render(<Notifications />);
    await rows().findByText("Amira sent you a message");

    push(item("n3", "Amira sent you 2 messages", { ids: ["n3", "n1"], count: 2, actor: amira }));

    await rows().findByText("Amira sent you 2 messages");
    const shown = rows().getAllByRole("listitem");
    expect(shown.map((li) => li.querySelector(".title")!.textContent)).toEqual(["Unread: Amira sent you 2 messages", "Unread: Bilal wants to connect"]);
    await waitFor(() => expect(shown[0]!.querySelector("img")?.getAttribute("src")).toBe(amira.profile_image_url));
    expect(shown[1]!.querySelector("a")!.getAttribute("href")).toBe("/app/people/u-bilal");
  });

  it("loads the list again when the hub is back: the notifications it pushed meanwhile are lost", async () => {
    signedIn({ id: "me", role: "member" });
    hubPushes();
    let items = [item("n1", "Amira sent you a message", { actor: amira })];
    const asked = messagingAnswers(() => items);
    render(<Notifications />);
    await rows().findByText("Amira sent you a message");

    items = [item("n2", "Bilal wants to connect", connection("k1", bilal)), ...items];
    dispatchEvent(new Event(resync));
    await rows().findByText("Bilal wants to connect");
    expect(asked.filter((a) => a.method === "GET")).toHaveLength(2);
  });
});
