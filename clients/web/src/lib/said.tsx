import { useEffect, useState } from "preact/hooks";

/** What went wrong, in the platform's words, announced at once (an alert); nothing when there is nothing to say. */
export function Failure({ text }: { text: string | null | undefined }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null;
}

/**
 * What happened or what follows, announced when the reader is ready (a status). The live region is there while it
 * has nothing to say (empty, it takes no room), so words put in it later are announced: screen readers may not
 * announce a region inserted with its words. So render it where its words will be, whether or not there are any yet.
 */
/** Words the platform did not take, kept on screen for the person to copy: never silently dropped. */
export function NotSent({ id, texts }: { id: string; texts: string[] }) {
  if (texts.length === 0) return null;
  return (
    <div class="card">
      <p id={id}>Not sent: copy what you want to keep.</p>
      <ul aria-labelledby={id}>
        {texts.map((text, i) => (
          <li key={i}>
            <p class="text">{text}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Banner({ text }: { text: string | null | undefined }) {
  return (
    <p class="banner" role="status">
      {text}
    </p>
  );
}

/** A wait the platform asked for before a form is sent again (a 429's Retry-After), counted down: see {@link useWait}. */
export interface Wait {
  /** The whole seconds still to wait: 0 when there is no wait, or it is over (the form may be sent). */
  left: number;
  /** The seconds the wait began with (0 without one). */
  asked: number;
  /** Starts a wait of `seconds`; 0 or none ends the one there is and forgets it (a form sent again). */
  set: (seconds: number | undefined) => void;
}

/**
 * A wait counted down a second at a time, each second when it falls (from when the wait ends, so a tab the browser
 * slowed down catches up); its timer stops when the wait is over, or the component goes.
 */
export function useWait(): Wait {
  const [asked, setAsked] = useState(0);
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const rest = until - Date.now();
    if (rest <= 0) {
      if (until > now) setNow(Date.now());
      return;
    }
    const timer = setTimeout(() => setNow(Date.now()), rest % 1000 || 1000);
    return () => clearTimeout(timer);
  }, [until, now]);
  return {
    left: Math.max(0, Math.ceil((until - now) / 1000)),
    asked,
    set: (seconds) => {
      const from = Date.now();
      setAsked(seconds ?? 0);
      setNow(from);
      setUntil(from + (seconds ?? 0) * 1000);
    },
  };
}

/** "42 s", "2 min 5 s": the time left, as the countdown shows it. */
function shortly(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** "42 seconds", "1 minute and 5 seconds": the time to wait, as a screen reader says it. */
function spoken(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (minutes === 0) return count(rest, "second");
  return rest === 0 ? count(minutes, "minute") : `${count(minutes, "minute")} and ${count(rest, "second")}`;
}

/**
 * The wait a form's refusal asked for (see {@link useWait}), where its submit is: the count shown each second is
 * hidden from screen readers, which are told once as it starts how long it is, and once more as it ends. A polite
 * live region, there while it has nothing to say (as {@link Banner}), without the atomic reading of a status (which
 * could read it all again at every second).
 */
export function TryAgainIn({ wait }: { wait: Wait }) {
  return (
    <p class="wait" aria-live="polite">
      {wait.left > 0 ? (
        <>
          <span aria-hidden="true">{`Try again in ${shortly(wait.left)}.`}</span>
          <span class="visually-hidden">{`You can try again in ${spoken(wait.asked)}.`}</span>
        </>
      ) : wait.asked > 0 ? (
        "You can try again now."
      ) : null}
    </p>
  );
}
