import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Asked, signedIn, stubPlatform } from "../lib/testing";
import { CalendarDownload, EventCover, MyEvents } from "./EventExtras";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  signedIn(null);
});

/** What these views asked of events: each request's method, path, If-Match, Authorization, and the name of the file a PUT sent. */
const seen = (asked: Asked[]) =>
  Promise.all(
    asked.map(async ({ method, path, request }) => ({
      method,
      path,
      ifMatch: request.headers.get("If-Match"),
      auth: request.headers.get("Authorization"),
      file: method === "PUT" ? ((await request.clone().formData()).get("file") as File).name : undefined,
    })),
  );

const event = (extra: object = {}) => ({
  id: "e1",
  organizer_id: "org",
  title: "Night walk: the hills",
  starts_at: "2026-12-01T18:00:00Z",
  city: "Dubai",
  location_name: null,
  price_cents: 0,
  currency: null,
  event_type: "meetup",
  spots_remaining: 3,
  status: "published",
  cover_image_url: null,
  updated_at: "2026-11-28T09:00:00Z",
  ...extra,
});

describe("EventCover", () => {
  it("shows an uploaded cover from its bytes, asked with the token; others are offered no change", async () => {
    signedIn({ id: "me", role: "member" }, "t0k");
    const asked = stubPlatform(() => new Response(new Uint8Array([137, 80, 78, 71]), { headers: { "Content-Type": "image/png" } }));
    render(<EventCover event={event({ cover_image_url: "/api/v1/events/e1/cover" }) as never} organizes={false} changed={() => undefined} />);
    const image = (await screen.findByRole("img", { name: "Cover of Night walk: the hills" })) as HTMLImageElement;
    expect(image.src).toMatch(/^blob:/);
    expect(await seen(asked)).toEqual([{ method: "GET", path: "/api/v1/events/e1/cover", ifMatch: null, auth: "Bearer t0k", file: undefined }]);
    expect(screen.queryByLabelText(/Choose/)).toBeNull();
  });

  it("uploads the organizer's cover, refuses a file events would refuse without sending it, and says events' refusal", async () => {
    signedIn({ id: "org", role: "member" });
    let status = 415;
    const asked = stubPlatform(() => (status === 200 ? { status, body: event() } : { status, body: { title: "Unsupported", status, detail: "The file is not a JPEG, PNG or WebP image." } }));
    const changed = vi.fn();
    render(<EventCover event={event() as never} organizes changed={changed} />);
    const choose = (file: File) => fireEvent.change(screen.getByLabelText("Choose a cover"), { target: { files: [file] } });
    choose(new File([new Uint8Array(5 * 1024 * 1024 + 1)], "huge.png", { type: "image/png" }));
    await screen.findByText("Choose an image of at most 5 MB.");
    expect(asked).toEqual([]);
    choose(new File([new Uint8Array([1, 2, 3])], "fake.png", { type: "image/png" }));
    await screen.findByText("The file is not a JPEG, PNG or WebP image.");
    expect(changed).not.toHaveBeenCalled();
    status = 200;
    choose(new File([new Uint8Array([137, 80, 78, 71])], "hills.png", { type: "image/png" }));
    await waitFor(() => expect(changed).toHaveBeenCalledOnce());
    // no If-Match: every registration moves the event's version, and the organizer's picture replaces whatever is there
    expect((await seen(asked)).map((a) => [a.method, a.path, a.ifMatch, a.file])).toEqual([
      ["PUT", "/api/v1/events/e1/cover", null, "fake.png"],
      ["PUT", "/api/v1/events/e1/cover", null, "hills.png"],
    ]);
  });
});

describe("CalendarDownload", () => {
  it("downloads the event's calendar file, asked with the token, under its title", async () => {
    signedIn({ id: "me", role: "member" }, "t0k");
    const asked = stubPlatform(() => new Response("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", { headers: { "Content-Type": "text/calendar" } }));
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    render(<CalendarDownload event={event() as never} />);
    fireEvent.click(screen.getByRole("button", { name: "Add to my calendar" }));
    await waitFor(() => expect(clicked).toEqual(["Night walk the hills.ics"]));
    expect((await seen(asked)).map((a) => [a.path, a.auth])).toEqual([["/api/v1/events/e1.ics", "Bearer t0k"]]);
  });

  it("says a calendar file that could not be made as an alert", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(() => ({ status: 404, body: { title: "Not Found", status: 404, detail: "No such event." } }));
    render(<CalendarDownload event={event() as never} />);
    fireEvent.click(screen.getByRole("button", { name: "Add to my calendar" }));
    expect((await screen.findByRole("alert")).textContent).toContain("No such event.");
  });
});

