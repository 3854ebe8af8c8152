import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Asked, stubPlatform } from "../lib/testing";
import { Profile } from "./Profile";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const me: Record<string, unknown> = {
  id: "u1",
  username: "amira",
  full_name: "Amira",
  bio: "Hiker",
  region: null,
  city: null,
  country: null,
  gender: null,
  date_of_birth: null,
  interests: ["hiking"],
  languages: [],
};

/**
 * Identity as the page meets it: GET answers `versions` one after another (with its ETag), a PATCH is answered
 * `patched` (412: refused as stale), a picture is taken as version 9.
 */
function identity(versions: Record<string, unknown>[], patched: 200 | 412) {
  let gets = 0;
  return stubPlatform(({ method, path, body }) => {
    if (method === "GET" && path !== "/api/v1/users/me") return undefined; // a 404: the credits beside the profile are not asked here
    if (method === "GET") {
      const version = Math.min(gets++, versions.length - 1);
      return { status: 200, body: versions[version], headers: { ETag: `"${version + 1}"` } };
    }
    if (method === "PUT" && path === "/api/v1/users/me/picture")
      return { status: 200, body: { ...versions[versions.length - 1], profile_image_url: "/api/v1/users/u1/picture" }, headers: { ETag: '"9"' } };
    return patched === 412
      ? { status: 412, body: { title: "Precondition Failed", status: 412 } }
      : { status: 200, body: { ...versions[versions.length - 1], ...body }, headers: { ETag: `"${versions.length + 1}"` } };
  });
}

/** What each PATCH sent (whatever is not a GET nor the picture), and against which version. */
const patches = (asked: Asked[]) =>
  asked.filter((a) => !(a.method === "GET" || (a.method === "PUT" && a.path === "/api/v1/users/me/picture"))).map((a) => ({ body: a.body, ifMatch: a.request.headers.get("If-Match") }));

const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const change = (label: string, value: string) => fireEvent.input(field(label), { target: { value } });
const save = () => fireEvent.submit(screen.getByRole("form", { name: "Your profile" }));

describe("Profile", () => {
  it("sends only the fields changed, trimmed, against the version it loaded", async () => {
    const asked = identity([me], 200);
    render(<Profile />);
    await waitFor(() => expect(field("City").value).toBe(""));
    change("City", "  Dubai ");
    change("Interests", "hiking,  photography,");
    change("About you", "");
    save();
    await screen.findByText("Your profile is saved.");
    expect(patches(asked)).toEqual([{ body: { city: "Dubai", interests: ["hiking", "photography"], bio: null }, ifMatch: '"1"' }]);
    // the form started over from the saved version: the focus is on the page's heading, not lost
    await waitFor(() => expect(document.activeElement?.id).toBe("profile-heading"));
  });

  it("sends nothing when nothing changed", async () => {
    const asked = identity([me], 200);
    render(<Profile />);
    await waitFor(() => expect(field("Interests").value).toBe("hiking"));
    change("Interests", " hiking ");
    save();
    await screen.findByText("Nothing changed.");
    expect(patches(asked)).toEqual([]);
  });

  it("keeps what was typed and not saved yet when the picture changes, and saves it against the new version", async () => {
    const asked = identity([me], 200);
    render(<Profile />);
    await waitFor(() => expect(field("City").value).toBe(""));
    change("City", "Dubai");
    fireEvent.change(screen.getByLabelText("Choose a picture"), { target: { files: [new File([new Uint8Array([137, 80, 78, 71])], "me.png", { type: "image/png" })] } });
    await screen.findByRole("button", { name: "Remove the picture" });
    expect(field("City").value).toBe("Dubai");
    save();
    await screen.findByText("Your profile is saved.");
    expect(patches(asked)).toEqual([{ body: { city: "Dubai" }, ifMatch: '"9"' }]);
  });

  it("after a change made elsewhere, loads the latest with the person's changes on top", async () => {
    const asked = identity([me, { ...me, bio: "Written on my phone", region: "Marina" }], 412);
    render(<Profile />);
    await waitFor(() => expect(field("City").value).toBe(""));
    change("City", "Dubai");
    save();
    await screen.findByText(/changed elsewhere/);
    await waitFor(() => expect(field("About you").value).toBe("Written on my phone"));
    expect(field("Region or neighbourhood").value).toBe("Marina");
    expect(field("City").value).toBe("Dubai");
    expect(patches(asked)).toHaveLength(1);
  });
});
