import type { identity, social } from "@community/sdk";
import { useState } from "preact/hooks";
import { formatTime, session, useAction } from "../lib/app";
import { href } from "../lib/router";
import { ListState, LoadFailed, ShowMore, useList, useLoad } from "../lib/list";
import { problemText } from "../lib/session";
import { Banner, Failure } from "../lib/said";
import { categories } from "./Safety";

type Report = social.components["schemas"]["ReportDto"];
type Action = social.components["schemas"]["ResolveRequest"]["action"];
type Role = identity.components["schemas"]["UserDto"]["role"];
/** The roles an admin gives, as the contract lists them. */
const roles: readonly Role[] = ["member", "organizer", "admin"];
type Suspension = identity.components["schemas"]["SuspensionDto"];

const actions: [Action, string][] = [
  ["dismiss", "Dismiss: nothing against the rules"],
  ["warn", "Warn"],
  ["remove_content", "Remove the content"],
  ["suspend_user", "Suspend the person"],
];
const categoryOf = (c: string) => categories.find(([value]) => value === c)?.[1] ?? c;
const actionOf = (a: string | null | undefined) => actions.find(([value]) => value === a)?.[1].split(":")[0] ?? a ?? "";

/** A local date and time from a datetime-local field, as an instant; null when empty. */
const instant = (local: string) => (local ? new Date(local).toISOString() : null);

/** What a report is about, linked to its page where this client has one (a message has none of its own). */
function Target({ report }: { report: Report }) {
  const path = { user: "/people/", group: "/communities/", event: "/events/" }[report.target_type as "user"];
  const name = { user: "A person", group: "A community", event: "An event", message: "A message" }[report.target_type] ?? report.target_type;
  return path ? <a href={href(`${path}${report.target_id}`)}>{name}</a> : <span>{name}</span>;
}

/**
 * The moderation queue, for admins: open reports oldest first, each settled with an action and a note (a person
 * reported may be suspended, until a date or until lifted); settled ones newest first.
 */
export function Moderation() {
  const [status, setStatus] = useState<"open" | "resolved">("open");
  const [said, setSaid] = useState<string | null>(null);
  const reports = useList<Report>((at) => session.api.social.GET("/api/v1/reports", { params: { query: { status, limit: 20, ...at } } }), [status], { keep: true });

  return (
    <div class="page">
      <section aria-labelledby="moderation-heading">
        <h2 id="moderation-heading" tabIndex={-1}>Moderation</h2>
        <div class="tabs" role="group" aria-label="Which reports">
          <button type="button" aria-pressed={status === "open"} onClick={() => setStatus("open")}>
            Open
          </button>
          <button type="button" aria-pressed={status === "resolved"} onClick={() => setStatus("resolved")}>
            Settled
          </button>
        </div>
        <Banner text={said} />
        <LoadFailed what="Reports" loaded={reports} />
        <ListState list={reports} empty={status === "open" ? "No open reports." : "No settled reports yet."} />
        <ul class="plain" aria-label={status === "open" ? "Open reports" : "Settled reports"}>
          {(reports.value ?? []).map((r) => (
            <li key={r.id}>
              <p>
                <Target report={r} /> reported for <strong>{categoryOf(r.category)}</strong> by <a href={href(`/people/${r.reporter_id}`)}>its reporter</a>,{" "}
                <time dateTime={r.created_at}>{formatTime(r.created_at)}</time>
              </p>
              {r.comment && <blockquote>{r.comment}</blockquote>}
              {r.status === "open" ? (
                <Resolve
                  report={r}
                  settled={(text) => {
                    setSaid(text);
                    reports.update((all) => all.filter((x) => x.id !== r.id));
                    reports.retry();
                  }}
                />
              ) : (
                <p class="meta">
                  {actionOf(r.action)}
                  {r.resolved_at ? `, ${formatTime(r.resolved_at)}` : ""}
                  {r.suspended_until ? `; suspended until ${formatTime(r.suspended_until)}` : ""}
                  {r.note ? `: ${r.note}` : ""}
                </p>
              )}
            </li>
          ))}
        </ul>
        <ShowMore what="reports" list={reports} />
      </section>
    </div>
  );
}

