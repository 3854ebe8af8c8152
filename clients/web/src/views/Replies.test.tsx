import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { Replies } from "./Replies";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const message = (id: string, seq: number, text: string, sender = "u-bilal", name = "Bilal") => ({
  id,
  conversation_id: "t1",
  seq,
  sender: { user_id: sender, username: name.toLowerCase(), full_name: name, profile_image_url: null },
  text,
  attachments: [],
  reply_to: null,
  created_at: "2026-11-28T12:00:00Z",
  edited_at: null,
  deleted_at: null,
  hidden: false,
});

/** Messaging's replies route: two pages of one reply each; every request recorded. */
function messaging() {
  return stubPlatform(({ url }) =>
    url.searchParams.get("cursor") === "c2"
      ? { status: 200, body: { items: [message("m3", 12, "Count me in too", "u-chen", "Chen")], next_cursor: null } }
      : { status: 200, body: { items: [message("m2", 11, "Bulk is fine by me")], next_cursor: "c2" } },
  );
}

describe("Replies", () => {
  it("lists a message's replies a page at a time when pressed, each shown in the discussion", async () => {
    signedIn({ id: "u-amira", role: "member" });
    const asked = messaging();
    const show = vi.fn();
    render(<Replies threadId="t1" message={message("m1", 10, "Bulk 45", "u-amira", "Amira")} count={2} show={show} />);
    expect(asked).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "2 replies" }));
    const list = await screen.findByRole("list", { name: "Replies to your message" });
    fireEvent.click(await screen.findByRole("button", { name: "Bulk is fine by me" }));
    expect(show).toHaveBeenCalledWith(11);
    expect(asked[0]!.path).toBe("/api/v1/threads/t1/messages/m1/replies");
    expect(asked[0]!.url.searchParams.get("limit")).toBe("20");

    fireEvent.click(screen.getByRole("button", { name: /^Show more/ }));
    await screen.findByRole("button", { name: "Count me in too" });
    expect(asked[1]!.url.searchParams.get("cursor")).toBe("c2");
    expect(list.textContent).toContain("Chen");
  });
});
