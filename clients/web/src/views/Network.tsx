import type { social } from "@community/sdk";
import { useState } from "preact/hooks";
import { displayName, formatTime, plural, session } from "../lib/app";
import { href } from "../lib/router";
import { ListState, LoadFailed, ShowMore, useList, useLoad } from "../lib/list";
import { Avatar } from "../lib/picture";

type Activity = social.components["schemas"]["ProfileActivityDto"];
type Path = social.components["schemas"]["NetworkPathDto"];
type Group = social.components["schemas"]["GroupDto"];
type Follow = social.components["schemas"]["FollowDto"];

/** What a member has been doing, in counts: their communities (those I may see), connections, followers, events attended. */
export function PersonActivity({ id, version = 0 }: { id: string; version?: number }) {
  // asked again at each new `version` (a follow, a connection accepted or removed), keeping the last answer meanwhile
  const loaded = useLoad<Activity>(() => session.api.social.GET("/api/v1/profiles/{user_id}/activity", { params: { path: { user_id: id } } }), [id, version], { keep: true });
  const a = loaded.value;
  if (loaded.failed !== null) return <LoadFailed what="Their activity" loaded={loaded} />;
  if (!a) return null;
  return (
    <p class="meta" aria-label="Their activity">
      {plural(a.groups, "community", "communities")} · {plural(a.connections, "connection")} · {plural(a.followers, "follower")} · {plural(a.events_attended, "event attended", "events attended")}
    </p>
  );
}

/**
 * How I know someone I am not connected with: the shortest chain of connections from me to them (at most three hops,
 * never through someone blocked). Nothing when there is none.
 */
export function PathTo({ id }: { id: string }) {
  // a 404 is "no chain": nothing to say, not a failure
  const loaded = useLoad<Path | "none">(
    () => session.api.social.GET("/api/v1/network/path/{user_id}", { params: { path: { user_id: id } } }).then((answer) => (answer.response.status === 404 ? { ...answer, data: "none" as const } : answer)),
    [id],
  );
  const path = loaded.value;
  if (loaded.failed !== null) return <LoadFailed what="How you know them" loaded={loaded} />;
  if (!path || path === "none" || path.hops < 2) return null;
  return (
    <p class="meta path-to">
      How you know them:{" "}
      {path.path.map((p, i) => (
        <span key={p.user_id}>
          {i > 0 && " → "}
          {i === 0 ? "you" : i === path.path.length - 1 ? displayName(p) : <a href={href(`/people/${p.user_id}`)}>{displayName(p)}</a>}
        </span>
      ))}
    </p>
  );
}

/** The communities a member belongs to that I may see, latest joined first, a page at a time. */
export function TheirCommunities({ id }: { id: string }) {
  const groups = useList<Group>((at) => session.api.social.GET("/api/v1/profiles/{user_id}/groups", { params: { path: { user_id: id }, query: { limit: 10, ...at } } }), [id]);
  if (groups.value !== null && groups.value.length === 0) return null;
  return (
    <section aria-labelledby="their-communities">
      <h3 id="their-communities">Communities</h3>
      <LoadFailed what="Their communities" loaded={groups} />
      <ul class="list" aria-label="Their communities">
        {(groups.value ?? []).map((g) => (
          <li key={g.id}>
            <a href={href(`/communities/${g.id}`)}>
              <span class="title">{g.name}</span>
              <span class="meta">{plural(g.member_count, "member")}</span>
            </a>
          </li>
        ))}
      </ul>
      <ShowMore what="communities" list={groups} />
    </section>
  );
}

/** Who follows me and whom I follow, newest first, each a page at a time. */
export function FollowsSection() {
  const [which, setWhich] = useState<"followers" | "following">("followers");
  const follows = useList<Follow>(
    (at) =>
      which === "followers"
        ? session.api.social.GET("/api/v1/follows/followers", { params: { query: { limit: 20, ...at } } })
        : session.api.social.GET("/api/v1/follows/following", { params: { query: { limit: 20, ...at } } }),
    [which],
  );
  return (
    <section aria-labelledby="follows-heading">
      <h2 id="follows-heading">Follows</h2>
      <div class="row tabs" role="group" aria-label="Which follows">
        <button type="button" class="small secondary" aria-pressed={which === "followers"} onClick={() => setWhich("followers")}>
          Your followers
        </button>
        <button type="button" class="small secondary" aria-pressed={which === "following"} onClick={() => setWhich("following")}>
          People you follow
        </button>
      </div>
      <LoadFailed what={which === "followers" ? "Your followers" : "The people you follow"} loaded={follows} />
      <ListState list={follows} empty={which === "followers" ? "Nobody follows you yet." : "You follow nobody yet."} />
      <ul class="list" aria-label={which === "followers" ? "Your followers" : "People you follow"}>
        {(follows.value ?? []).map((f) => (
          <li key={f.user.user_id}>
            <a class="with-avatar" href={href(`/people/${f.user.user_id}`)}>
              <Avatar userId={f.user.user_id} url={f.user.profile_image_url} name={displayName(f.user)} />
              <span>
                <span class="title">{displayName(f.user)}</span>
                <span class="meta">since {formatTime(f.followed_at)}</span>
              </span>
            </a>
          </li>
        ))}
      </ul>
      <ShowMore what={which === "followers" ? "followers" : "people you follow"} list={follows} />
    </section>
  );
}
