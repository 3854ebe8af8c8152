import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { AdminPanel, Moderation } from "./Moderation";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const report = (id: string, target_type: string, extra: object = {}) => ({
  id,
  reporter_id: "u1",
  target_type,
  target_id: "t1",
  category: "harassment",
  comment: "Insults in every message.",
  status: "open",
  created_at: "2026-11-28T09:00:00Z",
  ...extra,
});

describe("Moderation", () => {
  it("lists open reports and settles one with a suspension until a date; it leaves the queue", async () => {
    signedIn({ id: "admin", role: "admin" });
    let settled = false;
    const asked = stubPlatform(({ method, url }) => {
      if (method === "POST") return (settled = true), { status: 200, body: report("r1", "user", { status: "resolved", action: "suspend_user" }) };
      if (url.searchParams.get("status") === "open") return { status: 200, body: { items: settled ? [report("r2", "message")] : [report("r1", "user"), report("r2", "message")], next_cursor: null } };
      return { status: 200, body: { items: [], next_cursor: null } };
    });
    render(<Moderation />);
    const queue = await screen.findByRole("list", { name: "Open reports" });
    await waitFor(() => expect(queue.querySelectorAll("li")).toHaveLength(2));
    expect(queue.textContent).toContain("A person reported for Harassment or bullying");
    expect(screen.getAllByRole("link", { name: "A person" })[0]!.getAttribute("href")).toMatch(/\/people\/t1$/);
    const [first, second] = screen.getAllByRole("form");
    // a message cannot be suspended: only a person
    expect([...second!.querySelectorAll("option")].map((o) => o.value)).toEqual(["dismiss", "warn", "remove_content"]);
    // and a person's content is not removed through a report: only a group, a message or an event
    expect([...first!.querySelectorAll("option")].map((o) => o.value)).toEqual(["dismiss", "warn", "suspend_user"]);
    fireEvent.change(first!.querySelector("select")!, { target: { value: "suspend_user" } });
    fireEvent.input(await screen.findByLabelText(/Suspended until/), { target: { value: "2030-01-31T12:00" } });
    fireEvent.input(first!.querySelector("textarea")!, { target: { value: "Third report this month." } });
    fireEvent.submit(first!);
    await screen.findByText("Settled: suspend the person.");
    await waitFor(() => expect(screen.getByRole("list", { name: "Open reports" }).querySelectorAll("li")).toHaveLength(1));
    expect(asked.find((a) => a.method === "POST")).toMatchObject({
      path: "/api/v1/reports/r1/resolve",
      body: { action: "suspend_user", note: "Third report this month.", suspend_until: new Date("2030-01-31T12:00").toISOString() },
    });
  });

  it("drops a report another moderator settled (409), and shows settled ones with their action", async () => {
    signedIn({ id: "admin", role: "admin" });
    stubPlatform(({ method, url }) => {
      if (method === "POST") return { status: 409, body: { title: "Conflict", status: 409, detail: "Already resolved." } };
      if (url.searchParams.get("status") === "open") return { status: 200, body: { items: [report("r1", "event")], next_cursor: null } };
      return { status: 200, body: { items: [report("r9", "group", { status: "resolved", action: "warn", note: "First time.", resolved_at: "2026-11-28T10:00:00Z" })], next_cursor: null } };
    });
    render(<Moderation />);
    fireEvent.change((await screen.findByRole("form")).querySelector("select")!, { target: { value: "warn" } });
    fireEvent.click(screen.getByRole("button", { name: "Settle" }));
    await screen.findByText("Another moderator settled it already.");
    fireEvent.click(screen.getByRole("button", { name: "Settled" }));
    const settled = await screen.findByRole("list", { name: "Settled reports" });
    await waitFor(() => expect(settled.textContent).toContain("Warn"));
    expect(settled.textContent).toContain("First time.");
  });
});

describe("AdminPanel", () => {
  it("suspends an account with a reason, lifts it, and changes the role", async () => {
    signedIn({ id: "admin", role: "admin" });
    let suspended = false;
    const asked = stubPlatform(({ method, path }) => {
      if (path.endsWith("/role")) return { status: 200, body: { id: "u2", role: "organizer" } };
      if (method === "PUT") return (suspended = true), { status: 200, body: { user_id: "u2", suspended: true, suspended_at: "2026-11-28T10:00:00Z", suspended_until: null, reason: "Spam" } };
      if (method === "DELETE") return (suspended = false), { status: 204 };
      return { status: 200, body: { user_id: "u2", suspended, suspended_at: null, suspended_until: null, reason: null } };
    });
    render(<AdminPanel userId="u2" role="member" />);
    const form = await screen.findByRole("form", { name: "Suspend the account" });
    fireEvent.submit(form);
    await screen.findByText("Say why, for the record.");
    expect(asked.filter((a) => a.method === "PUT")).toHaveLength(0);
    fireEvent.input(screen.getByLabelText(/^Why/), { target: { value: " Spam " } });
    fireEvent.submit(form);
    await screen.findByText("Suspended: their sessions have ended.");
    expect(asked.find((a) => a.method === "PUT")?.body).toEqual({ reason: "Spam", until: null });
    fireEvent.click(screen.getByRole("button", { name: "Lift the suspension" }));
    await screen.findByRole("form", { name: "Suspend the account" });
    const apply = screen.getByRole("button", { name: "Change the role" }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);
    // choosing is not applying: arrow keys on the select move through the roles
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "admin" } });
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "organizer" } });
    expect(asked.filter((a) => a.path === "/api/v1/users/u2/role")).toHaveLength(0);
    fireEvent.click(apply);
    await screen.findByText(/Their role is now organizer/);
    expect(asked.filter((a) => a.path === "/api/v1/users/u2/role")).toHaveLength(1);
    expect(asked.find((a) => a.path === "/api/v1/users/u2/role")?.body).toEqual({ role: "organizer" });
  });
});
