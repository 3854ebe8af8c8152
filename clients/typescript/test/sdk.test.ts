// The SDK against a running platform (COMMUNITY_GATEWAY_URL): ClientContractTests starts one and runs this file.
// Without it (a plain `npm test`) the tests that need the platform are skipped and say why; the rest run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  createCommunityClient,
  multipart,
  paginate,
  PageError,
  type ChatHubClient,
  type CommunityClient,
  type HubEvents,
  type PageAt,
  type TypingChange,
} from "../src/index.js";

const baseUrl = process.env.COMMUNITY_GATEWAY_URL;
const needsGateway = baseUrl ? false : "COMMUNITY_GATEWAY_URL is not set: this test runs against a running gateway";

type Message = HubEvents["new_message"];

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A member registered with a phone alone (signed in at once), and an SDK client carrying their token. */
async function register(name: string): Promise<{ id: string; username: string; api: CommunityClient }> {
  const api = createCommunityClient({ baseUrl: baseUrl! });
  const username = `${name}_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const phone = "+97150" + String(1_000_000 + Math.floor(Math.random() * 8_999_999));
  const { data, response, error } = await api.identity.POST("/api/v1/auth/register", {
    body: { username, phone, password: "correct-horse-9", email: null, full_name: null, role: null, referral_code: null },
  });
  assert.equal(response.status, 201, JSON.stringify(error));
  api.setToken(String(data!.access_token));
  return { id: data!.user.id, username, api };
}

/** Ends the hub's WebSocket as a network failure would, so the client reconnects by itself. */
function dropConnection(hub: ChatHubClient): void {
  const transport = (hub.connection as unknown as { connection: { transport: { _webSocket: { terminate(): void } } } }).connection.transport;
  transport._webSocket.terminate();
}

test("the SDK drives the platform: a group, a thread, live messages, typing and a reconnect that catches up", { skip: needsGateway }, async (t) => {
  const amira = await register("amira");
  const omar = await register("omar");

  // social: a group, joined by another member, found by exploring with a limit
  const name = `SDK runners ${randomUUID().slice(0, 8)}`;
  const group = await amira.api.social.POST("/api/v1/groups", {
    body: { name, description: "Morning runs", visibility: "public", join_policy: "open" },
  });
  assert.equal(group.response.status, 201, JSON.stringify(group.error));
  const groupId = group.data!.id;
  const joined = await omar.api.social.POST("/api/v1/groups/{id}/join", { params: { path: { id: groupId } }, body: { reason: null } });
  assert.equal(joined.response.status, 201, JSON.stringify(joined.error));
  const explored = await omar.api.social.GET("/api/v1/groups", { params: { query: { q: name, limit: 1 } } });
  assert.equal(explored.response.status, 200, JSON.stringify(explored.error));
  assert.equal(explored.data!.items.length, 1);
  assert.equal(explored.data!.items[0]!.id, groupId);
  assert.equal(explored.data!.limit, 1);

  // every page of a list, following next_cursor: a numbered catalogue that also pages by keyset, and a cursor-paged
  // list (paging by number alone: the stub test below)
  const second = await amira.api.social.POST("/api/v1/groups", {
    body: { name: `${name} evenings`, description: "Evening runs", visibility: "public", join_policy: "open" },
  });
  assert.equal(second.response.status, 201, JSON.stringify(second.error));
  const explore = paginate((at) => omar.api.social.GET("/api/v1/groups", { params: { query: { q: name, limit: 1, ...at } } }));
  const found: string[] = [];
  for await (const g of explore) found.push(g.id);
  assert.deepEqual(found.sort(), [groupId, second.data!.id].sort());
  const mine = paginate((at) => amira.api.social.GET("/api/v1/groups/mine", { params: { query: { limit: 1, ...at } } }));
  const owned: string[] = [];
  for await (const g of mine) owned.push(g.id);
  assert.deepEqual(owned.sort(), [groupId, second.data!.id].sort());

  // messaging: a thread, once messaging has heard of the group and its members (social's events)
  const thread = await until("the thread to be created", async () => {
    const made = await amira.api.messaging.POST("/api/v1/threads", {
      body: { group_id: groupId, title: "Saturday run", text: "Who is in?", tags: ["sdk"] },
    });
    return made.response.status === 201 ? made.data : undefined;
  });
  await until("omar to be a member of the thread", async () =>
    (await omar.api.messaging.GET("/api/v1/threads/{id}", { params: { path: { id: thread.id } } })).response.status === 200);

  // the hub: typed calls and events, live between the two
  const amiraHub = amira.api.hub();
  const omarHub = omar.api.hub({ typingTimeoutMs: 400, retryDelaysMs: [5000, 1000] });
  t.after(() => Promise.all([amiraHub.stop(), omarHub.stop()]));
  const received: Message[] = [];
  omarHub.on("new_message", (m) => received.push(m));
  const typing: TypingChange[] = [];
  omarHub.onTypingChange((change) => typing.push(change));
  const rejoins: { conversation_id: string; caught_up: number }[] = [];
  omarHub.onRejoined((r) => rejoins.push(r));
  await Promise.all([amiraHub.start(), omarHub.start()]);

  const first = await omarHub.joinConversation(thread.id);
  assert.deepEqual(first.items.map((m) => m.text), ["Who is in?"]);
  await amiraHub.joinConversation(thread.id);
  const hello = await amiraHub.invoke("SendMessage", thread.id, "Hello live", randomUUID(), null);
  assert.equal(hello.seq, 2);
  const live = await until("the live message", () => received.find((m) => m.id === hello.id));
  assert.equal(live.text, "Hello live");
  assert.equal(live.client_txn_id, null);

  // omar's own message is his call's answer, never a new_message; amira's next one is no gap to catch up
  const own = await omarHub.invoke("SendMessage", thread.id, "On my way", randomUUID(), null);
  assert.equal(own.seq, 3);
  const next = await amiraHub.invoke("SendMessage", thread.id, "See you there", randomUUID(), null);
  await until("the message after omar's own", () => received.find((m) => m.id === next.id));
  assert.equal(rejoins.length, 0, `a send of omar's own was taken for a lost push: ${JSON.stringify(rejoins)}`);
  assert.ok(!received.some((m) => m.id === own.id), "omar's own message came back as a new_message");
  assert.equal(omarHub.lastSeq(thread.id), 4);

  // the group itself, subscribed to with JoinGroup (kept across the reconnect below)
  const memberJoined: HubEvents["member_joined"][] = [];
  omarHub.on("member_joined", (m) => memberJoined.push(m));
  await omarHub.invoke("JoinGroup", groupId);

  // typing without stop_typing expires by itself
  await amiraHub.invoke("Typing", thread.id);
  await until("the typing indicator to expire", () => typing.length >= 2);
  assert.deepEqual(typing.map((c) => [c.user_id, c.typing]), [[amira.id, true], [amira.id, false]]);

  // wrong arguments are refused, naming the problem
  await assert.rejects(amiraHub.connection.invoke("MarkRead", thread.id, "two"), /MarkRead\(id, seq\): seq \(argument 2\) must be an integer/);
  await assert.rejects(amiraHub.connection.invoke("JoinConversation", thread.id), /JoinConversation\(id, since_seq\) takes 2 arguments; 1 given/);

  // a dropped connection: reconnected automatically, joined again, and what was sent meanwhile caught up once, in order
  dropConnection(omarHub);
  for (const text of ["missed 1", "missed 2", "missed 3"]) {
    const sent = await amira.api.messaging.POST("/api/v1/conversations/{id}/messages", {
      params: { path: { id: thread.id } },
      body: { text, client_txn_id: randomUUID(), attachments: null, reply_to: null },
    });
    assert.equal(sent.response.status, 201, JSON.stringify(sent.error));
  }
  await until("the rejoin after the reconnect", () => rejoins.length > 0, 60_000);
  assert.ok(rejoins[0]!.caught_up >= 1, `nothing was caught up: ${JSON.stringify(rejoins)}`);
  await until("the missed messages", () => received.length >= 5);
  const after = await amiraHub.invoke("SendMessage", thread.id, "After the reconnect", randomUUID(), null);
  await until("the live message after the reconnect", () => received.some((m) => m.id === after.id));
  assert.deepEqual(received.map((m) => m.seq), [2, 4, 5, 6, 7, 8]);
  assert.deepEqual(received.map((m) => m.text), ["Hello live", "See you there", "missed 1", "missed 2", "missed 3", "After the reconnect"]);
  assert.equal(omarHub.lastSeq(thread.id), 8);

  // the group's subscription came back with the connection: a member joining after the reconnect is told
  const layla = await register("layla");
  const laylaJoined = await layla.api.social.POST("/api/v1/groups/{id}/join", { params: { path: { id: groupId } }, body: { reason: null } });
  assert.equal(laylaJoined.response.status, 201, JSON.stringify(laylaJoined.error));
  await until("layla's arrival in the group", () => memberJoined.find((m) => m.user_id === layla.id && m.conversation_id === null), 60_000);
});

