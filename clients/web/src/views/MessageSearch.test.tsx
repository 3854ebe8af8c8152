import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { MessageSearch, Quote, excerpt } from "./MessageSearch";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const message = (seq: number, text: string, sender = "u2", extra: object = {}) => ({
  id: `m${seq}`,
  conversation_id: "c1",
  seq,
  sender: { user_id: sender, username: sender === "me" ? "me" : "amira", display_name: sender === "me" ? "Me" : "Amira", profile_image_url: null },
  text,
  reply_to: null,
  attachments: [],
  client_txn_id: null,
  created_at: "2026-11-28T10:00:00Z",
  edited_at: null,
  deleted_at: null,
  hidden: false,
  ...extra,
});

describe("MessageSearch", () => {
  it("finds a page of matches, then the next before the last one shown, and shows the one chosen", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ url }) =>
      url.searchParams.get("before_seq") === null
        ? { status: 200, body: { items: [message(40, "trail map at noon"), message(31, "the trail is muddy")], has_more: true, last_seq: 50 } }
        : { status: 200, body: { items: [message(7, "which trail?", "me")], has_more: false, last_seq: 50 } },
    );
    const shown: number[] = [];
    render(<MessageSearch conversationId="c1" show={(seq) => shown.push(seq)} />);
    fireEvent.input(screen.getByLabelText("Words to find"), { target: { value: " trail " } });
    fireEvent.submit(screen.getByRole("search", { name: "Search messages" }));
    await screen.findByText("trail map at noon");
    expect(asked[0]!.path).toBe("/api/v1/conversations/c1/messages/search");
    expect(asked[0]!.url.searchParams.get("q")).toBe("trail");
    fireEvent.click(screen.getByRole("button", { name: "Show more matches" }));
    await screen.findByText("which trail?");
    expect(asked[1]!.url.searchParams.get("before_seq")).toBe("31");
    expect(screen.queryByRole("button", { name: "Show more matches" })).toBeNull();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent?.split(",")[0])).toEqual(["Amira", "Amira", "You"]);
    fireEvent.click(screen.getAllByRole("button", { name: "Show in the conversation" })[1]!);
    expect(shown).toEqual([31]);
  });

  it("says when nothing matches, and the platform's refusal", async () => {
    signedIn({ id: "me", role: "member" });
    let status = 200;
    stubPlatform(() => (status === 200 ? { status, body: { items: [], has_more: false, last_seq: 3 } } : { status, body: { title: "Bad", status, detail: "q is at most 200 characters." } }));
    render(<MessageSearch conversationId="c1" show={() => undefined} />);
    fireEvent.input(screen.getByLabelText("Words to find"), { target: { value: "kayak" } });
    fireEvent.submit(screen.getByRole("search", { name: "Search messages" }));
    await screen.findByText("No message matches “kayak”.");
    status = 400;
    fireEvent.input(screen.getByLabelText("Words to find"), { target: { value: "canoe" } });
    fireEvent.submit(screen.getByRole("search", { name: "Search messages" }));
    await screen.findByText(/q is at most 200 characters/);
  });
});

describe("Quote", () => {
  it("names the message replied to from those shown, without asking", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(() => ({ status: 500 }));
    const shown: number[] = [];
    render(<Quote conversationId="c1" id="m3" shown={[message(3, "Shall we meet at the bridge?")]} quoted={new Map()} show={(seq) => shown.push(seq)} />);
    fireEvent.click(screen.getByRole("button", { name: "Replying to Amira: “Shall we meet at the bridge?”" }));
    expect(shown).toEqual([3]);
    expect(asked).toEqual([]);
  });

  it("asks once for one not shown, and says one no longer there", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ path }) => (path.endsWith("/m2") ? { status: 200, body: message(2, "Mine, long ago", "me") } : { status: 404, body: { title: "Not found", status: 404 } }));
    const quoted = new Map();
    render(
      <>
        <Quote conversationId="c9" id="m2" shown={[]} quoted={quoted} show={() => undefined} />
        <Quote conversationId="c9" id="m2" shown={[]} quoted={quoted} show={() => undefined} />
        <Quote conversationId="c9" id="m1" shown={[]} quoted={quoted} show={() => undefined} />
      </>,
    );
    await waitFor(() => expect(screen.getAllByRole("button", { name: "Replying to you: “Mine, long ago”" })).toHaveLength(2));
    await screen.findByText("Replying to a message no longer here");
    expect(asked.map((a) => a.path)).toEqual(["/api/v1/conversations/c9/messages/m2", "/api/v1/conversations/c9/messages/m1"]);
  });

  it("shortens a long text to one line", () => {
    expect(excerpt("a\n\nb   c")).toBe("a b c");
    expect(excerpt("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(excerpt(`${"x".repeat(8)}\u{1F600}${"x".repeat(10)}`, 10)).toBe(`${"x".repeat(8)}…`);
  });
});
