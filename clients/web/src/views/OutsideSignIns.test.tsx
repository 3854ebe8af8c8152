import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Asked, statusSaying, stubPlatform } from "../lib/testing";
import { OutsideSignInsSection, takeLinkReturn } from "./OutsideSignIns";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  history.replaceState(null, "", "/app/");
});

const links = "/api/v1/users/me/external-logins";
const google = { provider: "google", display_name: "Google", email: "amira@gmail.com", linked_at: "2026-11-27T21:02:11Z" };

/** Identity as the section meets it: one provider configured, `linked` the account's links; every call recorded. */
function identity(linked: (typeof google)[], answers: Record<string, { status: number; body?: unknown }> = {}) {
  return stubPlatform(({ method, path }) => {
    const planned = answers[`${method} ${path}`];
    if (planned) return planned;
    if (path === "/api/v1/auth/external/providers") return { status: 200, body: { items: [{ name: "google", display_name: "Google" }] } };
    if (path === "/api/v1/users/me/two-factor") return { status: 200, body: { enabled: false, enabled_at: null, recovery_codes_left: 0 } };
    if (method === "GET" && path === links) return { status: 200, body: { items: linked } };
    return undefined;
  });
}

const sent = ({ method, path, body }: Asked) => ({ method, path, body });

describe("OutsideSignInsSection", () => {
  it("lists the linked providers and removes one with the password", async () => {
    const linked = [google];
    const calls = identity(linked, { [`DELETE ${links}/google`]: { status: 204 } });
    render(<OutsideSignInsSection />);
    await screen.findByText(/Google \(amira@gmail.com\)/);

    fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    fireEvent.input(screen.getByLabelText("Your password"), { target: { value: "correct-horse-9" } });
    linked.length = 0;
    fireEvent.click(screen.getByRole("button", { name: "Remove Google" }));

    await statusSaying("Google no longer signs in to your account.");
    expect(calls.map(sent)).toContainEqual({ method: "DELETE", path: `${links}/google`, body: { password: "correct-horse-9" } });
    await screen.findByText("No other service signs in to your account.");
  });

  it("shows a refused removal and keeps the link", async () => {
    identity([google], { [`DELETE ${links}/google`]: { status: 400, body: { title: "Bad Request", status: 400, errors: { password: ["The password is wrong."] } } } });
    render(<OutsideSignInsSection />);
    await screen.findByText(/Google \(amira@gmail.com\)/);
    fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    fireEvent.input(screen.getByLabelText("Your password"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Remove Google" }));
    await screen.findByText(/The password is wrong\./);
    expect(screen.getByText(/Google \(amira@gmail.com\)/)).toBeTruthy();
  });

  it("starts a link with a ticket and posts the link code that comes back to this tab", async () => {
    const calls = identity([], {
      [`POST ${links}/tickets`]: { status: 201, body: { ticket: "T1", expires_in: 300 } },
      [`POST ${links}`]: { status: 201, body: google },
    });
    const assign = vi.fn();
    vi.stubGlobal("location", { ...location, assign, origin: location.origin });
    render(<OutsideSignInsSection />);
    fireEvent.click(await screen.findByRole("button", { name: "Link Google" }));
    fireEvent.input(screen.getByLabelText("Your password"), { target: { value: "correct-horse-9" } });
    fireEvent.click(screen.getByRole("button", { name: "Continue to Google" }));
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const start = new URL(assign.mock.calls[0]![0] as string, "http://localhost");
    expect(start.pathname).toBe("/api/v1/auth/external/google/start");
    expect(start.searchParams.get("intent")).toBe("link");
    expect(start.searchParams.get("link_ticket")).toBe("T1");
    const state = new URL(start.searchParams.get("redirect_uri")!).searchParams.get("state")!;
    cleanup();
    vi.unstubAllGlobals();

    // the way back, to /signed-in with this tab's state
    const after = identity([], { [`POST ${links}`]: { status: 201, body: google } });
    history.replaceState(null, "", `/app/signed-in?state=${state}&link_code=L1`);
    sessionStorage.setItem("community.outside-link", state);
    expect(takeLinkReturn()).toBe(true);
    render(<OutsideSignInsSection />);
    await statusSaying("Google (amira@gmail.com) now signs in to your account.");
    expect(after.map(sent)).toContainEqual({ method: "POST", path: links, body: { code: "L1" } });
    expect(calls.map(sent)).toContainEqual({ method: "POST", path: `${links}/tickets`, body: { provider: "google", password: "correct-horse-9" } });
  });

  it("never posts a link code this tab did not ask for", async () => {
    const calls = identity([]);
    history.replaceState(null, "", "/app/signed-in?state=someone-elses&link_code=L2");
    expect(takeLinkReturn()).toBe(true);
    render(<OutsideSignInsSection />);
    await screen.findByText(/This link was not started on this page/);
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
  });

  it("leaves a sign-in's way back to the sign-in", () => {
    history.replaceState(null, "", "/app/signed-in?state=abc&code=C1");
    sessionStorage.setItem("community.outside-sign-in", "abc");
    expect(takeLinkReturn()).toBe(false);
  });
});
