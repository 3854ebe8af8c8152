import type { messaging, social } from "@community/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { formatPrice, session, submitted, useAction } from "../lib/app";
import { openCheckout } from "../lib/checkout";
import { type Here, here, href } from "../lib/router";
import { ListState, LoadFailed, ShowMore, useAskingAgain, useList, useLoad } from "../lib/list";
import { problemText, resync, settled } from "../lib/session";
import { Discussion } from "./Discussion";
import { Report } from "./Safety";
import { GroupMembers } from "./GroupMembers";
import { ThreadActions, threadGone, threadsChanged } from "./ThreadActions";
import { Banner, Failure } from "../lib/said";

type Group = social.components["schemas"]["GroupDto"];
type Thread = messaging.components["schemas"]["ThreadDto"];

/** Said on the window when I joined, left, or accepted an invitation: the communities column lists them again. */
export const communitiesChanged = "community:communities-changed";

/** Seed 001's three columns: communities, the selected one's threads, the selected thread's live discussion. */
export function Communities({ groupId, threadId }: { groupId?: string; threadId?: string }) {
  const depth = threadId ? "discussion" : groupId ? "threads" : "communities";
  return (
    <div class="columns" data-depth={depth}>
      <CommunityList selected={groupId} />
      {groupId ? <ThreadList key={groupId} groupId={groupId} selected={threadId} /> : <section class="column placeholder"><p>Choose a community to see its threads.</p></section>}
      {groupId && threadId ? <ThreadDiscussion key={`${groupId}/${threadId}`} groupId={groupId} threadId={threadId} /> : <section class="column placeholder"><p>Choose a thread to join its discussion.</p></section>}
    </div>
  );
}

/** The communities column's lists: mine, those I am invited to, those I asked to join, and the rest to explore. */
type Tab = "mine" | "invited" | "pending" | "explore";
const tabs: readonly [Tab, string][] = [
  ["mine", "Mine"],
  ["invited", "Invitations"],
  ["pending", "Asked to join"],
  ["explore", "Explore"],
];
const emptyText: Record<Tab, string> = {
  mine: "You are in no community yet: explore, or create one.",
  invited: "No invitation waits for you.",
  pending: "You asked to join no community that has not answered.",
  explore: "No community matches.",
};

function CommunityList({ selected }: { selected?: string }) {
  const [tab, setTab] = useState<Tab>("mine");
  const [filters, setFilters] = useState({ q: "", region: "", interest: "" });
  const [creating, setCreating] = useState(false);
  const [version, setVersion] = useState(0);

  const groups = useList<Group>(
    (at) =>
      tab !== "explore"
        ? session.api.social.GET("/api/v1/groups/mine", { params: { query: { status: tab === "mine" ? undefined : tab, limit: 100, ...at } } })
        : session.api.social.GET("/api/v1/groups", {
            params: { query: { limit: 50, q: filters.q || undefined, region: filters.region || undefined, interest: filters.interest || undefined, ...at } },
          }),
    [tab, filters, version],
  );
  useEffect(() => {
    // from the start again, not the first page in front of the later ones: a community may have moved tab
    const changed = () => setVersion((v) => v + 1);
    addEventListener(communitiesChanged, changed);
    return () => removeEventListener(communitiesChanged, changed);
  }, []);

  return (
    <section class="column" aria-labelledby="communities-heading">
      <div class="column-head">
        <h2 id="communities-heading" tabIndex={-1}>Communities</h2>
        <button type="button" class="small" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          New community
        </button>
      </div>
      {creating && (
        <CreateCommunity
          onCreated={(g, from) => {
            setCreating(false);
            setTab("mine");
            setVersion((v) => v + 1);
            from.navigate(`/communities/${g.id}`);
          }}
        />
      )}
      <div class="tabs" role="group" aria-label="Which communities">
        {tabs.map(([value, label]) => (
          <button key={value} type="button" aria-pressed={tab === value} onClick={() => setTab(value)}>
            {label}
          </button>
        ))}
      </div>
      {tab === "explore" && (
        <form
          class="filters"
          role="search"
          aria-label="Find communities"
          onSubmit={(e) => {
            e.preventDefault();
            const form = new FormData(e.currentTarget);
            setFilters({ q: String(form.get("q") ?? ""), region: String(form.get("region") ?? ""), interest: String(form.get("interest") ?? "") });
          }}
        >
          <label>
            Search communities
            <input name="q" type="search" defaultValue={filters.q} />
          </label>
          <div class="row">
            <label>
              Region
              <input name="region" defaultValue={filters.region} />
            </label>
            <label>
              Interest
              <input name="interest" defaultValue={filters.interest} />
            </label>
          </div>
          <button type="submit">Search</button>
        </form>
      )}
      <LoadFailed what="Communities" loaded={groups} />
      <ListState list={groups} empty={emptyText[tab]} />
      <ul class="list" aria-label="Communities">
        {(groups.value ?? []).map((g) => (
          <li key={g.id}>
            <a href={href(`/communities/${g.id}`)} aria-current={g.id === selected ? "page" : undefined}>
              <span class="title">{g.name}</span>
              <span class="meta">
                {g.member_count} {g.member_count === 1 ? "member" : "members"}
                {g.membership_status === "member" ? " · joined" : g.membership_status === "invited" ? " · invited" : g.membership_status === "pending" ? " · asked to join" : ""}
              </span>
            </a>
          </li>
        ))}
      </ul>
      <ShowMore what="communities" list={groups} />
    </section>
  );
}

