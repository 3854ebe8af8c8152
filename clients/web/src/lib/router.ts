import { useEffect, useState } from "preact/hooks";

/** The app lives under /app/ (Vite's base; the gateway answers index.html for every path below it). */
export const base = "/app";

export function href(path: string): string {
  return base + path;
}

/** The path below /app/, e.g. "/communities/<id>". */
export function currentPath(): string {
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname;
  return path || "/";
}

export function navigate(path: string, replace = false): void {
  const url = href(path);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const changed = () => setPath(currentPath());
    addEventListener("popstate", changed);
    return () => removeEventListener("popstate", changed);
  }, []);
  return path;
}

/** A plain click on an in-app link navigates without a reload (modified clicks open as the browser would). */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.("a");
  if (!anchor || anchor.target || anchor.origin !== location.origin || !anchor.pathname.startsWith(base)) return;
  event.preventDefault();
  history.pushState(null, "", anchor.pathname + anchor.search);
  dispatchEvent(new PopStateEvent("popstate"));
}
