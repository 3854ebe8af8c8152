import { useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { problemText, settled, unreachable } from "./session";

/** What an SDK request answers: the data, or the problem the platform sent instead. */
export type Answer<T> = { data?: T; error?: unknown; response?: Response };

/** Something a view loads: the value (null while loading or when it failed), or why it failed. */
export type Loaded<T> = {
  value: T | null;
  /** The platform's words for why the last load failed; null once loaded. */
  failed: string | null;
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
 * platform may get over (a 5xx, a 408 or 429, no answer); a refusal that will not change (another 4xx: gone,
 * forbidden, blocked) takes it away.
 */
export function useLoad<T>(load: () => PromiseLike<Answer<T>> | T | null, deps: unknown[], { keep = false } = {}): Loaded<T> {
  const [value, setValue] = useState<T | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
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
          if (response && settled(response)) setValue(null);
          setFailed(problemText(error, response, "The platform refused it."));
        }
      },
      () => {
        if (!live) return;
        if (!followed()) setFailed(unreachable);
      },
    );
    return () => void (live = false);
  }, [...deps, attempt]);

  const retry = () => setAttempt((a) => a + 1);
  return {
    value,
    failed,
    loading,
    retry,
    update: (change) => {
      if (inFlight.current) stale.current = true;
      if (shown.current !== null) setValue((current) => (current === null ? current : change(current)));
      else if (!inFlight.current) retry();
    },
  };
}

/** A page of items loaded with {@link useLoad}: the value is the page's items. */
export function useList<T>(load: () => PromiseLike<Answer<{ items: T[] }>> | T[] | null, deps: unknown[], options?: { keep?: boolean }): Loaded<T[]> {
  return useLoad<T[]>(
    () => {
      const answer = load();
      return isPromise(answer) ? answer.then(({ data, ...rest }) => ({ ...rest, data: data?.items })) : answer;
    },
    deps,
    options,
  );
}

/** How many times {@link useAskingAgain} asks, a second apart: a minute. */
export const askingLimit = 60;

/**
 * Asks again a second after each answer while `wanted` holds, {@link askingLimit} times at most: a page back from a
 * checkout, waiting for the platform to confirm the payment (its webhook, then the ticket, enrollment or credits).
 * Answers "asking" meanwhile, "gave up" when it still holds after the last time (the page then says to reload), and
 * null when it is not wanted.
 */
export function useAskingAgain(wanted: boolean, loaded: Pick<Loaded<unknown>, "loading" | "retry">): "asking" | "gave up" | null {
  const [times, setTimes] = useState(0);
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
 * A failed load, said where its content would be, with a way to try again. The button stays while it tries again
 * (so keyboard focus stays on it) and says so; pressed again, it starts over (a load that hangs is never waited out).
 */
export function LoadFailed({ what, loaded }: { what: string; loaded: Pick<Loaded<unknown>, "failed" | "loading" | "retry"> }) {
  const id = useId();
  if (loaded.failed === null) return null;
  return (
    <div class="card load-failed">
      <p class="error" role="alert" id={id}>
        {what} could not be loaded. {loaded.failed}
      </p>
      <button type="button" class="small" aria-describedby={id} onClick={loaded.retry}>
        {loaded.loading ? "Trying again…" : "Try again"}
      </button>
    </div>
  );
}

/** "Loading…" while a list loads, `empty` once it loaded with nothing in it; nothing while it has failed. */
export function ListState({ list, empty }: { list: Pick<Loaded<readonly unknown[]>, "value" | "failed" | "loading">; empty: string }) {
  if (list.failed !== null) return null;
  if (list.value === null) return list.loading ? <p class="meta" role="status">Loading…</p> : null;
  return list.value.length === 0 ? <p class="meta">{empty}</p> : null;
}