/** `onCreated` is told where the person created it: they may have gone elsewhere before the platform answered. */
function CreateCommunity({ onCreated }: { onCreated: (group: Group, from: Here) => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="card"
      aria-label="New community"
      onSubmit={submitted(setError, async (form, key) => {
        const from = here();
        const { data, error, response } = await session.api.social.POST("/api/v1/groups", {
          params: { header: { "Idempotency-Key": key } },
          body: {
            name: String(form.get("name")),
            description: String(form.get("description") ?? "") || null,
            interest: String(form.get("interest") ?? "") || null,
            region: String(form.get("region") ?? "") || null,
            visibility: String(form.get("visibility") || "public") as Group["visibility"],
            join_policy: String(form.get("join_policy") || "open") as Group["join_policy"],
          } as social.components["schemas"]["GroupInput"],
        });
        if (data) return onCreated(data, from);
        setError(problemText(error, response, "The community could not be created."));
        return settled(response);
      })}
    >
      <label>
        Name
        <input name="name" required maxLength={100} />
      </label>
      <label>
        Description
        <textarea name="description" rows={2} />
      </label>
      <div class="row">
        <label>
          Interest
          <input name="interest" />
        </label>
        <label>
          Region
          <input name="region" />
        </label>
      </div>
      <div class="row">
        <label>
          Who may join
          <select name="join_policy">
            <option value="open">Anyone</option>
            <option value="request">Those you admit</option>
            <option value="invite">Those you invite</option>
          </select>
        </label>
        <label>
          Who sees it
          <select name="visibility">
            <option value="public">Listed; anyone sees who belongs</option>
            <option value="private">Listed; members see who belongs</option>
            <option value="secret">Hidden from all but members and those invited</option>
          </select>
        </label>
      </div>
      <Failure text={error} />
      <button type="submit">Create community</button>
    </form>
  );
}

