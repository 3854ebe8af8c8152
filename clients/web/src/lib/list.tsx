import { useEffect, useState } from "preact/hooks";
import { problemText } from "./session";

/** What an SDK request answers: the data, or the problem the platform sent instead. */
export type Answer<T> = { data?: T; error?: unknown; response?: Response };

/** Something a view loads: the value (null while loading or when it failed), or why it failed. */
export type Loaded<T> = {
  value: T | null;
  /** The platform's words for why the last load failed; null while loading and once loaded. */
  failed: string | null;
  /** Loads it again (the "Try again" of a failed load). */
  retry: () => void;
  /** Changes the loaded value in place (a live push); nothing while loading or failed. */
  update: (change: (value: T) => T) => void;
};

/**
 * Loads something whenever `deps` change. A refusal or an unreachable platform is a failure with the platform's
 * words and a way to try again, never an empty value: "nothing here yet" is said only of what was loaded. `load`
 * may return the value itself (nothing to ask the platform) or null (nothing to show: the value stays null). With
 * `keep`, what is shown stays while it loads again (a list refreshed in the background), and after a failure too.
 */
export function useLoad<T>(load: () => PromiseLike<Answer<T>> | T | null, deps: unknown[], { keep = false } = {}): Loaded<T> {
  const [value, setValue] = useState<T | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    if (!keep) setValue(null);
    setFailed(null);
    const answer = load();
    if (!isPromise(answer)) {
      setValue(answer);
      return;
    }
    answer.then(
      ({ data, error, response }) => {
        if (!live) return;
        if (data !== undefined) setValue(data);
        else setFailed(problemText(error, response, "The platform refused it."));
      },
      () => live && setFailed("The platform could not be reached. Check your connection."),
    );
    return () => void (live = false);
  }, [...deps, attempt]);

  return {
    value,
    failed,
    retry: () => setAttempt((a) => a + 1),
    update: (change) => setValue((current) => (current === null ? current : change(current))),
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

function isPromise<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === "function";
}

/** A failed load, said where its content would be, with a way to try again. */
export function LoadFailed({ what, loaded }: { what: string; loaded: Pick<Loaded<unknown>, "failed" | "retry"> }) {
  if (loaded.failed === null) return null;
  return (
    <div class="card load-failed" role="alert">
      <p class="error">
        {what} could not be loaded. {loaded.failed}
      </p>
      <button type="button" class="small" onClick={loaded.retry}>
        Try again
      </button>
    </div>
  );
}

/** "Loading…" while a list loads, `empty` once it loaded with nothing in it; nothing otherwise. */
export function ListState({ list, empty }: { list: Pick<Loaded<readonly unknown[]>, "value" | "failed">; empty: string }) {
  if (list.value === null) return list.failed === null ? <p class="meta" role="status">Loading…</p> : null;
  return list.value.length === 0 ? <p class="meta">{empty}</p> : null;
}
