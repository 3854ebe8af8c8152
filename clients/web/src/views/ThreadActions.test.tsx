import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { ThreadActions, threadGone, threadsChanged } from "./ThreadActions";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  signedIn(null);
});

const thread = {
  id: "t1",
  group_id: "g1",
  title: "Saturday hike",
  tags: ["hiking"],
  author: { user_id: "u2", username: "amira", display_name: "Amira", profile_image_url: null },
  pinned: false,
  pinned_at: null,
  message_count: 3,
  last_seq: 3,
  last_activity_at: "2026-11-28T10:00:00Z",
  created_at: "2026-11-28T09:00:00Z",
  updated_at: "2026-11-28T09:00:00Z",
};

const heard = (name: string) => {
  const got: string[] = [];
  const listener = (e: Event) => got.push((e as CustomEvent<string>).detail);
  addEventListener(name, listener);
  return got;
};

describe("ThreadActions", () => {
  it("offers nothing to a member who neither wrote the thread nor moderates", () => {
    signedIn({ id: "me", role: "member" });
    render(<ThreadActions thread={thread} etag={'"1"'} moderates={false} changed={() => undefined} />);
    expect(screen.queryAllByRole("button")).toEqual([]);
  });

  it("lets a moderator pin it, and the list of threads hears of it", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(() => ({ status: 200, body: { ...thread, pinned: true } }));
    const changed = vi.fn();
    const said = heard(threadsChanged);
    render(<ThreadActions thread={thread} etag={'"1"'} moderates changed={changed} />);
    fireEvent.click(screen.getByRole("button", { name: "Pin to the top" }));
    await waitFor(() => expect(changed).toHaveBeenCalledOnce());
    expect(asked.map((a) => `${a.method} ${a.path}`)).toEqual(["POST /api/v1/threads/t1/pin"]);
    expect(said).toEqual(["t1"]);
  });

  it("sends only what changed against the version loaded, and loads it again after a 412 keeping what was written", async () => {
    signedIn({ id: "u2", role: "member" });
    let status = 412;
    const asked = stubPlatform(() => (status === 200 ? { status, body: thread } : { status, body: { title: "Precondition failed", status } }));
    const changed = vi.fn();
    render(<ThreadActions thread={thread} etag={'"7"'} moderates={false} changed={changed} />);
    expect(screen.queryByRole("button", { name: "Pin to the top" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Edit the thread" }));
    fireEvent.input(screen.getByLabelText(/Tags/), { target: { value: "hiking, , outdoors, hiking" } });
    fireEvent.submit(screen.getByRole("form", { name: "Edit the thread" }));
    await screen.findByText(/changed elsewhere since it was loaded/);
    expect(changed).toHaveBeenCalledOnce();
    expect(asked.map(({ method, path, body, request }) => ({ method, path, body, ifMatch: request.headers.get("If-Match") }))).toEqual([
      { method: "PATCH", path: "/api/v1/threads/t1", body: { tags: ["hiking", "outdoors"] }, ifMatch: '"7"' },
    ]);
    // what was written is kept, to be saved again
    expect((screen.getByLabelText(/Tags/) as HTMLInputElement).value).toBe("hiking, , outdoors, hiking");
    status = 200;
    fireEvent.input(screen.getByLabelText("Title"), { target: { value: " Sunday hike " } });
    fireEvent.submit(screen.getByRole("form", { name: "Edit the thread" }));
    await waitFor(() => expect(changed).toHaveBeenCalledTimes(2));
    expect(asked[1]!.body).toEqual({ title: "Sunday hike", tags: ["hiking", "outdoors"] });
    expect(screen.queryByRole("form", { name: "Edit the thread" })).toBeNull();
  });

  it("deletes it once confirmed, and says where it was refused", async () => {
    signedIn({ id: "u2", role: "member" });
    let status = 403;
    const asked = stubPlatform(() => (status === 204 ? { status } : { status, body: { title: "Forbidden", status, detail: "Only its author or a moderator deletes a thread." } }));
    const gone = heard(threadGone);
    vi.stubGlobal("confirm", () => true);
    render(<ThreadActions thread={thread} etag={null} moderates={false} changed={() => undefined} />);
    fireEvent.click(screen.getByRole("button", { name: "Delete the thread" }));
    await screen.findByText("Only its author or a moderator deletes a thread.");
    expect(gone).toEqual([]);
    status = 204;
    fireEvent.click(screen.getByRole("button", { name: "Delete the thread" }));
    await waitFor(() => expect(gone).toEqual(["t1"]));
    expect(location.pathname).toMatch(/communities\/g1$/);
    expect(asked.map((a) => a.method)).toEqual(["DELETE", "DELETE"]);
  });
});