describe("MyEvents", () => {
  /** Each of my lists as events answers it: the page asked for (by its cursor) of the items given. */
  const lists = (joined: object[], created: object[]) => (asked: Asked) => {
    const items = asked.path === "/api/v1/events/my/joined" ? joined : asked.path === "/api/v1/events/my/created" ? created : null;
    return items ? { status: 200, body: { items, next_cursor: null } } : undefined;
  };

  it("lists the events I am going to and those I organize", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(lists([event()], [event({ id: "e2", title: "Book swap", status: "draft" })]));
    render(<MyEvents />);
    const going = await screen.findByRole("list", { name: "Events you are going to" });
    expect(going.textContent).toContain("Night walk: the hills");
    const organized = await screen.findByRole("list", { name: "Events you organize" });
    expect(organized.textContent).toContain("Book swap");
    expect(organized.textContent).toContain("draft");
    expect(screen.queryByRole("button", { name: /Show more/ })).toBeNull();
    expect(asked.map((a) => `${a.path}${a.url.search}`).sort()).toEqual(["/api/v1/events/my/created?limit=50", "/api/v1/events/my/joined?limit=50"]);
  });

  it("says a list is empty, and reads on a page at a time with the cursor of the page before", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform((a) =>
      a.path === "/api/v1/events/my/created"
        ? { status: 200, body: { items: [], next_cursor: null } }
        : a.path === "/api/v1/events/my/joined"
        ? a.url.searchParams.get("cursor") === "c1"
          ? { status: 200, body: { items: [event({ id: "e3", title: "Older walk" })], next_cursor: null } }
          : { status: 200, body: { items: [event()], next_cursor: "c1" } }
        : undefined,
    );
    render(<MyEvents />);
    expect(await screen.findByText("None yet.")).toBeTruthy();
    fireEvent.click(await screen.findByRole("button", { name: "Show more events you are going to" }));
    await waitFor(() => expect(screen.getByRole("list", { name: "Events you are going to" }).textContent).toContain("Older walk"));
    const going = screen.getByRole("list", { name: "Events you are going to" });
    expect(going.textContent).toContain("Night walk: the hills");
    expect(screen.queryByRole("button", { name: /Show more/ })).toBeNull();
    expect(asked.filter((a) => a.path === "/api/v1/events/my/joined").map((a) => a.url.searchParams.get("cursor"))).toEqual([null, "c1"]);
  });

  it("says in events' words when a list could not be loaded, and still shows the other", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform((a) =>
      a.path === "/api/v1/events/my/created"
        ? { status: 503, body: { title: "Service unavailable", status: 503, detail: "The events service is unavailable." } }
        : lists([event()], [])(a),
    );
    render(<MyEvents />);
    expect((await screen.findByRole("list", { name: "Events you are going to" })).textContent).toContain("Night walk: the hills");
    expect(await screen.findByText(/The events service is unavailable\./)).toBeTruthy();
  });

  it("shows each event's start in the event's own time zone, which it names, as the event's page does", async () => {
    signedIn({ id: "me", role: "member" });
    stubPlatform(lists([event({ time_zone: "Pacific/Kiritimati" })], [event({ id: "e2", title: "Book swap", time_zone: "America/New_York" })]));
    render(<MyEvents />);
    const going = await screen.findByRole("list", { name: "Events you are going to" });
    const at = (timeZone: string) => new Date("2026-12-01T18:00:00Z").toLocaleString([], { dateStyle: "medium", timeStyle: "short", timeZone });
    // 18:00 UTC is 08:00 the next day at UTC+14, whatever the reader's own zone
    expect(at("Pacific/Kiritimati")).toContain("Dec 2");
    expect(going.textContent).toContain(`${at("Pacific/Kiritimati")} (Pacific/Kiritimati) · Dubai`);
    expect((await screen.findByRole("list", { name: "Events you organize" })).textContent).toContain(`${at("America/New_York")} (America/New_York) · Dubai`);
  });
});
