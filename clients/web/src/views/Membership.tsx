import type { payments } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { session, tierOfToken, useAction } from "../lib/app";
import { LoadFailed, useAskingAgain, useLoad } from "../lib/list";
import { href } from "../lib/router";
import { problemText } from "../lib/session";
import { Banner, Failure } from "../lib/said";

type Subscription = payments.components["schemas"]["SubscriptionDto"];
type Tier = payments.components["schemas"]["SubscriptionCheckoutRequest"]["tier"];

/** The tier a checkout was opened for, so the page back from it knows what it waits for. */
const asked = "community.membership-asked";

/** How many times, a second apart, the access token is renewed while it lags behind the tier payments gives. */
export const renewals = 30;

const named = (tier: string) => tier.charAt(0).toUpperCase() + tier.slice(1);
const day = (iso: string) => new Date(iso).toLocaleDateString([], { dateStyle: "medium" });
const running = (s: Subscription) => s.status === "active" || s.status === "trialing";

/** What my membership is, in words: the tier, where it comes from, and until when. */
export function describe(s: Subscription): string {
  if (s.tier === "free") return "You are on the free tier.";
  if (s.tier_source === "referral")
    return s.tier_until ? `${named(s.tier)} until ${day(s.tier_until)}, earned by your invitations.` : `${named(s.tier)} for life, earned by your invitations.`;
  const until = s.current_period_end ?? s.tier_until;
  if (!until) return `${named(s.tier)}.`;
  return s.cancel_at_period_end ? `${named(s.tier)} until ${day(until)}; it is not renewed.` : `${named(s.tier)}, renewed on ${day(until)}.`;
}

/**
 * My membership: the tier I have (from a subscription or from invitations), a checkout to go premium or elite, and
 * renewal stopped at the period's end. Back from a paid checkout it asks again each second until payments has the
 * subscription running; while the access token still carries an older tier (identity puts the new one in the next
 * token) the token is renewed, so what the tier unlocks (discovery's filters) is there at once.
 */
export function MembershipSection() {
  const back = new URLSearchParams(location.search).get("membership");
  const { busy, error, setError, run } = useAction();
  const subscription = useLoad<Subscription>(() => session.api.payments.GET("/api/v1/subscriptions/me"), [], { keep: true });
  const value = subscription.value;
  const wanted = sessionStorage.getItem(asked);
  const waiting = back === "paid" && wanted !== null && !(value && value.plan === wanted && running(value));
  const asking = useAskingAgain(waiting, subscription);
  const [tokenTier, setTokenTier] = useState(tierOfToken());

  useEffect(() => {
    if (back !== null && !waiting) sessionStorage.removeItem(asked);
  }, [back, waiting]);

  // the token catches up with the tier: renewed once a second while it lags, a bounded number of times
  const target = value?.tier ?? null;
  const lagging = target !== null && target !== tokenTier;
  useEffect(() => {
    if (!lagging) return;
    let live = true;
    let times = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const renew = async () => {
      if (!live || times++ >= renewals) return;
      await session.refresh();
      if (!live) return;
      const now = tierOfToken();
      setTokenTier(now);
      if (now !== target) timer = setTimeout(() => void renew(), 1000);
    };
    void renew();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [lagging, target]);

  const checkout = (tier: Tier) =>
    run(async () => {
      const here = `${location.origin}${href("/profile")}`;
      const { data, error, response } = await session.api.payments.POST("/api/v1/subscriptions/checkout", {
        body: { tier, payment_method: "card", success_url: `${here}?membership=paid`, cancel_url: `${here}?membership=cancelled` },
      });
      if (!data) return setError(problemText(error, response, "The checkout could not be opened."));
      sessionStorage.setItem(asked, tier);
      location.assign(data.checkout_url);
    });

  const stop = () =>
    run(async () => {
      if (!confirm("Stop renewing your membership? It stays until the end of the period you paid for.")) return;
      const { data, error, response } = await session.api.payments.DELETE("/api/v1/subscriptions/me");
      if (!data) return setError(problemText(error, response, "Renewal could not be stopped."));
      subscription.update(() => data);
    });

  const offered: Tier[] = value === null ? [] : value.tier === "free" ? ["premium", "elite"] : value.tier === "premium" ? ["elite"] : [];
  return (
    <section aria-labelledby="membership-heading" aria-busy={busy}>
      <h2 id="membership-heading">Membership</h2>
      <Banner
        text={
          asking === "asking"
            ? "Payment received: your membership starts in a moment…"
            : asking === "gave up"
              ? "Your payment is still being confirmed: reload this page in a moment."
              : back === "paid" && value && running(value)
                ? `Your ${named(value.tier)} membership is running.`
                : back === "cancelled"
                  ? "The checkout was cancelled: you are not charged."
                  : null
        }
      />
      <LoadFailed what="Your membership" loaded={subscription} />
      {value && <p>{describe(value)}</p>}
      {offered.length > 0 && (
        <p class="row">
          {offered.map((tier) => (
            <button key={tier} type="button" class="secondary" disabled={busy} onClick={() => void checkout(tier)}>
              Go {tier}
            </button>
          ))}
        </p>
      )}
      {offered.length > 0 && <p class="hint">Premium and elite unlock discovery's age and gender filters and more companion messages; elite includes every course. The price is shown at the checkout.</p>}
      {value && value.tier_source === "subscription" && running(value) && !value.cancel_at_period_end && (
        <button type="button" class="small secondary" disabled={busy} onClick={() => void stop()}>
          Stop renewing
        </button>
      )}
      <Failure text={error} />
    </section>
  );
}
