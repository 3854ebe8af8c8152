import type { aiCompanion } from "@community/sdk";
import { formatTime, session, useAction } from "../lib/app";
import { LoadFailed, useLoad } from "../lib/list";
import { problemText } from "../lib/session";
import { Failure } from "../lib/said";

type Usage = aiCompanion.components["schemas"]["UsageDto"];
type Settings = { value: aiCompanion.components["schemas"]["CompanionSettingsDto"]; etag: string | null };

/**
 * What the companion may know of me (my profile's summary: interests, region; off by default), changed against the
 * version loaded, and today's use against my tier's daily limit. `version` changes after each reply, so the count
 * follows.
 */
export function CompanionSettings({ version }: { version: number }) {
  const usage = useLoad<Usage>(() => session.api.aiCompanion.GET("/api/v1/companion/usage"), [version], { keep: true });
  const settings = useLoad<Settings>(
    () => session.api.aiCompanion.GET("/api/v1/companion/settings").then(({ data, ...rest }) => ({ ...rest, data: data && { value: data, etag: rest.response.headers.get("ETag") } })),
    [],
    { keep: true },
  );
  const { busy, error, setError, run } = useAction();

  const share = (on: boolean) =>
    run(async () => {
      const { data, error, response } = await session.api.aiCompanion.PUT("/api/v1/companion/settings", {
        params: { header: { "If-Match": settings.value?.etag ?? "*" } },
        body: { share_profile: on },
      });
      if (data) return settings.update(() => ({ value: data, etag: response.headers.get("ETag") }));
      if (response.status === 412) {
        setError("Your companion settings changed elsewhere since this page loaded. They are loaded again: choose once more.");
        return settings.retry();
      }
      setError(problemText(error, response, "The setting was not changed."));
    });

  const used = usage.value;
  return (
    <div class="card companion-settings" aria-busy={busy}>
      <LoadFailed what="Today's use" loaded={usage} />
      {used && (
        <p class="meta">
          {used.daily_limit == null ? `Today: ${used.used_today} messages (no daily limit on ${used.tier}).` : `Today: ${used.used_today} of ${used.daily_limit} messages; the count starts again at ${formatTime(used.resets_at)}.`}
        </p>
      )}
      {used?.session?.state === "active" && (
        <p class="meta">
          Your session lifts the limit{used.session.ends_at ? ` until ${formatTime(used.session.ends_at)}` : ""}
          {used.session.message_allowance != null ? ` (${used.session.messages_used} of ${used.session.message_allowance} messages used)` : ""}.
        </p>
      )}
      {used?.session?.state === "pending" && <p class="meta">Your session waits for payments to spend its credits.</p>}
      <LoadFailed what="Your companion settings" loaded={settings} />
      {settings.value && (
        <label class="check">
          <input type="checkbox" checked={settings.value.value.share_profile} disabled={busy} onChange={(e) => void share(e.currentTarget.checked)} />
          Let the companion know my interests and region
        </label>
      )}
      <Failure text={error} />
    </div>
  );
}
