import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { BlockedSection, Report } from "./Safety";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const report = { id: "r1", reporter_id: "me", target_type: "message", target_id: "m1", category: "harassment", comment: "Insults", status: "open", created_at: "2026-11-28T10:00:00Z" };

describe("Report", () => {
  it("sends what is wrong and what happened, once, and thanks (announced)", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(() => ({ status: 201, body: report }));
    render(<Report target="message" id="m1" what="the message of Bilal" />);
    // the live region is in the page before the thanks, and stays when the form gives way to them
    const region = screen.getByRole("status");
    fireEvent.click(screen.getByRole("button", { name: "Report the message of Bilal" }));
    const form = screen.getByRole("form", { name: "Report the message of Bilal" });
    fireEvent.change(screen.getByLabelText("What is wrong"), { target: { value: "harassment" } });
    fireEvent.input(screen.getByLabelText(/What happened/), { target: { value: " Insults " } });
    fireEvent.submit(form);
    expect(await statusSaying("Reported. The moderators will look at it; thank you.")).toBe(region);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ method: "POST", path: "/api/v1/reports", body: { target_type: "message", target_id: "m1", category: "harassment", comment: "Insults" } });
    expect(asked[0]!.key).toBeTruthy();
  });

  it("opens on what is wrong, and gives the focus back to its button when cancelled", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(() => ({ status: 201, body: report }));
    render(<Report target="user" id="u2" what="@bilal" />);
    const opener = screen.getByRole("button", { name: "Report @bilal" });
    opener.focus();
    fireEvent.click(opener);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("What is wrong")));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Report @bilal" })));
    expect(asked).toHaveLength(0);
  });

  it("in a discussion's log, which announces what is added, thanks without a live region of its own", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(() => ({ status: 201, body: report }));
    render(
      <div role="log" aria-label="Discussion">
        <Report target="message" id="m1" what="the message of Bilal" inLog />
      </div>,
    );
    expect(screen.queryByRole("status")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Report the message of Bilal" }));
    fireEvent.change(screen.getByLabelText("What is wrong"), { target: { value: "spam" } });
    fireEvent.submit(screen.getByRole("form", { name: "Report the message of Bilal" }));
    const thanks = await screen.findByText("Reported. The moderators will look at it; thank you.");
    expect(thanks.closest('[role="log"]')).toBeTruthy();
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("asks what happened for something else before sending, and says a report already with the moderators", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(() => ({ status: 409, body: { title: "Conflict", status: 409, detail: "You already reported this." } }));
    render(<Report target="user" id="u2" what="@bilal" />);
    fireEvent.click(screen.getByRole("button", { name: "Report @bilal" }));
    fireEvent.change(screen.getByLabelText("What is wrong"), { target: { value: "other" } });
    fireEvent.submit(screen.getByRole("form", { name: "Report @bilal" }));
    await screen.findByText(/Say what happened/);
    expect(asked).toHaveLength(0);
    fireEvent.input(screen.getByLabelText(/What happened/), { target: { value: "Fake profile" } });
    fireEvent.submit(screen.getByRole("form", { name: "Report @bilal" }));
    await screen.findByText("You have reported this already; the moderators have it.");
    expect(asked.map((a) => (a.body as { comment: string }).comment)).toEqual(["Fake profile"]);
  });
});

describe("BlockedSection", () => {
  const blocked = (id: string, name: string) => ({ user: { user_id: id, username: name.toLowerCase(), full_name: name, profile_image_url: null }, blocked_at: "2026-11-27T10:00:00Z" });

  it("lists the people I blocked and lifts a block", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ method }) => (method === "GET" ? { status: 200, body: { items: [blocked("u2", "Bilal"), blocked("u3", "Cara")], next_cursor: null } } : { status: 204 }));
    render(<BlockedSection />);
    fireEvent.click(await screen.findByRole("button", { name: "Unblock Bilal" }));
    await screen.findByText(/^Bilal is no longer blocked/);
    expect(screen.queryByRole("button", { name: "Unblock Bilal" })).toBeNull();
    expect(screen.getByRole("button", { name: "Unblock Cara" })).toBeTruthy();
    expect(asked.filter((a) => a.method === "DELETE").map((a) => a.path)).toEqual(["/api/v1/blocks/u2"]);
  });

  it("shows nothing when nobody is blocked", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(() => ({ status: 200, body: { items: [], next_cursor: null } }));
    const { container } = render(<BlockedSection />);
    await waitFor(() => expect(container.innerHTML).toBe(""));
  });
});
