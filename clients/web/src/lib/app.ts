import type { TargetedSubmitEvent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { fromMinorUnits, minorDigits } from "./money";
import { Session, Unreachable, unreachable } from "./session";

/** The one session of this page: the app is served by the gateway, so the API is at its own origin. */
export const session = new Session(location.origin);

/**
 * Runs an action the person started (a form sent, a button pressed). When a request of it gets no answer, `fail` says
 * so: otherwise the action would end without a word (an unhandled rejection), its form left busy. Any other error is a
 * bug, and thrown on.
 */
export async function attempt(fail: (text: string) => void, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (e) {
    if (!(e instanceof Unreachable)) throw e;
    fail(unreachable);
  }
}

/**
 * What a part of a page that runs one action at a time needs: whether one is running, what it last said went wrong,
 * and `run`, which clears that, runs the action through {@link attempt} and is busy until it ends.
 */
export function useAction(): { busy: boolean; error: string | null; setError: (text: string | null) => void; run: (action: () => Promise<void>) => Promise<void> } {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(action: () => Promise<void>) {
    setError(null);
    setBusy(true);
    try {
      await attempt(setError, action);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}

/** Forms whose submit is on its way, and the key of what each sent last when its outcome stayed open. */
const sending = new WeakSet<HTMLFormElement>();
const unsettled = new WeakMap<HTMLFormElement, { fields: string; key: string }>();

/**
 * A form's submit handler: the page stays, the last error goes, and the form's fields go to `send`, run through
 * {@link attempt} (so no answer at all is said through `fail` too). `send` gets an `Idempotency-Key` for what it
 * creates: the same key when the same fields are sent again after no answer, or after `send` returned false (an
 * answer that settles nothing, see {@link settled}): the first may have been done, and the platform then answers it
 * again instead of doing it twice. Other fields, or a send after a settled answer, get a new key. A form whose submit is
 * on its way ignores another (a double click) and is `aria-busy` meanwhile.
 */
export function submitted(fail: (text: string | null) => void, send: (form: FormData, key: string) => Promise<boolean | void>) {
  return (e: TargetedSubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    if (sending.has(form)) return;
    fail(null);
    const fields = new FormData(form);
    const sent = JSON.stringify([...fields].map(([name, value]) => [name, typeof value === "string" ? value : value.name]));
    const earlier = unsettled.get(form);
    const key = earlier?.fields === sent ? earlier.key : newTxnId();
    unsettled.delete(form);
    sending.add(form);
    form.setAttribute("aria-busy", "true");
    let noAnswer: string | null = null;
    let done: boolean | void = undefined;
    void attempt(
      (text) => (noAnswer = text),
      async () => (done = await send(fields, key)),
    )
      .finally(() => {
        sending.delete(form);
        form.removeAttribute("aria-busy");
      })
      .then(() => {
        if (noAnswer !== null || done === false) unsettled.set(form, { fields: sent, key });
        if (noAnswer !== null) fail(noAnswer);
      });
  };
}

/** Re-renders when the session changes (signed in or out, a new token, the hub connected). */
export function useSession(): Session {
  const [, setVersion] = useState(0);
  useEffect(() => session.subscribe(() => setVersion((v) => v + 1)), []);
  return session;
}

/** A random id for client_txn_id (crypto.randomUUID needs a secure context; localhost is one, a LAN address is not). */
export function newTxnId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function displayName(user: { username?: string | null; display_name?: string | null; full_name?: string | null } | null | undefined): string {
  return user?.display_name || user?.full_name || user?.username || "Someone";
}

/** A count with its noun: "1 connection", "3 connections", "2 communities" (`many` when adding an s will not do). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Saves bytes the page holds (asked with the token) as a file named `name`, as a download link would. */
export function saveFile(bytes: Blob, name: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(bytes);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

/**
 * An instant of an event in the event's own time zone, saying which ("1 Dec 2026, 22:00 (Asia/Dubai)"), as much of it
 * as `style` says (a page's full date, a card's shorter one); in the reader's own zone, naming none, when the event's
 * is not one the browser knows.
 */
export function formatInZone(iso: string, timeZone: string | null | undefined, style: Intl.DateTimeFormatOptions): string {
  try {
    if (timeZone) return `${new Date(iso).toLocaleString([], { ...style, timeZone })} (${timeZone})`;
  } catch {
    // a zone the browser does not know (RangeError): the reader's own
  }
  return new Date(iso).toLocaleString([], style);
}

/** A day, without its time: "28 Nov 2026" in the reader's own words. */
export const formatDay = (iso: string) => new Date(iso).toLocaleDateString([], { dateStyle: "medium" });

/** An amount in the currency's minor units (see {@link minorDigits}) as the reader writes it: €12.50, ¥5,000, KWD 1.250. */
export function formatPrice(cents: number, currency: string | null | undefined): string {
  if (cents === 0) return "Free";
  const digits = minorDigits(currency);
  const amount = fromMinorUnits(cents, currency);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "EUR", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  } catch {
    return `${amount.toFixed(digits)} ${currency ?? ""}`;
  }
}

/** The tier claim of the access token (free, premium, elite): what the platform grants until the token is renewed. */
export function tierOfToken(): string {
  const token = JSON.parse(sessionStorage.getItem("community.session") ?? "{}").access as string | undefined;
  try {
    return JSON.parse(atob(token!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).tier ?? "free";
  } catch {
    return "free";
  }
}
