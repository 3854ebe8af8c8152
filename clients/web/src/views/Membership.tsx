import type { payments } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { formatDay, formatPrice, formatTime, session, submitted, tierOfToken, useAction } from "../lib/app";
import { checkoutAddress, refusedCheckout } from "../lib/checkout";
import { LoadFailed, useAskingAgain, useLoad } from "../lib/list";
import { href } from "../lib/router";
import { problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";

type Subscription = payments.components["schemas"]["SubscriptionDto"];
type Tier = payments.components["schemas"]["SubscriptionCheckoutRequest"]["tier"];
type Plan = payments.components["schemas"]["PlanDto"];
type Boost = payments.components["schemas"]["BoostDto"];
type BoostPrice = payments.components["schemas"]["BoostPriceDto"];

/** The tier a checkout was opened for, so the page back from it knows what it waits for. */
const asked = "community.membership-asked";

/** How many times, a second apart, the access token is renewed while it lags behind the tier payments gives. */
export const renewals = 30;

const named = (tier: string) => tier.charAt(0).toUpperCase() + tier.slice(1);
const running = (s: Subscription) => s.status === "active" || s.status === "trialing";

/** What my membership is, in words: the tier, where it comes from, and until when. */
export function describe(s: Subscription): string {
  if (s.tier === "free") return "You are on the free tier.";
  if (s.tier_source === "referral")
    return s.tier_until ? `${named(s.tier)} until ${formatDay(s.tier_until)}, earned by your invitations.` : `${named(s.tier)} for life, earned by your invitations.`;
  const until = s.current_period_end ?? s.tier_until;
  if (!until) return `${named(s.tier)}.`;
  return s.cancel_at_period_end ? `${named(s.tier)} until ${formatDay(until)}; it is not renewed.` : `${named(s.tier)}, renewed on ${formatDay(until)}.`;
}

/**
 * My membership: the tier I have (from a subscription or from invitations), a checkout to go premium or elite, and
 * renewal stopped at the period's end, or taken up again before it (nothing charged: the period paid runs on). Back from a paid checkout it asks again each second until payments has the
 * subscription running; while the access token still carries an older tier (identity puts the new one in the next
 * token) the token is renewed, so what the tier unlocks (discovery's filters) is there at once.
 */
export function MembershipSection() {
  const back = new URLSearchParams(location.search).get("membership");
  const { busy, error, setError, run } = useAction();
  const subscription = useLoad<Subscription>(() => session.api.payments.GET("/api/v1/subscriptions/me"), [], { keep: true });
  const plans = useLoad<Plan[]>(() => session.api.payments.GET("/api/v1/subscriptions/plans").then(({ data, ...rest }) => ({ ...rest, data: data?.items })), []);
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
      // my subscription of that tier, set to stop, renews again: nothing to pay now
      if (!("checkout_url" in data)) return subscription.update(() => data);
      const address = checkoutAddress(data.checkout_url);
      if (!address) return setError(refusedCheckout);
      sessionStorage.setItem(asked, tier);
      location.assign(address);
    });

  const stop = () =>
    run(async () => {
      if (!confirm("Stop renewing your membership? It stays until the end of the period you paid for.")) return;
      const { data, error, response } = await session.api.payments.DELETE("/api/v1/subscriptions/me");
      if (!data) return setError(problemText(error, response, "Renewal could not be stopped."));
      subscription.update(() => data);
    });

  const above: Tier[] = value === null ? [] : value.tier === "free" ? ["premium", "elite"] : value.tier === "premium" ? ["elite"] : [];
  const offered = (plans.value ?? []).filter((p) => above.includes(p.tier as Tier));
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
          {offered.map((plan) => (
            <button key={plan.tier} type="button" class="secondary" disabled={busy} onClick={() => void checkout(plan.tier as Tier)}>
              Go {plan.tier} ({formatPrice(plan.amount_cents, plan.currency)} {plan.period_days === 30 ? "a month" : `every ${plan.period_days} days`})
            </button>
          ))}
        </p>
      )}
      <LoadFailed what="The plans" loaded={plans} />
      {offered.length > 0 && <p class="hint">Premium and elite unlock discovery's age and gender filters and more companion messages; elite includes every course. Each renews until you stop it.</p>}
      {value && value.tier_source === "subscription" && running(value) && !value.cancel_at_period_end && (
        <button type="button" class="small secondary" disabled={busy} onClick={() => void stop()}>
          Stop renewing
        </button>
      )}
      {value && value.tier_source === "subscription" && running(value) && value.cancel_at_period_end && value.plan && (
        <button type="button" class="small secondary" disabled={busy} onClick={() => void checkout(value.plan as Tier)}>
          Keep renewing
        </button>
      )}
      <Failure text={error} />
    </section>
  );
}

/**
 * The boost a checkout was opened for (its days, and when the boost running then ended), so the page back from it
 * knows what it waits for: a boost, or the running one extended.
 */
