import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { Concierge, pageOf } from "./Concierge";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const id = "0196a2b1-0000-7000-8000-000000000001";
const item = (n: number, extra: object = {}) => ({
  id: `0196a2b1-0000-7000-8000-00000000000${n}`,
  type: "opportunity",
  priority: "high",
  title: `Night walk ${n}`,
  description: "Night walk in Dubai matches your interests: hiking.",
  action_text: "See the event",
  action_link: `/api/v1/events/${id}`,
  created_at: "2026-11-28T09:00:00Z",
  read: false,
  ...extra,
});

describe("pageOf", () => {
  it("leads each item to this client's page of what it is about", () => {
    expect(pageOf(`/api/v1/events/${id}`)).toBe(`/events/${id}`);
    expect(pageOf(`/api/v1/groups/${id}`)).toBe(`/communities/${id}`);
    expect(pageOf(`/api/v1/courses/${id}`)).toBe(`/courses/${id}`);
    expect(pageOf(`/api/v1/profiles/${id}`)).toBe(`/people/${id}`);
    expect(pageOf("/api/v1/boosts/me")).toBe("/profile");
    expect(pageOf("https://elsewhere.example/x")).toBeNull();
  });
});

describe("Concierge", () => {
  it("marks an item read when it is followed, and leads to its page", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ method }) => (method === "GET" ? { status: 200, body: { items: [item(1), item(2, { read: true })], next_cursor: null } } : { status: 200, body: {} }));
    render(<Concierge />);
    await screen.findByRole("heading", { name: "From your companion (1 new)" });
    fireEvent.click(screen.getAllByRole("link", { name: "See the event" })[0]!);
    await waitFor(() => expect(location.pathname).toMatch(new RegExp(`/events/${id}$`)));
    expect(asked.map((a) => `${a.method} ${a.path}`)).toEqual(["GET /api/v1/activity", `POST /api/v1/activity/${item(1).id}/read`]);
  });

  it("marks them all read at once, and shows nothing when there are none", async () => {
    signedIn({ id: "me", role: "member" });
    let none = false;
    const asked = stubPlatform(({ method }) => (method === "GET" ? { status: 200, body: { items: none ? [] : [item(1), item(2)], next_cursor: null } } : { status: 200, body: { updated: 2 } }));
    const { container, unmount } = render(<Concierge />);
    fireEvent.click(await screen.findByRole("button", { name: "Mark all read" }));
    await screen.findByRole("heading", { name: "From your companion" });
    expect(screen.queryByRole("button", { name: "Mark all read" })).toBeNull();
    expect(asked.map((a) => `${a.method} ${a.path}`)).toContain("POST /api/v1/activity/read-all");
    unmount();
    none = true;
    const again = render(<Concierge />);
    await waitFor(() => expect(asked.filter((a) => a.method === "GET" && a.path === "/api/v1/activity")).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 20));
    expect(again.container.textContent).toBe("");
    expect(container.textContent).toBe("");
  });
});