function Resolve({ report, settled }: { report: Report; settled: (text: string) => void }) {
  const { busy, error, setError, run } = useAction();
  const [action, setAction] = useState<Action>("dismiss");
  // Only a person is suspended, and a person is never removed (remove_content is for a group, a message or an event).
  const person = report.target_type === "user";
  const choices = actions.filter(([value]) => (value !== "suspend_user" || person) && (value !== "remove_content" || !person));

  const resolve = (form: HTMLFormElement) =>
    run(async () => {
      const fields = new FormData(form);
      const note = String(fields.get("note") ?? "").trim() || null;
      const until = action === "suspend_user" ? instant(String(fields.get("until") ?? "")) : null;
      if (until && new Date(until) <= new Date()) return setError("The suspension's end must be in the future.");
      const { error, response } = await session.api.social.POST("/api/v1/reports/{id}/resolve", {
        params: { path: { id: report.id } },
        body: { action, note, ...(until && { suspend_until: until }) },
      });
      if (response.ok) return settled(`Settled: ${actionOf(action).toLowerCase()}.`);
      // settled meanwhile by another moderator: it leaves the queue all the same
      if (response.status === 409) return settled("Another moderator settled it already.");
      setError(problemText(error, response, "The report was not settled."));
    });

  return (
    <form
      class="stack resolve"
      aria-label={`Settle the report of ${formatTime(report.created_at)}`}
      aria-busy={busy}
      onSubmit={(e) => {
        e.preventDefault();
        void resolve(e.currentTarget);
      }}
    >
      <label>
        What to do
        <select name="action" value={action} onChange={(e) => setAction(e.currentTarget.value as Action)}>
          {choices.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      {action === "suspend_user" && (
        <label>
          Suspended until (empty: until lifted)
          <input name="until" type="datetime-local" />
        </label>
      )}
      <label>
        Note (kept with the report)
        <textarea name="note" rows={2} maxLength={2000} />
      </label>
      <Failure text={error} />
      <button type="submit" class="small" disabled={busy}>
        Settle
      </button>
    </form>
  );
}

/** On a member's page, for admins: their suspension (put in force until a date or until lifted, or lifted) and their role. */
export function AdminPanel({ userId, role }: { userId: string; role: string }) {
  const path = { params: { path: { id: userId } } };
  const suspension = useLoad<Suspension>(() => session.api.identity.GET("/api/v1/admin/users/{id}/suspension", path), [userId], { keep: true });
  const { busy, error, setError, run } = useAction();
  const [said, setSaid] = useState<string | null>(null);
  const [shownRole, setShownRole] = useState(role);
  const [chosenRole, setChosenRole] = useState(role as Role);
  const s = suspension.value;

  const suspend = (form: HTMLFormElement) =>
    run(async () => {
      setSaid(null);
      const fields = new FormData(form);
      const reason = String(fields.get("reason") ?? "").trim();
      const until = instant(String(fields.get("until") ?? ""));
      if (!reason) return setError("Say why, for the record.");
      if (until && new Date(until) <= new Date()) return setError("The suspension's end must be in the future.");
      const { data, error, response } = await session.api.identity.PUT("/api/v1/admin/users/{id}/suspension", { ...path, body: { reason, until } });
      if (!data) return setError(problemText(error, response, "The account was not suspended."));
      suspension.update(() => data);
      setSaid("Suspended: their sessions have ended.");
    });

  const lift = () =>
    run(async () => {
      setSaid(null);
      const { error, response } = await session.api.identity.DELETE("/api/v1/admin/users/{id}/suspension", path);
      if (!response.ok) return setError(problemText(error, response, "The suspension was not lifted."));
      suspension.retry();
      setSaid("The suspension is lifted.");
    });

  const changeRole = (next: Role) =>
    run(async () => {
      setSaid(null);
      const { data, error, response } = await session.api.identity.PUT("/api/v1/users/{id}/role", { ...path, body: { role: next } });
      if (!data) return setError(problemText(error, response, "The role was not changed."));
      setShownRole(data.role);
      setChosenRole(data.role);
      setSaid(`Their role is now ${data.role}; it applies from their next sign-in or token renewal.`);
    });

  return (
    <section class="card admin-panel" aria-labelledby="admin-heading" aria-busy={busy}>
      <h3 id="admin-heading">Admin</h3>
      <Banner text={said} />
      <Failure text={error} />
      {/* chosen, then applied: a select acting on change would promote with each arrow key pressed on it */}
      <form
        class="inline"
        aria-label="Their role"
        onSubmit={(e) => {
          e.preventDefault();
          void changeRole(chosenRole);
        }}
      >
        <label>
          Role
          <select value={chosenRole} disabled={busy} onChange={(e) => setChosenRole(e.currentTarget.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="small secondary" disabled={busy || chosenRole === shownRole}>
          Change the role
        </button>
      </form>
      <LoadFailed what="Their suspension" loaded={suspension} />
      {s?.suspended ? (
        <p>
          Suspended since {s.suspended_at ? formatTime(s.suspended_at) : "—"}
          {s.suspended_until ? ` until ${formatTime(s.suspended_until)}` : " until lifted"}
          {s.reason ? `: ${s.reason}` : ""}.{" "}
          <button type="button" class="small secondary" disabled={busy} onClick={() => void lift()}>
            Lift the suspension
          </button>
        </p>
      ) : (
        s && (
          <form
            class="stack"
            aria-label="Suspend the account"
            onSubmit={(e) => {
              e.preventDefault();
              void suspend(e.currentTarget);
            }}
          >
            <label>
              Why (kept for the record)
              <input name="reason" maxLength={500} />
            </label>
            <label>
              Until (empty: until lifted)
              <input name="until" type="datetime-local" />
            </label>
            <button type="submit" class="small secondary" disabled={busy}>
              Suspend the account
            </button>
          </form>
        )
      )}
    </section>
  );
}
