import { session } from "./app";

/** A page's heading with the organizer's "New …" button (organizers and admins only), which opens and closes its form. */
export function HeadWithNew({ id, title, label, open, toggle }: { id: string; title: string; label: string; open: boolean; toggle: () => void }) {
  const organizer = session.user?.role === "organizer" || session.user?.role === "admin";
  return (
    <div class="column-head">
      <h2 id={id} tabIndex={-1}>{title}</h2>
      {organizer && (
        <button type="button" class="small" aria-expanded={open} onClick={toggle}>
          {label}
        </button>
      )}
    </div>
  );
}
