import type { payments } from "@community/sdk";
import { session } from "./app";
import { here, href } from "./router";
import { askedUntilReady, problemText, settled } from "./session";

type Purpose = payments.components["schemas"]["CheckoutRequest"]["purpose"];

/** What is said in place of a checkout whose address {@link checkoutAddress} refuses. */
export const refusedCheckout =
  "The checkout's address is not a secure one, so the app does not open it. Try again later, or contact support.";

/**
 * The checkout's address, as the page may leave for it or link to it, or null for one it must not: https, or http to
 * this origin (the sandbox provider's page is the platform's own, under /sandbox/) or to this computer while the app
 * runs on it too (a developer's platform, and `npm run dev` beside it). Anything else (javascript:, data:, plain http
 * elsewhere) would run in this page, or send the buyer somewhere unprotected.
 */
export function checkoutAddress(url: string): string | null {
  let address: URL;
  try {
    address = new URL(url, location.href);
  } catch {
    return null;
  }
  if (address.protocol === "https:") return address.href;
  if (address.protocol !== "http:") return null;
  const local = (host: string) => host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
  const ours = address.origin === location.origin || (local(address.hostname) && local(location.hostname));
  return ours ? address.href : null;
}

/**
 * Opens the checkout for what the platform holds until paid (a seat, an enrollment, a credit pack): the page leaves
 * for it, and comes back to `back` (a path of the app) with `?checkout=paid` or `?checkout=cancelled`. What is held
 * may not have reached payments yet: its 409 with Retry-After is asked again (`askedUntilReady`). Resolves only when
 * the checkout could not be opened, with what to say, or with null once the person left the page it was asked from
 * (`from`: where the action that led to it began, the click that registered or joined first).
 */
export async function openCheckout(purpose: Purpose, referenceId: string, back: string, from = here()): Promise<string | null> {
  if (!from.still()) return null;
  const to = `${location.origin}${href(back)}`;
  const { data, error, response } = await askedUntilReady(
    () =>
      session.api.payments.POST("/api/v1/payments/checkout", {
        body: { purpose, reference_id: referenceId, payment_method: "card", success_url: `${to}?checkout=paid`, cancel_url: `${to}?checkout=cancelled` },
      }),
    undefined,
    from.still,
  );
  // the person went elsewhere while it was asked for (up to 30 s): not taken away from there, and nothing to say
  if (!from.still()) return null;
  if (data) {
    const address = checkoutAddress(data.checkout_url);
    if (!address) return refusedCheckout;
    location.assign(address);
    return new Promise<never>(() => undefined); // the page is leaving
  }
  if (!settled(response) && response.status === 409) return "The checkout is not ready yet: try again in a moment.";
  return problemText(error, response, "The checkout could not be opened.");
}