function ThreadList({ groupId, selected }: { groupId: string; selected?: string }) {
  const [query, setQuery] = useState("");
  const [creating, setCreating] = useState(false);
  const { busy, error, setError, run } = useAction();
  const [status, setStatus] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const back = new URLSearchParams(location.search).get("checkout");

  const loaded = useLoad<Group>(() => session.api.social.GET("/api/v1/groups/{id}", { params: { path: { id: groupId } } }), [groupId, version], { keep: true });
  const group = loaded.value;
  useEffect(() => setError(null), [groupId, version]);

  const member = group?.membership_status === "member";
  const price = group && group.price_cents > 0 ? formatPrice(group.price_cents, group.currency) : null;
  // back from the checkout: social adds the member once payments confirms the payment, a moment later
  const asking = useAskingAgain(back === "paid" && group !== null && !member, loaded);
  const paidMember = back === "paid" && member;
  useEffect(() => {
    // the communities column was read before payments confirmed the membership
    if (paidMember) dispatchEvent(new Event(communitiesChanged));
  }, [paidMember]);
  const checkout =
    asking === "asking"
      ? "Payment received: you join in a moment…"
      : asking === "gave up"
        ? "Your payment is still being confirmed: reload this page in a moment."
        : paidMember
          ? "Paid: you are a member."
          : back === "cancelled" && !member
            ? "The checkout was cancelled: you are not charged."
            : null;
  const threads = useList<Thread>(
    (at) =>
      !member
        ? null
        : query
          ? session.api.messaging.GET("/api/v1/threads/search", { params: { query: { q: query, group_id: groupId, limit: 50, ...at } } })
          : session.api.messaging.GET("/api/v1/threads", { params: { query: { group_id: groupId, limit: 100, ...at } } }),
    [groupId, member, query],
  );
  useEffect(() => {
    if (!member || query) return;
    // a thread started by someone else appears at once
    return session.hub()?.on("new_thread", (t) => t.group_id === groupId && threads.update((all) => (all.some((x) => x.id === t.id) ? all : sortThreads([t, ...all]))));
  }, [groupId, member, query]);
  // the threads listed, for a hub handler set up in an earlier render
  const listed = useRef<Thread[] | null>(null);
  listed.current = threads.value;
  useEffect(() => {
    if (!member) return;
    // a thread open here deleted (the hub closes the conversations joined): it leaves the list at once; with its whole
    // group, the community is loaded again, and says it is gone
    return session.hub()?.on("conversation_closed", (c) => {
      if (!listed.current?.some((t) => t.id === c.conversation_id)) return;
      threads.update((all) => all.filter((t) => t.id !== c.conversation_id));
      if (c.reason === "group_deleted") setVersion((v) => v + 1);
    });
  }, [groupId, member]);

  useEffect(() => {
    // a thread changed (pinned, renamed) or deleted on its own page: the list follows; and a thread started while the
    // hub was away was never pushed (new_thread), so the list is loaded again when it is back
    const refresh = () => threads.retry();
    const gone = (e: Event) => {
      threads.update((all) => all.filter((t) => t.id !== (e as CustomEvent<string>).detail));
      threads.retry();
    };
    addEventListener(threadsChanged, refresh);
    addEventListener(threadGone, gone);
    addEventListener(resync, refresh);
    return () => {
      removeEventListener(threadsChanged, refresh);
      removeEventListener(threadGone, gone);
      removeEventListener(resync, refresh);
    };
  }, [groupId, member, query]);

  /** Joins, asks to join, or accepts an invitation; a priced community is paid through the checkout once it admits me. */
  const join = () =>
    run(async () => {
      const from = here(); // the checkout it may lead to opens only if the person is still here
      setStatus(null);
      const { error, response } = await session.api.social.POST("/api/v1/groups/{id}/join", { params: { path: { id: groupId } } });
      if (response.ok) {
        dispatchEvent(new Event(communitiesChanged));
        return setVersion((v) => v + 1);
      }
      if (response.status !== 402 || !error || !("checkout" in error)) return setError(problemText(error, response, "Joining failed."));
      setStatus("Opening the checkout…");
      const failed = await openCheckout(error.checkout.purpose, error.checkout.reference_id, `/communities/${groupId}`, from);
      setStatus(null);
      setError(failed);
    });

  /** Leaves after the person confirms; busy (the button off) until the platform answers. */
  const leave = () =>
    run(async () => {
      // joining again may need a new invitation or approval (the group's join policy), and cost the price again
      const admission =
        group?.visibility === "secret" || group?.join_policy === "invite"
          ? " Joining again needs a new invitation."
          : group?.join_policy === "request"
            ? " Joining again needs approval."
            : "";
      const again = admission + (price ? ` Joining again costs ${price}.` : "");
      if (!confirm(`Leave ${group?.name ?? "this community"}?${again}`)) return;
      const from = here();
      const { error, response } = await session.api.social.POST("/api/v1/groups/{id}/leave", { params: { path: { id: groupId } } });
      if (response.ok) {
        setVersion((v) => v + 1);
        dispatchEvent(new Event(communitiesChanged));
        from.navigate(`/communities/${groupId}`);
      } else setError(problemText(error, response, "Leaving failed."));
    });

  return (
    <section class="column" aria-labelledby="threads-heading">
      <a class="back" href={href("/communities")}>
        ← Communities
      </a>
      <div class="column-head">
        <h2 id="threads-heading" tabIndex={-1}>{group?.name ?? "Threads"}</h2>
        {group &&
          (member ? (
            group.my_role !== "owner" && (
              <button type="button" class="small secondary" disabled={busy} onClick={() => void leave()}>
                Leave
              </button>
            )
          ) : group.membership_status === "pending" ? (
            <span class="meta">Request sent</span>
          ) : (
            <button type="button" class="small" disabled={busy} onClick={() => void join()}>
              {group.membership_status === "invited" ? (price ? `Pay to join (${price})` : "Accept the invitation") : price ? `Join (${price})` : "Join"}
            </button>
          ))}
      </div>
      <LoadFailed what="The community" loaded={loaded} />
      {group?.description && <p class="meta">{group.description}</p>}
      {group?.membership_status === "invited" ? (
        <p>{price ? `You are invited to join this community: pay ${price} to join.` : "You are invited to join this community."}</p>
      ) : (
        group && !member && price && <p class="meta">Joining costs {price}.</p>
      )}
      <Banner text={status ?? checkout} />
      {group && member && <GroupMembers group={group} changed={() => setVersion((v) => v + 1)} />}
      {group && group.my_role !== "owner" && <Report target="group" id={group.id} what="this community" />}
      <Failure text={error} />
      {member ? (
        <>
          <div class="column-head">
            <form
              class="inline"
              role="search"
              aria-label="Search threads"
              onSubmit={(e) => {
                e.preventDefault();
                setQuery(String(new FormData(e.currentTarget).get("q") ?? "").trim());
              }}
            >
              <label class="visually-hidden" for="thread-search">
                Search threads
              </label>
              <input id="thread-search" name="q" type="search" placeholder="Search threads" />
              <button type="submit" class="small secondary">
                Search
              </button>
            </form>
            <button type="button" class="small" aria-expanded={creating} onClick={() => setCreating(!creating)}>
              New thread
            </button>
          </div>
          {creating && (
            <CreateThread
              groupId={groupId}
              onCreated={(t, from) => {
                setCreating(false);
                threads.update((all) => sortThreads([t, ...all.filter((x) => x.id !== t.id)])); // or loads them again
                from.navigate(`/communities/${groupId}/${t.id}`);
              }}
            />
          )}
          <LoadFailed what="Threads" loaded={threads} />
          <ListState list={threads} empty={query ? "No thread matches." : "No threads yet: start one."} />
          <ul class="list" aria-label="Threads">
            {(threads.value ?? []).map((t) => (
              <li key={t.id}>
                <a href={href(`/communities/${groupId}/${t.id}`)} aria-current={t.id === selected ? "page" : undefined}>
                  <span class="title">
                    {t.pinned && <span class="pin">Pinned: </span>}
                    {t.title}
                  </span>
                  <span class="meta">
                    {t.message_count} {t.message_count === 1 ? "message" : "messages"} · {t.author.username}
                  </span>
                </a>
              </li>
            ))}
          </ul>
          <ShowMore what="threads" list={threads} />
        </>
      ) : (
        group && <p class="meta">Join this community to read and start threads.</p>
      )}
    </section>
  );
}

