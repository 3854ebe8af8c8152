import type { payments } from "@community/sdk";
import { session } from "./app";
import { href } from "./router";
import { problemText } from "./session";

type Purpose = payments.components["schemas"]["CheckoutRequest"]["purpose"];

/**
 * Opens the checkout for what the platform holds until paid (a seat, an enrollment, a credit pack): the page leaves
 * for it, and comes back to `back` (a path of the app) with `?checkout=paid` or `?checkout=cancelled`. What is held
 * may not have reached payments yet: a 409 with Retry-After means "try again in that long", and it is asked again a
 * few times. Resolves only when the checkout could not be opened, with what to say.
 */
export async function openCheckout(purpose: Purpose, referenceId: string, back: string): Promise<string> {
  const here = `${location.origin}${href(back)}`;
  for (let tries = 0; tries < 8; tries++) {
    const { data, error, response } = await session.api.payments.POST("/api/v1/payments/checkout", {
      body: { purpose, reference_id: referenceId, payment_method: "card", success_url: `${here}?checkout=paid`, cancel_url: `${here}?checkout=cancelled` },
    });
    if (data) {
      location.assign(data.checkout_url);
      return new Promise<never>(() => undefined); // the page is leaving
    }
    if (response.status !== 409) return problemText(error, response, "The checkout could not be opened.");
    const wait = Number(response.headers.get("Retry-After") ?? "2");
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5) * 1000));
  }
  return "The checkout is not ready yet: try again in a moment.";
}
