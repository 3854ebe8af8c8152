import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, signedIn, stubPlatform } from "../lib/testing";
import { changesTo, Courses } from "./Courses";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

type Course = Parameters<typeof changesTo>[0];
const course = {
  id: "c1",
  organizer_id: "olga",
  title: "Arabic for beginners",
  description: null,
  category: "languages",
  image_url: null,
  price_cents: 0,
  currency: null,
  price_credits: null,
  is_free: true,
  total_modules: 2,
  total_duration_minutes: 50,
  modules: [
    { id: "m1", position: 1, title: "Letters", duration_minutes: 20, content: "Alif, ba, ta.", video_url: "https://video.example/1" },
    { id: "m2", position: 2, title: "Greetings", duration_minutes: 30, content: null, video_url: null },
  ],
  content_locked: false,
  is_enrolled: false,
  enrollment_status: null,
  user_progress: null,
  created_at: "2026-11-27T10:00:00.000000Z",
  updated_at: "2026-11-27T10:00:00.000000Z",
  withdrawn_at: null,
} as unknown as Course;
const unchanged = {
  title: course.title,
  description: null,
  category: "languages",
  image_url: null,
  price_cents: 0,
  currency: null,
  price_credits: null,
  modules: course.modules.map(({ id, video_url, title, duration_minutes, content }) => ({ id, video_url, title, duration_minutes, content })),
};

describe("changesTo", () => {
  it("is empty when nothing changed", () => {
    expect(changesTo(course, unchanged)).toEqual({});
    // a course without a description answers it as "", its form as none
    expect(changesTo({ ...course, description: "" } as Course, unchanged)).toEqual({});
  });

  it("names each field that changed, and the modules whole when one of them did", () => {
    const modules = [unchanged.modules[0]!, { ...unchanged.modules[1]!, title: "Greetings and thanks" }];
    expect(changesTo(course, { ...unchanged, title: "Arabic, first steps", modules })).toEqual({ title: "Arabic, first steps", modules });
  });

  it("gives a currency when a free course gets a price", () => {
    expect(changesTo(course, { ...unchanged, price_cents: 900, currency: "EUR" })).toEqual({ price_cents: 900, currency: "EUR" });
  });

  it("gives the currency when a paid course's changes, and a cover image added or taken away", () => {
    const paid = { ...course, price_cents: 900, currency: "EUR", is_free: false } as Course;
    const same = { ...unchanged, price_cents: 900, currency: "EUR" };
    expect(changesTo(paid, same)).toEqual({});
    expect(changesTo(paid, { ...same, currency: "AED" })).toEqual({ currency: "AED" });
    expect(changesTo(course, { ...unchanged, image_url: "https://pictures.example/arabic.jpg" })).toEqual({ image_url: "https://pictures.example/arabic.jpg" });
    expect(changesTo({ ...course, image_url: "https://pictures.example/arabic.jpg" } as Course, unchanged)).toEqual({ image_url: null });
  });
});

