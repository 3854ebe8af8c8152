import { act, cleanup, render, renderHook, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ListPage, PageAt } from "@community/sdk";
import { type Answer, askingLimit, ListState, LoadFailed, type Loaded, ShowMore, useAskingAgain, useList, useLoad } from "./list";

/** A load the test answers when it wants: every call is kept, in order, with its own answer to give. */
function loads<T>() {
  const calls: { resolve: (answer: Answer<T>) => void; reject: (reason?: unknown) => void }[] = [];
  const load = () =>
    new Promise<Answer<T>>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { load, calls };
}

const ok = <T,>(data: T): Answer<T> => ({ data, response: new Response(null, { status: 200 }) });
const refused = (status: number, detail: string): Answer<never> => ({
  error: { title: "Refused", detail },
  response: new Response(null, { status }),
});

/** Lets every answer given settle, however many steps it is handed on (a page mapped before it is shown). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** Answers a load and lets the hook's state settle. */
async function answer<T>(call: { resolve: (answer: Answer<T>) => void } | undefined, with_: Answer<T>) {
  expect(call, "a load was started").toBeDefined();
  await act(async () => {
    call!.resolve(with_);
    await settle();
  });
}

/** A hook on deps that never change, its first load answered with `first`. */
async function answeredOnce<T>(first: Answer<T>) {
  const { load, calls } = loads<T>();
  const hook = renderHook(() => useLoad(load, []));
  await answer(calls[0], first);
  return { ...hook, calls };
}

/** A hook with `keep` that has loaded "profile" and was then asked again (deps changed): that load waits in calls[1]. */
async function keptAndAskedAgain() {
  const { load, calls } = loads<string>();
  const hook = renderHook(({ v }) => useLoad(load, [v], { keep: true }), { initialProps: { v: 0 } });
  await answer(calls[0], ok("profile"));
  hook.rerender({ v: 1 });
  return { ...hook, calls };
}

afterEach(cleanup);

