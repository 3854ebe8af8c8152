import type { aiCompanion } from "@community/sdk";
import { useRef, useState } from "preact/hooks";
import { formatTime, newTxnId, session, useAction } from "../lib/app";
import { href } from "../lib/router";
import { problemText, settled } from "../lib/session";
import { Failure } from "../lib/said";

type Session = aiCompanion.components["schemas"]["SessionDto"];
type Used = aiCompanion.components["schemas"]["AllowanceUsedDto"];

/** What a session costs and gives, as the 429 of a message past the daily limit offers it. */
export type Offer = { credits: number; minutes: number; messages: number | null; limit: number | null; resetsAt: string | null };

/** The session the 429 of a message past today's limit offers, or null when the refusal offers none. */
export function offerOf(problem: unknown): Offer | null {
  const used = problem as Partial<Used> | null;
  if (typeof used?.session_price_credits !== "number" || typeof used.session_minutes !== "number") return null;
  return { credits: used.session_price_credits, minutes: used.session_minutes, messages: used.session_messages ?? null, limit: used.daily_limit ?? null, resetsAt: used.resets_at ?? null };
}

/** How long the page waits for payments to spend the credits, asking each second. */
export const waitForPaymentMs = 30_000;

/** Why a session did not start, in words. */
function rejectionText(s: Session): string {
  if (s.rejection === "insufficient_credits") return `You do not have the ${s.price_credits} credits a session costs; nothing was spent.`;
  if (s.rejection === "not_for_sale") return "Sessions are not sold at the moment; nothing was spent.";
  return `The session did not start${s.rejection ? `: ${s.rejection}` : ""}. Any credits spent were given back.`;
}

/**
 * Past today's limit: a session bought with credits lifts it for a while. The purchase carries an Idempotency-Key, the
 * same one when it is pressed again after no answer; the page then asks each second until payments has spent the
 * credits (active) or not (rejected). A session already open (the 409 names it) is followed instead of buying another.
 */
export function SessionOffer({ offer, started }: { offer: Offer; started: (s: Session) => void }) {
  const { busy, error, setError, run } = useAction();
  const [rejected, setRejected] = useState<Session | null>(null);
  const [waiting, setWaiting] = useState(false);
  // kept until an answer settles the purchase: a second press after no answer is the same purchase
  const key = useRef<string | null>(null);

  const buy = () =>
    run(async () => {
      setRejected(null);
      key.current ??= newTxnId();
      const { data, error, response } = await session.api.aiCompanion.POST("/api/v1/companion/sessions", { params: { header: { "Idempotency-Key": key.current } } });
      if (settled(response)) key.current = null;
      const id = data?.id ?? (response.status === 409 ? (error as { session_id?: string } | undefined)?.session_id : undefined);
      if (!id) return setError(problemText(error, response, "The session was not bought."));
      setWaiting(true);
      try {
        let current = data ?? null;
        // a second apart, but at once after a 409 that named the session without its state; a failed ask waits too
        for (let asked = 0, giveUpAt = Date.now() + waitForPaymentMs; current?.state !== "active" && current?.state !== "rejected" && current?.state !== "ended" && Date.now() < giveUpAt; asked++) {
          if (current || asked > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
          current = (await session.api.aiCompanion.GET("/api/v1/companion/sessions/{id}", { params: { path: { id } } })).data ?? current;
        }
        if (current?.state === "active") return started(current);
        if (current?.state === "rejected") return setRejected(current);
        setError("Payments has not confirmed the session yet: look again in a moment (your usage below follows it).");
      } finally {
        setWaiting(false);
      }
    });

  const words = `${offer.minutes} minutes${offer.messages != null ? ` (up to ${offer.messages} messages)` : ""}`;
  return (
    <div class="card session-offer" aria-busy={busy}>
      <p>
        {offer.limit != null ? `You have used today's ${offer.limit} messages` : "You have used today's messages"}
        {offer.resetsAt ? `; the count starts again at ${formatTime(offer.resetsAt)}.` : "."} A session lifts the limit for {words}.
      </p>
      <button type="button" disabled={busy} onClick={() => void buy()}>
        {waiting ? "Waiting for payment…" : `Buy a session for ${offer.credits} credits`}
      </button>
      {rejected && (
        <p class="error" role="alert">
          {rejectionText(rejected)} <a href={href("/profile")}>Your credits</a>
        </p>
      )}
      <Failure text={error} />
    </div>
  );
}
