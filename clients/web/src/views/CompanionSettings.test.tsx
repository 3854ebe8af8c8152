import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn } from "../lib/testing";
import { CompanionSettings } from "./CompanionSettings";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

/** The companion service as the card meets it: settings versioned by ETag, a PUT answered `put` (then 200). */
function companion(put: number[]) {
  const sent: { ifMatch: string | null; body: unknown }[] = [];
  let share = false;
  let version = 1;
  let used = 3;
  vi.stubGlobal("fetch", async (request: Request) => {
    const path = new URL(request.url).pathname;
    const json = (status: number, body: unknown, etag?: string) =>
      new Response(JSON.stringify(body), { status, headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json", ...(etag ? { ETag: etag } : {}) } });
    if (path.endsWith("/usage")) return json(200, { used_today: used++, daily_limit: 20, tier: "free", session: null, resets_at: "2030-01-01T00:00:00Z" });
    if (request.method === "GET") return json(200, { share_profile: share }, `"${version}"`);
    const body = (await request.json()) as { share_profile: boolean };
    sent.push({ ifMatch: request.headers.get("If-Match"), body });
    const status = put.shift() ?? 200;
    if (status !== 200) return json(status, { title: "Precondition Failed", status });
    share = body.share_profile;
    version++;
    return json(200, { share_profile: share }, `"${version}"`);
  });
  return sent;
}

describe("CompanionSettings", () => {
  it("shares the profile against the version loaded, loads again when it changed elsewhere, and counts today's use", async () => {
    signedIn({ id: "me", role: "member" });
    const sent = companion([412]);
    const { rerender } = render(<CompanionSettings version={0} />);
    await screen.findByText(/^Today: 3 of 20 messages/);
    const box = (await screen.findByLabelText("Let the companion know my interests and region")) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await screen.findByText(/changed elsewhere since this page loaded/);
    fireEvent.click(screen.getByLabelText("Let the companion know my interests and region"));
    await waitFor(() => expect((screen.getByLabelText("Let the companion know my interests and region") as HTMLInputElement).checked).toBe(true));
    expect(sent).toEqual([
      { ifMatch: '"1"', body: { share_profile: true } },
      { ifMatch: '"1"', body: { share_profile: true } },
    ]);
    rerender(<CompanionSettings version={1} />);
    await screen.findByText(/^Today: 4 of 20 messages/);
  });
});
