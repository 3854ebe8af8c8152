import { afterEach, describe, expect, it, vi } from "vitest";
import { checkoutAddress, openCheckout } from "./checkout";
import { here } from "./router";
import { stubPlatform } from "./testing";

/** The page's own address, as happy-dom lets a test move it (the tests run at http://localhost/app/). */
const at = (url: string) => (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);

afterEach(() => {
  at("http://localhost/app/");
  vi.unstubAllGlobals();
});

describe("checkoutAddress", () => {
  it("takes an https checkout, and the sandbox's page under the platform's own origin", () => {
    at("https://community.example.com/app/profile");
    const stripe = "https://checkout.stripe.com/c/pay/cs_test_1";
    const sandbox = "https://community.example.com/sandbox/checkout/cs_sandbox_1";
    expect(checkoutAddress(stripe)).toBe(stripe);
    expect(checkoutAddress(sandbox)).toBe(sandbox);
    expect(checkoutAddress("/sandbox/checkout/cs_sandbox_1")).toBe(sandbox);
  });

  it("refuses a script, data, another scheme, plain http to another host, and what is no address at all", () => {
    at("https://community.example.com/app/profile");
    for (const url of [
      "javascript:alert(document.cookie)",
      " JavaScript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "ftp://checkout.example/s1",
      "http://checkout.example/s1",
      "http://community.example.com/sandbox/checkout/cs_sandbox_1",
      "http://localhost:8080/sandbox/checkout/cs_sandbox_1",
      "https://",
    ])
      expect(checkoutAddress(url), url).toBeNull();
  });

  it("takes plain http to this origin, or to this computer while the app runs on it (a developer's platform)", () => {
    at("http://127.0.0.1:5000/app/events/e1");
    const gateways = "http://127.0.0.1:5000/sandbox/checkout/cs_sandbox_1";
    expect(checkoutAddress(gateways)).toBe(gateways);
    // `npm run dev` on :5173, the platform on :8080
    at("http://localhost:5173/app/profile");
    const platforms = "http://localhost:8080/sandbox/checkout/cs_sandbox_1";
    expect(checkoutAddress(platforms)).toBe(platforms);
    expect(checkoutAddress("http://checkout.example/s1")).toBeNull();
    expect(checkoutAddress("javascript:alert(1)")).toBeNull();
  });
});

describe("openCheckout", () => {
  it("asks no more, and leaves for no checkout, once the person went elsewhere while it was not ready", async () => {
    at("http://localhost/app/events/e1");
    const asked = stubPlatform(({ path }) => {
      if (path !== "/api/v1/payments/checkout") return undefined;
      if (asked.length > 1) return { status: 201, body: { checkout_url: "https://checkout.example/s1" } };
      // the seat's hold has not reached payments yet; meanwhile the person opens another page
      at("http://localhost/app/people");
      return { status: 409, body: { title: "Conflict", status: 409 }, headers: { "Retry-After": "1" } };
    });

    expect(await openCheckout("event_registration", "h1", "/events/e1")).toBeNull();
    expect(asked).toHaveLength(1);
    expect(location.href).toBe("http://localhost/app/people");
  });

  it("asks for nothing once the person left the page where the action that led to it began", async () => {
    at("http://localhost/app/events/e1");
    const from = here(); // the click on Register
    const asked = stubPlatform(() => undefined);
    at("http://localhost/app/people"); // gone elsewhere while the registration was answered

    expect(await openCheckout("event_registration", "h1", "/events/e1", from)).toBeNull();
    expect(asked).toHaveLength(0);
  });
});
