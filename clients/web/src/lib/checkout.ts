import type { payments } from "@community/sdk";
import { session } from "./app";
import { href } from "./router";
import { askedUntilReady, problemText, settled } from "./session";

type Purpose = payments.components["schemas"]["CheckoutRequest"]["purpose"];

/**
 * Opens the checkout for what the platform holds until paid (a seat, an enrollment, a credit pack): the page leaves
 * for it, and comes back to `back` (a path of the app) with `?checkout=paid` or `?checkout=cancelled`. What is held
 * may not have reached payments yet: its 409 with Retry-After is asked again (`askedUntilReady`). Resolves only when
 * the checkout could not be opened, with what to say.
 */
export async function openCheckout(purpose: Purpose, referenceId: string, back: string): Promise<string> {
  const here = `${location.origin}${href(back)}`;
  const { data, error, response } = await askedUntilReady(() =>
    session.api.payments.POST("/api/v1/payments/checkout", {
      body: { purpose, reference_id: referenceId, payment_method: "card", success_url: `${here}?checkout=paid`, cancel_url: `${here}?checkout=cancelled` },
    }),
  );
  if (data) {
    location.assign(data.checkout_url);
    return new Promise<never>(() => undefined); // the page is leaving
  }
  if (!settled(response) && response.status === 409) return "The checkout is not ready yet: try again in a moment.";
  return problemText(error, response, "The checkout could not be opened.");
}
