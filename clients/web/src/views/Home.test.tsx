import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { Home, sentence, who } from "./Home";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const person = (id: string, full_name: string) => ({ user_id: id, username: full_name.toLowerCase(), full_name, profile_image_url: null });
const dashboard = {
  user_id: "me",
  streak: { days: 3, active_today: true, last_active_on: "2026-11-28" },
  counts: { connections: 1, followers: 2, groups: 1, events_attended: 0, courses_in_progress: 1, pending_requests: 0 },
  weekly_growth: -50,
  weekly_growth_detail: { new_connections: 1, new_followers: 0, previous_connections: 2, previous_followers: 0, change_percent: -50 },
  emotional_path_progress: 36,
  daily_message: "Small steps count.",
  badges: [{ badge: "first_connection", name: "First connection", description: "You connected with someone.", earned_at: "2026-11-27T10:00:00Z" }],
  next_badges: [{ badge: "connector", name: "Connector", description: "Connect with 10 people.", progress: 1, target: 10 }],
};
const feedItem = (kind: string, subject: object, actors = [person("u2", "Olga")], actor_count = actors.length) => ({ kind, actors, actor_count, subject, occurred_at: "2026-11-28T09:00:00Z" });

describe("the feed's words", () => {
  it("name the actors shown first, then how many more there were", () => {
    expect(who({ actors: [person("a", "Amira")], actor_count: 1 })).toBe("Amira");
    expect(who({ actors: [person("a", "Amira"), person("b", "Bilal")], actor_count: 2 })).toBe("Amira and Bilal");
    expect(who({ actors: [person("a", "Amira"), person("b", "Bilal"), person("c", "Chen")], actor_count: 6 })).toBe("Amira, Bilal, Chen and 3 others");
    expect(who({ actors: [person("a", "Amira")], actor_count: 2 })).toBe("Amira and 1 other");
  });

  it("say what was done, agreeing with how many did it, and still show a kind not known yet", () => {
    expect(sentence({ kind: "event_rsvp", actor_count: 1 })).toBe("is going to");
    expect(sentence({ kind: "event_rsvp", actor_count: 4 })).toBe("are going to");
    expect(sentence({ kind: "something_new", actor_count: 1 })).toBe("did something about");
  });
});

describe("Home", () => {
  it("shows the dashboard, the suggestions and the feed, each linked to its page; a next page on asking", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ path, url }) => {
      if (path === "/api/v1/dashboard") return { status: 200, body: dashboard };
      if (path === "/api/v1/network/suggestions") return { status: 200, body: { items: [] } };
      if (path === "/api/v1/feed" && !url.searchParams.get("cursor"))
        return { status: 200, body: { items: [feedItem("event_published", { type: "event", id: "e1", name: "Night walk" }), feedItem("group_joined", { type: "group", id: "g1", name: "Hikers" }, [person("a", "Amira"), person("b", "Bilal")], 5), feedItem("connection_accepted", { type: "user", id: "me", name: "Me Myself" })], next_cursor: "c2" } };
      if (path === "/api/v1/feed") return { status: 200, body: { items: [feedItem("course_completed", { type: "course", id: "k1", name: "Trail first aid" })], next_cursor: null } };
    });
    render(<Home />);
    await screen.findByText("Small steps count.");
    expect(screen.getByText("3 days in a row, today included.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "1 connection" }).getAttribute("href")).toMatch(/\/people$/);
    expect(screen.getByText(/down 50% on the week before/)).toBeTruthy();
    expect((screen.getByRole("progressbar", { name: /Your path: 36 of 100/ }) as HTMLProgressElement).value).toBe(36);
    expect(screen.getByRole("list", { name: "Badges earned" }).textContent).toContain("First connection");
    expect(screen.getByRole("progressbar", { name: /Connector: 1 of 10/ })).toBeTruthy();
    const feed = await screen.findByRole("list", { name: "Feed" });
    await waitFor(() => expect(feed.textContent).toContain("Olga published Night walk"));
    expect(feed.textContent).toContain("Amira, Bilal and 3 others joined Hikers");
    expect(feed.textContent).toContain("Olga connected with you");
    expect(screen.getByRole("link", { name: "Night walk" }).getAttribute("href")).toMatch(/\/events\/e1$/);
    expect(screen.getByRole("link", { name: "Hikers" }).getAttribute("href")).toMatch(/\/communities\/g1$/);
    // no one to suggest: no empty card
    expect(screen.queryByRole("heading", { name: "People you may know" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show more activities" }));
    await screen.findByRole("link", { name: "Trail first aid" });
    expect(asked.filter((a) => a.path === "/api/v1/feed").map((a) => a.url.searchParams.get("cursor"))).toEqual([null, "c2"]);
  });

  it("asks to connect with someone suggested, who then leaves the list", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(({ path }) => {
      if (path === "/api/v1/dashboard") return { status: 200, body: dashboard };
      if (path === "/api/v1/network/suggestions") return { status: 200, body: { items: [{ user: person("u7", "Chen"), mutual_count: 2, compatibility_score: 60 }] } };
      if (path === "/api/v1/feed") return { status: 200, body: { items: [], next_cursor: null } };
      if (path === "/api/v1/connections") return { status: 201, body: {} };
    });
    render(<Home />);
    await screen.findByText("Nothing yet: follow people", { exact: false });
    const suggested = await screen.findByRole("list", { name: "People you may know" });
    expect(suggested.textContent).toContain("2 mutual connections");
    fireEvent.click(screen.getByRole("button", { name: "Connect with Chen" }));
    await screen.findByText("Connection requested: Chen.");
    expect(screen.queryByRole("button", { name: "Connect with Chen" })).toBeNull();
    expect(asked.find((a) => a.method === "POST")).toMatchObject({ path: "/api/v1/connections", body: { user_id: "u7", message: null } });
  });

  it("opens a thread of the feed in its community, asked for when pressed", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(({ path }) => {
      if (path === "/api/v1/dashboard") return { status: 200, body: dashboard };
      if (path === "/api/v1/network/suggestions") return { status: 200, body: { items: [] } };
      if (path === "/api/v1/feed") return { status: 200, body: { items: [feedItem("thread_started", { type: "thread", id: "t1", name: "Saturday hike" }), feedItem("thread_started", { type: "thread", id: "t2", name: "Gone" })], next_cursor: null } };
      if (path === "/api/v1/threads/t1") return { status: 200, body: { id: "t1", group_id: "g1" } };
    });
    render(<Home />);
    fireEvent.click(await screen.findByRole("button", { name: "Gone" }));
    await screen.findByText("Not Found", { exact: false });
    fireEvent.click(screen.getByRole("button", { name: "Saturday hike" }));
    await waitFor(() => expect(location.pathname).toMatch(/\/communities\/g1\/t1$/));
  });
});
