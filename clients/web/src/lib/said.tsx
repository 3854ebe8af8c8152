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
export function Banner({ text }: { text: string | null | undefined }) {
  return (
    <p class="banner" role="status">
      {text}
    </p>
  );
}