describe("useLoad", () => {
  it("says it is loading, then holds what was loaded", async () => {
    const { load, calls } = loads<string>();
    const { result } = renderHook(() => useLoad(load, []));
    expect(result.current).toMatchObject({ value: null, loading: true, failed: null });
    await answer(calls[0], ok("groups"));
    expect(result.current).toMatchObject({ value: "groups", loading: false, failed: null });
    expect(calls).toHaveLength(1);
  });

  it("says why the platform refused, in its words, and holds nothing", async () => {
    const { result, calls } = await answeredOnce<string>(refused(403, "Only members see this."));
    // asking again is still offered: the view did not say a 403 is final
    expect(result.current).toMatchObject({ value: null, loading: false, failed: "Only members see this.", final: false });
  });

  it("is final only on a refusal whose status the view said asking again cannot change", async () => {
    const { load, calls } = loads<string>();
    const { result, rerender } = renderHook(({ v }) => useLoad(load, [v], { finalOn: [404] }), { initialProps: { v: 0 } });
    await answer(calls[0], refused(404, "No waitlist place has this status token."));
    expect(result.current).toMatchObject({ failed: "No waitlist place has this status token.", final: true });
    // a session whose renewal got no answer, a conflict without Retry-After: asking again may help
    for (const status of [401, 409, 503]) {
      rerender({ v: status });
      await answer(calls.at(-1), refused(status, "Not now."));
      expect(result.current, String(status)).toMatchObject({ failed: "Not now.", final: false });
    }
  });

  it("says the platform could not be reached when the load gets no answer, or throws before asking", async () => {
    const { load, calls } = loads<string>();
    const { result } = renderHook(() => useLoad(load, []));
    await act(async () => calls[0]!.reject(new TypeError("Failed to fetch")));
    expect(result.current.failed).toMatch(/could not be reached/);
    expect(result.current.loading).toBe(false);
    expect(result.current.final).toBe(false);

    const thrown = renderHook(() =>
      useLoad<string>(() => {
        throw new Error("no connection");
      }, []),
    );
    await waitFor(() => expect(thrown.result.current.failed).toMatch(/could not be reached/));
  });

  it("takes a value, or nothing, without loading when there is nothing to ask", () => {
    const { result } = renderHook(() => useLoad<string[]>(() => [], []));
    expect(result.current).toMatchObject({ value: [], loading: false, failed: null });
    const nothing = renderHook(() => useLoad<string>(() => null, []));
    expect(nothing.result.current).toMatchObject({ value: null, loading: false, failed: null });
  });

  it("without keep, drops what it showed when something else is asked", async () => {
    const { load, calls } = loads<string>();
    const { result, rerender } = renderHook(({ q }) => useLoad(load, [q]), { initialProps: { q: "a" } });
    await answer(calls[0], ok("for a"));
    rerender({ q: "b" });
    expect(result.current).toMatchObject({ value: null, loading: true });
    await answer(calls[1], ok("for b"));
    expect(result.current.value).toBe("for b");
  });

  it("with keep, keeps what it showed while loading again and after a failure the platform may get over", async () => {
    const { result, rerender, calls } = await keptAndAskedAgain();
    expect(result.current).toMatchObject({ value: "profile", loading: true });
    await answer(calls[1], refused(503, "The social service is unavailable."));
    expect(result.current).toMatchObject({ value: "profile", failed: "The social service is unavailable.", final: false });

    rerender({ v: 2 });
    await act(async () => calls[2]!.reject(new TypeError("Failed to fetch")));
    expect(result.current.value).toBe("profile");

    // a 401 reaches a view only when the session's renewal got no answer (it tries again): not a lasting refusal
    for (const status of [408, 429, 401]) {
      rerender({ v: 10 + status });
      await answer(calls.at(-1), refused(status, "Later."));
      expect(result.current).toMatchObject({ value: "profile", final: false });
    }
  });

  it("with keep, drops what it showed on a refusal that stands", async () => {
    const { result, calls } = await keptAndAskedAgain();
    await answer(calls[1], refused(404, "No such profile."));
    expect(result.current).toMatchObject({ value: null, failed: "No such profile.", final: false });
  });

  it("never lets a superseded load's answer land", async () => {
    const { load, calls } = loads<string>();
    const { result, rerender } = renderHook(({ q }) => useLoad(load, [q]), { initialProps: { q: "a" } });
    rerender({ q: "b" });
    await answer(calls[1], ok("for b"));
    await answer(calls[0], ok("for a"));
    expect(result.current.value).toBe("for b");
    await act(async () => calls[0]!.reject());
    expect(result.current.failed).toBeNull();
  });

  it("changes what it shows in place on a push, without loading", async () => {
    const { result, calls } = await answeredOnce<string[]>(ok(["one"]));
    act(() => result.current.update((all) => ["two", ...all]));
    expect(result.current.value).toEqual(["two", "one"]);
    expect(calls).toHaveLength(1);
  });

  it("loads once more after a load that pushes arrived during, however many came", async () => {
    const { load, calls } = loads<string[]>();
    const { result } = renderHook(() => useLoad(load, []));
    act(() => {
      for (let i = 0; i < 5; i++) result.current.update((all) => [...all, "pushed"]);
    });
    expect(calls).toHaveLength(1);
    // the first answer may predate the pushes: it is followed by one more load, and the list stays loading till then
    await answer(calls[0], ok(["before"]));
    expect(calls).toHaveLength(2);
    expect(result.current.loading).toBe(true);
    await answer(calls[1], ok(["before", "pushed"]));
    expect(result.current).toMatchObject({ value: ["before", "pushed"], loading: false, failed: null });
    expect(calls).toHaveLength(2);
  });

  it("keeps what it shows through the follow-up load, without keep too", async () => {
    const { load, calls } = loads<string[]>();
    const { result, rerender } = renderHook(({ v }) => useLoad(load, [v]), { initialProps: { v: 0 } });
    await answer(calls[0], ok(["first"]));
    rerender({ v: 1 });
    act(() => result.current.update((all) => [...all, "pushed"]));
    await answer(calls[1], ok(["second"]));
    expect(calls).toHaveLength(3);
    expect(result.current.value).toEqual(["second"]);
    await answer(calls[2], ok(["second", "pushed"]));
    expect(result.current.value).toEqual(["second", "pushed"]);
  });

  it("loads again on a push while it shows a failure", async () => {
    const { result, calls } = await answeredOnce<string[]>(refused(503, "Unavailable."));
    act(() => result.current.update((all) => [...all, "pushed"]));
    expect(calls).toHaveLength(2);
    await answer(calls[1], ok(["pushed"]));
    expect(result.current).toMatchObject({ value: ["pushed"], failed: null });
  });

  it("tries again on retry, and clears the failure once loaded", async () => {
    const { result, calls } = await answeredOnce<string>(refused(502, "Bad gateway."));
    act(() => result.current.retry());
    expect(calls).toHaveLength(2);
    expect(result.current).toMatchObject({ loading: true, failed: "Bad gateway." });
    await answer(calls[1], ok("loaded"));
    expect(result.current).toMatchObject({ value: "loaded", failed: null, loading: false });
  });

  it("keeps what it shows while it loads again on retry, without keep too (a refresh after a change)", async () => {
    const { result, calls } = await answeredOnce<string[]>(ok(["ada", "bilal"]));
    act(() => result.current.retry());
    expect(result.current).toMatchObject({ value: ["ada", "bilal"], loading: true });
    await answer(calls[1], ok(["ada"]));
    expect(result.current).toMatchObject({ value: ["ada"], loading: false });
  });

  it("starts over when retried while a retry hangs", async () => {
    const { result, calls } = await answeredOnce<string>(refused(503, "Unavailable."));
    act(() => result.current.retry());
    act(() => result.current.retry());
    expect(calls).toHaveLength(3);
    await answer(calls[2], ok("loaded"));
    await answer(calls[1], refused(503, "Too late."));
    expect(result.current).toMatchObject({ value: "loaded", failed: null });
  });

  it("forgets a failure when something else is asked", async () => {
    const { load, calls } = loads<string>();
    const { result, rerender } = renderHook(({ q }) => useLoad(load, [q]), { initialProps: { q: "a" } });
    await answer(calls[0], refused(400, "Bad query."));
    rerender({ q: "b" });
    expect(result.current).toMatchObject({ failed: null, loading: true });
  });
});

