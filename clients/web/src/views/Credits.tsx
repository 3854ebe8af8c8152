import type { payments } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { attempt, formatPrice, formatTime, session } from "../lib/app";
import { openCheckout } from "../lib/checkout";
import { LoadFailed, useAskingAgain, useLoad } from "../lib/list";
import { Banner, Failure } from "../lib/said";

type Credits = payments.components["schemas"]["CreditsDto"];
type Pack = payments.components["schemas"]["CreditPackDto"];

/** What an entry of the ledger was for, in words (the platform names it by a code). */
function reasonText(reason: string): string {
  const words: Record<string, string> = {
    credit_pack: "Credit pack",
    credit_pack_refunded: "Credit pack refunded",
    referral_refunded: "Referral reward taken back",
    refunded_credits_already_spent: "Taken back: refunded credits you had spent",
    course: "Course",
    boost: "Profile boost",
    companion_session: "Companion session",
  };
  if (reason in words) return words[reason]!;
  if (reason.startsWith("referral_")) return "Referral reward";
  if (reason.startsWith("not_honoured")) return "Given back: the purchase could not be honoured";
  return reason.replace(/_/g, " ");
}

/** The balance a checkout for a pack started from, so the page back from it knows when the pack has arrived. */
const before = "community.credits-before-checkout";

/**
 * Your credits: the balance and its latest entries (earned by referrals, bought in packs, spent on courses and
 * boosts), and the packs on sale, bought through the checkout. Back from a paid checkout, the balance is asked again
 * each second until the pack has arrived (payments grants it once the payment is confirmed).
 */
export function CreditsSection() {
  const [error, setError] = useState<string | null>(null);
  // a checkout being asked for (up to 30 s while the pack's sale reaches payments): one at a time
  const [buying, setBuying] = useState(false);
  const back = new URLSearchParams(location.search).get("checkout");
  const credits = useLoad<Credits>(() => session.api.payments.GET("/api/v1/credits", { params: { query: { limit: 10 } } }), [], { keep: true });
  // a spend made elsewhere on the page (a boost bought with credits) moves the balance
  useEffect(() => {
    const changed = () => credits.retry();
    addEventListener("community:credits-changed", changed);
    return () => removeEventListener("community:credits-changed", changed);
  }, []);
  const packs = useLoad<Pack[]>(() => session.api.payments.GET("/api/v1/credits/packs").then(({ data, ...rest }) => ({ ...rest, data: data?.items })), []);
  // the balance the checkout started from, read once: it is taken out of storage when the pack has arrived
  const [started] = useState(() => (back === "paid" ? sessionStorage.getItem(before) : null));
  const arrived = started !== null && credits.value !== null && credits.value.balance !== Number(started);
  const asking = useAskingAgain(started !== null && !arrived, credits);

  useEffect(() => {
    if (arrived) sessionStorage.removeItem(before);
  }, [arrived]);

  async function buy(pack: Pack) {
    setError(null);
    // the balance the pack's arrival is told from: without it, any balance read back would look like the pack
    if (!credits.value) {
      setError("Your balance could not be loaded, so the pack's arrival could not be told: try again in a moment.");
      credits.retry();
      return;
    }
    sessionStorage.setItem(before, String(credits.value.balance));
    setBuying(true);
    try {
      setError(await openCheckout("credits", pack.id, "/profile"));
    } finally {
      sessionStorage.removeItem(before); // the checkout did not open (on success the page has left)
      setBuying(false);
    }
  }

  return (
    <section aria-labelledby="credits-heading">
      <h2 id="credits-heading">Your credits</h2>
      <Banner
        text={
          asking === "asking"
            ? "Payment received: your credits arrive in a moment…"
            : asking === "gave up"
              ? "Your payment is still being confirmed: reload this page in a moment."
              : arrived
                ? "Your credits have arrived."
                : back === "cancelled"
                  ? "The checkout was cancelled: you are not charged."
                  : null
        }
      />
      <LoadFailed what="Your credits" loaded={credits} />
      {credits.value && (
        <>
          <p>
            Balance: <strong>{credits.value.balance} credits</strong>
          </p>
          {credits.value.items.length > 0 && (
            <ul class="ledger" aria-label="Credit history">
              {credits.value.items.map((entry) => (
                <li key={entry.transaction_id}>
                  <span>{reasonText(entry.reason)}</span> <strong>{entry.amount > 0 ? `+${entry.amount}` : entry.amount}</strong> <span class="meta">{formatTime(entry.created_at)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <LoadFailed what="The credit packs" loaded={packs} />
      {packs.value && packs.value.length > 0 && (
        <ul class="row plain" aria-label="Credit packs">
          {packs.value.map((pack) => (
            <li key={pack.id}>
              <button type="button" class="secondary" disabled={buying} onClick={() => void attempt(setError, () => buy(pack))}>
                Buy {pack.credits} credits ({formatPrice(pack.amount_cents, pack.currency)})
              </button>
            </li>
          ))}
        </ul>
      )}
      <Failure text={error} />
    </section>
  );
}
