import { type RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** An inline form (or panel) a button opens in its own place: see {@link useDisclosure}. */
export type Disclosure<F extends HTMLElement> = {
  open: boolean;
  /** The button that opens it, given the focus back when it closes. */
  opener: RefObject<HTMLButtonElement | null>;
  /** What takes the focus when it opens: its first field, or its heading. */
  first: RefObject<F | null>;
  show: () => void;
  /** Closes it (its Cancel, or done), the focus back on the button that opened it. */
  hide: () => void;
};

/**
 * The button pressed gives way to the form it opens, and the form to the button when it closes: the element with the
 * focus leaves the page each time, and the focus would fall to the top of the page. Opened, the focus goes to the
 * form's `first` element; closed, back to the `opener`, where the person left it.
 */
export function useDisclosure<F extends HTMLElement = HTMLInputElement>(): Disclosure<F> {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const first = useRef<F>(null);
  // only an open or close: nothing takes the focus when the view first shows (a mount's effect may run after a press)
  const was = useRef(false);
  useEffect(() => {
    if (open === was.current) return;
    was.current = open;
    (open ? first : opener).current?.focus();
  }, [open]);
  return { open, opener, first, show: () => setOpen(true), hide: () => setOpen(false) };
}
