import { screen, waitFor } from "@testing-library/preact";
import { vi } from "vitest";
import { session } from "./app";
import { forgetWaiting } from "./outbox";

/**
 * For unit tests: the page's session as signed in as `user` with the access token `access` (what a sign-in keeps), or
 * signed out (and the messages waiting to be sent forgotten, as a sign-out forgets them).
 */
export const signedIn = (user: { id: string; role: string } | null, access = "t") => {
  (session as unknown as { stored: unknown }).stored = user && { access, refresh: "r", expiresAt: Date.now() + 600_000, user };
  if (!user) forgetWaiting();
};

/**
 * A JSON answer of the platform: a problem's content type from 400 on, and any other headers given (an ETag). A 204,
 * 205 or 304 has no body at all, as browsers give it.
 */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  [204, 205, 304].includes(status)
    ? new Response(null, { status, headers })
    : new Response(JSON.stringify(body), { status, headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json", ...headers } });

/**
 * A request the page sent, as {@link stubPlatform} saw it. `body` is what a JSON body held (null without one);
 * any other body (a form, bytes) stays readable in `request`.
 */
export type Asked = {
  method: string;
  url: URL;
  path: string;
  /** Untyped: each test reads the fields it sent. */
  body: any;
  /** The request's Idempotency-Key, null without one. */
  key: string | null;
  request: Request;
};

/** How the stubbed platform answers: a status and a JSON body ({@link json}), a response as it is, or none at all. */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Response | "no answer";

/**
 * Stands in for the platform: every request the page sends is recorded, in order, in the list returned, and answered
 * with what `answer` gives it ("no answer" fails the fetch as a dropped connection does; nothing given is a 404 problem).
 */
export function stubPlatform(answer: (asked: Asked) => Reply | undefined | Promise<Reply | undefined>): Asked[] {
  const asked: Asked[] = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    const url = new URL(request.url);
    const isJson = request.headers.get("Content-Type")?.includes("json") ?? false;
    const text = isJson ? await request.clone().text() : "";
    const one: Asked = { method: request.method, url, path: url.pathname, body: text ? JSON.parse(text) : null, key: request.headers.get("Idempotency-Key"), request };
    asked.push(one);
    const reply = (await answer(one)) ?? { status: 404, body: { title: "Not Found", status: 404 } };
    if (reply === "no answer") throw new TypeError("Failed to fetch");
    return reply instanceof Response ? reply : json(reply.status, reply.body ?? null, reply.headers);
  });
  return asked;
}

/**
 * The live region (a status) saying exactly `text`, once one does. A view keeps its regions in the page while they
 * have nothing to say (see `Banner`), so there may be several: the one with the words is found.
 */
export const statusSaying = (text: string) =>
  waitFor(() => {
    const region = screen.getAllByRole("status").find((s) => s.textContent === text);
    if (!region) throw new Error(`no status says "${text}"`);
    return region;
  });
