import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Asked, signedIn, stubPlatform } from "../lib/testing";
import { EventPhotos } from "./EventPhotos";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const photo = (id: string, by: string, caption: string | null) => ({
  id,
  event_id: "e1",
  uploaded_by: by,
  content_type: "image/webp",
  size_bytes: 4,
  width: 4,
  height: 3,
  caption,
  url: `/api/v1/events/e1/photos/${id}/content`,
  created_at: "2026-11-28T10:00:00Z",
});

/** The fields of the form a photo was added with: its file (name and size) and caption. Read from a copy, so read again at will. */
async function fields({ request }: Asked) {
  const form = await request.clone().formData();
  const file = form.get("file") as File;
  return { file: `${file.name} ${file.size}`, caption: String(form.get("caption")) };
}

/** Events as the photos meet it: each call recorded, the list answering `listed` (what was added joins it). */
function platform(listed: ReturnType<typeof photo>[]) {
  return stubPlatform(async (asked) => {
    if (asked.method === "POST") {
      const added = photo("p9", "me", (await fields(asked)).caption);
      listed.unshift(added);
      return { status: 201, body: added };
    }
    if (asked.path.endsWith("/content")) return new Response(new Uint8Array([1, 2, 3, 4]), { status: 200, headers: { "Content-Type": "image/webp" } });
    return { status: 200, body: { items: listed, page: 1, limit: 24, total: listed.length, total_is_estimate: false, next_cursor: null } };
  });
}