const boostAsked = "community.boost-asked";

function boostWanted(): { days: number; until: string | null } | null {
  const stored = sessionStorage.getItem(boostAsked);
  if (stored === null) return null;
  try {
    const wanted = JSON.parse(stored) as { days?: unknown; until?: unknown } | number;
    if (typeof wanted === "number") return { days: wanted, until: null };
    return { days: Number(wanted.days), until: typeof wanted.until === "string" ? wanted.until : null };
  } catch {
    return { days: Number(stored), until: null };
  }
}

/**
 * A boost of my profile: shown first in discovery for a day, a week or a month (after paid boosts of others the
 * same), until when it runs, bought with credits (at once) or by card through the checkout (once payments confirms
 * the payment: back from it, asked again each second until it runs).
 */
export function BoostSection() {
  const back = new URLSearchParams(location.search).get("boost");
  const { busy, error, setError, run } = useAction();
  const [said, setSaid] = useState<string | null>(null);
  const boost = useLoad<Boost>(() => session.api.payments.GET("/api/v1/boosts/me"), [], { keep: true });
  const prices = useLoad<BoostPrice[]>(() => session.api.payments.GET("/api/v1/boosts/prices").then(({ data, ...rest }) => ({ ...rest, data: data?.items })), []);
  const wanted = boostWanted();
  // arrived: a boost runs, and ends later than the one running when the checkout opened (an extension adds its days)
  const arrived = !!boost.value?.active && (wanted?.until == null || boost.value.boosted_until !== wanted.until);
  const asking = useAskingAgain(back === "paid" && wanted !== null && !arrived, boost);
  useEffect(() => {
    if (back !== null && arrived) sessionStorage.removeItem(boostAsked);
  }, [back, arrived]);

  const byCard = (price: BoostPrice) =>
    run(async () => {
      const here = `${location.origin}${href("/profile")}`;
      const { data, error, response } = await session.api.payments.POST("/api/v1/boosts/checkout", {
        body: { days: price.days, payment_method: "card", success_url: `${here}?boost=paid`, cancel_url: `${here}?boost=cancelled` },
      });
      if (!data) return setError(problemText(error, response, "The checkout could not be opened."));
      const address = checkoutAddress(data.checkout_url);
      if (!address) return setError(refusedCheckout);
      sessionStorage.setItem(boostAsked, JSON.stringify({ days: price.days, until: boost.value?.active ? boost.value.boosted_until : null }));
      location.assign(address);
    });

  /** Spends the credits: a form, so pressing again after no answer is the same spend (its Idempotency-Key). */
  const withCredits = (price: BoostPrice) =>
    submitted(setError, async (_, key) => {
      setSaid(null);
      const { data, error, response } = await session.api.payments.POST("/api/v1/credits/spend", {
        params: { header: { "Idempotency-Key": key } },
        body: { purpose: "boost", reference_id: null, days: price.days },
      });
      if (data) {
        setSaid(`Boosted for ${price.days === 1 ? "a day" : `${price.days} days`}: ${data.balance} credits left.`);
        boost.retry();
        dispatchEvent(new Event("community:credits-changed"));
      } else setError(problemText(error, response, "Paying with credits failed."));
      return settled(response);
    });

  const running = boost.value?.active && boost.value.boosted_until;
  return (
    <section aria-labelledby="boost-heading" aria-busy={busy}>
      <h2 id="boost-heading">Boost your profile</h2>
      <Banner
        text={
          said ??
          (asking === "asking"
            ? "Payment received: your boost starts in a moment…"
            : asking === "gave up"
              ? "Your payment is still being confirmed: reload this page in a moment."
              : back === "cancelled"
                ? "The checkout was cancelled: you are not charged."
                : null)
        }
      />
      <LoadFailed what="Your boost" loaded={boost} />
      {boost.value && <p>{running ? `Your profile is shown first in discovery until ${formatTime(running)}.` : "Your profile is not boosted."}</p>}
      <LoadFailed what="The boosts" loaded={prices} />
      {prices.value && prices.value.length > 0 && (
        <ul class="list" aria-label="Boosts">
          {prices.value.map((price) => {
            const length = price.days === 1 ? "1 day" : `${price.days} days`;
            return (
              <li key={price.days} class="row">
                <span class="title">{length}</span>
                {price.credits != null && (
                  <form class="inline" aria-label={`Boost ${length} with credits`} onSubmit={withCredits(price)}>
                    <button type="submit" class="small">
                      {price.credits} credits
                    </button>
                  </form>
                )}
                <button type="button" class="small secondary" disabled={busy} onClick={() => void byCard(price)} aria-label={`Boost ${length} by card, ${formatPrice(price.amount_cents, price.currency)}`}>
                  {formatPrice(price.amount_cents, price.currency)}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <p class="hint">Extending a running boost adds its days after it.</p>
      <Failure text={error} />
    </section>
  );
}
