import type { social } from "@community/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { attempt, session, tierOfToken } from "../lib/app";
import { here, href, navigate } from "../lib/router";
import { ListState, LoadFailed, ShowMore, useList, useLoad } from "../lib/list";
import { Avatar } from "../lib/picture";
import { Report } from "./Safety";
import { problemText } from "../lib/session";
import { startConversation } from "./Messages";
import { PathTo, PersonActivity, TheirCommunities } from "./Network";
import { AdminPanel } from "./Moderation";
import { Banner, Failure } from "../lib/said";
import { type Gender, genders } from "./Profile";

type Person = social.components["schemas"]["DiscoverItem"];
type Profile = social.components["schemas"]["ProfileDto"];
type Connection = social.components["schemas"]["ConnectionDto"];

export function People({ userId }: { userId?: string }) {
  return <div class="page">{userId ? <PersonProfile key={userId} id={userId} /> : <Discover />}</div>;
}

function Discover() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [refused, setRefused] = useState<string | null>(null);
  const premium = tierOfToken() !== "free";

  const q = (k: string) => filters[k] || undefined;
  const people = useList<Person>(
    (at) =>
      session.api.social.GET("/api/v1/discover", {
        params: { query: { q: q("q"), region: q("region"), interest: q("interest"), ...(premium ? { age_min: q("age_min") ? Number(q("age_min")) : undefined, age_max: q("age_max") ? Number(q("age_max")) : undefined, gender: q("gender") as Gender | undefined } : {}), limit: 50, ...at } },
      }),
    [filters],
  );
  const requests = useList<Connection>(
    (at) => session.api.social.GET("/api/v1/connections", { params: { query: { status: "pending", direction: "incoming", limit: 50, ...at } } }),
    [],
    { keep: true }, // an answered request goes when the list comes back without it; the card does not blink
  );

  async function answer(id: string, accept: boolean) {
    setRefused(null);
    const { error, response } = await session.api.social.POST(accept ? "/api/v1/connections/{id}/accept" : "/api/v1/connections/{id}/decline", { params: { path: { id } } });
    if (!response.ok) return setRefused(problemText(error, response, accept ? "Accepting failed." : "Declining failed."));
    // both load again, showing what they hold meanwhile: the request goes, and a new connection leaves discovery
    requests.retry();
    people.retry();
  }

  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading" tabIndex={-1}>People</h2>
      <LoadFailed what="Connection requests" loaded={requests} />
      {requests.value && requests.value.length > 0 && (
        <div class="card">
          <h3>Connection requests</h3>
          <Failure text={refused} />
          <ul class="list" aria-label="Connection requests">
            {requests.value.map((r) => (
              <li key={r.id} class="row">
                <a href={href(`/people/${r.user.user_id}`)}>{r.user.full_name || r.user.username}</a>
                <button type="button" class="small" onClick={() => void attempt(setRefused, () => answer(r.id, true))} aria-label={`Accept ${r.user.username}`}>
                  Accept
                </button>
                <button type="button" class="small secondary" onClick={() => void attempt(setRefused, () => answer(r.id, false))} aria-label={`Decline ${r.user.username}`}>
                  Decline
                </button>
              </li>
            ))}
          </ul>
          <ShowMore what="requests" list={requests} />
        </div>
      )}
      <form
        class="filters card"
        role="search"
        aria-label="Find people"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(Object.fromEntries([...new FormData(e.currentTarget)].map(([k, v]) => [k, String(v).trim()])));
        }}
      >
        <div class="row">
          <label>
            Search people
            <input name="q" type="search" />
          </label>
          <label>
            Region
            <input name="region" />
          </label>
          <label>
            Interest
            <input name="interest" />
          </label>
        </div>
        {premium ? (
          <div class="row">
            <label>
              Age from
              <input name="age_min" type="number" min={13} max={120} />
            </label>
            <label>
              Age to
              <input name="age_max" type="number" min={13} max={120} />
            </label>
            <label>
              Gender
              <select name="gender">
                <option value="">Any</option>
                {genders
                  .filter(([value]) => value)
                  .map(([value, name]) => (
                    <option key={value} value={value}>
                      {name}
                    </option>
                  ))}
              </select>
            </label>
          </div>
        ) : (
          <p class="meta">Age and gender filters come with Premium.</p>
        )}
        <button type="submit">Search</button>
      </form>
      <LoadFailed what="People" loaded={people} />
      <ListState list={people} empty="Nobody matches yet." />
      <ul class="grid" aria-label="People">
        {(people.value ?? []).map((p) => (
          <li key={p.user_id} class="person">
            <Avatar userId={p.user_id} url={p.profile_image_url} name={p.full_name || p.username} />
            <div>
              <a class="title" href={href(`/people/${p.user_id}`)}>
                {p.full_name || p.username}
              </a>
              <p class="meta">
                @{p.username}
                {p.city ? ` · ${p.city}` : ""} · {p.compatibility_score}% match{p.is_verified ? " · verified" : ""}
              </p>
              {p.common_interests.length > 0 && <p class="meta">In common: {p.common_interests.join(", ")}</p>}
            </div>
          </li>
        ))}
      </ul>
      <ShowMore what="people" list={people} />
    </section>
  );
}

