import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { Mute } from "./Messages";

afterEach(() => {
  cleanup();
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
