import type { social } from "@community/sdk";
import { useState } from "preact/hooks";
import { formatTime, session, submitted, useAction } from "../lib/app";
import { useDisclosure } from "../lib/disclosure";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";
import { Avatar } from "../lib/picture";
import { problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";

type Target = social.components["schemas"]["ReportRequest"]["target_type"];
type Category = social.components["schemas"]["ReportRequest"]["category"];
type Block = social.components["schemas"]["BlockDto"];

/** The categories a report names, as the moderators read them. */
export const categories: [Category, string][] = [
  ["spam", "Spam"],
  ["harassment", "Harassment or bullying"],
  ["hate", "Hate"],
  ["violence", "Violence or threats"],
  ["sexual", "Sexual content"],
  ["self_harm", "Self-harm"],
  ["other", "Something else"],
];

/**
 * Reporting something against the rules to the moderators: a person, a community, a message or an event. A button
 * opens a small form (what kind of problem, and what happened: required for "something else"); one open report per
 * thing, so reporting it again says it is already with them. Inside a live region that announces what is added to it
 * (`inLog`: a discussion's `role="log"`), the thanks are said without a region of their own, which would announce them
 * twice.
 */
export function Report({ target, id, what, inLog = false }: { target: Target; id: string; what: string; inLog?: boolean }) {
  // opened on its first field, cancelled back to its button
  const disclosure = useDisclosure<HTMLSelectElement>();
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const form = (
    <form
      class="card report"
      aria-label={`Report ${what}`}
      onSubmit={submitted(setError, async (f, key) => {
        const category = String(f.get("category")) as Category;
        const comment = String(f.get("comment") ?? "").trim() || null;
        if (category === "other" && !comment) return setError("Say what happened: the moderators need it for “something else”.");
        const { data, error, response } = await session.api.social.POST("/api/v1/reports", {
          params: { header: { "Idempotency-Key": key } },
          body: { target_type: target, target_id: id, category, comment },
        });
        if (data) return setDone("Reported. The moderators will look at it; thank you.");
        if (response.status === 409) return setDone("You have reported this already; the moderators have it.");
        setError(problemText(error, response, "The report was not sent."));
        return settled(response);
      })}
    >
      <label>
        What is wrong
        <select name="category" required ref={disclosure.first}>
          {categories.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <label>
        What happened (optional, unless something else)
        <textarea name="comment" rows={2} maxLength={2000} />
      </label>
      <Failure text={error} />
      <p class="row">
        <button type="submit" class="small">
          Send the report
        </button>
        <button type="button" class="small secondary" onClick={() => (disclosure.hide(), setError(null))}>
          Cancel
        </button>
      </p>
    </form>
  );
  // the live region first, where it stays when the form gives way to what was said
  return (
    <>
      {inLog ? done && <p class="banner">{done}</p> : <Banner text={done} />}
      {done ? null : disclosure.open ? (
        form
      ) : (
        <button type="button" class="link" aria-expanded={false} ref={disclosure.opener} onClick={disclosure.show}>
          Report {what}
        </button>
      )}
    </>
  );
}

/** The people I blocked, newest first, each with a way to lift the block (nothing it ended comes back). */
export function BlockedSection() {
  const blocks = useList<Block>((at) => session.api.social.GET("/api/v1/blocks", { params: { query: { limit: 50, ...at } } }), [], { keep: true });
  const { busy, error, setError, run } = useAction();
  const [said, setSaid] = useState<string | null>(null);

  const unblock = (b: Block) =>
    run(async () => {
      setSaid(null);
      const name = b.user.full_name || b.user.username || "them";
      const { error, response } = await session.api.social.DELETE("/api/v1/blocks/{user_id}", { params: { path: { user_id: b.user.user_id } } });
      if (!response.ok) return setError(problemText(error, response, "The block was not lifted."));
      blocks.update((all) => all.filter((x) => x.user.user_id !== b.user.user_id));
      setSaid(`${name} is no longer blocked. Connections and follows it ended stay ended.`);
    });

  if (blocks.value !== null && blocks.value.length === 0 && !said) return null;
  return (
    <section aria-labelledby="blocked-heading" aria-busy={busy}>
      <h2 id="blocked-heading">People you blocked</h2>
      <Banner text={said} />
      <Failure text={error} />
      <LoadFailed what="The people you blocked" loaded={blocks} />
      <ListState list={blocks} empty="Nobody." />
      <ul class="list" aria-label="People you blocked">
        {(blocks.value ?? []).map((b) => (
          <li key={b.user.user_id} class="person">
            <Avatar userId={b.user.user_id} url={b.user.profile_image_url} name={b.user.full_name || b.user.username || "?"} />
            <span>
              <span class="title">{b.user.full_name || b.user.username || "Someone"}</span>
              <span class="meta">blocked {formatTime(b.blocked_at)}</span>
            </span>
            <button type="button" class="small secondary" disabled={busy} onClick={() => void unblock(b)} aria-label={`Unblock ${b.user.full_name || b.user.username}`}>
              Unblock
            </button>
          </li>
        ))}
      </ul>
      <ShowMore what="blocked people" list={blocks} />
    </section>
  );
}
