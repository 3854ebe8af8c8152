import { useEffect, useRef, useState } from "preact/hooks";

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

/** True while a redirect's popstate is dispatched: navigate(path, true), which replaces the address. */
let redirecting = false;

/** Where a signed-out visitor was going (this tab's), kept while they sign in or up. */
const destinationKey = "community.after-sign-in";
const signInPaths = ["/signin", "/signup", "/forgot", "/signed-in"];

/** True on a page of signing in, up or back in (the ones a signed-out visitor may be on). */
export function onSignInPage(path = currentPath()): boolean {
  return signInPaths.includes(path);
}

/**
 * Keeps where the visitor is now (its path, query and fragment) to go back to once signed in; not a sign-in page.
 * `owner`: the account whose session just ended here (expired, revoked), which alone is taken back there; none for a
 * link opened signed out, where whoever signs in goes.
 */
export function rememberDestination(owner: string | null = null): void {
  const path = currentPath();
  if (path === "/" || path === "/waitlist" || signInPaths.includes(path)) return;
  sessionStorage.setItem(destinationKey, JSON.stringify({ to: path + location.search + location.hash, owner }));
}

/** A sign-out of one's own: the next sign-in (maybe someone else's) starts at home. */
export function forgetDestination(): void {
  sessionStorage.removeItem(destinationKey);
}

function keptDestination(): { to: string; owner: string | null } | null {
  try {
    const kept = JSON.parse(sessionStorage.getItem(destinationKey) ?? "null");
    return typeof kept?.to === "string" ? { to: kept.to, owner: typeof kept.owner === "string" ? kept.owner : null } : null;
  } catch {
    return null;
  }
}

/**
 * Signed in as `user`, on a sign-in page: to where the visitor was going (kept by {@link rememberDestination}), once,
 * else home; another account than the one whose session ended there starts at home (that page was not theirs).
 * Elsewhere nothing (the form's own step and the app's both ask, whichever comes first goes).
 */
export function afterSignIn(user: string | null): void {
  if (!signInPaths.includes(currentPath())) return;
  const kept = keptDestination();
  sessionStorage.removeItem(destinationKey);
  const to = kept && (kept.owner === null || kept.owner === user) ? kept.to : null;
  // a path of this app only: never another origin ("//host", "/\\host")
  navigate(to && /^\/(?![\/\\])/.test(to) ? to : "/", true);
}

/**
 * Route changes in this tab so far (links, navigate(), back and forward to another path or query): each arrival is a
 * visit of its own. A popstate that keeps the route ("Skip to content", the link of the page one is on) is none.
 */
let visits = 0;
let route = currentPath() + location.search;
addEventListener("popstate", () => {
  const now = currentPath() + location.search;
  if (now === route) return;
  route = now;
  visits++;
});

/**
 * Where the person is now, for an action whose answer may come late: `still()` while the tab is where the action
 * began (its path and query, in the same visit: not left and come back to), and `navigate` only then, so a late answer
 * (a retried request, a slow platform) does not take the person away from where they went meanwhile.
 */
export type Here = { still: () => boolean; navigate: (path: string, replace?: boolean) => void };

export function here(): Here {
  const from = currentPath() + location.search;
  route = from; // the address may have been replaced without a popstate (history.replaceState)
  const visit = visits;
  const still = () => visits === visit && currentPath() + location.search === from;
  return { still, navigate: (path, replace = false) => void (still() && navigate(path, replace)) };
}

export function navigate(path: string, replace = false): void {
  const url = href(path);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  redirecting = replace;
  try {
    dispatchEvent(new PopStateEvent("popstate"));
  } finally {
    redirecting = false;
  }
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
  // a place on this page ("Skip to content"): the browser scrolls to it and moves focus there
  if (anchor.hash && anchor.pathname === location.pathname && anchor.search === location.search) return;
  event.preventDefault();
  history.pushState(null, "", anchor.pathname + anchor.search + anchor.hash);
  dispatchEvent(new PopStateEvent("popstate"));
}

/**
 * Where focus goes once the view of `path` is shown, after a route change the person made (a link followed, a
 * navigate() that adds to the history, back or forward): to the new view's heading, the last one in main#main that
 * takes focus (tabIndex={-1}), which is the deepest column's where a view has columns (a phone shows that one alone),
 * or else to main itself. Without it a keyboard or screen-reader user is left on <body>, the link pressed taken away.
 * The first view, and a redirect that replaces the address (signing in or out), leave focus where it is.
 */
export function useFocusOnRouteChange(path: string): void {
  // the path a route change the person made leads to, until its view is shown
  const movedTo = useRef<string | null>(null);
  useEffect(() => {
    const changed = () => void (movedTo.current = redirecting ? null : currentPath());
    addEventListener("popstate", changed);
    return () => removeEventListener("popstate", changed);
  }, []);
  useEffect(() => {
    if (movedTo.current !== path) return;
    movedTo.current = null;
    const main = document.getElementById("main");
    const headings = main?.querySelectorAll<HTMLElement>('h1[tabindex="-1"], h2[tabindex="-1"]') ?? [];
    (headings[headings.length - 1] ?? main)?.focus();
  }, [path]);
}
