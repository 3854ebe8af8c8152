import { useEffect, useState } from "preact/hooks";
import { session } from "./app";

/**
 * A member's picture as an image the page may show: an uploaded one (identity's `/api/v1/users/{id}/picture`) is
 * asked of identity with the session's token (an <img> could not send it) and shown from the bytes, revalidated by its
 * ETag rather than sent again; a linked one is shown from its address. Null when there is none, or while it loads.
 */
export function usePicture(userId: string, url: string | null | undefined): string | null {
  const [shown, setShown] = useState<string | null>(null);
  useEffect(() => {
    setShown(null);
    if (!url) return;
    if (!url.startsWith(`/api/v1/users/${userId}/picture`)) return setShown(url);
    let live = true;
    let made: string | null = null;
    void session.api.identity
      .GET("/api/v1/users/{id}/picture", { params: { path: { id: userId } }, parseAs: "blob" })
      .then(({ data }) => {
        if (!live || !data) return;
        made = URL.createObjectURL(data);
        setShown(made);
      })
      .catch(() => undefined); // no picture shown; the rest of the page says whether the platform answers
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [userId, url]);
  return shown;
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
