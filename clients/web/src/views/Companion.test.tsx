import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
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

describe("Companion", () => {
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
});
