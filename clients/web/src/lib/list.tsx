import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ListPage, PageAt } from "@community/sdk";
import { problemText, settled, unreachable } from "./session";

/** What an SDK request answers: the data, or the problem the platform sent instead. */
export type Answer<T> = { data?: T; error?: unknown; response?: Response };

/** Something a view loads: the value (null while loading or when it failed), or why it failed. */
export type Loaded<T> = {
  value: T | null;
  /** The platform's words for why the last load failed; null once loaded. */
  failed: string | null;
  /**
   * The failure is a refusal the view said asking again cannot change (`finalOn`: an unknown waitlist link's 404), so
   * no "Try again" is offered. Other refusals keep it: a 404 may be something another service has not heard of yet
   * (a group just joined), a 401 a session whose renewal got no answer.
   */
  final: boolean;
  /** True while a load is under way (the first, a change of what is asked, or a retry). */
  loading: boolean;
  /** Loads it again, showing what it holds meanwhile: the "Try again" of a failed load, or a refresh after a change. */
  retry: () => void;
  /**
   * Changes the shown value in place (a live push). When nothing is shown it loads again instead, so the change is
   * not lost: at once after a failure, after the load under way while loading.
   */
  update: (change: (value: T) => T) => void;
};

/**
 * Loads something whenever `deps` change. A refusal or an unreachable platform is a failure with the platform's
 * words and a way to try again, never an empty value: "nothing here yet" is said only of what was loaded. `load`
 * may return the value itself (nothing to ask the platform) or null (nothing to show: the value stays null). With
 * `keep`, what is shown stays while it loads again (a list refreshed in the background), and after a failure the
 * platform may get over (a 5xx, a 408 or 429, no answer, a 401 the session could not renew the token for yet: it tries
 * again, or ends and leaves the view); a refusal that will not change (another 4xx: gone, forbidden, blocked) takes it
 * away. A refusal with a status in `finalOn` is {@link Loaded.final}.
 */
export function useLoad<T>(
  load: () => PromiseLike<Answer<T>> | T | null,
  deps: unknown[],
  { keep = false, finalOn = [] }: { keep?: boolean; finalOn?: readonly number[] } = {},
): Loaded<T> {
  const [value, setValue] = useState<T | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [final, setFinal] = useState(false);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  // what is shown now, for an update from a callback made in an earlier render (a hub handler)
  const shown = useRef<T | null>(null);
  shown.current = value;
  const asked = useRef<unknown[] | null>(null);
  const inFlight = useRef(false);
  // a change pushed while a load was under way: that load may have been answered before the change was made, so one
  // more follows it (one, however many changes come meanwhile)
  const stale = useRef(false);

  // a layout effect: a superseded load is cut off before the browser paints, so its answer cannot land after it
  useLayoutEffect(() => {
    let live = true;
    // something else asked (not "Try again" nor a follow-up): what was shown, or why it failed, was about that
    const other = asked.current === null || asked.current.length !== deps.length || deps.some((d, i) => !Object.is(d, asked.current![i]));
    asked.current = deps;
    if (other) {
      if (!keep) setValue(null);
      setFailed(null);
    }
    stale.current = false;
    let answer: PromiseLike<Answer<T>> | T | null;
    try {
      answer = load();
    } catch {
      answer = Promise.reject();
    }
    if (!isPromise(answer)) {
      inFlight.current = false;
      setValue(answer);
      setFailed(null);
      setLoading(false);
      return;
    }
    inFlight.current = true;
    setLoading(true);
    // true when another load follows this one at once (a change pushed meanwhile): it stays "loading" until then
    const followed = () => {
      if (!stale.current) {
        inFlight.current = false;
        setLoading(false);
        return false;
      }
      setAttempt((a) => a + 1);
      return true;
    };
    answer.then(
      ({ data, error, response }) => {
        if (!live) return;
        const more = followed();
        if (data !== undefined) {
          setValue(data);
          setFailed(null);
        } else if (!more) {
          const lasting = response !== undefined && settled(response) && response.status !== 401;
          if (lasting) setValue(null);
          setFinal(lasting && finalOn.includes(response.status));
          setFailed(problemText(error, response, "The platform refused it."));
        }
      },
      () => {
        if (!live) return;
        if (followed()) return;
        setFinal(false);
        setFailed(unreachable);
      },
    );
    return () => void (live = false);
  }, [...deps, attempt]);

  const retry = () => setAttempt((a) => a + 1);
  return {
    value,
    failed,
    final,
    loading,
    retry,
    update: (change) => {
      if (inFlight.current) stale.current = true;
      if (shown.current !== null) setValue((current) => (current === null ? current : change(current)));
      else if (!inFlight.current) retry();
    },
  };
}

/** A list loaded a page at a time: what {@link useList} gives a view. */
export type Paged<T> = Loaded<T[]> & {
  /** Loads the next page and shows its items after those shown; null after the last page, or while nothing is shown. */
  more: (() => void) | null;
  /** True while the next page loads. */
  loadingMore: boolean;
  /** Why the next page could not be loaded, in the platform's words; null once asked again. */
  moreFailed: string | null;
};

