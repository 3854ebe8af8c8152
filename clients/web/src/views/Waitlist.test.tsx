import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { statusSaying, stubPlatform } from "../lib/testing";
import { Waitlist } from "./Waitlist";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  history.replaceState(null, "", "/app/waitlist");
});

const checkYourEmail = "Check your e-mail: your place on the waitlist and a link to follow it are on their way.";
const ifListed = "If this address is on the waitlist, its place is on its way to it by e-mail.";

/** Identity's waitlist: the place of token "t-1", "check your e-mail" otherwise; a join answers `joined`. */
function identity(joined: { status: number; body?: unknown } | "no answer" = { status: 202, body: { message: checkYourEmail } }) {
  return stubPlatform(({ method, path, url }) => {
    if (method === "POST" && path === "/api/v1/waitlist") return joined;
    if (path !== "/api/v1/waitlist/status") return undefined;
    const token = url.searchParams.get("token");
    if (token === "t-1") return { status: 200, body: { email: "me@example.com", waitlist_position: 42, joined_at: "2026-11-20T10:00:00Z" } };
    if (token) return { status: 404, body: { title: "Not Found", status: 404, detail: "No waitlist place has this status token." } };
    return { status: 202, body: { message: ifListed } };
  });
}

function join(email: string) {
  const form = within(screen.getByRole("form", { name: "Join the waitlist" }));
  fireEvent.input(form.getByRole("textbox", { name: "E-mail" }), { target: { value: email } });
  fireEvent.click(form.getByRole("button", { name: "Join the waitlist" }));
}

describe("Waitlist", () => {
  it("joins with the address and says what identity said, never a place", async () => {
    const asked = identity();
    render(<Waitlist />);
    // the join's live region is in the page before its words, so they are announced
    const region = screen.getByRole("form", { name: "Join the waitlist" }).previousElementSibling;

    join(" me@example.com ");

    expect(await statusSaying(checkYourEmail)).toBe(region);
    expect(asked.map((a) => [a.method, a.path, a.body])).toEqual([["POST", "/api/v1/waitlist", { email: "me@example.com", source: "web" }]]);
    expect(screen.queryByRole("button", { name: "Join the waitlist" })).toBeNull();
    expect(screen.queryByText(/number/)).toBeNull();
  });

  it("shows the place of the e-mail's link, and offers neither joining nor the place by e-mail then", async () => {
    history.replaceState(null, "", "/app/waitlist?token=t-1");
    const asked = identity();
    render(<Waitlist />);

    expect((await screen.findByRole("heading", { name: "You are number 42" })).closest("section")!.textContent).toContain("me@example.com joined on");
    expect(asked.map((a) => a.url.search)).toEqual(["?token=t-1"]);
    expect(screen.queryByRole("button", { name: "Join the waitlist" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Send me my place" })).toBeNull();
  });

  it("says a link that holds no place, and still offers joining", async () => {
    history.replaceState(null, "", "/app/waitlist?token=gone");
    identity();
    render(<Waitlist />);

    expect((await screen.findByRole("alert")).textContent).toContain("No waitlist place has this status token.");
    // asking again cannot change that
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
    expect(screen.getByRole("button", { name: "Join the waitlist" })).toBeTruthy();
  });

  it("sends the place of a listed address by e-mail, saying the same whatever the address", async () => {
    const asked = identity();
    render(<Waitlist />);

    const form = within(screen.getByRole("form", { name: "Get your place by e-mail" }));
    fireEvent.input(form.getByRole("textbox", { name: "E-mail" }), { target: { value: "me@example.com" } });
    fireEvent.click(form.getByRole("button", { name: "Send me my place" }));

    await statusSaying(ifListed);
    expect(asked.map((a) => a.url.search)).toEqual(["?email=me%40example.com"]);
  });

  it("says a refused address in identity's words, and no answer, keeping the form", async () => {
    let joined: { status: number; body?: unknown } | "no answer" = "no answer";
    stubPlatform(({ method }) => (method === "POST" ? joined : undefined));
    render(<Waitlist />);

    join("me@example.com");
    expect((await screen.findByRole("alert")).textContent).toContain("could not be reached");

    joined = { status: 400, body: { title: "Invalid input", status: 400, errors: { email: ["Give a valid e-mail address."] } } };
    join("me@example.com");
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("Give a valid e-mail address."));
    expect(screen.getByRole("button", { name: "Join the waitlist" })).toBeTruthy();
  });
});
