import { session } from "./app";

/** For unit tests: the page's session as signed in as `user` with the access token `access` (what a sign-in keeps), or signed out. */
export const signedIn = (user: { id: string; role: string } | null, access = "t") =>
  void ((session as unknown as { stored: unknown }).stored = user && { access, refresh: "r", expiresAt: Date.now() + 600_000, user });