/** The pages shown so far, and where the next one starts (null after the last). */
/** The pages shown: their items, where the next starts, whether a later page was added, and how many were. */
type Pages<T> = { items: T[]; next: PageAt | null; more: boolean; later: number };

/**
 * How many pages after the first a list asked again reads again (see {@link useList}); the rest of what it shows stays
 * as it was, after them. A list followed every second (a refund at the door) asks at most this many more a second.
 */
const pagesReadAgain = 2;

/**
 * Where the page after `page` starts: its `next_cursor`, or the next number of a numbered catalogue. A list that
 * pages by cursor too says its last page by a null cursor: its page count may be an estimate.
 */
export const nextPage = (page: ListPage<unknown>): PageAt | null =>
  page.next_cursor
    ? { cursor: page.next_cursor }
    : !("next_cursor" in page) && page.page !== undefined && page.pages !== undefined && page.page < page.pages
      ? { page: page.page + 1 }
      : null;

const idOf = (item: unknown): unknown => (typeof item === "object" && item !== null ? (item as { id?: unknown }).id : undefined);

/**
 * `after` behind `shown`, less what `shown` already holds (an item that moved up since its page was loaded, or one an
 * item of it now stands for: `covers`).
 */
function joined<T>(shown: T[], after: T[], covers?: (item: T) => readonly unknown[]): T[] {
  const ids = new Set(shown.flatMap((item) => [idOf(item), ...(covers?.(item) ?? [])]));
  return [...shown, ...after.filter((item) => idOf(item) === undefined || !ids.has(idOf(item)))];
}

/**
 * A list loaded with {@link useLoad} a page at a time: `load` is asked for the first page with `{}`, and by
 * {@link Paged.more} for the next with where it starts (spread it into the operation's query). Asked again for the
 * same thing (a retry, a refresh after a change), the pages shown are read again, each from where the fresh one before
 * it ends (an item pushed down over a page's end is not lost between them), up to {@link pagesReadAgain} after the
 * first, so a change to an item further down shows too; what was shown beyond them, or beyond a page that cannot be
 * read again, stays after them, less what they hold, and reading on is not cut short. Asked for something else, it
 * starts over.
 * An item that stands for others (a notification folding several: `covers`, the ids it stands for) replaces them.
 */
export function useList<T>(
  load: (at: PageAt) => PromiseLike<Answer<ListPage<T>>> | T[] | null,
  deps: unknown[],
  options?: { keep?: boolean; covers?: (item: T) => readonly unknown[] },
): Paged<T> {
  const [moreState, setMoreState] = useState<{ loading: boolean; failed: string | null }>({ loading: false, failed: null });
  const shown = useRef<Pages<T> | null>(null);
  const askedFor = useRef<unknown[] | null>(null);
  // each load of the first page starts a new generation: a later page asked before it is not added to its answer
  const generation = useRef(0);
  // the generation whose next page is being asked for, if any: one at a time, however fast the button is pressed
  const moreAsked = useRef<number | null>(null);
  const pages = useLoad<Pages<T>>(
    () => {
      const same = askedFor.current !== null && askedFor.current.length === deps.length && deps.every((d, i) => Object.is(d, askedFor.current![i]));
      askedFor.current = deps;
      const before = same && shown.current?.more ? shown.current : null;
      generation.current++;
      setMoreState({ loading: false, failed: null });
      const answer = load({});
      if (!isPromise(answer)) return answer && { items: answer, next: null, more: false, later: 0 };
      return answer.then(({ data, ...rest }) => {
        if (!data) return { ...rest, data };
        if (!before || !data.items.every((item) => idOf(item) !== undefined))
          return { ...rest, data: { items: data.items, next: nextPage(data), more: false, later: 0 } };
        return readOn(data, Math.min(before.later, pagesReadAgain)).then(({ items, next, read, failed }) =>
          // all read again, or the list ends sooner now: nothing shown beyond is still in it
          !failed && (read === before.later || next === null)
            ? { ...rest, data: { items, next, more: true, later: read } }
            : // what was shown further is kept after what was read again, less what that holds
              { ...rest, data: { items: joined(items, before.items, options?.covers), next: before.next, more: true, later: before.later } },
        );
      });
    },
    deps,
    { keep: options?.keep },
  );
  shown.current = pages.value;

  /**
   * The pages after `first`, each asked from where the one before ends, `count` at most: their items after its, where
   * the next starts, how many were read (fewer at the end of the list), and whether one could not be read.
   */
  async function readOn(first: ListPage<T>, count: number): Promise<{ items: T[]; next: PageAt | null; read: number; failed: boolean }> {
    let items = first.items;
    let next = nextPage(first);
    let read = 0;
    while (read < count && next) {
      let page: Answer<ListPage<T>> | null = null;
      try {
        const answer = load(next);
        page = isPromise(answer) ? await answer : null;
      } catch {
        page = null;
      }
      const data = page?.data;
      if (!data || !data.items.every((item) => idOf(item) !== undefined)) return { items, next, read, failed: true };
      items = joined(items, data.items, options?.covers);
      next = nextPage(data);
      read++;
    }
    return { items, next, read, failed: false };
  }

  const more = () => {
    const at = shown.current?.next;
    const asked = generation.current;
    if (!at || moreAsked.current === asked) return;
    moreAsked.current = asked;
    setMoreState({ loading: true, failed: null });
    const landed = (failed: string | null) => {
      if (asked !== generation.current) return false;
      moreAsked.current = null;
      setMoreState({ loading: false, failed });
      return true;
    };
    let answer: ReturnType<typeof load>;
    try {
      answer = load(at);
    } catch {
      answer = Promise.reject();
    }
    if (!isPromise(answer)) return void landed(null);
    answer.then(
      ({ data, error, response }) => {
        if (!landed(data === undefined ? problemText(error, response, "The platform refused it.") : null) || data === undefined) return;
        pages.update((p) => ({ items: joined(p.items, data.items, options?.covers), next: nextPage(data), more: true, later: p.later + 1 }));
      },
      () => void landed(unreachable),
    );
  };

  return {
    value: pages.value?.items ?? null,
    failed: pages.failed,
    final: pages.final,
    loading: pages.loading,
    retry: pages.retry,
    update: (change) => pages.update((p) => ({ ...p, items: change(p.items) })),
    more: pages.value?.next ? more : null,
    loadingMore: moreState.loading,
    moreFailed: moreState.failed,
  };
}