describe("editing a course", () => {
  /** Events as the page meets it, signed in as its organizer: the course (ETag "5"), a PATCH answered `patched`. */
  function events(patched: number) {
    signedIn({ id: "olga", role: "organizer" });
    return stubPlatform(({ method }) => {
      if (method === "GET") return json(200, course, { ETag: '"5"' });
      return patched === 200 ? json(200, { ...course, title: "Arabic, first steps" }, { ETag: '"6"' }) : json(patched, { title: "Precondition Failed", status: patched });
    });
  }

  it("sends only what changed, its modules keeping their ids and videos, against the version loaded", async () => {
    const asked = events(200);
    render(<Courses courseId="c1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit the course" }));
    fireEvent.input(screen.getByLabelText("Title"), { target: { value: "Arabic, first steps" } });
    fireEvent.input(screen.getAllByLabelText("Module title")[1]!, { target: { value: "Greetings and thanks" } });
    fireEvent.submit(screen.getByRole("form", { name: "Edit the course" }));
    await screen.findByText("The course is saved.");
    expect(asked.filter((a) => a.method !== "GET").map((a) => ({ body: a.body, ifMatch: a.request.headers.get("If-Match") }))).toEqual([
      {
        ifMatch: '"5"',
        body: {
          title: "Arabic, first steps",
          modules: [
            { id: "m1", video_url: "https://video.example/1", title: "Letters", duration_minutes: 20, content: "Alif, ba, ta." },
            { id: "m2", video_url: null, title: "Greetings and thanks", duration_minutes: 30, content: null },
          ],
        },
      },
    ]);
    expect(screen.getByRole("heading", { name: "Arabic, first steps" })).toBeTruthy();
  });

  it("says a change made elsewhere meanwhile (412) and loads the course again", async () => {
    events(412);
    render(<Courses courseId="c1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit the course" }));
    fireEvent.input(screen.getByLabelText("Title"), { target: { value: "Arabic, first steps" } });
    fireEvent.submit(screen.getByRole("form", { name: "Edit the course" }));
    expect((await screen.findByRole("alert")).textContent).toContain("changed elsewhere");
  });

  it("deletes the course when its organizer confirms, and not otherwise", async () => {
    signedIn({ id: "olga", role: "organizer" });
    const asked = stubPlatform(({ method }) => (method === "GET" ? { status: 200, body: course } : { status: 204 }));
    let answer = false;
    vi.stubGlobal("confirm", () => answer);
    render(<Courses courseId="c1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Delete the course" }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked.map((a) => a.method)).toEqual(["GET"]);
    answer = true;
    fireEvent.click(screen.getByRole("button", { name: "Delete the course" }));
    await vi.waitFor(() => expect(location.pathname).toBe("/app/courses"));
    expect(asked.map((a) => a.method)).toEqual(["GET", "DELETE"]);
  });

  it("enrolls once however often Enroll is pressed while events answers", async () => {
    signedIn({ id: "musa", role: "member" });
    let answer: (reply: { status: number; body?: unknown }) => void = () => undefined;
    const asked = stubPlatform(({ method, path }) => {
      if (method === "POST" && path === "/api/v1/courses/c1/enroll") return new Promise((resolve) => (answer = resolve));
      return { status: 200, body: course };
    });
    render(<Courses courseId="c1" />);
    const enroll = await screen.findByRole("button", { name: "Enroll" });
    fireEvent.click(enroll);
    await waitFor(() => expect((enroll as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(enroll);
    answer({ status: 201, body: { id: "en1", course_id: "c1", user_id: "musa", status: "active", enrolled_at: "2026-11-28T10:00:00Z" } });
    await screen.findByText("You are enrolled.");
    expect(asked.filter((a) => a.method === "POST")).toHaveLength(1);
  });

  it("offers no edit to a learner", async () => {
    signedIn({ id: "musa", role: "member" });
    stubPlatform(() => ({ status: 200, body: course }));
    render(<Courses courseId="c1" />);
    await screen.findByRole("heading", { name: course.title });
    expect(screen.queryByRole("button", { name: "Edit the course" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete the course" })).toBeNull();
    expect(screen.getByRole("button", { name: "Enroll" })).toBeTruthy();
  });

  it("names each module's completed box by its module, and takes one mark at a time", async () => {
    signedIn({ id: "musa", role: "member" });
    const enrolled = { ...course, is_enrolled: true, enrollment_status: "active", user_progress: { progress: 0, completed_modules: [] } };
    let answer: ((reply: { status: number; body: unknown }) => void) | null = null;
    stubPlatform(({ method, path }) => {
      if (method === "POST" && path === "/api/v1/courses/c1/progress") return new Promise((resolve) => (answer = resolve));
      return method === "GET" ? { status: 200, body: enrolled } : undefined;
    });
    render(<Courses courseId="c1" />);
    const letters = (await screen.findByRole("checkbox", { name: "Completed: Letters" })) as HTMLInputElement;
    const greetings = screen.getByRole("checkbox", { name: "Completed: Greetings" }) as HTMLInputElement;
    fireEvent.click(letters);
    await waitFor(() => expect(answer).not.toBeNull());
    expect(greetings.disabled).toBe(true);
    // shown ticked while it is saved
    expect(letters.checked).toBe(true);
    answer!({ status: 200, body: { progress: 50, completed_modules: ["m1"] } });
    await waitFor(() => expect(greetings.disabled).toBe(false));
    expect(letters.checked).toBe(true);
    expect(greetings.checked).toBe(false);
  });

  it("offers no enrollment in a withdrawn course, and says why", async () => {
    signedIn({ id: "musa", role: "member" });
    stubPlatform(() => ({ status: 200, body: { ...course, withdrawn_at: "2026-11-28T10:00:00.000000Z" } }));
    render(<Courses courseId="c1" />);
    await screen.findByText("This course is withdrawn: nobody new can enroll.");
    expect(screen.queryByRole("button", { name: /Enroll/ })).toBeNull();
  });
});

describe("paying for a course with credits", () => {
  it("asks again while payments has not yet heard of the enrollment (409 with Retry-After), with the same key, and then pays", async () => {
    signedIn({ id: "musa", role: "member" });
    const paid = { ...course, is_free: false, price_cents: 1000, currency: "EUR", price_credits: 60 };
    let spends = 0;
    const asked = stubPlatform(({ method, path }) => {
      if (method === "GET") return json(200, paid);
      if (path.endsWith("/enroll"))
        return json(402, {
          title: "Payment Required",
          status: 402,
          enrollment_id: "e1",
          price_cents: 1000,
          currency: "EUR",
          price_credits: 60,
          payment_methods: ["card", "credits"],
          checkout: { purpose: "course", reference_id: "e1" },
        });
      if (++spends === 1) {
        const detail = "No course enrollment awaiting payment is known under this reference yet.";
        return json(409, { title: "Conflict", status: 409, detail }, { "Retry-After": "1" });
      }
      return json(201, { transaction_id: "t1", amount: -60, balance: 40, applied: true });
    });
    render(<Courses courseId="c1" />);
    fireEvent.click(await screen.findByRole("button", { name: /^Enroll/ }));
    fireEvent.click(await screen.findByRole("button", { name: "Pay 60 credits" }));
    await screen.findByText("Paid with credits: opening the course…", {}, { timeout: 3000 });
    const keys = asked.filter((a) => a.method !== "GET" && !a.path.endsWith("/enroll")).map((a) => a.key);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("a course's price", () => {
  it("is edited in its currency's own unit: a course at 5000 JPY shows 5000, and saved unchanged sends no price", async () => {
    signedIn({ id: "olga", role: "organizer" });
    const yen = { ...course, is_free: false, price_cents: 5000, currency: "JPY" };
    const asked = stubPlatform(({ method }) => (method === "GET" ? json(200, yen, { ETag: '"5"' }) : json(200, { ...yen, title: "Arabic, first steps" }, { ETag: '"6"' })));
    render(<Courses courseId="c1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit the course" }));
    const price = screen.getByLabelText("Price (0 for free)") as HTMLInputElement;
    expect(price.value).toBe("5000");
    expect(price.getAttribute("step")).toBe("1");
    fireEvent.input(screen.getByLabelText("Title"), { target: { value: "Arabic, first steps" } });
    fireEvent.submit(screen.getByRole("form", { name: "Edit the course" }));
    await screen.findByText("The course is saved.");
    expect(asked.filter((a) => a.method === "PATCH").map((a) => a.body)).toEqual([{ title: "Arabic, first steps" }]);
  });

  it("is sent in the currency's minor units (1.250 KWD is 1250), and refused with more decimals than the currency has", async () => {
    signedIn({ id: "olga", role: "organizer" });
    const asked = stubPlatform(({ method }) => (method === "GET" ? json(200, { items: [], next_cursor: null }) : json(201, { ...course, id: "c2" })));
    render(<Courses />);
    fireEvent.click(await screen.findByRole("button", { name: "New course" }));
    const form = within(screen.getByRole("form", { name: "New course" }));
    fireEvent.input(form.getByLabelText("Title"), { target: { value: "Arabic for beginners" } });
    fireEvent.input(form.getByLabelText("Category"), { target: { value: "languages" } });
    fireEvent.input(form.getByLabelText("Module title"), { target: { value: "Letters" } });
    fireEvent.input(form.getByLabelText("Minutes"), { target: { value: "20" } });
    fireEvent.input(form.getByLabelText("Currency"), { target: { value: "JPY" } });
    fireEvent.input(form.getByLabelText("Price (0 for free)"), { target: { value: "12.5" } });
    fireEvent.submit(screen.getByRole("form", { name: "New course" }));
    expect((await screen.findByRole("alert")).textContent).toBe("A price in JPY has no decimals.");
    expect(asked.filter((a) => a.method === "POST")).toEqual([]);

    fireEvent.input(form.getByLabelText("Currency"), { target: { value: "kwd" } });
    fireEvent.input(form.getByLabelText("Price (0 for free)"), { target: { value: "1.250" } });
    fireEvent.submit(screen.getByRole("form", { name: "New course" }));
    await waitFor(() => expect(asked.filter((a) => a.method === "POST")).toHaveLength(1));
    expect(asked.find((a) => a.method === "POST")!.body).toMatchObject({ price_cents: 1250, currency: "KWD" });
  });
});
