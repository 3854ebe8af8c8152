import type { social } from "@community/sdk";
import { useState } from "preact/hooks";
import { session } from "../lib/app";
import { href } from "../lib/router";
import { ListState, LoadFailed, useLoad } from "../lib/list";

type Found = social.components["schemas"]["SemanticSearchDto"];
type Kind = "" | "people" | "groups" | "events";

const pages = { people: "/people/", groups: "/communities/", events: "/events/" } as const;
const kinds = { people: "Person", groups: "Community", events: "Event" } as const;

/**
 * One search across people, communities and events, by meaning (social's embeddings) or, without them, by their words;
 * the results best first, each leading to its page.
 */
export function FindAnything() {
  const [asked, setAsked] = useState<{ q: string; type: Kind } | null>(null);
  const found = useLoad<Found>(
    () => (asked ? session.api.social.GET("/api/v1/search/semantic", { params: { query: { q: asked.q, type: asked.type || undefined, limit: 20 } } }) : null),
    [asked],
  );
  const hits = found.value?.items ?? null;
  return (
    <section class="card" aria-labelledby="find-heading">
      <h3 id="find-heading">Find people, communities and events</h3>
      <form
        class="inline"
        role="search"
        aria-label="Find anything"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          const q = String(form.get("q") ?? "").trim();
          setAsked(q ? { q, type: String(form.get("type") ?? "") as Kind } : null);
        }}
      >
        <label class="visually-hidden" for="find-q">
          What you are looking for
        </label>
        <input id="find-q" name="q" type="search" maxLength={200} placeholder="e.g. sunrise yoga by the sea" />
        <label class="visually-hidden" for="find-type">
          Among
        </label>
        <select id="find-type" name="type">
          <option value="">Everything</option>
          <option value="people">People</option>
          <option value="groups">Communities</option>
          <option value="events">Events</option>
        </select>
        <button type="submit" class="small">
          Find
        </button>
      </form>
      {asked && (
        <>
          <LoadFailed what="The results" loaded={found} />
          <ListState list={{ value: hits, failed: found.failed, loading: found.loading }} empty={`Nothing found for “${asked.q}”.`} />
          {found.value && found.value.items.length > 0 && <p class="meta">{found.value.mode === "embeddings" ? "Closest in meaning first." : "Best matches of your words first."}</p>}
          <ul class="list" aria-label="Found">
            {(hits ?? []).map((hit) => (
              <li key={`${hit.type}/${hit.id}`}>
                <a href={href(`${pages[hit.type]}${hit.id}`)}>
                  <span class="title">{hit.title}</span>
                  <span class="meta">
                    {kinds[hit.type]}
                    {hit.snippet ? ` · ${hit.snippet}` : ""}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