/** How many times {@link useAskingAgain} asks, a second apart: a minute. */
export const askingLimit = 60;

/**
 * Asks again a second after each answer while `wanted` holds, {@link askingLimit} times at most: a page back from a
 * checkout, waiting for the platform to confirm the payment (its webhook, then the ticket, enrollment or credits).
 * Answers "asking" meanwhile, "gave up" when it still holds after the last time (the page then says to reload), and
 * null when it is not wanted. Each wait has its own minute: once `wanted` stops holding, the count starts over (a
 * second refund at the same door).
 */
export function useAskingAgain(wanted: boolean, loaded: Pick<Loaded<unknown>, "loading" | "retry">): "asking" | "gave up" | null {
  const [times, setTimes] = useState(0);
  useEffect(() => {
    if (!wanted) setTimes(0);
  }, [wanted]);
  const asking = wanted && times < askingLimit;
  useEffect(() => {
    if (!asking || loaded.loading) return;
    const timer = setTimeout(() => {
      setTimes((t) => t + 1);
      loaded.retry();
    }, 1000);
    return () => clearTimeout(timer);
  }, [asking, loaded.loading]);
  return !wanted ? null : asking ? "asking" : "gave up";
}

function isPromise<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === "function";
}


/**
 * A failed load, said where its content would be, with a way to try again unless the platform's refusal will not
 * change (a link to something gone). The button stays while it tries again (so keyboard focus stays on it) and says
 * so; pressed again, it starts over (a load that hangs is never waited out).
 */
export function LoadFailed({ what, loaded }: { what: string; loaded: Pick<Loaded<unknown>, "failed" | "final" | "loading" | "retry"> }) {
  const id = useId();
  if (loaded.failed === null) return null;
  return (
    <div class="card load-failed">
      <p class="error" role="alert" id={id}>
        {what} could not be loaded. {loaded.failed}
      </p>
      {!loaded.final && (
        <button type="button" class="small" aria-describedby={id} onClick={loaded.retry}>
          {loaded.loading ? "Trying again…" : "Try again"}
        </button>
      )}
    </div>
  );
}

/** "Loading…" while a list loads, `empty` once it loaded with nothing in it; nothing while it has failed. */
export function ListState({ list, empty }: { list: Pick<Loaded<readonly unknown[]>, "value" | "failed" | "loading">; empty: string }) {
  if (list.failed !== null) return null;
  if (list.value === null) return list.loading ? <p class="meta" role="status">Loading…</p> : null;
  return list.value.length === 0 ? <p class="meta">{empty}</p> : null;
}

/**
 * Below a list loaded a page at a time: a button that shows more while there is a next page, saying so while it
 * loads; a page that failed is said above it, and the button asks again.
 */
export function ShowMore({ what, list }: { what: string; list: Pick<Paged<unknown>, "more" | "loadingMore" | "moreFailed"> }) {
  const id = useId();
  if (list.more === null) return null;
  return (
    <div class="show-more">
      {list.moreFailed !== null && (
        <p class="error" role="alert" id={id}>
          More {what} could not be loaded. {list.moreFailed}
        </p>
      )}
      <button type="button" class="small secondary" aria-describedby={list.moreFailed !== null ? id : undefined} onClick={list.more}>
        {list.loadingMore ? "Loading more…" : `Show more ${what}`}
      </button>
    </div>
  );
}
