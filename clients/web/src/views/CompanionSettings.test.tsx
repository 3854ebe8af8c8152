import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { CompanionSettings } from "./CompanionSettings";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

/** The companion service as the card meets it: settings versioned by ETag, a PUT answered `put` (then 200). */
function companion(put: number[]) {
  let share = false;
  let version = 1;
  let used = 3;
  return stubPlatform(({ method, path, body }) => {
    if (path.endsWith("/usage")) return { status: 200, body: { used_today: used++, daily_limit: 20, tier: "free", session: null, resets_at: "2030-01-01T00:00:00Z" } };
    if (method === "GET") return { status: 200, body: { share_profile: share }, headers: { ETag: `"${version}"` } };
    const status = put.shift() ?? 200;
    if (status !== 200) return { status, body: { title: "Precondition Failed", status } };
    share = body.share_profile;
    version++;
    return { status: 200, body: { share_profile: share }, headers: { ETag: `"${version}"` } };
  });
}

describe("CompanionSettings", () => {
  it("shares the profile against the version loaded, loads again when it changed elsewhere, and counts today's use", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = companion([412]);
    const { rerender } = render(<CompanionSettings version={0} />);
    await screen.findByText(/^Today: 3 of 20 messages/);
    const box = (await screen.findByLabelText("Let the companion know my interests and region")) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await screen.findByText(/changed elsewhere since this page loaded/);
    fireEvent.click(screen.getByLabelText("Let the companion know my interests and region"));
    await waitFor(() => expect((screen.getByLabelText("Let the companion know my interests and region") as HTMLInputElement).checked).toBe(true));
    expect(asked.filter((a) => a.method === "PUT").map((a) => ({ ifMatch: a.request.headers.get("If-Match"), body: a.body }))).toEqual([
      { ifMatch: '"1"', body: { share_profile: true } },
      { ifMatch: '"1"', body: { share_profile: true } },
    ]);
    rerender(<CompanionSettings version={1} />);
    await screen.findByText(/^Today: 4 of 20 messages/);
  });
});
