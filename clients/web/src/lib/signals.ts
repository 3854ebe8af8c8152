/**
 * A signal that aborts as soon as any of `signals` does, with that one's reason, and `release`, called once the
 * request it guards is over. AbortSignal.any where the browser has it; Safari and iOS before 17.4, Chromium before
 * 116 and Firefox before 124 lack it (every request would throw), so there the signals are joined here, and `release`
 * takes this join's listeners off them (a caller's signal may outlive many requests).
 */
export function anySignal(signals: AbortSignal[]): { signal: AbortSignal; release: () => void } {
  if (typeof AbortSignal.any === "function") return { signal: AbortSignal.any(signals), release: () => undefined };
  const joined = new AbortController();
  const listeners = signals.map((source) => ({ source, aborted: () => abort(source) }));
  const release = () => listeners.forEach(({ source, aborted }) => source.removeEventListener("abort", aborted));
  function abort(source: AbortSignal) {
    release();
    joined.abort(source.reason);
  }
  const already = signals.find((s) => s.aborted);
  if (already) joined.abort(already.reason);
  else listeners.forEach(({ source, aborted }) => source.addEventListener("abort", aborted));
  return { signal: joined.signal, release };
}