function PersonProfile({ id }: { id: string }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  // blocked from this page: it stays as it is, without what a block ends (a profile loaded again would be refused)
  const [blocked, setBlocked] = useState(false);
  // the buttons go with the block: focus goes to what it means rather than to the page's start
  const blockSaid = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (blocked) blockSaid.current?.focus();
  }, [blocked]);
  // kept while it loads again after an action, so the page does not blink
  const loaded = useLoad<Profile>(() => session.api.social.GET("/api/v1/profiles/{user_id}", { params: { path: { user_id: id } } }), [id, version], { keep: true });
  const profile = loaded.value;

  function act(call: () => Promise<{ error?: unknown; response: Response }>, done: string, then = () => setVersion((v) => v + 1)) {
    setError(null);
    setStatus(null);
    return attempt(setError, async () => {
      const { error, response } = await call();
      if (response.ok) {
        setStatus(done);
        then();
      } else setError(problemText(error, response, "That did not work."));
    });
  }

  if (!profile)
    return (
      <section>
        <Banner text={status} />
        {loaded.failed === null ? <p role="status">Loading…</p> : <LoadFailed what="This profile" loaded={loaded} />}
      </section>
    );
  const path = { params: { path: { user_id: id } } };
  return (
    <section aria-labelledby="profile-heading">
      <a href={href("/people")}>← People</a>
      <div class="person">
        <Avatar userId={id} url={profile.profile_image_url} name={profile.full_name || profile.username} label={`Picture of ${profile.full_name || profile.username}`} large />
        <h2 id="profile-heading">{profile.full_name || profile.username}</h2>
      </div>
      <p class="meta">
        @{profile.username}
        {profile.age ? ` · ${profile.age}` : ""}
        {profile.city ? ` · ${profile.city}` : ""}
        {profile.is_verified ? " · verified" : ""}
        {!blocked && profile.compatibility_score != null ? ` · ${profile.compatibility_score}% match` : ""}
        {!blocked && profile.follows_you ? " · follows you" : ""}
      </p>
      {!blocked && <PersonActivity id={id} version={version} />}
      {!blocked && profile.connection_status !== "connected" && <PathTo id={id} />}
      {!blocked && profile.bio && <p>{profile.bio}</p>}
      {!blocked && profile.interests.length > 0 && <p>Interests: {profile.interests.join(", ")}</p>}
      {/* in the same place whatever is shown around it, so what it says is announced */}
      <Banner text={status} />
      {blocked && (
        <p ref={blockSaid} tabIndex={-1}>
          You will no longer see each other. Your profile lists the <a href={href("/profile")}>people you blocked</a>, where a block can be lifted.
        </p>
      )}
      <LoadFailed what="This profile" loaded={loaded} />
      <Failure text={error} />
      {!blocked && (
        <p class="row">
          {profile.connection_status === "none" && (
            <button type="button" onClick={() => void act(() => session.api.social.POST("/api/v1/connections", { body: { user_id: id, message: null } }), "Connection requested.")}>
              Connect
            </button>
          )}
          {profile.connection_status === "pending_outgoing" && <span class="meta">Connection requested</span>}
          {profile.connection_status === "pending_outgoing" && profile.connection_id && (
            <button type="button" class="secondary" onClick={() => void act(() => session.api.social.DELETE("/api/v1/connections/{id}", { params: { path: { id: profile.connection_id! } } }), "Request withdrawn.")}>
              Withdraw the request
            </button>
          )}
          {profile.connection_status === "pending_incoming" && profile.connection_id && (
            <button type="button" onClick={() => void act(() => session.api.social.POST("/api/v1/connections/{id}/accept", { params: { path: { id: profile.connection_id! } } }), "Connected.")}>
              Accept connection
            </button>
          )}
          {profile.connection_status === "connected" && (
            <button
              type="button"
              onClick={() =>
                void attempt(setError, async () => {
                  setError(null);
                  const from = here();
                  const started = await startConversation(id, true, from.still);
                  if (!from.still()) return; // gone elsewhere meanwhile (it may ask for 10 s): left there
                  if (started.id) navigate(`/messages/${started.id}`);
                  else setError(started.error ?? null);
                })
              }
            >
              Message
            </button>
          )}
          {profile.connection_status === "connected" && profile.connection_id && (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                confirm(`End your connection with ${profile.full_name || profile.username}? You can ask again later.`) &&
                void act(() => session.api.social.DELETE("/api/v1/connections/{id}", { params: { path: { id: profile.connection_id! } } }), "Connection ended.")
              }
            >
              Remove the connection
            </button>
          )}
          {profile.is_following ? (
            <button type="button" class="secondary" onClick={() => void act(() => session.api.social.DELETE("/api/v1/follows/{user_id}", path), "Unfollowed.")}>
              Unfollow
            </button>
          ) : (
            <button type="button" class="secondary" onClick={() => void act(() => session.api.social.PUT("/api/v1/follows/{user_id}", path), "Following.")}>
              Follow
            </button>
          )}
          <button
            type="button"
            class="secondary"
            onClick={() => confirm(`Block ${profile.username}? You will no longer see each other.`) && void act(() => session.api.social.PUT("/api/v1/blocks/{user_id}", path), "Blocked.", () => setBlocked(true))}
          >
            Block
          </button>
        </p>
      )}
      <Report target="user" id={id} what={`@${profile.username}`} />
      {!blocked && <TheirCommunities id={id} />}
      {session.user?.role === "admin" && id !== session.user.id && <AdminPanel userId={id} role={profile.role} />}
    </section>
  );
}
