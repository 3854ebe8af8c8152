/**
 * Money as the platform counts it: every `*_cents` field is an integer of the currency's minor unit, as the payment
 * provider counts it (Stripe). Most currencies have 2 decimals; those below have none (5000 JPY is ¥5,000) or 3 (1250
 * KWD is 1.250 KWD). The same table as the platform's (building-blocks/ServiceDefaults/Api/MinorUnits.cs): the
 * browser's own (Intl) differs for some currencies (HUF, ISK, IDR, COP... have 0 decimals there, 2 for the provider).
 */
const noDecimals = new Set(["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
const threeDecimals = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

/** How many decimals an amount in `currency` (an ISO 4217 code, in any case) has: 0, 2 or 3; 2 for a code it does not know. */
export function minorDigits(currency: string | null | undefined): number {
  const code = (currency ?? "").trim().toUpperCase();
  return noDecimals.has(code) ? 0 : threeDecimals.has(code) ? 3 : 2;
}

/** An amount in minor units in the currency's major unit: 5000 JPY is 5000, 1250 KWD is 1.25, 1250 EUR is 12.5. */
export const fromMinorUnits = (minor: number, currency: string | null | undefined): number => minor / 10 ** minorDigits(currency);

/**
 * An amount typed in the currency's major unit ("12.50" EUR, "5000" JPY, "1.250" KWD) in minor units (1250, 5000,
 * 1250), or, when it has more decimals than the currency has, what the form says instead.
 */
export function toMinorUnits(typed: string, currency: string | null | undefined): { minor: number } | { error: string } {
  const digits = minorDigits(currency);
  const minor = Number(typed || "0") * 10 ** digits;
  const whole = Math.round(minor);
  // a price typed as it is written has no more error than the float's last digit
  // three-decimal currencies are charged to the hundredth (the provider takes thousandths ending in 0 only)
  if (Math.abs(minor - whole) < 1e-6 && (digits < 3 || whole % 10 === 0)) return { minor: whole };
  const code = (currency ?? "").trim().toUpperCase();
  const most = Math.min(digits, 2);
  return { error: digits === 0 ? `A price in ${code} has no decimals.` : `A price in ${code} has at most ${most} decimals.` };
}

/** The `step` of a price input in `currency`: what can be charged in it ("1", "0.01"; three-decimal ones to the hundredth). */
export const priceStep = (currency: string | null | undefined): string => {
  const digits = Math.min(minorDigits(currency), 2);
  return (10 ** -digits).toFixed(digits);
};
