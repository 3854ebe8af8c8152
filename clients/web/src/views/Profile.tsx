import type { identity } from "@community/sdk";
import { useRef, useState } from "preact/hooks";
import { session, submitted } from "../lib/app";
import { LoadFailed, useLoad } from "../lib/list";
import { problemText, settled } from "../lib/session";
import { AccountSection, InviteSection } from "./Account";
import { CreditsSection } from "./Credits";
import { PaymentsSection } from "./Payments";
import { BoostSection, MembershipSection } from "./Membership";
import { BlockedSection } from "./Safety";
import { FollowsSection } from "./Network";
import { ProfilePicture } from "./Picture";
import { TwoFactorSection } from "./TwoFactor";
import { OutsideSignInsSection } from "./OutsideSignIns";
import { Banner, Failure } from "../lib/said";

type User = identity.components["schemas"]["UserDto"];
type Changes = identity.components["schemas"]["ProfileChanges"];
/** My profile as loaded, with the version it was loaded at (its ETag), which a change is made against. */
type Mine = { user: User; etag: string | null };

export type Gender = NonNullable<Changes["gender"]>;
/** The choices of gender: the contract's, and none. */
export const genders: readonly (readonly [Gender | "", string])[] = [
  ["", "Not said"],
  ["female", "Female"],
  ["male", "Male"],
  ["non_binary", "Non-binary"],
  ["other", "Other"],
  ["prefer_not_to_say", "Prefer not to say"],
];

/** The form's fields, as text: a list is written separated by commas. */
const names = ["full_name", "bio", "city", "region", "country", "interests", "languages", "gender", "date_of_birth"] as const;
type Name = (typeof names)[number];
type TextName = Exclude<Name, "interests" | "languages">;
type Fields = Record<Name, string>;
const lists: readonly Name[] = ["interests", "languages"];

function fieldsOf(user: User): Fields {
  const fields = {} as Fields;
  for (const name of names) {
    const value = user[name];
    fields[name] = Array.isArray(value) ? value.join(", ") : String(value ?? "");
  }
  return fields;
}

/** What the form holds that differs from the version loaded, field by field (as compared and sent). */
function changesIn(form: FormData, loaded: Fields): Partial<Fields> {
  const changes: Partial<Fields> = {};
  for (const name of names) {
    const value = normal(name, String(form.get(name) ?? ""));
    if (value !== normal(name, loaded[name])) changes[name] = value;
  }
  return changes;
}

/** A field as it is compared and sent: trimmed, a list's items trimmed and joined again. */
function normal(name: Name, value: string): string {
  return lists.includes(name)
    ? value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean)
        .join(", ")
    : value.trim();
}

/**
 * Your profile: what others see of you and what discovery matches on (region, city, interests). Only the fields
 * changed are sent, against the version loaded (If-Match): a change made meanwhile elsewhere (another tab, another
 * device) is never overwritten. The latest is then loaded with the person's changes on top, to check and save again.
 */
export function Profile() {
  const [status, setStatus] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  // the changes a refused save made, kept over the latest version while it loads again
  const [draft, setDraft] = useState<Partial<Fields>>({});
  const form = useRef<HTMLFormElement>(null);
  const loaded = useLoad<Mine>(
    () => session.api.identity.GET("/api/v1/users/me").then(({ data, ...rest }) => ({ ...rest, data: data && { user: data, etag: rest.response.headers.get("ETag") } })),
    [],
    { keep: true },
  );
  return (
    <div class="page">
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading" tabIndex={-1}>Your profile</h2>
        <Banner text={status} />
        <Failure text={conflict} />
        <LoadFailed what="Your profile" loaded={loaded} />
        {loaded.value && (
          <ProfilePicture
            user={loaded.value.user}
            etag={loaded.value.etag}
            changed={(user, etag) => {
              setStatus(null);
              // the form starts over from the new version: what was typed and not saved yet goes with it as a draft
              if (form.current && loaded.value) setDraft(changesIn(new FormData(form.current), fieldsOf(loaded.value.user)));
              if (!user) return loaded.retry();
              session.setUser(user);
              loaded.update(() => ({ user, etag }));
            }}
          />
        )}
        {loaded.value ? (
          // a new version (saved, or loaded again) starts the form over from what the platform holds
          <ProfileForm
            key={loaded.value.etag ?? loaded.value.user.updated_at}
            mine={loaded.value}
            draft={draft}
            formRef={form}
            saved={(mine) => {
              setConflict(null);
              setDraft({});
              setStatus(mine ? "Your profile is saved." : "Nothing changed.");
              if (mine) loaded.update(() => mine);
              // the form starts over from the saved version, and the button that had the focus with it: the heading takes it
              if (mine) document.getElementById("profile-heading")?.focus();
            }}
            stale={(changes) => {
              setStatus(null);
              setDraft(changes);
              setConflict("Your profile was changed elsewhere (another tab or device) since this page loaded, so nothing was saved. The latest is shown with your changes on top: check them, then save again.");
              loaded.retry();
            }}
          />
        ) : (
          loaded.failed === null && <p role="status">Loading…</p>
        )}
      </section>
      <TwoFactorSection />
      <OutsideSignInsSection />
      <MembershipSection />
      <BoostSection />
      <CreditsSection />
      <PaymentsSection />
      <InviteSection />
      <FollowsSection />
      <BlockedSection />
      {loaded.value && (
        <AccountSection
          user={loaded.value.user}
          changed={(user) => {
            session.setUser(user);
            loaded.retry(); // its new version (ETag) comes with it
          }}
        />
      )}
    </div>
  );
}