describe("EventPhotos", () => {
  it("shows the photos from their bytes, and lets only their uploader or the organizer remove one", async () => {
    signedIn({ id: "me", role: "member" });
    platform([photo("p1", "me", "The sunset"), photo("p2", "someone", "The crowd")]);
    render(<EventPhotos eventId="e1" organizerId="o1" canAdd={false} />);
    const sunset = (await screen.findByRole("img", { name: "The sunset" })) as HTMLImageElement;
    await waitFor(() => expect(sunset.src).toMatch(/^blob:/));
    expect(screen.getByRole("button", { name: "Remove the photo The sunset" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Remove the photo The crowd" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Add a photo" })).toBeNull();
  });

  it("adds a photo as the form's file and caption, then shows it", async () => {
    signedIn({ id: "me", role: "member" });
    const calls = platform([]);
    render(<EventPhotos eventId="e1" organizerId="o1" canAdd />);
    await screen.findByText("No photos yet.");
    fireEvent.change(screen.getByLabelText("Photo"), { target: { files: [new File([new Uint8Array([1, 2, 3, 4])], "beach.webp", { type: "image/webp" })] } });
    fireEvent.input(screen.getByLabelText("Caption (optional)"), { target: { value: "At the beach" } });
    fireEvent.submit(screen.getByRole("form", { name: "Add a photo" }));
    await screen.findByRole("img", { name: "At the beach" });
    const post = calls.find((c) => c.method === "POST")!;
    expect({ method: post.method, path: post.path, fields: await fields(post) }).toEqual({ method: "POST", path: "/api/v1/events/e1/photos", fields: { file: "beach.webp 4", caption: "At the beach" } });
  });

  it("sends a photo whose answer was lost again under the same Idempotency-Key, and another file under a new one", async () => {
    signedIn({ id: "me", role: "member" });
    const listed: ReturnType<typeof photo>[] = [];
    let lose = true;
    const calls = stubPlatform(async (asked) => {
      if (asked.method === "POST") {
        if (lose) return (lose = false), "no answer";
        const added = photo(`p${listed.length + 1}`, "me", (await fields(asked)).caption);
        listed.unshift(added);
        return { status: 201, body: added };
      }
      if (asked.path.endsWith("/content")) return new Response(new Uint8Array([1, 2, 3, 4]), { status: 200, headers: { "Content-Type": "image/webp" } });
      return { status: 200, body: { items: listed, page: 1, limit: 24, total: listed.length, total_is_estimate: false, next_cursor: null } };
    });
    render(<EventPhotos eventId="e1" organizerId="o1" canAdd />);
    await screen.findByText("No photos yet.");
    const choose = (name: string) => fireEvent.change(screen.getByLabelText("Photo"), { target: { files: [new File([new Uint8Array([1, 2, 3, 4])], name, { type: "image/webp" })] } });
    const add = async (caption: string) => {
      fireEvent.input(screen.getByLabelText("Caption (optional)"), { target: { value: caption } });
      fireEvent.submit(screen.getByRole("form", { name: "Add a photo" }));
      await waitFor(() => expect((screen.getByRole("button", { name: "Add the photo" }) as HTMLButtonElement).disabled).toBe(false));
    };
    choose("beach.webp");
    await add("At the beach");
    await screen.findByRole("alert");
    await add("At the beach");
    await screen.findByRole("img", { name: "At the beach" });
    choose("dunes.webp");
    await add("On the dunes");
    await screen.findByRole("img", { name: "On the dunes" });
    const keys = calls.filter((c) => c.method === "POST").map((c) => c.request.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("sends the photo whose answer was lost under a new Idempotency-Key once its caption changed", async () => {
    signedIn({ id: "me", role: "member" });
    let lose = true;
    const calls = stubPlatform(async (asked) => {
      if (asked.method === "POST") {
        if (lose) return (lose = false), "no answer";
        return { status: 201, body: photo("p1", "me", (await fields(asked)).caption) };
      }
      if (asked.path.endsWith("/content")) return new Response(new Uint8Array([1, 2, 3, 4]), { status: 200, headers: { "Content-Type": "image/webp" } });
      return { status: 200, body: { items: [], page: 1, limit: 24, total: 0, total_is_estimate: false, next_cursor: null } };
    });
    render(<EventPhotos eventId="e1" organizerId="o1" canAdd />);
    await screen.findByText("No photos yet.");
    fireEvent.change(screen.getByLabelText("Photo"), { target: { files: [new File([new Uint8Array([1, 2, 3, 4])], "beach.webp", { type: "image/webp" })] } });
    for (const caption of ["At the baech", "At the beach"]) {
      fireEvent.input(screen.getByLabelText("Caption (optional)"), { target: { value: caption } });
      fireEvent.submit(screen.getByRole("form", { name: "Add a photo" }));
      await waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(caption === "At the baech" ? 1 : 2));
      await waitFor(() => expect((screen.getByRole("button", { name: "Add the photo" }) as HTMLButtonElement).disabled).toBe(false));
    }
    const keys = calls.filter((c) => c.method === "POST").map((c) => c.request.headers.get("Idempotency-Key"));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBeTruthy();
    expect(keys[1]).not.toBe(keys[0]);
  });

  it("refuses what events would refuse before sending it: another format, over 10 MB", async () => {
    signedIn({ id: "me", role: "member" });
    const calls = platform([]);
    render(<EventPhotos eventId="e1" organizerId="o1" canAdd />);
    await screen.findByText("No photos yet.");
    const choose = (file: File) => {
      fireEvent.change(screen.getByLabelText("Photo"), { target: { files: [file] } });
      fireEvent.submit(screen.getByRole("form", { name: "Add a photo" }));
    };
    choose(new File(["GIF89a"], "a.gif", { type: "image/gif" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Choose a JPEG, PNG or WebP photo.");
    choose(new File([new Uint8Array(10 * 1024 * 1024 + 1)], "big.jpg", { type: "image/jpeg" }));
    await screen.findByText("Choose a photo of at most 10 MB.");
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
  });

  it("shows 24 at first, the next page on asking, and keeps it shown after adding a photo", async () => {
    signedIn({ id: "me", role: "member" });
    // 25 photos, newest first, in pages of 24: the cursor names where the next page starts
    const listed = Array.from({ length: 25 }, (_, i) => photo(`p${i + 1}`, "someone", `Photo ${i + 1}`));
    const asked = stubPlatform(({ method, path, url }) => {
      if (path.endsWith("/content")) return new Response(new Uint8Array([1, 2, 3, 4]), { status: 200, headers: { "Content-Type": "image/webp" } });
      if (method === "POST") {
        const added = photo("p0", "me", "Added");
        listed.unshift(added);
        return { status: 201, body: added };
      }
      const from = Number(url.searchParams.get("cursor") ?? 0);
      const items = listed.slice(from, from + 24);
      return { status: 200, body: { items, page: 1, limit: 24, total: listed.length, total_is_estimate: false, next_cursor: from + 24 < listed.length ? String(from + 24) : null } };
    });
    render(<EventPhotos eventId="e1" organizerId="o1" canAdd />);
    await screen.findByRole("img", { name: "Photo 24" });
    expect(screen.queryByRole("img", { name: "Photo 25" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show more photos" }));
    await screen.findByRole("img", { name: "Photo 25" });
    expect(asked.filter((a) => a.method !== "POST" && !a.path.endsWith("/content")).map((a) => a.url.search)).toEqual(["?limit=24", "?limit=24&cursor=24"]);
    expect(screen.queryByRole("button", { name: "Show more photos" })).toBeNull();

    fireEvent.change(screen.getByLabelText("Photo"), { target: { files: [new File([new Uint8Array([1, 2, 3, 4])], "a.webp", { type: "image/webp" })] } });
    fireEvent.submit(screen.getByRole("form", { name: "Add a photo" }));
    await screen.findByRole("img", { name: "Added" });
    // the refreshed first page ends at photo 23; photos 24 and 25, shown before, stay after it
    expect(screen.getAllByRole("listitem")).toHaveLength(26);
    expect(screen.getByRole("img", { name: "Photo 25" })).toBeTruthy();
  });
});
