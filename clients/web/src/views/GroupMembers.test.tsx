import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { GroupMembers } from "./GroupMembers";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

type Group = Parameters<typeof GroupMembers>[0]["group"];
const group = (my_role: "owner" | "moderator" | "member") =>
  ({ id: "g1", name: "Hikers", member_count: 3, my_role, membership_status: "member", join_policy: "request", visibility: "private" }) as unknown as Group;
const person = (id: string, name: string, role: string, reason: string | null = null) => ({
  user: { user_id: id, username: name.toLowerCase(), full_name: name, profile_image_url: null },
  role,
  since: "2026-11-28T10:00:00Z",
  reason,
});

/** Social as the panel meets it: the members and the requests listed, every request recorded, a change answered 200. */
function social() {
  return stubPlatform(({ method, path, url }) => {
    if (method === "GET" && path.startsWith("/api/v1/profiles/by-username/"))
      return path.endsWith("/nobody") ? { status: 404, body: { title: "Not Found", status: 404 } } : { status: 200, body: { user_id: "u9", username: "zara" } };
    if (method === "GET")
      return url.searchParams.get("role") === "pending"
        ? { status: 200, body: { items: [person("u4", "Dana", "pending", "I hike every weekend")], next_cursor: null } }
        : { status: 200, body: { items: [person("me", "Olga", "owner"), person("u2", "Musa", "moderator"), person("u3", "Pia", "member")], next_cursor: null } };
    return { status: method === "POST" && path.endsWith("/invitations") ? 201 : 200, body: {} };
  });
}

describe("GroupMembers", () => {
  it("opens on its heading, and gives the focus back to its button when closed", async () => {
    signedIn({ id: "me", role: "member" });
    social();
    render(<GroupMembers group={group("member")} changed={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Members (3)" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Members (3)" })));
    fireEvent.click(screen.getByRole("button", { name: "Close" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Members (3)" })));
  });

  it("lets the owner admit a request, make a member moderator, remove one, and invite by username", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = social();
    vi.stubGlobal("confirm", () => true);
    render(<GroupMembers group={group("owner")} changed={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Members (3)" }));
    await screen.findByText("“I hike every weekend”");
    fireEvent.click(screen.getByRole("button", { name: "Admit Dana" }));
    await screen.findByText("Dana is in.");
    fireEvent.click(screen.getByRole("button", { name: "Make moderator: Pia" }));
    await screen.findByText("Pia is now a moderator.");
    fireEvent.click(screen.getByRole("button", { name: "Remove Musa" }));
    await screen.findByText("Musa is removed.");
    fireEvent.input(screen.getByLabelText("Invite (username)"), { target: { value: "@zara" } });
    fireEvent.submit(screen.getByRole("form", { name: "Invite someone" }));
    await screen.findByText("@zara is invited.");
    fireEvent.input(screen.getByLabelText("Invite (username)"), { target: { value: "nobody" } });
    fireEvent.submit(screen.getByRole("form", { name: "Invite someone" }));
    await screen.findByText("Nobody is called @nobody.");
    expect(asked.filter((a) => a.method !== "GET").map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: "POST", path: "/api/v1/groups/g1/requests/u4/approve", body: null },
      { method: "PATCH", path: "/api/v1/groups/g1/members/u3", body: { role: "moderator" } },
      { method: "DELETE", path: "/api/v1/groups/g1/members/u2", body: null },
      { method: "POST", path: "/api/v1/groups/g1/invitations", body: { user_id: "u9" } },
    ]);
    // nobody removes the owner, nor changes their role
    expect(screen.queryByRole("button", { name: "Remove Olga" })).toBeNull();
    expect(screen.queryByRole("button", { name: /: Olga$/ })).toBeNull();
  });

  it("lets a moderator admit and remove plain members only, and a member only see who belongs", async () => {
    signedIn({ id: "u2", role: "member" });
    social();
    render(<GroupMembers group={group("moderator")} changed={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Members (3)" }));
    await screen.findByRole("button", { name: "Admit Dana" });
    await screen.findByRole("button", { name: "Remove Pia" });
    expect(screen.queryByRole("button", { name: "Remove Olga" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Make / })).toBeNull();
    cleanup();

    signedIn({ id: "u3", role: "member" });
    social();
    render(<GroupMembers group={group("member")} changed={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Members (3)" }));
    await screen.findByText("Musa");
    expect(screen.queryByRole("list", { name: "Requests to join" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Invite someone" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Remove / })).toBeNull();
  });
});
