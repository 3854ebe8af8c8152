import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths as IdentityPaths } from "./generated/identity.js";
import type { paths as SocialPaths } from "./generated/social.js";
import type { paths as MessagingPaths } from "./generated/messaging.js";
import type { paths as EventsPaths } from "./generated/events.js";
import type { paths as PaymentsPaths } from "./generated/payments.js";
import type { paths as AiCompanionPaths } from "./generated/ai-companion.js";
import { ChatHubClient, type ChatHubOptions } from "./hub.js";
import { tokenlessOperations } from "./generated/tokenless.js";

export { ChatHubClient, type ChatHubOptions, type TypingChange } from "./hub.js";
export { paginate, PageError, type ListPage, type PageAt } from "./paging.js";
export type { HubEvents, HubMethods, components as HubSchemas } from "./generated/messaging-hub.js";
export type * as identity from "./generated/identity.js";
export type * as social from "./generated/social.js";
export type * as messaging from "./generated/messaging.js";
export type * as events from "./generated/events.js";
export type * as payments from "./generated/payments.js";
export type * as aiCompanion from "./generated/ai-companion.js";

/** An access token, or how to get the current one (after a refresh); undefined sends no Authorization header. */
export type TokenSource = string | undefined | (() => string | undefined | Promise<string | undefined>);

export interface CommunityClientOptions {
  /** The gateway's URL, e.g. http://localhost:8080. */
  baseUrl: string;
  token?: TokenSource;
  /** A fetch to use instead of the global one. */
  fetch?: (input: Request) => Promise<Response>;
}

/** One typed client per service, all through the gateway, and the chat hub. */
export interface CommunityClient {
  identity: Client<IdentityPaths>;
  social: Client<SocialPaths>;
  messaging: Client<MessagingPaths>;
  events: Client<EventsPaths>;
  payments: Client<PaymentsPaths>;
  aiCompanion: Client<AiCompanionPaths>;
  /**
   * Replaces the token every later request sends, and every hub of this client at its next (re)connect: stop a hub
   * before signing in as another account, or it reconnects as that account.
   */
  setToken(token: TokenSource): void;
  /** A chat hub client with this client's gateway and token; call start() on it. */
  hub(options?: Omit<ChatHubOptions, "baseUrl" | "token">): ChatHubClient;
}

export async function resolveToken(token: TokenSource): Promise<string | undefined> {
  return typeof token === "function" ? await token() : token;
}


export function createCommunityClient(options: CommunityClientOptions): CommunityClient {
  let token: TokenSource = options.token;
  const auth: Middleware = {
    async onRequest({ request, schemaPath }) {
      // The contract's operations a token means nothing to get none (a refresh, a sign-in...): the gateway checks any
      // token a request carries, so the expired one a refresh replaces would get the refresh refused. Anonymous reads
      // that a token changes (a private event shown to an invited member) say so in the contract and still get it.
      if (tokenlessOperations.has(`${request.method} ${schemaPath}`)) return request;
      const current = await resolveToken(token);
      if (current && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${current}`);
      return request;
    },
  };
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  function client<Paths extends {}>(): Client<Paths> {
    const made = createClient<Paths>({ baseUrl, fetch: options.fetch });
    made.use(auth);
    return made;
  }
  return {
    identity: client<IdentityPaths>(),
    social: client<SocialPaths>(),
    messaging: client<MessagingPaths>(),
    events: client<EventsPaths>(),
    payments: client<PaymentsPaths>(),
    aiCompanion: client<AiCompanionPaths>(),
    setToken(next) {
      token = next;
    },
    hub(hubOptions) {
      return new ChatHubClient({ ...hubOptions, baseUrl, token: () => resolveToken(token) });
    },
  };
}

/**
 * The body serializer of a multipart operation (a profile picture, an event photo, an attachment): each field of the
 * typed body as a form field, a Blob as a file (a File keeps its name). Pass it as `bodySerializer`.
 */
export function multipart(body: Record<string, Blob | string | number | boolean | null | undefined>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    form.append(name, value instanceof Blob ? value : String(value));
  }
  return form;
}
