import { useEffect, useState } from "preact/hooks";
import { session } from "./app";

/**
 * An image the page may show: one the platform serves to signed-in people (`askWithToken` given) is asked for with the
 * session's token (an <img> could not send it) and shown from its bytes (the browser's cache keeps them as the answer's
 * Cache-Control and ETag allow); any other is shown from its address. Null when there is none, or while it loads.
 */
export function useShownImage(url: string | null | undefined, askWithToken: (() => Promise<{ data?: Blob }>) | null, version: string | null = null): string | null {
  const [shown, setShown] = useState<string | null>(null);
  useEffect(() => {
    setShown(null);
    if (!url) return;
    if (!askWithToken) return setShown(url);
    let live = true;
    let made: string | null = null;
    void askWithToken()
      .then(({ data }) => {
        if (!live || !data) return;
        made = URL.createObjectURL(data);
        setShown(made);
      })
      .catch(() => undefined); // nothing shown; the rest of the page says whether the platform answers
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, version]);
  return shown;
}

/** How long an uploaded picture's bytes serve every view that shows it: one person's picture beside each of their messages is asked for once. */
export const pictureKeptFor = 60_000;
/**
 * The last minute's answers, by viewer and picture: what identity gave one account (a picture it may see) is never
 * shown to the next account signed in on this tab (a block may hide it from them), and a sign-out forgets them all.
 */
const recentPictures = new Map<string, { until: number; answer: Promise<{ data?: Blob }> }>();
session.subscribe(() => void (!session.user && recentPictures.clear()));

/** Identity's bytes of an uploaded picture, asked with the session's token, or the answer of the last minute's ask. */
function askPicture(userId: string, picture: string): Promise<{ data?: Blob }> {
  const now = Date.now();
  const key = `${session.user?.id ?? ""} ${picture}`;
  const kept = recentPictures.get(key);
  if (kept && kept.until > now) return kept.answer;
  const answer = session.api.identity.GET("/api/v1/users/{id}/picture", { params: { path: { id: userId } }, parseAs: "blob" }).then(({ data }) => ({ data }));
  recentPictures.set(key, { until: now + pictureKeptFor, answer });
  // nothing kept from a failed ask: the next view asks again
  const forget = () => recentPictures.get(key)?.answer === answer && recentPictures.delete(key);
  answer.then(({ data }) => void (data || forget()), forget);
  return answer;
}

/**
 * A member's picture: an uploaded one from identity's bytes, a linked one from its address (see useShownImage). An
 * uploaded picture keeps its address when replaced: `version` (one's own profile's ETag) shows the new one at once;
 * others' pictures show a change within {@link pictureKeptFor}.
 */
export function usePicture(userId: string, url: string | null | undefined, version: string | null = null): string | null {
  const uploaded = url?.startsWith(`/api/v1/users/${userId}/picture`) ?? false;
  return useShownImage(url, uploaded ? () => askPicture(userId, `${url}#${version ?? ""}`) : null, version);
}

/**
 * A member's picture beside their name, or their initial while there is none: `label` names the image (the picture on
 * their own page); without it the picture only decorates the name next to it and is hidden from assistive technology.
 */
export function Avatar({ userId, url, name, label, large = false }: { userId: string; url: string | null | undefined; name: string; label?: string; large?: boolean }) {
  const picture = usePicture(userId, url);
  const size = large ? 96 : 40;
  const className = large ? "avatar large" : "avatar";
  if (picture) return <img class={className} src={picture} alt={label ?? ""} width={size} height={size} />;
  return (
    <span class={`${className} initial`} aria-hidden="true">
      {name.trim().charAt(0).toUpperCase()}
    </span>
  );
}