describe("useList", () => {
  type Item = { id: string };
  const items = (...ids: string[]): Item[] => ids.map((id) => ({ id }));
  const page = (ids: string[], next: string | null): Answer<ListPage<Item>> => ok({ items: items(...ids), next_cursor: next });

  /** A paged list whose every load the test answers: each call keeps where it was asked to start. */
  function paged(initial = { q: "a" }) {
    const calls: { at: PageAt; resolve: (answer: Answer<ListPage<Item>>) => void; reject: (reason?: unknown) => void }[] = [];
    const load = (at: PageAt) => new Promise<Answer<ListPage<Item>>>((resolve, reject) => void calls.push({ at, resolve, reject }));
    const hook = renderHook(({ q }) => useList<Item>(load, [q]), { initialProps: initial });
    return { ...hook, calls };
  }

  it("asks for the next page where the last one ended and shows it after, until the last page", async () => {
    const { result, calls } = paged();
    expect(calls[0]!.at).toEqual({});
    expect(result.current.more).toBeNull();
    await answer(calls[0], page(["e1", "e2"], "c2"));
    expect(result.current.value).toEqual(items("e1", "e2"));
    act(() => result.current.more!());
    expect(result.current.loadingMore).toBe(true);
    act(() => result.current.more!());
    expect(calls.map((c) => c.at)).toEqual([{}, { cursor: "c2" }]);
    await answer(calls[1], page(["e3"], null));
    expect(result.current).toMatchObject({ value: items("e1", "e2", "e3"), loadingMore: false, more: null, loading: false });
  });

  it("follows a numbered catalogue's pages", async () => {
    const { result, calls } = paged();
    await answer(calls[0], ok({ items: items("e1"), page: 1, pages: 2 }));
    act(() => result.current.more!());
    expect(calls[1]!.at).toEqual({ page: 2 });
    await answer(calls[1], ok({ items: items("e2"), page: 2, pages: 2 }));
    expect(result.current.value).toEqual(items("e1", "e2"));
    expect(result.current.more).toBeNull();
  });

  it("ends a catalogue at its null cursor even when its estimated page count says more", async () => {
    const { result, calls } = paged();
    await answer(calls[0], ok({ items: items("e1"), page: 1, pages: 41452, total_is_estimate: true, next_cursor: "c2" }));
    act(() => result.current.more!());
    expect(calls[1]!.at).toEqual({ cursor: "c2" });
    await answer(calls[1], ok({ items: items("e2"), page: 2, pages: 41452, total_is_estimate: true, next_cursor: null }));
    expect(result.current.value).toEqual(items("e1", "e2"));
    expect(result.current.more).toBeNull();
  });

  it("says why a next page failed, keeps what it shows, and asks again", async () => {
    const { result, calls } = paged();
    await answer(calls[0], page(["e1"], "c2"));
    act(() => result.current.more!());
    await answer(calls[1], refused(503, "The events service is unavailable."));
    expect(result.current).toMatchObject({ value: items("e1"), moreFailed: "The events service is unavailable.", loadingMore: false });
    act(() => result.current.more!());
    expect(result.current.moreFailed).toBeNull();
    await act(async () => {
      calls[2]!.reject(new TypeError("Failed to fetch"));
      await settle();
    });
    expect(result.current.moreFailed).toMatch(/could not be reached/);
    act(() => result.current.more!());
    await answer(calls[3], page(["e2"], null));
    expect(result.current).toMatchObject({ value: items("e1", "e2"), moreFailed: null });
  });

  it("refreshed, reads each page shown again from where the fresh one before it ends: an item pushed over an end is kept", async () => {
    const { result, calls } = paged();
    await answer(calls[0], page(["e1", "e2"], "c2"));
    act(() => result.current.more!());
    await answer(calls[1], page(["e3", "e4"], "c3"));
    act(() => result.current.retry());
    expect(calls[2]!.at).toEqual({});
    // n is new at the top: e2 is pushed onto the second page, e4 is gone
    await answer(calls[2], page(["n", "e1"], "after-e1"));
    expect(calls[3]!.at).toEqual({ cursor: "after-e1" });
    await answer(calls[3], page(["e2", "e3"], "after-e3"));
    expect(result.current.value).toEqual(items("n", "e1", "e2", "e3"));
    act(() => result.current.more!());
    expect(calls[4]!.at).toEqual({ cursor: "after-e3" });
  });

  it("refreshed when a later page cannot be read again, keeps what was shown after the fresh first page, less what it holds", async () => {
    const { result, calls } = paged();
    await answer(calls[0], page(["e1", "e2"], "c2"));
    act(() => result.current.more!());
    await answer(calls[1], page(["e3", "e4"], "c3"));
    act(() => result.current.retry());
    await answer(calls[2], page(["e4", "e1"], "after-e1"));
    await act(async () => {
      calls[3]!.reject(new Error("offline"));
      await settle();
    });
    expect(result.current.value).toEqual(items("e4", "e1", "e2", "e3"));
    act(() => result.current.more!());
    expect(calls[4]!.at).toEqual({ cursor: "c3" });
  });

  it("refreshed with more pages shown than it reads again, keeps the rest after them, less what they hold", async () => {
    const { result, calls } = paged();
    await answer(calls[0], page(["e1"], "c2"));
    for (const [n, next] of [["e2", "c3"], ["e3", "c4"], ["e4", "c5"]] as const) {
      act(() => result.current.more!());
      await answer(calls[calls.length - 1], page([n], next));
    }
    act(() => result.current.retry());
    await answer(calls[4], page(["e1"], "c2"));
    await answer(calls[5], page(["e2"], "c3"));
    await answer(calls[6], page(["e3x"], "c4"));
    expect(calls).toHaveLength(7);
    expect(result.current.value).toEqual(items("e1", "e2", "e3x", "e3", "e4"));
    act(() => result.current.more!());
    expect(calls[7]!.at).toEqual({ cursor: "c5" });
  });

  it("refreshed after an item was taken out in place, does not bring it back from the pages shown", async () => {
    const { result, calls } = paged();
    await answer(calls[0], page(["e1", "e2"], "c2"));
    act(() => result.current.more!());
    await answer(calls[1], page(["e3"], null));
    act(() => {
      result.current.update((all) => all.filter((e) => e.id !== "e2"));
      result.current.retry();
    });
    // the list ends on the fresh first page now: nothing shown beyond it stays
    await answer(calls[2], page(["e1", "e3"], null));
    expect(result.current.value).toEqual(items("e1", "e3"));
    expect(calls).toHaveLength(3);
  });

  it("asked for something else, starts over and drops a next page asked for before", async () => {
    const { result, calls, rerender } = paged();
    await answer(calls[0], page(["e1"], "c2"));
    act(() => result.current.more!());
    rerender({ q: "b" });
    await answer(calls[2], page(["b1"], null));
    await answer(calls[1], page(["e2"], null));
    expect(result.current).toMatchObject({ value: items("b1"), more: null, loadingMore: false });
  });

  it("changes what it shows in place on a push, later pages included", async () => {
    const { result, calls } = paged();
    await answer(calls[0], page(["e1"], "c2"));
    act(() => result.current.more!());
    await answer(calls[1], page(["e2"], "c3"));
    act(() => result.current.update((all) => [{ id: "new" }, ...all]));
    expect(result.current.value).toEqual(items("new", "e1", "e2"));
    expect(result.current.more).not.toBeNull();
  });
});

