import { useEffect, useState } from "preact/hooks";
import { session } from "./app";

/**
 * An image the page may show: one the platform serves to signed-in people (`askWithToken` given) is asked for with the
 * session's token (an <img> could not send it) and shown from its bytes (the browser's cache keeps them as the answer's
 * Cache-Control and ETag allow); any other is shown from its address. Null when there is none, or while it loads.
 */
export function useShownImage(url: string | null | undefined, askWithToken: (() => Promise<{ data?: Blob }>) | null): string | null {
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
  }, [url]);
  return shown;
}

/** A member's picture: an uploaded one from identity's bytes, a linked one from its address (see useShownImage). */
export function usePicture(userId: string, url: string | null | undefined): string | null {
  const uploaded = url?.startsWith(`/api/v1/users/${userId}/picture`) ?? false;
  return useShownImage(url, uploaded ? () => session.api.identity.GET("/api/v1/users/{id}/picture", { params: { path: { id: userId } }, parseAs: "blob" }) : null);
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