function sortThreads(threads: Thread[]): Thread[] {
  return [...threads].sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.last_activity_at.localeCompare(a.last_activity_at));
}

/** `onCreated` is told where the person started it: they may have gone elsewhere before the platform answered. */
function CreateThread({ groupId, onCreated }: { groupId: string; onCreated: (thread: Thread, from: Here) => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="card"
      aria-label="New thread"
      onSubmit={submitted(setError, async (form, key) => {
        const from = here();
        const { data, error, response } = await session.api.messaging.POST("/api/v1/threads", {
          params: { header: { "Idempotency-Key": key } },
          body: { group_id: groupId, title: String(form.get("title")), text: String(form.get("text")), tags: null },
        });
        if (data) return onCreated(data, from);
        setError(problemText(error, response, "The thread could not be started."));
        return settled(response);
      })}
    >
      <label>
        Title
        <input name="title" required maxLength={200} />
      </label>
      <label>
        First message
        <textarea name="text" required rows={3} maxLength={4000} />
      </label>
      <Failure text={error} />
      <button type="submit">Start thread</button>
    </form>
  );
}

/**
 * A thread and its discussion. Render it with `key={`${groupId}/${threadId}`}`: another thread is then a new one, so
 * nothing of the last (its title, its controls, my role in its community) is shown while the next loads.
 */
function ThreadDiscussion({ groupId, threadId }: { groupId: string; threadId: string }) {
  const loaded = useLoad<{ thread: Thread; etag: string | null }>(
    () =>
      session.api.messaging
        .GET("/api/v1/threads/{id}", { params: { path: { id: threadId } } })
        .then(({ data, ...rest }) => ({ ...rest, data: data && { thread: data, etag: rest.response.headers.get("ETag") } })),
    [threadId],
    { keep: true },
  );
  // my role in the community: its owner and moderators pin threads, and change or delete anyone's
  const group = useLoad<Group>(() => session.api.social.GET("/api/v1/groups/{id}", { params: { path: { id: groupId } } }), [groupId], { keep: true });
  const thread = loaded.value?.thread ?? null;
  const moderates = group.value?.my_role === "owner" || group.value?.my_role === "moderator" || session.user?.role === "admin";
  return (
    <section class="column discussion-column" aria-labelledby="thread-heading">
      <a class="back" href={href(`/communities/${groupId}`)}>
        ← Threads
      </a>
      <h2 id="thread-heading" tabIndex={-1}>
        {thread?.pinned && <span class="pin">Pinned: </span>}
        {thread?.title ?? "Discussion"}
      </h2>
      {thread && thread.tags.length > 0 && (
        <ul class="tags" aria-label="Tags">
          {thread.tags.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ul>
      )}
      {thread && <ThreadActions thread={thread} etag={loaded.value!.etag} moderates={moderates} changed={loaded.retry} />}
      <LoadFailed what="This thread" loaded={loaded} />
      {/* the discussion loads beside its thread, and waits for it only once the thread could not be loaded */}
      {thread === null && loaded.failed !== null ? null : <Discussion key={threadId} conversationId={threadId} title={thread?.title ?? "thread"} canSend thread />}
    </section>
  );
}
