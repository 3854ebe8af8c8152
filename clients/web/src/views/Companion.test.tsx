import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { Companion } from "./Companion";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  signedIn(null);
});

const history = { items: [], next_cursor: null, disclosure: "You are talking to an AI." };
const stream = (events: [string, unknown][]) =>
  new Response(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(""), {
    status: 200,
    headers: { "Content-Type": "text/event-stream" },
  });

/** A stream that sends `first`, then waits for `release()` before sending `then` and ending. */
function heldStream(first: [string, unknown][], then: [string, unknown][]) {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const encode = (events: [string, unknown][]) =>
    new TextEncoder().encode(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(""));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encode(first));
      await released;
      controller.enqueue(encode(then));
      controller.close();
    },
  });
  return { response: new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }), release: () => release() };
}

describe("Companion", () => {
  it("keeps a message not answered on screen under Not sent when the box already holds the next one", async () => {
    signedIn({ id: "me", role: "member" });
    const held = heldStream(
      [["delta", { text: "Half a tho" }]],
      [["error", { title: "Service Unavailable", status: 503, detail: "The companion stopped answering." }]],
    );
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: history };
      if (method === "POST" && path === "/api/v1/companion/messages/stream") return held.response;
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("You are talking to an AI.");
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "A long first message" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);
    await screen.findByText("Half a tho", { selector: "article *" });
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "The next one" } });
    held.release();

    const kept = await screen.findByRole("list", { name: "Not sent: copy what you want to keep." });
    expect(within(kept).getByText("A long first message")).toBeTruthy();
    expect((screen.getByLabelText(/message/i) as HTMLTextAreaElement).value).toBe("The next one");
    expect(screen.getAllByRole("alert").map((a) => a.textContent).join(" ")).toContain("The companion stopped answering.");
  });

  it("keeps a safety answer it showed on screen, marked not saved, when storing the reply fails", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: history };
      if (method === "POST" && path === "/api/v1/companion/messages/stream")
        return stream([
          ["delta", { text: "Something the screen stops" }],
          ["replace", { text: "You are not alone: call 112 now.", safety: "crisis" }],
          ["error", { title: "Service Unavailable", status: 503, detail: "The reply could not be stored." }],
        ]);
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("You are talking to an AI.");
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "I feel awful" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);

    await waitFor(() => expect(screen.getAllByRole("alert").map((a) => a.textContent).join(" ")).toContain("could not be stored"));
    expect(screen.getByText("You are not alone: call 112 now.", { selector: "article *" })).toBeTruthy();
    expect(screen.getByText("Safety answer: help is available.")).toBeTruthy();
    expect(screen.getAllByText("Not saved: the conversation does not keep this.").length).toBeGreaterThan(0);
    expect((screen.getByLabelText(/message/i) as HTMLTextAreaElement).value).toBe("I feel awful");
  });

  it("keeps a safety answer cut off by a lost connection unmarked, and shows it once when sent again and replayed", async () => {
    signedIn({ id: "me", role: "member" });
    const message = { id: "77777777-7777-4777-8777-777777777777", seq: 1, role: "user", text: "I feel awful", client_txn_id: "x", created_at: "2026-12-02T10:00:00Z" };
    const reply = { id: "88888888-8888-4888-8888-888888888888", seq: 2, role: "assistant", text: "You are not alone: call 112 now.", in_reply_to: message.id, created_at: "2026-12-02T10:00:01Z", safety: "crisis" };
    let attempt = 0;
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: history };
      if (method === "POST" && path === "/api/v1/companion/messages/stream")
        return ++attempt === 1
          ? stream([["replace", { text: reply.text, safety: "crisis" }]])
          : stream([["done", { message_id: message.id, reply_id: reply.id, responder: "model", usage: { prompt_tokens: 0, completion_tokens: 0 }, replayed: true, message, reply }]]);
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("You are talking to an AI.");
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "I feel awful" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);
    await waitFor(() => expect(screen.getAllByRole("alert").map((a) => a.textContent).join(" ")).toContain("connection to the companion was lost"));
    expect(screen.getByText(reply.text, { selector: "article *" })).toBeTruthy();
    // the platform may have kept it: not said to be unsaved
    expect(screen.queryByText("Not saved: the conversation does not keep this.")).toBeNull();

    await waitFor(() => expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);
    await waitFor(() => expect(attempt).toBe(2));
    await waitFor(() => expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(false));
    expect(screen.getAllByText(reply.text, { selector: "article *" })).toHaveLength(1);
    expect(screen.getAllByText("I feel awful", { selector: "article *" })).toHaveLength(1);
  });

  it("reads a stream whose lines end in CRLF split between chunks, or in a lone CR", async () => {
    signedIn({ id: "me", role: "member" });
    const chunks = ["event: delta\r", '\ndata: {"text":"Hello"}\r\n\r', '\nevent: delta\rdata: {"text":" there"}\r\r'];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // left open, as while the reply is still coming
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: history };
      if (method === "POST" && path === "/api/v1/companion/messages/stream")
        return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("You are talking to an AI.");
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "Hi" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);

    expect(await screen.findByText("Hello there", { selector: "article *" })).toBeTruthy();
  });

  it("forgets the way to earlier messages with the conversation", async () => {
    signedIn({ id: "me", role: "member" });
    const said = { id: "99999999-9999-4999-8999-999999999999", seq: 3, role: "user", text: "Recent words", client_txn_id: "r", created_at: "2026-12-02T09:00:00Z" };
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: { ...history, items: [said], next_cursor: "older" } };
      if (method === "DELETE" && path === "/api/v1/companion/conversation") return { status: 204 };
      return undefined;
    });
    vi.stubGlobal("confirm", () => true);
    render(<Companion />);
    await screen.findByRole("button", { name: "Show earlier messages" });
    fireEvent.click(screen.getByRole("button", { name: "Forget this conversation" }));
    await statusSaying("Your conversation with the companion is forgotten.");
    expect(screen.queryByRole("button", { name: "Show earlier messages" })).toBeNull();
  });

  it("shows earlier messages page by page above those shown, each once", async () => {
    signedIn({ id: "me", role: "member" });
    const line = (n: number, role: string) => ({
      id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
      seq: n,
      role,
      text: `Line ${n}`,
      client_txn_id: role === "user" ? `t${n}` : null,
      created_at: `2026-12-02T10:00:${String(n).padStart(2, "0")}Z`,
    });
    const asked = stubPlatform(({ method, path, url }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation")
        return url.searchParams.get("cursor") === "page2"
          ? { status: 200, body: { ...history, items: [line(2, "assistant"), line(1, "user")], next_cursor: null } }
          : { status: 200, body: { ...history, items: [line(4, "assistant"), line(3, "user")], next_cursor: "page2" } };
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("Line 4", { selector: "article *" });
    expect(screen.queryByText("Line 1", { selector: "article *" })).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Show earlier messages" }));
    await screen.findByText("Line 1", { selector: "article *" });
    expect(screen.getAllByRole("article").map((a) => a.querySelector(".text")?.textContent)).toEqual(["Line 1", "Line 2", "Line 3", "Line 4"]);
    expect(screen.queryByRole("button", { name: "Show earlier messages" })).toBeNull();
    expect(asked.filter((a) => a.url.searchParams.get("cursor") === "page2")).toHaveLength(1);
  });

  it("says a reply the platform gave up on in its words, takes the exchange out, and puts the message back", async () => {
    signedIn({ id: "me", role: "member" });
    const sent: string[] = [];
    stubPlatform(({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: history };
      if (method === "POST" && path === "/api/v1/companion/messages/stream") {
        sent.push(body.client_txn_id);
        return stream([
          ["delta", { text: "Half a tho" }],
          ["error", { title: "Bad Gateway", status: 502, detail: "The companion stopped answering; nothing was stored, please send again." }],
        ]);
      }
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("You are talking to an AI.");
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "What should I read?" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);

    await waitFor(() =>
      expect(screen.getAllByRole("alert").map((a) => a.textContent)).toContain("The companion stopped answering; nothing was stored, please send again. Your message is back in the box."),
    );
    expect(screen.queryByText("Half a tho")).toBeNull();
    expect(screen.queryByText("What should I read?", { selector: "article *" })).toBeNull();
    expect((screen.getByLabelText(/message/i) as HTMLTextAreaElement).value).toBe("What should I read?");
    // sent again, under the same client_txn_id
    await waitFor(() => expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(false));
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toBe(sent[0]);
  });

  it("takes out an exchange the platform refused for good and puts the words back in the box", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: history };
      if (method === "POST" && path === "/api/v1/companion/messages/stream")
        return { status: 400, body: { title: "Bad Request", status: 400, detail: "text may not hold control characters." } };
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("You are talking to an AI.");
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "Pasted \u001b text" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);

    await waitFor(() => expect(screen.getAllByRole("alert").map((a) => a.textContent).join(" ")).toContain("control characters"));
    expect(screen.queryByText("Pasted \u001b text", { selector: "article *" })).toBeNull();
    expect((screen.getByLabelText(/message/i) as HTMLTextAreaElement).value).toBe("Pasted \u001b text");
  });

  it("shows an exchange once when the history that failed is loaded again after it", async () => {
    signedIn({ id: "me", role: "member" });
    const message = { id: "11111111-1111-4111-8111-111111111111", seq: 1, role: "user", text: "Hello there", client_txn_id: "t", created_at: "2026-12-02T10:00:00Z" };
    const reply = { id: "22222222-2222-4222-8222-222222222222", seq: 2, role: "assistant", text: "Hello back", in_reply_to: message.id, created_at: "2026-12-02T10:00:01Z" };
    // said before the page opened, so the history read again is seen to have arrived
    const earlier = { id: "33333333-3333-4333-8333-333333333333", seq: 0, role: "user", text: "Earlier words", client_txn_id: "e", created_at: "2026-12-02T09:00:00Z" };
    let historyUp = false;
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation")
        return historyUp
          ? { status: 200, body: { ...history, items: [reply, message, earlier] } }
          : { status: 503, body: { title: "Service Unavailable", status: 503 } };
      if (method === "POST" && path === "/api/v1/companion/messages/stream")
        return stream([
          ["delta", { text: "Hello back" }],
          ["done", { message_id: message.id, reply_id: reply.id, responder: "model", usage: { prompt_tokens: 1, completion_tokens: 1 }, replayed: false, message, reply }],
        ]);
      return undefined;
    });
    render(<Companion />);
    const failed = async () =>
      within((await screen.findByText(/The conversation so far could not be loaded/)).closest(".load-failed") as HTMLElement);
    await failed();
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "Hello there" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);
    await waitFor(() => expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(false));
    await screen.findByText("Hello back", { selector: "article *" });

    historyUp = true;
    fireEvent.click((await failed()).getByRole("button", { name: "Try again" }));
    await screen.findByText("Earlier words", { selector: "article *" });
    expect(screen.getAllByText("Hello there", { selector: "article *" })).toHaveLength(1);
    expect(screen.getAllByText("Hello back", { selector: "article *" })).toHaveLength(1);
  });

  it("forgets the conversation once the person says so, and keeps it when they do not", async () => {
    signedIn({ id: "me", role: "member" });
    const said = { id: "44444444-4444-4444-8444-444444444444", seq: 1, role: "user", text: "Something private", client_txn_id: "p", created_at: "2026-12-02T09:00:00Z" };
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: { ...history, items: [said] } };
      if (method === "DELETE" && path === "/api/v1/companion/conversation") return { status: 204 };
      return undefined;
    });
    const asking = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal("confirm", asking);
    render(<Companion />);
    await screen.findByText("Something private", { selector: "article *" });

    fireEvent.click(screen.getByRole("button", { name: "Forget this conversation" }));
    expect(asking).toHaveBeenCalledTimes(1);
    expect(asked.some((a) => a.method === "DELETE")).toBe(false);
    expect(screen.getByText("Something private", { selector: "article *" })).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Forget this conversation" }));
    await statusSaying("Your conversation with the companion is forgotten.");
    expect(asked.filter((a) => a.method === "DELETE")).toHaveLength(1);
    expect(screen.queryByText("Something private", { selector: "article *" })).toBeNull();
  });

  it("does not show again what was forgotten when the history asked for before the forget answers after it", async () => {
    signedIn({ id: "me", role: "member" });
    const said = { id: "44444444-4444-4444-8444-444444444444", seq: 1, role: "user", text: "Something private", client_txn_id: "p", created_at: "2026-12-02T09:00:00Z" };
    const mine = { id: "55555555-5555-4555-8555-555555555555", seq: 2, role: "user", text: "Hi", client_txn_id: "t", created_at: "2026-12-07T09:00:00Z" };
    const reply = { id: "66666666-6666-4666-8666-666666666666", seq: 3, role: "assistant", text: "Hello there.", client_txn_id: null, created_at: "2026-12-07T09:00:01Z" };
    let answerHistory: (reply: { status: number; body: unknown }) => void = () => undefined;
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return new Promise((resolve) => (answerHistory = resolve));
      if (method === "POST" && path === "/api/v1/companion/messages/stream")
        return stream([
          ["delta", { text: "Hello there." }],
          ["done", { message_id: mine.id, reply_id: reply.id, responder: "model", usage: { prompt_tokens: 1, completion_tokens: 1 }, replayed: false, message: mine, reply }],
        ]);
      if (method === "DELETE" && path === "/api/v1/companion/conversation") return { status: 204 };
      return undefined;
    });
    vi.stubGlobal("confirm", () => true);
    render(<Companion />);
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "Hi" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);
    await screen.findByText("Hello there.", { selector: "article *" });
    fireEvent.click(await screen.findByRole("button", { name: "Forget this conversation" }));
    await statusSaying("Your conversation with the companion is forgotten.");

    answerHistory({ status: 200, body: { ...history, items: [said] } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByText("Something private", { selector: "article *" })).toBeNull();
  });

  it("shows a replayed exchange once when the history already holds it", async () => {
    signedIn({ id: "me", role: "member" });
    const message = { id: "55555555-5555-4555-8555-555555555555", seq: 1, role: "user", text: "Kept before", client_txn_id: "k", created_at: "2026-12-02T10:00:00Z" };
    const reply = { id: "66666666-6666-4666-8666-666666666666", seq: 2, role: "assistant", text: "Answered before", in_reply_to: message.id, created_at: "2026-12-02T10:00:01Z" };
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/companion/conversation") return { status: 200, body: { ...history, items: [reply, message] } };
      if (method === "POST" && path === "/api/v1/companion/messages/stream")
        return stream([["done", { message_id: message.id, reply_id: reply.id, responder: "model", usage: { prompt_tokens: 0, completion_tokens: 0 }, replayed: true, message, reply }]]);
      return undefined;
    });
    render(<Companion />);
    await screen.findByText("Answered before", { selector: "article *" });
    fireEvent.input(screen.getByLabelText(/message/i), { target: { value: "Kept before" } });
    fireEvent.submit(screen.getByLabelText(/message/i).closest("form")!);
    await waitFor(() => expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(false));

    expect(screen.getAllByText("Kept before", { selector: "article *" })).toHaveLength(1);
    expect(screen.getAllByText("Answered before", { selector: "article *" })).toHaveLength(1);
  });
});
