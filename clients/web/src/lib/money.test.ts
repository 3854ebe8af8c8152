import { describe, expect, it } from "vitest";
import { fromMinorUnits, minorDigits, priceStep, toMinorUnits } from "./money";

describe("minorDigits", () => {
  it("counts the decimals as the platform does: none for yen and won, 3 for the dinars, 2 otherwise and for a code it does not know", () => {
    for (const code of ["JPY", "KRW", "jpy", " VND "]) expect(minorDigits(code), code).toBe(0);
    for (const code of ["KWD", "BHD", "JOD", "OMR", "TND"]) expect(minorDigits(code), code).toBe(3);
    for (const code of ["EUR", "AED", "HUF", "ISK", "IDR", "XYZ", "", null, undefined]) expect(minorDigits(code), String(code)).toBe(2);
  });
});

describe("toMinorUnits", () => {
  it("turns a price typed in the currency's unit into its minor units", () => {
    expect(toMinorUnits("5000", "JPY")).toEqual({ minor: 5000 });
    expect(toMinorUnits("1.250", "KWD")).toEqual({ minor: 1250 });
    expect(toMinorUnits("1.25", "KWD")).toEqual({ minor: 1250 });
    expect(toMinorUnits("12.50", "EUR")).toEqual({ minor: 1250 });
    expect(toMinorUnits("0.29", "EUR")).toEqual({ minor: 29 });
    expect(toMinorUnits("", "EUR")).toEqual({ minor: 0 });
  });

  it("says how many decimals the currency has when a price has more", () => {
    expect(toMinorUnits("12.5", "JPY")).toEqual({ error: "A price in JPY has no decimals." });
    expect(toMinorUnits("1.2505", "kwd")).toEqual({ error: "A price in KWD has at most 2 decimals." });
    // thousandths are charged to the hundredth: 1.255 KWD cannot be
    expect(toMinorUnits("1.255", "KWD")).toEqual({ error: "A price in KWD has at most 2 decimals." });
    expect(toMinorUnits("12.505", "EUR")).toEqual({ error: "A price in EUR has at most 2 decimals." });
  });

  it("goes back to the typed unit, and steps by the smallest one", () => {
    expect([fromMinorUnits(5000, "JPY"), fromMinorUnits(1250, "KWD"), fromMinorUnits(1250, "EUR")]).toEqual([5000, 1.25, 12.5]);
    expect([priceStep("JPY"), priceStep("EUR"), priceStep("KWD")]).toEqual(["1", "0.01", "0.01"]);
  });
});
