/** What went wrong, in the platform's words, announced at once (an alert); nothing when there is nothing to say. */
export function Failure({ text }: { text: string | null | undefined }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null;
}

/** What happened or what follows, announced when the reader is ready (a status); nothing when there is nothing to say. */
export function Banner({ text }: { text: string | null | undefined }) {
  return text ? (
    <p class="banner" role="status">
      {text}
    </p>
  ) : null;
}
