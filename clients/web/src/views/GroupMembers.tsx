import type { social } from "@community/sdk";
import { useState } from "preact/hooks";
import { session, useAction } from "../lib/app";
import { useDisclosure } from "../lib/disclosure";
import { ListState, LoadFailed, ShowMore, useList } from "../lib/list";
import { Avatar } from "../lib/picture";
import { href } from "../lib/router";
import { problemText } from "../lib/session";
import { Banner, Failure } from "../lib/said";

type Group = social.components["schemas"]["GroupDto"];
type Member = social.components["schemas"]["GroupMemberDto"];

const nameOf = (m: Member) => m.user.full_name || m.user.username || "Someone";

/**
 * A community's people, for its members: who is in it and in what role. Its owner and moderators also see who asked
 * to join (approved or turned down here), invite someone by username, and remove members (the owner anyone but
 * themselves, moderators plain members); the owner makes a member moderator, or a moderator member again.
 * `changed` follows a change of the group's own figures (its member count).
 */
export function GroupMembers({ group, changed }: { group: Group; changed: () => void }) {
  // opened on its heading, closed back to its button
  const panel = useDisclosure<HTMLHeadingElement>();
  const open = panel.open;
  const me = session.user?.id;
  const manages = group.my_role === "owner" || group.my_role === "moderator";
  const { busy, error, setError, run } = useAction();
  const [said, setSaid] = useState<string | null>(null);
  const path = { params: { path: { id: group.id } } };
  const members = useList<Member>((at) => (open ? session.api.social.GET("/api/v1/groups/{id}/members", { params: { path: { id: group.id }, query: { limit: 50, ...at } } }) : null), [group.id, open], {
    keep: true,
  });
  const requests = useList<Member>(
    (at) => (open && manages ? session.api.social.GET("/api/v1/groups/{id}/members", { params: { path: { id: group.id }, query: { role: "pending", limit: 50, ...at } } }) : null),
    [group.id, open, manages],
    { keep: true },
  );

  /**
   * Runs a change, says `done` and loads the lists again; a refusal is said in the platform's words. `gone` is the
   * person it takes out of the requests or the members, at once (a refresh keeps the later pages shown as they were).
   */
  const act = (call: () => Promise<{ error?: unknown; response: Response }>, done: string, gone?: { from: "requests" | "members"; id: string }) =>
    run(async () => {
      setSaid(null);
      const { error, response } = await call();
      if (!response.ok) return setError(problemText(error, response, "That did not work."));
      setSaid(done);
      if (gone) (gone.from === "requests" ? requests : members).update((all) => all.filter((x) => x.user.user_id !== gone.id));
      members.retry();
      requests.retry();
      changed();
    });

  const invite = (form: HTMLFormElement) =>
    run(async () => {
      setSaid(null);
      const input = form.elements.namedItem("username") as HTMLInputElement;
      const username = input.value.trim().replace(/^@/, "");
      if (!username) return setError("Type the username of the person to invite.");
      const profile = await session.api.social.GET("/api/v1/profiles/by-username/{username}", { params: { path: { username } } });
      if (!profile.data) return setError(profile.response.status === 404 ? `Nobody is called @${username}.` : problemText(profile.error, profile.response, "They could not be found."));
      const { error, response } = await session.api.social.POST("/api/v1/groups/{id}/invitations", { ...path, body: { user_id: profile.data.user_id } });
      if (!response.ok) return setError(problemText(error, response, "The invitation was not sent."));
      input.value = "";
      setSaid(response.status === 200 ? `@${username} was invited already.` : `@${username} is invited.`);
    });

  if (!open)
    return (
      <button type="button" class="small secondary" aria-expanded={false} ref={panel.opener} onClick={panel.show}>
        Members ({group.member_count})
      </button>
    );
  return (
    <div class="card" aria-labelledby="members-heading" aria-busy={busy}>
      <div class="column-head">
        <h3 id="members-heading" tabIndex={-1} ref={panel.first}>
          Members ({group.member_count})
        </h3>
        <button type="button" class="small secondary" aria-expanded={true} onClick={panel.hide}>
          Close
        </button>
      </div>
      <Banner text={said} />
      <Failure text={error} />
      {manages && (
        <>
          <LoadFailed what="The requests to join" loaded={requests} />
          {requests.value && requests.value.length > 0 && (
            <>
              <h4>Asking to join</h4>
              <ul class="list" aria-label="Requests to join">
                {requests.value.map((r) => (
                  <li key={r.user.user_id} class="person">
                    <Avatar userId={r.user.user_id} url={r.user.profile_image_url} name={nameOf(r)} />
                    <span>
                      <a class="title" href={href(`/people/${r.user.user_id}`)}>
                        {nameOf(r)}
                      </a>
                      {r.reason && <span class="meta">“{r.reason}”</span>}
                    </span>
                    <button type="button" class="small" disabled={busy} aria-label={`Admit ${nameOf(r)}`} onClick={() => void act(() => session.api.social.POST("/api/v1/groups/{id}/requests/{user_id}/approve", { params: { path: { id: group.id, user_id: r.user.user_id } } }), `${nameOf(r)} is in.`, { from: "requests", id: r.user.user_id })}>
                      Admit
                    </button>
                    <button type="button" class="small secondary" disabled={busy} aria-label={`Turn down ${nameOf(r)}`} onClick={() => void act(() => session.api.social.POST("/api/v1/groups/{id}/requests/{user_id}/reject", { params: { path: { id: group.id, user_id: r.user.user_id } } }), `${nameOf(r)}'s request is turned down.`, { from: "requests", id: r.user.user_id })}>
                      Turn down
                    </button>
                  </li>
                ))}
              </ul>
              <ShowMore what="requests" list={requests} />
            </>
          )}
          <form
            class="inline"
            aria-label="Invite someone"
            onSubmit={(e) => {
              e.preventDefault();
              void invite(e.currentTarget);
            }}
          >
            <label>
              Invite (username)
              <input name="username" autocomplete="off" maxLength={50} />
            </label>
            <button type="submit" class="small" disabled={busy}>
              Invite
            </button>
          </form>
        </>
      )}
      <LoadFailed what="The members" loaded={members} />
      <ListState list={members} empty="Nobody yet." />
      <ul class="list" aria-label="Members">
        {(members.value ?? []).map((m) => {
          const mayRemove = m.user.user_id !== me && m.role !== "owner" && (group.my_role === "owner" || (group.my_role === "moderator" && m.role === "member"));
          const target = { params: { path: { id: group.id, user_id: m.user.user_id } } };
          return (
            <li key={m.user.user_id} class="person">
              <Avatar userId={m.user.user_id} url={m.user.profile_image_url} name={nameOf(m)} />
              <span>
                <a class="title" href={href(`/people/${m.user.user_id}`)}>
                  {nameOf(m)}
                </a>
                <span class="meta">{m.role}</span>
              </span>
              {group.my_role === "owner" && m.role !== "owner" && (
                <button
                  type="button"
                  class="small secondary"
                  disabled={busy}
                  aria-label={`${m.role === "moderator" ? "Make member" : "Make moderator"}: ${nameOf(m)}`}
                  onClick={() => {
                    const role = m.role === "moderator" ? "member" : "moderator";
                    void act(() => session.api.social.PATCH("/api/v1/groups/{id}/members/{user_id}", { ...target, body: { role } }), `${nameOf(m)} is now a ${role}.`);
                  }}
                >
                  {m.role === "moderator" ? "Make member" : "Make moderator"}
                </button>
              )}
              {mayRemove && (
                <button
                  type="button"
                  class="small secondary"
                  disabled={busy}
                  aria-label={`Remove ${nameOf(m)}`}
                  onClick={() => confirm(`Remove ${nameOf(m)} from ${group.name}?`) && void act(() => session.api.social.DELETE("/api/v1/groups/{id}/members/{user_id}", target), `${nameOf(m)} is removed.`, { from: "members", id: m.user.user_id })}
                >
                  Remove
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <ShowMore what="members" list={members} />
    </div>
  );
}
