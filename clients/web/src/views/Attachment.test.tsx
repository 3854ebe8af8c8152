import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { AttachmentView, upload } from "./Attachment";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const attachment = (id: string, content_type: string, file_name: string) => ({ id, content_type, file_name, size_bytes: 2048, url: `/api/v1/conversations/c1/attachments/${id}/content` });

describe("upload", () => {
  it("sends the file as the form's file, and refuses what messaging would refuse without sending it", async () => {
    signedIn({ id: "me", role: "member" });
    const sent = stubPlatform(() => ({ status: 201, body: attachment("a1", "image/png", "map.png") }));
    expect(await upload("c1", new File(["GIF89a"], "a.gif", { type: "image/gif" }))).toEqual({ refused: "Attach a JPEG, PNG or WebP image, or a PDF." });
    expect(await upload("c1", new File([new Uint8Array(10 * 1024 * 1024 + 1)], "big.pdf", { type: "application/pdf" }))).toEqual({ refused: "Attach a file of at most 10 MB." });
    expect(sent).toEqual([]);
    const { attachment: uploaded } = await upload("c1", new File([new Uint8Array([137, 80, 78, 71])], "map.png", { type: "image/png" }));
    expect(uploaded?.id).toBe("a1");
    const uploads = await Promise.all(
      sent.map(async ({ path, request }) => {
        const file = (await request.formData()).get("file") as File;
        return [path, file.name, file.size];
      }),
    );
    expect(uploads).toEqual([["/api/v1/conversations/c1/attachments", "map.png", 4]]);
  });

  it("sends a file whose answer was lost again under the same Idempotency-Key, and another file under a new one", async () => {
    signedIn({ id: "me", role: "member" });
    let lose = true;
    const sent = stubPlatform(() => (lose ? ((lose = false), "no answer") : { status: 201, body: attachment("a1", "image/png", "map.png") }));
    // chosen again from the picker: another File of the same file
    const chosen = (name: string) => new File([new Uint8Array([137, 80, 78, 71])], name, { type: "image/png", lastModified: 1 });
    await expect(upload("c1", chosen("lost.png"))).rejects.toThrow("could not be reached");
    expect((await upload("c1", chosen("lost.png"))).attachment?.id).toBe("a1");
    await upload("c1", chosen("other.png"));
    const keys = sent.map((a) => a.key);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBeTruthy();
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("keeps a file's Idempotency-Key through an answer that settles nothing, and sends it under a new one once settled", async () => {
    signedIn({ id: "me", role: "member" });
    const statuses = [503, 201, 422, 201];
    const sent = stubPlatform(() => {
      const status = statuses.shift()!;
      return status === 201 ? { status, body: attachment("a1", "image/png", "map.png") } : { status, body: { title: "No", status } };
    });
    const chosen = () => new File([new Uint8Array([137, 80, 78, 71])], "settled.png", { type: "image/png", lastModified: 2 });
    for (let i = 0; i < 4; i++) await upload("c1", chosen());
    expect(sent).toHaveLength(4);
    expect(sent.map((a) => a.key).every(Boolean)).toBe(true);
    const [unavailable, stored, refused, storedAgain] = sent.map((a) => a.key);
    expect(stored).toBe(unavailable);
    expect(refused).not.toBe(stored);
    expect(storedAgain).not.toBe(refused);
    expect(storedAgain).not.toBe(stored);
  });

  it("says messaging's refusal in its words", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(() => ({ status: 415, body: { title: "Unsupported", status: 415, detail: "The file is not a JPEG, PNG, WebP or PDF." } }));
    expect(await upload("c1", new File(["x"], "fake.png", { type: "image/png" }))).toEqual({ refused: "The file is not a JPEG, PNG, WebP or PDF." });
  });
});

describe("AttachmentView", () => {
  it("shows an image from the bytes asked with the session's token", async () => {
    signedIn({ id: "me", role: "member" }, "t0k");
    const asked = stubPlatform(() => new Response(new Uint8Array([137, 80, 78, 71]), { status: 200, headers: { "Content-Type": "image/png" } }));
    render(<AttachmentView conversationId="c1" attachment={attachment("a1", "image/png", "map.png")} />);
    const image = (await screen.findByRole("img", { name: "map.png" })) as HTMLImageElement;
    expect(image.src).toMatch(/^blob:/);
    expect(asked.map((a) => a.request.headers.get("Authorization"))).toEqual(["Bearer t0k"]);
  });

  it("downloads any other file under its name, and says when it could not", async () => {
    signedIn({ id: "me", role: "member" });
    let status = 403;
    stubPlatform(() => (status === 200 ? new Response(new Uint8Array([37, 80, 68, 70]), { status, headers: { "Content-Type": "application/pdf" } }) : { status, body: { title: "Forbidden", status } }));
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    render(<AttachmentView conversationId="c1" attachment={attachment("a2", "application/pdf", "route.pdf")} />);
    fireEvent.click(screen.getByRole("button", { name: "route.pdf (2 kB)" }));
    await screen.findByText("It could not be downloaded.", { exact: false });
    status = 200;
    fireEvent.click(screen.getByRole("button", { name: "route.pdf (2 kB)" }));
    await waitFor(() => expect(clicked).toEqual(["route.pdf"]));
    expect(screen.queryByText("It could not be downloaded.", { exact: false })).toBeNull();
  });
});
