import type { social } from "@community/sdk";
import { useState } from "preact/hooks";
import { displayName, formatTime, plural, session, useAction } from "../lib/app";
import { here, href } from "../lib/router";
import { ListState, LoadFailed, ShowMore, useList, useLoad } from "../lib/list";
import { Avatar } from "../lib/picture";
import { problemText } from "../lib/session";
import { Failure } from "../lib/said";
import { Concierge } from "./Concierge";
import { FindAnything } from "./FindAnything";

type FeedItem = social.components["schemas"]["FeedItemDto"];
type Dashboard = social.components["schemas"]["DashboardDto"];
type Suggestion = social.components["schemas"]["SuggestionDto"];
type Person = social.components["schemas"]["UserSummary"];

/** Activities a page of the feed. */
const feedPage = 20;

/** The first view once signed in: how I am doing, people I may know, and what happened around me. */
export function Home() {
  return (
    <div class="page home">
      <h2 id="home-heading" tabIndex={-1}>Home</h2>
      <FindAnything />
      <DashboardCard />
      <Concierge />
      <Suggestions />
      <Feed />
    </div>
  );
}

/** My streak, the day's message, my counts and the week's growth, the path's progress, and my badges. */
function DashboardCard() {
  const loaded = useLoad<Dashboard>(() => session.api.social.GET("/api/v1/dashboard"), []);
  const d = loaded.value;
  return (
    <section class="card dashboard" aria-labelledby="dashboard-heading">
      <h3 id="dashboard-heading">Your week</h3>
      <LoadFailed what="Your dashboard" loaded={loaded} />
      {d && (
        <>
          <p class="daily">{d.daily_message}</p>
          <p>
            {d.streak.days === 0 ? "No streak yet: do something today to start one." : `${d.streak.days} ${d.streak.days === 1 ? "day" : "days"} in a row${d.streak.active_today ? ", today included" : ": keep it going today"}.`}
          </p>
          <ul class="counts" aria-label="Your counts">
            <li>
              <a href={href("/people")}>{plural(d.counts.connections, "connection")}</a>
            </li>
            <li>{plural(d.counts.followers, "follower")}</li>
            <li>
              <a href={href("/communities")}>{plural(d.counts.groups, "community", "communities")}</a>
            </li>
            <li>
              <a href={href("/events")}>{plural(d.counts.events_attended, "event attended", "events attended")}</a>
            </li>
            <li>
              <a href={href("/courses")}>{plural(d.counts.courses_in_progress, "course in progress", "courses in progress")}</a>
            </li>
            {d.counts.pending_requests > 0 && (
              <li>
                <a href={href("/people")}>{plural(d.counts.pending_requests, "connection request", "connection requests")} waiting</a>
              </li>
            )}
          </ul>
          <p class="meta">
            This week: {plural(d.weekly_growth_detail.new_connections, "new connection")} and {plural(d.weekly_growth_detail.new_followers, "new follower")}
            {d.weekly_growth == null ? "." : `, ${d.weekly_growth >= 0 ? "up" : "down"} ${Math.abs(d.weekly_growth)}% on the week before.`}
          </p>
          <label class="path">
            Your path: {d.emotional_path_progress} of 100
            <progress max={100} value={d.emotional_path_progress} />
          </label>
          {d.badges.length > 0 && (
            <ul class="badges" aria-label="Badges earned">
              {d.badges.map((b) => (
                <li key={b.badge} title={b.description}>
                  <strong>{b.name}</strong> <span class="meta">{b.description}</span>
                </li>
              ))}
            </ul>
          )}
          {d.next_badges.length > 0 && (
            <ul class="badges next" aria-label="Badges to earn">
              {d.next_badges.map((b) => (
                <li key={b.badge}>
                  <label>
                    {b.name}: {b.progress} of {b.target}
                    <progress max={b.target} value={b.progress} />
                  </label>
                  <span class="meta">{b.description}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** People two hops away, most mutual connections first: asked to connect from here, they leave the list. */
function Suggestions() {
  const loaded = useLoad<Suggestion[]>(() => session.api.social.GET("/api/v1/network/suggestions", { params: { query: { limit: 6 } } }).then(({ data, ...rest }) => ({ ...rest, data: data?.items })), [], { keep: true });
  const { busy, error, setError, run } = useAction();
  const [asked, setAsked] = useState<string | null>(null);

  const connect = (person: Person) =>
    run(async () => {
      const { error, response } = await session.api.social.POST("/api/v1/connections", { body: { user_id: person.user_id, message: null } });
      // already asked, or already connected meanwhile: it leaves the list all the same
      if (!response.ok && response.status !== 409) return setError(problemText(error, response, "The request was not sent."));
      setAsked(`Connection requested: ${name(person)}.`);
      loaded.update((all) => all.filter((s) => s.user.user_id !== person.user_id));
    });

  if (loaded.value?.length === 0 && !asked) return null; // no one to suggest yet: no empty card
  return (
    <section class="card" aria-labelledby="suggestions-heading" aria-busy={busy}>
      <h3 id="suggestions-heading">People you may know</h3>
      <LoadFailed what="Suggestions" loaded={loaded} />
      <p class="meta" role="status">
        {asked}
      </p>
      <Failure text={error} />
      <ul class="plain" aria-label="People you may know">
        {(loaded.value ?? []).map((s) => (
          <li key={s.user.user_id} class="item">
            <Avatar userId={s.user.user_id} url={s.user.profile_image_url} name={name(s.user)} />
            <span class="what">
              <a href={href(`/people/${s.user.user_id}`)}>{name(s.user)}</a>
              <span class="meta"> · {plural(s.mutual_count, "mutual connection")}</span>
            </span>
            <button type="button" class="small" disabled={busy} onClick={() => void connect(s.user)} aria-label={`Connect with ${name(s.user)}`}>
              Connect
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What the people I follow or am connected with did, and what happened in my communities, newest first. */
function Feed() {
  const feed = useList<FeedItem>((at) => session.api.social.GET("/api/v1/feed", { params: { query: { limit: feedPage, ...at } } }), []);
  return (
    <section class="card" aria-labelledby="feed-heading">
      <h3 id="feed-heading">Around you</h3>
      <LoadFailed what="Your feed" loaded={feed} />
      <ListState list={feed} empty="Nothing yet: follow people, connect and join communities, and what they do shows here." />
      <ul class="plain feed" aria-label="Feed">
        {(feed.value ?? []).map((item) => (
          <li key={`${item.kind}/${item.subject.type}/${item.subject.id}/${item.occurred_at}`} class="item">
            {item.actors[0] && <Avatar userId={item.actors[0].user_id} url={item.actors[0].profile_image_url} name={name(item.actors[0])} />}
            <span class="what">
              {who(item)} {sentence(item)} <Subject subject={item.subject} /> <time class="meta" dateTime={item.occurred_at}>{formatTime(item.occurred_at)}</time>
            </span>
          </li>
        ))}
      </ul>
      <ShowMore what="activities" list={feed} />
    </section>
  );
}

const name = (person: Person) => displayName(person);

/** "Amira", "Amira and Bilal", "Amira, Bilal and 3 others": the actors shown first, then how many more there were. */
export function who(item: Pick<FeedItem, "actors" | "actor_count">): string {
  const names = item.actors.map(name);
  const others = item.actor_count - names.length;
  if (others > 0) return `${names.join(", ")} and ${others} ${others === 1 ? "other" : "others"}`;
  return names.length <= 1 ? (names[0] ?? "Someone") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** What the actors did, before its subject. */
export function sentence(item: Pick<FeedItem, "kind" | "actor_count">): string {
  const many = item.actor_count > 1;
  switch (item.kind) {
    case "event_published":
      return "published";
    case "event_rsvp":
      return many ? "are going to" : "is going to";
    case "group_joined":
      return "joined";
    case "user_followed":
      return "followed";
    case "connection_accepted":
      return "connected with";
    case "photo_added":
      return "added photos to";
    case "course_completed":
      return "completed";
    case "thread_started":
      return "started the thread";
    default:
      return "did something about"; // a kind this client does not know yet: still shown, with its subject
  }
}

/** The subject of an activity, linked to its page: a thread's page needs its community, asked for when pressed. */
function Subject({ subject }: { subject: FeedItem["subject"] }) {
  const [failed, setFailed] = useState<string | null>(null);
  const label = subject.type === "user" && subject.id === session.user?.id ? "you" : (subject.name ?? (subject.type === "user" ? "someone" : `a ${subject.type}`));
  const path = { event: "/events/", group: "/communities/", user: "/people/", course: "/courses/" }[subject.type];
  if (path) return <a href={href(`${path}${subject.id}`)}>{label}</a>;
  if (subject.type !== "thread") return <span>{label}</span>;

  async function open() {
    setFailed(null);
    const from = here();
    const { data, error, response } = await session.api.messaging.GET("/api/v1/threads/{id}", { params: { path: { id: subject.id } } }).catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (data) return from.navigate(`/communities/${data.group_id}/${data.id}`);
    setFailed(response ? problemText(error, response, "The thread could not be opened.") : "The platform could not be reached.");
  }
  return (
    <>
      <button type="button" class="link" onClick={() => void open()}>
        {label}
      </button>
      {failed && <span class="error"> {failed}</span>}
    </>
  );
}