function ProfileForm({
  mine,
  draft,
  saved,
  stale,
  formRef,
}: {
  mine: Mine;
  draft: Partial<Fields>;
  saved: (mine: Mine | null) => void;
  stale: (changes: Partial<Fields>) => void;
  formRef: { current: HTMLFormElement | null };
}) {
  const [error, setError] = useState<string | null>(null);
  const loadedFields = fieldsOf(mine.user);
  const shown = { ...loadedFields, ...draft };

  return (
    <form
      ref={formRef}
      class="profile-form"
      aria-label="Your profile"
      onSubmit={submitted(setError, async (form) => {
        const changes = changesIn(form, loadedFields);
        if (Object.keys(changes).length === 0) return saved(null);
        const body: Changes = {};
        for (const [name, value] of Object.entries(changes) as [Name, string][]) {
          if (lists.includes(name)) body[name as "interests" | "languages"] = value ? value.split(", ") : [];
          // as text (the gender select offers only the contract's values)
          else (body as Record<TextName, string | null>)[name as TextName] = value || null;
        }
        const { data, error, response } = await session.api.identity.PATCH("/api/v1/users/me", {
          params: { header: { "If-Match": mine.etag ?? "*" } },
          body,
        });
        if (data) {
          session.setUser(data);
          saved({ user: data, etag: response.headers.get("ETag") });
        } else if (response.status === 412) stale(changes);
        else setError(problemText(error, response, "Saving failed."));
        return settled(response);
      })}
    >
      <TextField label="Full name" name="full_name" value={shown.full_name} autoComplete="name" maxLength={100} />
      <label>
        About you
        <textarea name="bio" rows={3} maxLength={500} defaultValue={shown.bio} />
      </label>
      <TextField label="City" name="city" value={shown.city} autoComplete="address-level2" maxLength={100} />
      <TextField label="Region or neighbourhood" name="region" value={shown.region} maxLength={100} hint="Discovery matches people of the same region and with shared interests first." />
      <TextField label="Country" name="country" value={shown.country} autoComplete="country-name" maxLength={100} />
      <TextField label="Interests" name="interests" value={shown.interests} hint="Separated by commas, up to 20 (hiking, photography)." />
      <TextField label="Languages" name="languages" value={shown.languages} hint="Separated by commas, up to 10." />
      <label>
        Gender
        <select name="gender" defaultValue={shown.gender}>
          {genders.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <TextField label="Date of birth" name="date_of_birth" date value={shown.date_of_birth} autoComplete="bday" hint="Others see your age, not the date." />
      <Failure text={error} />
      <button type="submit">Save profile</button>
    </form>
  );
}

/** A labelled text box of the form (a date picker for a date), with the hint that describes it when there is one. */
function TextField(props: { label: string; name: Name; value: string; hint?: string; date?: boolean; autoComplete?: string; maxLength?: number }) {
  const { label, name, value, hint, date, autoComplete, maxLength } = props;
  const box = { name, autoComplete, maxLength, defaultValue: value, "aria-describedby": hint ? `${name}-hint` : undefined };
  return (
    <>
      <label>
        {label}
        {date ? <input type="date" {...box} /> : <input {...box} />}
      </label>
      {hint && (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      )}
    </>
  );
}
