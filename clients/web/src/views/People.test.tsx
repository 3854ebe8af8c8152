import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, statusSaying, stubPlatform } from "../lib/testing";
import { People } from "./People";

afterEach(() => {
  cleanup();
  sessionStorage.clear();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  signedIn(null);
});

const bilal = {
  user_id: "u2",
  username: "bilal",
  full_name: "Bilal",
  profile_image_url: null,
  bio: "Climbs on Sundays",
  interests: ["climbing"],
  city: "Lyon",
  age: null,
  is_verified: false,
  role: "member",
  compatibility_score: 40,
  connection_status: "none",
  connection_id: null,
  is_following: false,
  follows_you: true,
};

describe("A person's page", () => {
  it("says a block where it said the rest, keeps the page without what the block ends, and offers a report", async () => {
    signedIn({ id: "me", role: "member" });
    vi.stubGlobal("confirm", () => true);
    let isBlocked = false;
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/profiles/u2") return isBlocked ? undefined : { status: 200, body: bilal };
      if (method === "PUT" && path === "/api/v1/blocks/u2") return (isBlocked = true), { status: 204 };
      return undefined; // activity, paths and communities: none to show
    });
    render(<People userId="u2" />);
    await screen.findByText("Climbs on Sundays");
    const regions = screen.getAllByRole("status");

    fireEvent.click(screen.getByRole("button", { name: "Block" }));

    // the region that was there says it, so it is announced
    expect(regions).toContain(await statusSaying("Blocked."));
    // focus goes to what the block means, as the button pressed goes with the others
    await waitFor(() => expect(document.activeElement?.textContent).toMatch(/^You will no longer see each other/));
    expect(screen.queryByText(/follows you/)).toBeNull();
    expect(screen.queryByText("Climbs on Sundays")).toBeNull();
    expect(screen.queryByRole("button", { name: "Block" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Follow" })).toBeNull();
    expect(screen.getByRole("button", { name: "Report @bilal" })).toBeTruthy();
    // the profile is not asked again: it would be refused, and the page would say that instead
    await waitFor(() => expect(asked.filter((a) => a.method === "PUT")).toHaveLength(1));
    expect(asked.filter((a) => a.method === "GET" && a.path === "/api/v1/profiles/u2")).toHaveLength(1);
  });

  it("asks to start the conversation no more, and stays, once the person went elsewhere while messaging caught up", async () => {
    signedIn({ id: "me", role: "member" });
    history.replaceState(null, "", "/app/people/u2");
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/profiles/u2") return { status: 200, body: { ...bilal, connection_status: "connected" } };
      if (method === "POST" && path === "/api/v1/conversations/direct") {
        if (asked.filter((a) => a.path === path).length > 1) return { status: 201, body: { id: "c1" } };
        // messaging has not heard of the connection yet; meanwhile the person opens the events
        history.pushState(null, "", "/app/events");
        return { status: 403, body: { title: "Forbidden", status: 403 } };
      }
      return undefined;
    });
    render(<People userId="u2" />);
    fireEvent.click(await screen.findByRole("button", { name: "Message" }));

    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/conversations/direct")).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 700)); // past the next ask's half second
    expect(asked.filter((a) => a.path === "/api/v1/conversations/direct")).toHaveLength(1);
    expect(location.pathname).toBe("/app/events");
    expect(screen.queryByText(/could not be started/)).toBeNull();
  });

  it("loads the profile again after another action, and says it in the same region", async () => {
    signedIn({ id: "me", role: "member" });
    let following = false;
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/profiles/u2") return { status: 200, body: { ...bilal, is_following: following } };
      if (method === "PUT" && path === "/api/v1/follows/u2") return (following = true), { status: 204 };
      return undefined;
    });
    render(<People userId="u2" />);
    fireEvent.click(await screen.findByRole("button", { name: "Follow" }));
    const region = await statusSaying("Following.");
    await screen.findByRole("button", { name: "Unfollow" });
    expect(await statusSaying("Following.")).toBe(region);
    expect(asked.filter((a) => a.method === "GET" && a.path === "/api/v1/profiles/u2")).toHaveLength(2);
  });

  it("counts the new follower once followed", async () => {
    signedIn({ id: "me", role: "member" });
    let followers = 3;
    stubPlatform(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/profiles/u2") return { status: 200, body: { ...bilal, is_following: followers === 4 } };
      if (method === "GET" && path === "/api/v1/profiles/u2/activity") return { status: 200, body: { groups: 1, connections: 2, followers, events_attended: 0 } };
      if (method === "PUT" && path === "/api/v1/follows/u2") return (followers = 4), { status: 204 };
      return undefined;
    });
    render(<People userId="u2" />);
    await screen.findByText(/3 followers/);
    fireEvent.click(await screen.findByRole("button", { name: "Follow" }));
    await screen.findByText(/4 followers/);
  });
});

describe("Finding people", () => {
  it("offers a premium member the contract's genders to filter on, sent as discovery names them", async () => {
    const token = `h.${btoa(JSON.stringify({ tier: "premium" }))}.s`;
    signedIn({ id: "me", role: "member" }, token);
    sessionStorage.setItem("community.session", JSON.stringify({ access: token }));
    const asked = stubPlatform(({ path }) => (path === "/api/v1/discover" || path === "/api/v1/connections" ? { status: 200, body: { items: [], next_cursor: null } } : undefined));
    render(<People />);
    const gender = (await screen.findByLabelText("Gender")) as HTMLSelectElement;
    expect([...gender.options].map((o) => o.value)).toEqual(["", "female", "male", "non_binary", "other", "prefer_not_to_say"]);
    fireEvent.change(gender, { target: { value: "non_binary" } });
    fireEvent.submit(screen.getByRole("search", { name: "Find people" }));
    await waitFor(() => expect(asked.filter((a) => a.path === "/api/v1/discover").at(-1)?.url.searchParams.get("gender")).toBe("non_binary"));
  });
});
