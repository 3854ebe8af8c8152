import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { FollowsSection, PathTo, PersonActivity, TheirCommunities } from "./Network";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const person = (id: string, full_name: string) => ({ user_id: id, username: full_name.toLowerCase(), full_name, profile_image_url: null });

describe("PathTo", () => {
  it("shows the chain from me to them, the people between linked", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(() => ({ status: 200, body: { hops: 2, path: [person("me", "Me"), person("u2", "Amira"), person("u3", "Chen")] } }));
    render(<PathTo id="u3" />);
    await screen.findByText("How you know them:", { exact: false });
    expect(document.querySelector(".path-to")?.textContent).toBe("How you know them: you → Amira → Chen");
    expect(screen.getByRole("link", { name: "Amira" }).getAttribute("href")).toMatch(/\/people\/u2$/);
  });

  it("says nothing when there is no chain (404), and why it failed otherwise", async () => {
    signedIn({ id: "me", role: "member" });
    let status = 404;
    stubPlatform(() => ({ status, body: { title: status === 404 ? "Not Found" : "Service Unavailable", status, detail: status === 404 ? "No path." : "Social is unavailable." } }));
    const { container, unmount } = render(<PathTo id="u9" />);
    await waitFor(() => expect(container.textContent).toBe(""));
    await new Promise((r) => setTimeout(r, 20));
    expect(container.textContent).toBe("");
    unmount();
    status = 503;
    render(<PathTo id="u9" />);
    await screen.findByText(/Social is unavailable/);
  });
});

describe("a member's page", () => {
  it("counts what they have been doing, and lists their communities", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ path }) =>
      path.endsWith("/activity")
        ? { status: 200, body: { user_id: "u2", groups: 1, connections: 4, followers: 0, events_attended: 2 } }
        : { status: 200, body: { items: [{ id: "g1", name: "Hikers", member_count: 1 }], next_cursor: null } },
    );
    render(
      <>
        <PersonActivity id="u2" />
        <TheirCommunities id="u2" />
      </>,
    );
    await screen.findByText("1 community · 4 connections · 0 followers · 2 events attended");
    const hikers = await screen.findByRole("link", { name: /Hikers/ });
    expect(hikers.getAttribute("href")).toMatch(/\/communities\/g1$/);
    expect(hikers.textContent).toContain("1 member");
  });

  it("shows no communities heading for someone in none I may see", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(() => ({ status: 200, body: { items: [], next_cursor: null } }));
    const { container } = render(<TheirCommunities id="u2" />);
    await waitFor(() => expect(container.textContent).toBe(""));
  });
});

describe("FollowsSection", () => {
  it("lists my followers, and whom I follow on asking", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ path }) =>
      path.endsWith("/followers")
        ? { status: 200, body: { items: [{ user: person("u2", "Amira"), followed_at: "2026-11-28T09:00:00Z" }], next_cursor: null } }
        : { status: 200, body: { items: [], next_cursor: null } },
    );
    render(<FollowsSection />);
    const followers = await screen.findByRole("list", { name: "Your followers" });
    await waitFor(() => expect(followers.textContent).toContain("Amira"));
    fireEvent.click(screen.getByRole("button", { name: "People you follow" }));
    await screen.findByText("You follow nobody yet.");
    expect(screen.getByRole("button", { name: "People you follow" }).getAttribute("aria-pressed")).toBe("true");
    expect(asked.map((a) => a.path)).toEqual(["/api/v1/follows/followers", "/api/v1/follows/following"]);
  });
});