describe("ShowMore", () => {
  it("offers more while there is a next page, says so while it loads, and says why it failed", () => {
    let asked = 0;
    const more = () => void asked++;
    const { rerender, container } = render(<ShowMore what="events" list={{ more, loadingMore: false, moreFailed: null }} />);
    screen.getByRole("button", { name: "Show more events" }).click();
    expect(asked).toBe(1);
    rerender(<ShowMore what="events" list={{ more, loadingMore: true, moreFailed: null }} />);
    expect(screen.getByRole("button").textContent).toBe("Loading more…");
    rerender(<ShowMore what="events" list={{ more, loadingMore: false, moreFailed: "Unavailable." }} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toBe("More events could not be loaded. Unavailable.");
    expect(screen.getByRole("button").getAttribute("aria-describedby")).toBe(alert.id);
    rerender(<ShowMore what="events" list={{ more: null, loadingMore: false, moreFailed: null }} />);
    expect(container.innerHTML).toBe("");
  });
});

describe("LoadFailed and ListState", () => {
  const state = (change: Partial<Loaded<readonly string[]>>): Loaded<readonly string[]> => ({
    value: null,
    failed: null,
    final: false,
    loading: false,
    retry: () => undefined,
    update: () => undefined,
    ...change,
  });

  it("says what could not be loaded and why, with a button described by it", () => {
    let retried = 0;
    render(<LoadFailed what="Notifications" loaded={state({ failed: "The messaging service is unavailable.", retry: () => retried++ })} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toBe("Notifications could not be loaded. The messaging service is unavailable.");
    const button = screen.getByRole("button", { name: "Try again" });
    expect(button.getAttribute("aria-describedby")).toBe(alert.id);
    button.click();
    expect(retried).toBe(1);
  });

  it("offers no way to try again after a refusal that will not change", () => {
    render(<LoadFailed what="This event" loaded={state({ failed: "No event has this id.", final: true })} />);
    expect(screen.getByRole("alert").textContent).toBe("This event could not be loaded. No event has this id.");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("keeps its button while it tries again, saying so", () => {
    render(<LoadFailed what="People" loaded={state({ failed: "Unavailable.", loading: true })} />);
    expect(screen.getByRole("button").textContent).toBe("Trying again…");
  });

  it("shows nothing while nothing failed", () => {
    const { container } = render(<LoadFailed what="People" loaded={state({})} />);
    expect(container.innerHTML).toBe("");
  });

  it("says Loading only while loading, the empty text only for a list loaded empty, nothing after a failure", () => {
    const cases: [Partial<Loaded<readonly string[]>>, string][] = [
      [{ loading: true }, "Loading…"],
      [{ value: [] }, "Nothing yet."],
      [{ value: ["a"] }, ""],
      [{ value: [], loading: true }, "Nothing yet."],
      [{ failed: "Unavailable." }, ""],
      [{ failed: "Unavailable.", loading: true }, ""],
      [{}, ""],
    ];
    for (const [change, text] of cases) {
      const { container, unmount } = render(<ListState list={state(change)} empty="Nothing yet." />);
      expect(container.textContent, JSON.stringify(change)).toBe(text);
      unmount();
    }
  });
});

describe("useAskingAgain", () => {
  afterEach(() => vi.useRealTimers());

  /** Lets `ms` of fake time pass in steps of 100 ms, each one's renders and answers settled before the next. */
  async function pass(ms: number) {
    for (let t = 0; t < ms; t += 100) await act(async () => void (await vi.advanceTimersByTimeAsync(100)));
  }

  /** A load that answers at once with the next of `values` (the last one from then on), asked again as it says. */
  function asked(values: string[], wanted: (value: string | null) => boolean) {
    let times = 0;
    const hook = renderHook(() => {
      const loaded = useLoad(() => Promise.resolve(ok(values[Math.min(times++, values.length - 1)]!)), []);
      return { loaded, asking: useAskingAgain(wanted(loaded.value), loaded) };
    });
    return { ...hook, times: () => times };
  }

  it("asks again a second after each answer until what it waits for has come, then stops", async () => {
    vi.useFakeTimers();
    const hook = asked(["pending", "pending", "active"], (v) => v !== "active");
    await pass(100);
    expect(hook.result.current.asking).toBe("asking");
    expect(hook.times()).toBe(1);
    await pass(800);
    expect(hook.times()).toBe(1);
    await pass(300);
    expect(hook.times()).toBe(2);
    await pass(1_100);
    expect(hook.result.current.loaded.value).toBe("active");
    expect(hook.result.current.asking).toBeNull();
    await pass(10_000);
    expect(hook.times()).toBe(3);
  });

  it("gives up after a minute and says so, asking no more", async () => {
    vi.useFakeTimers();
    const hook = asked(["pending"], () => true);
    await pass((askingLimit + 5) * 1_100);
    expect(hook.result.current.asking).toBe("gave up");
    expect(hook.times()).toBe(askingLimit + 1);
    await pass(10_000);
    expect(hook.times()).toBe(askingLimit + 1);
  });

  it("gives each wait its own minute: once not wanted, a new wait asks again", async () => {
    vi.useFakeTimers();
    let times = 0;
    const hook = renderHook(
      ({ wanted }: { wanted: boolean }) => {
        const loaded = useLoad(() => Promise.resolve(ok(times++)), []);
        return useAskingAgain(wanted, loaded);
      },
      { initialProps: { wanted: true } },
    );
    await pass((askingLimit + 5) * 1_100);
    expect(hook.result.current).toBe("gave up");
    hook.rerender({ wanted: false });
    await pass(100);
    expect(hook.result.current).toBeNull();
    hook.rerender({ wanted: true });
    await pass(100);
    expect(hook.result.current).toBe("asking");
    await pass(5 * 1_100);
    expect(times).toBe(askingLimit + 1 + 5);
  });

  it("never asks while an answer is awaited", async () => {
    vi.useFakeTimers();
    const { load, calls } = loads<string>();
    const hook = renderHook(() => {
      const loaded = useLoad(load, []);
      return useAskingAgain(true, loaded);
    });
    await pass(5_000);
    expect(calls).toHaveLength(1);
    expect(hook.result.current).toBe("asking");
    await answer(calls[0], ok("pending"));
    await pass(1_100);
    expect(calls).toHaveLength(2);
  });

  it("is null when not wanted, and asks nothing", async () => {
    vi.useFakeTimers();
    const hook = asked(["active"], () => false);
    await pass(5_000);
    expect(hook.result.current.asking).toBeNull();
    expect(hook.times()).toBe(1);
  });
});