test("a numbered catalogue without next_cursor is paged by number, up to its last page", async () => {
  const asked: PageAt[] = [];
  const pages = [
    { items: ["a"], page: 1, pages: 2 },
    { items: ["b"], page: 2, pages: 2 },
  ];
  const items: string[] = [];
  for await (const item of paginate(async (at) => {
    asked.push(at);
    return { data: pages[asked.length - 1], response: new Response(null, { status: 200 }) };
  }))
    items.push(item);

  assert.deepEqual(asked, [{}, { page: 2 }]);
  assert.deepEqual(items, ["a", "b"]);
});

test("a page refused stops paging with a PageError carrying its status and the problem's request_id", async () => {
  const problem = { title: "Forbidden", status: 403, detail: "Members only.", request_id: "r1" };
  const refused = new Response(null, { status: 403 });
  const paging = paginate<{ items: string[] }>(async () => ({ error: problem, response: refused }));

  await assert.rejects(paging.next(), (e: unknown) => {
    assert.ok(e instanceof PageError);
    assert.equal(e.status, 403);
    assert.equal(e.requestId, "r1");
    assert.deepEqual(e.problem, problem);
    return true;
  });
});

test("a profile picture goes up as a Blob in a form, and its bytes come back as a Blob", { skip: needsGateway }, async () => {
  const amira = await register("picture");
  // a PNG of one pixel; identity decodes and re-encodes it
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
  const { data, response, error } = await amira.api.identity.PUT("/api/v1/users/me/picture", {
    body: { file: new Blob([png], { type: "image/png" }) },
    bodySerializer: multipart,
  });
  assert.equal(response.status, 200, JSON.stringify(error));
  assert.ok(data!.profile_image_url);
  const picture = await amira.api.identity.GET("/api/v1/users/{id}/picture", { params: { path: { id: amira.id } }, parseAs: "blob" });
  assert.equal(picture.response.status, 200);
  assert.ok(picture.data instanceof Blob && picture.data.size > 0);
  assert.match(picture.response.headers.get("Content-Type") ?? "", /^image\//);
});

test("a refresh, a sign-in and the waitlist carry no token, so an expired one held does not get them refused", { skip: needsGateway }, async () => {
  const api = createCommunityClient({ baseUrl: baseUrl! });
  const username = `renew_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const phone = "+97150" + String(1_000_000 + Math.floor(Math.random() * 8_999_999));
  const registered = await api.identity.POST("/api/v1/auth/register", {
    body: { username, phone, password: "correct-horse-9", email: null, full_name: null, role: null, referral_code: null },
  });
  assert.equal(registered.response.status, 201, JSON.stringify(registered.error));
  // the token the app still holds is refused (expired, or a session ended): the gateway says so where it counts
  api.setToken("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
  const me = await api.identity.GET("/api/v1/auth/me");
  assert.equal(me.response.status, 401);

  const renewed = await api.identity.POST("/api/v1/auth/refresh", { body: { refresh_token: String(registered.data!.refresh_token) } });
  assert.equal(renewed.response.status, 200, JSON.stringify(renewed.error));
  const signedIn = await api.identity.POST("/api/v1/auth/login", { body: { identifier: username, password: "correct-horse-9" } });
  assert.equal(signedIn.response.status, 200, JSON.stringify(signedIn.error));

  api.setToken(String(renewed.data!.access_token));
  const again = await api.identity.GET("/api/v1/auth/me");
  assert.equal(again.response.status, 200, JSON.stringify(again.error));
});

test("signing out everywhere else closes the other session's hub connection, and this session's stays", { skip: needsGateway }, async (t) => {
  const me = await register("elsewhere");
  const other = createCommunityClient({ baseUrl: baseUrl! });
  const signedIn = await other.identity.POST("/api/v1/auth/login", { body: { identifier: me.username, password: "correct-horse-9" } });
  assert.equal(signedIn.response.status, 200, JSON.stringify(signedIn.error));
  other.setToken(String((signedIn.data as { access_token: string }).access_token));
  const mine = me.api.hub({ retryDelaysMs: [60_000] });
  const theirs = other.hub({ retryDelaysMs: [60_000] });
  t.after(() => Promise.all([mine.stop(), theirs.stop()]));
  await Promise.all([mine.start(), theirs.start()]);
  let theirsLost = false;
  theirs.connection.onreconnecting(() => (theirsLost = true));
  theirs.connection.onclose(() => (theirsLost = true));

  const { data, response, error } = await me.api.identity.POST("/api/v1/auth/logout/others");
  assert.equal(response.status, 200, JSON.stringify(error));
  assert.equal(data!.sessions_ended, 1);

  await until("the other session's hub connection to close", () => theirsLost);
  await until("the other session's token to be refused", async () => (await other.identity.GET("/api/v1/auth/me")).response.status === 401);
  // by now this session's connection would have been closed too, had the end reached it
  assert.equal(mine.state, "Connected");
  assert.equal((await me.api.identity.GET("/api/v1/auth/me")).response.status, 200);
});

test("a reconnect joins every conversation again, paced under the hub's limits, and not one left while its join was on its way", { skip: needsGateway }, async (t) => {
  const rana = await register("rana");
  const sami = await register("sami");
  const group = await rana.api.social.POST("/api/v1/groups", {
    body: { name: `SDK readers ${randomUUID().slice(0, 8)}`, description: "Books", visibility: "public", join_policy: "open" },
  });
  assert.equal(group.response.status, 201, JSON.stringify(group.error));
  const groupId = group.data!.id;
  const joined = await sami.api.social.POST("/api/v1/groups/{id}/join", { params: { path: { id: groupId } }, body: { reason: null } });
  assert.equal(joined.response.status, 201, JSON.stringify(joined.error));
  // more conversations than the hub takes calls in one burst (about 20), and one more to leave while joining
  const threads: string[] = [];
  for (let i = 0; i < 26; i++) {
    const made = await until(`thread ${i}`, async () => {
      const answer = await rana.api.messaging.POST("/api/v1/threads", { body: { group_id: groupId, title: `Book ${i}`, text: "Chapter one", tags: null } });
      return answer.response.status === 201 ? answer.data : undefined;
    });
    threads.push(made.id);
  }
  const raced = threads.pop()!;
  await until("sami to be a member of the threads", async () =>
    (await sami.api.messaging.GET("/api/v1/threads/{id}", { params: { path: { id: raced } } })).response.status === 200);

  const hub = sami.api.hub({ retryDelaysMs: [500, 1000] });
  t.after(() => hub.stop());
  const rejoined = new Set<string>();
  const failed: string[] = [];
  const received: Message[] = [];
  hub.onRejoined((r) => rejoined.add(r.conversation_id));
  hub.onRejoinFailed((f) => failed.push(`${f.conversation_id}: ${f.error.message}`));
  hub.on("new_message", (m) => received.push(m));
  // what the hub pushes to the connection, delivered by the client or not: which conversations the hub holds it in
  const pushedByHub: Message[] = [];
  hub.connection.on("new_message", (m: Message) => pushedByHub.push(m));
  await hub.start();
  for (const id of threads) await hub.joinConversation(id);

  // left while its join was on its way: the client keeps nothing of it (a join the hub handles after the leave is left
  // again: hub-faults.test.ts, where the hub's limit can be made to reorder them)
  const joining = hub.joinConversation(raced);
  await hub.leaveConversation(raced);
  await joining;
  assert.equal(hub.lastSeq(raced), undefined);

  dropConnection(hub);
  await until("every conversation joined again", () => rejoined.size >= threads.length, 90_000);
  assert.deepEqual(failed, []);
  // the hub did not join the new connection to the one left: a message there, sent before one in the last
  // conversation joined again, is not pushed to it
  const probe = await rana.api.messaging.POST("/api/v1/conversations/{id}/messages", {
    params: { path: { id: raced } },
    body: { text: "Not for sami", client_txn_id: randomUUID(), attachments: null, reply_to: null },
  });
  assert.equal(probe.response.status, 201, JSON.stringify(probe.error));
  const last = threads.at(-1)!;
  const sent = await rana.api.messaging.POST("/api/v1/conversations/{id}/messages", {
    params: { path: { id: last } },
    body: { text: "Chapter two", client_txn_id: randomUUID(), attachments: null, reply_to: null },
  });
  assert.equal(sent.response.status, 201, JSON.stringify(sent.error));
  await until("the live message in the last conversation joined again", () => received.some((m) => m.id === sent.data!.id));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(
    pushedByHub.filter((m) => m.conversation_id === raced).map((m) => m.text),
    [],
    "the hub pushed a message of the conversation left while its join was on its way",
  );
});
