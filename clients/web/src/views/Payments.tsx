import type { payments } from "@community/sdk";
import { formatPrice, formatTime, session } from "../lib/app";
import { checkoutAddress, refusedCheckout } from "../lib/checkout";
import { ListState, LoadFailed, ShowMore, useAskingAgain, useList } from "../lib/list";

type Payment = payments.components["schemas"]["PaymentDto"];

/** What a payment was for, in words (the platform names it by a purpose and a product). */
export function paidFor(p: Payment): string {
  switch (p.purpose) {
    case "event_registration":
      return "Event ticket";
    case "course":
      return "Course";
    case "credits":
      return "Credit pack";
    case "subscription":
      return p.product ? `Membership (${p.product})` : "Membership";
    case "boost":
      return p.product ? `Profile boost (${p.product === "1" ? "1 day" : `${p.product} days`})` : "Profile boost";
    case "group_membership":
      return "Community membership";
    default:
      // A purpose newer than this client.
      return (p.purpose as string).replace(/_/g, " ");
  }
}

/** Where a payment stands, in words; an open checkout can still be finished while it lasts. */
export function standing(p: Payment): string {
  switch (p.status) {
    case "pending":
      return "Waiting for payment";
    case "succeeded":
      return p.succeeded_at ? `Paid ${formatTime(p.succeeded_at)}` : "Paid";
    case "failed":
      return p.failure_reason ? `Failed: ${p.failure_reason}` : "Failed";
    case "expired":
      return "Not paid (the checkout expired)";
    case "refunded":
      return "Refunded";
    case "partially_refunded":
      return `${formatPrice(p.refunded_cents, p.currency)} refunded`;
  }
}

/** The link to an open checkout, or why there is none (an address the app does not leave for). */
function FinishPaying({ url }: { url: string }) {
  const address = checkoutAddress(url);
  return address ? <a href={address}>Finish paying</a> : <>{refusedCheckout}</>;
}

/** My payments, newest first: what each was for, its amount and where it stands; nothing while there are none. */
export function PaymentsSection() {
  const list = useList<Payment>((at) => session.api.payments.GET("/api/v1/payments", { params: { query: { limit: 20, ...at } } }), [], { keep: true });
  // back from a paid checkout (a pack, a membership, a boost): its payment waits for the provider's confirmation, so
  // the list is asked again each second until the newest payment is no longer pending
  const search = new URLSearchParams(location.search);
  const back = ["checkout", "membership", "boost"].some((name) => search.get(name) === "paid");
  useAskingAgain(back && list.value?.[0]?.status === "pending", list);
  if (list.value !== null && list.value.length === 0) return null;
  const open = (p: Payment) => p.status === "pending" && p.checkout_url && new Date(p.expires_at).getTime() > Date.now();
  return (
    <section aria-labelledby="payments-heading">
      <h2 id="payments-heading">Your payments</h2>
      <LoadFailed what="Your payments" loaded={list} />
      <ListState list={list} empty="No payments yet." />
      <ul class="ledger" aria-label="Payments">
        {(list.value ?? []).map((p) => (
          <li key={p.id}>
            <span>
              {paidFor(p)} <span class="meta">{formatTime(p.created_at)}</span>
            </span>{" "}
            <strong>{formatPrice(p.amount_cents, p.currency)}</strong>{" "}
            <span class="meta">
              {standing(p)}
              {open(p) && (
                <>
                  {" · "}
                  <FinishPaying url={p.checkout_url!} />
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
      <ShowMore what="payments" list={list} />
    </section>
  );
}
