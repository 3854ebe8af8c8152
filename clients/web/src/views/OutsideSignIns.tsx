import type { identity } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { newTxnId, session, submitted, useAction } from "../lib/app";
import { useDisclosure } from "../lib/disclosure";
import { LoadFailed, useLoad } from "../lib/list";
import { currentPath, href } from "../lib/router";
import { problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";
import { CodeField, useCodeAsked } from "./Account";
import { useOutsideProviders } from "./Auth";

type Provider = identity.components["schemas"]["ExternalProviderDto"];
type Linked = identity.components["schemas"]["LinkedExternalLoginDto"];
type Links = identity.components["schemas"]["LinkedExternalLoginsDto"];

/** Where the page keeps the state of a link it started, to know the way back is its own. */
const linkStateKey = "community.outside-link";

/** How a link started here came back: its link code, or why there is none; taken once by the section. */
let returned: { code: string } | { refused: string } | null = null;

/**
 * Takes a link's way back to /signed-in (identity returns there with `?link_code=` or `?error=`), when it is one: read
 * once and the address replaced at once (with the profile, where the section takes it), as a sign-in's is. A code is kept only with the state this tab stored as it
 * left: one in a link someone sent is never posted (identity would refuse it too: it was made for their account).
 */
export function takeLinkReturn(): boolean {
  if (currentPath() !== "/signed-in") return false;
  const query = new URLSearchParams(location.search);
  const started = sessionStorage.getItem(linkStateKey);
  if (!query.has("link_code") && !(started && query.get("state") === started)) return false;
  history.replaceState(null, "", href("/profile"));
  sessionStorage.removeItem(linkStateKey);
  const code = query.get("link_code");
  if (!started || query.get("state") !== started) returned = { refused: "This link was not started on this page, so it was not used. Start it again below." };
  else if (code) returned = { code };
  else
    returned = {
      refused:
        query.get("error") === "access_denied"
          ? "Linking was cancelled at the provider."
          : "Linking with the provider did not work. Try again.",
    };
  return true;
}

/**
 * The outside providers that sign in to the account: each linked one with the address it vouched for, removed with
 * the password (and a code with two-factor sign-in on: the account must still sign in without it), and a button for
 * each configured one to link it, which leaves for the provider and comes back here.
 */
export function OutsideSignInsSection() {
  const providers = useOutsideProviders();
  const links = useLoad<Links>(() => session.api.identity.GET("/api/v1/users/me/external-logins"), []);
  const [status, setStatus] = useState<string | null>(null);
  const action = useAction();

  useEffect(() => {
    const back = returned;
    returned = null;
    if (!back) return;
    if ("refused" in back) return action.setError(back.refused);
    void action.run(async () => {
      const { data, error, response } = await session.api.identity.POST("/api/v1/users/me/external-logins", { body: { code: back.code } });
      if (!data) return action.setError(problemText(error, response, "Linking the provider failed."));
      setStatus(`${data.display_name} (${data.email}) now signs in to your account.`);
      links.retry();
    });
  }, []);

  const linked = links.value?.items ?? [];
  if (providers.length === 0 && linked.length === 0) return null;
  return (
    <section aria-labelledby="outside-heading">
      <h2 id="outside-heading">Sign-in with other services</h2>
      <Banner text={status} />
      {links.failed !== null ? (
        <LoadFailed what="the services linked to your account" loaded={links} />
      ) : linked.length === 0 ? (
        <p>No other service signs in to your account.</p>
      ) : (
        <ul>
          {linked.map((l) => (
            <LinkedRow
              key={`${l.provider} ${l.email} ${l.linked_at}`}
              link={l}
              removed={() => {
                setStatus(`${l.display_name} no longer signs in to your account.`);
                links.retry();
              }}
            />
          ))}
        </ul>
      )}
      {providers.map((p) => (
        <LinkForm key={p.name} provider={p} />
      ))}
      <Failure text={action.error} />
    </section>
  );
}

/** A linked provider, and its removal's form: the password, and a code when two-factor sign-in is on. */
function LinkedRow({ link, removed }: { link: Linked; removed: () => void }) {
  const form = useDisclosure();
  const code = useCodeAsked(form.open);
  const [error, setError] = useState<string | null>(null);
  const remove = submitted(setError, async (fields) => {
    const { error, response } = await session.api.identity.DELETE("/api/v1/users/me/external-logins/{provider}", {
      params: { path: { provider: link.provider } },
      body: { password: String(fields.get("password") ?? ""), code: String(fields.get("code") ?? "").trim() || undefined },
    });
    if (response.ok) {
      form.hide();
      removed();
      return true;
    }
    setError(problemText(error, response, "Removing it failed."));
    code.recheck();
    return settled(response);
  });
  return (
    <li>
      {link.display_name} ({link.email}){" "}
      {form.open ? (
        <form onSubmit={remove}>
          <p>Your account then signs in with its password only. Made through {link.display_name}? Set a password first with "Forgot your password?".</p>
          <label>
            Your password
            <input ref={form.first} name="password" type="password" autoComplete="current-password" required />
          </label>
          <CodeField asked={code.asked} />
          <Failure text={error} />
          <button type="submit">Remove {link.display_name}</button>{" "}
          <button type="button" class="secondary" onClick={form.hide}>
            Cancel
          </button>
        </form>
      ) : (
        <button ref={form.opener} type="button" class="secondary" onClick={form.show}>
          Remove
        </button>
      )}
    </li>
  );
}

/**
 * Linking a provider: the password (and a code with two-factor sign-in on: a link is a lasting way in, which an access
 * token alone must not add) for a ticket, then off to the provider, back to /signed-in with this tab's state.
 */
function LinkForm({ provider }: { provider: Provider }) {
  const form = useDisclosure();
  const code = useCodeAsked(form.open);
  const [error, setError] = useState<string | null>(null);
  const start = submitted(setError, async (fields) => {
    const { data, error, response } = await session.api.identity.POST("/api/v1/users/me/external-logins/tickets", {
      body: { provider: provider.name, password: String(fields.get("password") ?? ""), code: String(fields.get("code") ?? "").trim() || undefined },
    });
    if (!data) {
      setError(problemText(error, response, "Linking the provider could not start."));
      code.recheck();
      return settled(response);
    }
    const state = newTxnId();
    sessionStorage.setItem(linkStateKey, state);
    const back = encodeURIComponent(`${location.origin}${href("/signed-in")}?state=${state}`);
    location.assign(`/api/v1/auth/external/${encodeURIComponent(provider.name)}/start?intent=link&link_ticket=${encodeURIComponent(data.ticket)}&redirect_uri=${back}`);
    return true;
  });
  if (!form.open)
    return (
      <button ref={form.opener} type="button" class="secondary" onClick={form.show}>
        Link {provider.display_name}
      </button>
    );
  return (
    <form onSubmit={start}>
      <p>Your password first: {provider.display_name} then signs in to this account too. Made through another service? Set a password first with "Forgot your password?".</p>
      <label>
        Your password
        <input ref={form.first} name="password" type="password" autoComplete="current-password" required />
      </label>
      <CodeField asked={code.asked} />
      <Failure text={error} />
      <button type="submit">Continue to {provider.display_name}</button>{" "}
      <button type="button" class="secondary" onClick={form.hide}>
        Cancel
      </button>
    </form>
  );
}
