// The SDK's hub client against a stand-in hub on a real WebSocket (SignalR's JSON protocol), for the faults the
// platform cannot be made to show on cue: a join answered "503 Service unavailable" (the messaging database busy or out
// of reach for a moment) is asked again; a refusal (404) is not; a leave slowed down by the hub's limit is not sent
// after a join asked later; a reconnect refused 401 stops reconnecting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { ChatHubClient } from "../src/index.js";

const separator = "\u001e";

interface Invocation {
  invocationId?: string;
  target: string;
  arguments: unknown[];
}

/**
 * A hub on a real port: negotiation, the handshake, and each invocation answered by `answer`, after `delay` ms when it
 * says so, followed by the hub's own invocations in `then` (pushes such as new_message). Negotiation is answered
 * `negotiateStatus()` (200 by default: anything else with a problem).
 */
async function fakeHub(
  answer: (
    call: Invocation,
    n: number,
  ) => { result?: unknown; error?: string; delay?: number; before?: { target: string; arguments: unknown[] }[]; then?: { target: string; arguments: unknown[] }[] },
  negotiateStatus: () => number = () => 200,
) {
  const calls: Invocation[] = [];
  let negotiations = 0;
  const server: Server = createServer((request, response) => {
    if (request.method === "POST" && request.url?.startsWith("/hubs/chat/negotiate")) {
      negotiations++;
      const status = negotiateStatus();
      if (status !== 200) {
        response.writeHead(status, { "Content-Type": "application/problem+json" });
        response.end(JSON.stringify({ title: "Unauthorized", status }));
        return;
      }
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(
        JSON.stringify({
          negotiateVersion: 1,
          connectionId: "c1",
          connectionToken: "t1",
          availableTransports: [{ transport: "WebSockets", transferFormats: ["Text", "Binary"] }],
        }),
      );
      return;
    }
    response.writeHead(404).end();
  });
  const sockets = new WebSocketServer({ server });
  sockets.on("connection", (socket: WebSocket) => {
    let handshaken = false;
    socket.on("message", (data) => {
      for (const frame of data.toString().split(separator).filter((f) => f.length > 0)) {
        const message = JSON.parse(frame) as { type?: number } & Invocation;
        if (!handshaken) {
          handshaken = true;
          socket.send("{}" + separator);
          continue;
        }
        if (message.type !== 1) continue;
        calls.push(message);
        const { result, error, delay, before, then } = answer(message, calls.filter((c) => c.target === message.target).length);
        const completion = error === undefined ? { type: 3, invocationId: message.invocationId, result } : { type: 3, invocationId: message.invocationId, error };
        setTimeout(() => {
          for (const push of before ?? []) socket.send(JSON.stringify({ type: 1, ...push }) + separator);
          socket.send(JSON.stringify(completion) + separator);
          for (const push of then ?? []) socket.send(JSON.stringify({ type: 1, ...push }) + separator);
        }, delay ?? 0);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    calls,
    negotiations: () => negotiations,
    /** Pushes an event to every connection now, as the hub does when someone else acts. */
    push: (target: string, ...args: unknown[]) => {
      const frame = JSON.stringify({ type: 1, target, arguments: args }) + separator;
      for (const client of sockets.clients) client.send(frame);
    },
    /** Ends every connection as a network failure would: the clients reconnect by themselves. */
    drop: () => {
      for (const client of sockets.clients) client.terminate();
    },
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise((resolve) => sockets.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Waits (up to 2 s, 20 ms apart) until `done` holds; the assertions after it say what did not happen. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

// As ASP.NET Core SignalR words a HubException's message to the caller.
const refusal = (target: string, message: string) => `An unexpected error occurred invoking '${target}' on the server. HubException: ${message}`;
const unavailable = "503 Service unavailable: The service's database is busy or unreachable; please try again shortly.";

test("a join answered 503 is asked again until the hub answers, and the conversation is kept joined", async () => {
  const hub = await fakeHub((call, n) =>
    n <= 2 ? { error: refusal(call.target, unavailable) } : { result: { items: [], has_more: false, last_seq: 7 } },
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  try {
    await client.start();
    const page = await client.joinConversation("0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f", 5);

    assert.equal(page.last_seq, 7);
    assert.equal(hub.calls.filter((c) => c.target === "JoinConversation").length, 3);
    assert.equal(client.lastSeq("0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f"), 5);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a catch-up page with has_more is followed by the rest as new_message, each seq once, with a push meanwhile", { timeout: 10_000 }, async () => {
  const id = "0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f";
  const message = (seq: number) => ({
    id: `m${seq}`,
    conversation_id: id,
    seq,
    sender: { user_id: "u1" },
    text: `message ${seq}`,
  });
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
  // The join from 0 answers 1-2 (has_more); joined again from 2, 3-4 and then 5-6, while 7 is pushed in between.
  const hub = await fakeHub((call) => {
    const since = call.arguments[1] as number;
    if (since === 0) return { result: { items: range(1, 2), has_more: true, last_seq: 7 } };
    if (since === 2) return { result: { items: range(3, 4), has_more: true, last_seq: 7 }, then: [{ target: "new_message", arguments: [message(7)] }] };
    return { result: { items: range(since + 1, 7), has_more: false, last_seq: 7 }, delay: 20 };
  });
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const delivered: number[] = [];
  client.on("new_message", (m) => delivered.push(m.seq));
  const rejoined = new Promise<number>((resolve) => client.onRejoined(({ caught_up }) => resolve(caught_up)));
  try {
    await client.start();
    const page = await client.joinConversation(id, 0);

    assert.deepEqual(
      page.items.map((m) => m.seq),
      [1, 2],
    );
    assert.equal(await rejoined, 5);
    assert.deepEqual(delivered, [3, 4, 5, 6, 7]);
    assert.equal(client.lastSeq(id), 7);
  } finally {
    await client.stop();
    await hub.close();
  }
});

const conversation = "0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f";
const messageOf = (seq: number) => ({ id: `m${seq}`, conversation_id: conversation, seq, sender: { user_id: "u1" }, text: `message ${seq}` });

test("a rejoin that failed while the connection stays up is tried again, not left till the next reconnect", { timeout: 15_000 }, async () => {
  // joined; after the drop, the rejoin fails once as a server fault (no HubException: not asked again at once)
  const hub = await fakeHub((call, n) =>
    n === 2 ? { error: `An unexpected error occurred invoking '${call.target}' on the server.` } : { result: { items: [], has_more: false, last_seq: 3 } },
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const failed: string[] = [];
  client.onRejoinFailed(({ conversation_id }) => failed.push(conversation_id));
  try {
    await client.start();
    await client.joinConversation(conversation, 3);
    const rejoined = new Promise<number>((resolve) => client.onRejoined(({ caught_up }) => resolve(caught_up)));
    hub.drop();

    assert.equal(await rejoined, 0);
    assert.deepEqual(failed, [conversation]);
    assert.equal(hub.calls.filter((c) => c.target === "JoinConversation").length, 3);
    assert.equal(client.lastSeq(conversation), 3);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a rejoin refused for good (422) while connected is not asked again", { timeout: 10_000 }, async () => {
  const hub = await fakeHub((call, n) =>
    n === 1 ? { result: { items: [], has_more: false, last_seq: 3 } } : { error: refusal(call.target, "422 Business rule violated: You have too many conversations open.") },
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const failed = new Promise<void>((resolve) => client.onRejoinFailed(() => resolve()));
  try {
    await client.start();
    await client.joinConversation(conversation, 3);
    hub.drop();
    await failed;
    await new Promise((resolve) => setTimeout(resolve, 2500));

    assert.equal(hub.calls.filter((c) => c.target === "JoinConversation").length, 2);
    assert.equal(client.lastSeq(conversation), 3); // kept: the next reconnect asks again
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a push that came before the join's answer is delivered after the caller holds the page", async () => {
  const hub = await fakeHub(() => ({ result: { items: [messageOf(6)], has_more: false, last_seq: 6 }, before: [{ target: "new_message", arguments: [messageOf(7)] }] }));
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const seen: string[] = [];
  client.on("new_message", (m) => seen.push(`new_message ${m.seq}`));
  try {
    await client.start();
    const page = await client.joinConversation(conversation, 5);
    seen.push(`page ${page.items.map((m) => m.seq).join(",")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));

    assert.deepEqual(seen, ["page 6", "new_message 7"]);
    assert.equal(client.lastSeq(conversation), 7);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("an edit and a deletion that came before the join's answer follow the message they revise, never before it", async () => {
  const sent = { ...messageOf(7), text: "a" };
  const edited = { ...sent, text: "b", edited_at: "2026-11-28T10:05:00Z" };
  const deleted = { ...sent, text: null, deleted_at: "2026-11-28T10:06:00Z" };
  // the page was read before 7 was sent; 7 was sent, edited and deleted while the answer was on its way
  const hub = await fakeHub(() => ({
    result: { items: [messageOf(6)], has_more: false, last_seq: 6 },
    delay: 50,
    before: [
      { target: "new_message", arguments: [sent] },
      { target: "message_updated", arguments: [edited] },
      { target: "message_deleted", arguments: [deleted] },
    ],
  }));
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  // what an app shows: the page, then each push applied to it
  const shown = new Map<number, string | null>();
  const seen: string[] = [];
  client.on("new_message", (m) => {
    seen.push(`new_message ${m.seq} ${m.text}`);
    shown.set(m.seq, m.text);
  });
  for (const event of ["message_updated", "message_deleted"] as const)
    client.on(event, (m) => {
      seen.push(`${event} ${m.seq}${event === "message_updated" ? ` ${m.text}` : ""}`);
      if (shown.has(m.seq)) shown.set(m.seq, m.text);
    });
  try {
    await client.start();
    const page = await client.joinConversation(conversation, 5);
    for (const m of page.items) shown.set(m.seq, m.text);
    seen.push(`page ${page.items.map((m) => m.seq).join(",")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));

    assert.deepEqual(seen, ["page 6", "new_message 7 a", "message_updated 7 b", "message_deleted 7"]);
    assert.equal(shown.get(7), null, "seq 7 is shown with its text after its deletion");
    assert.equal(client.lastSeq(conversation), 7);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("an edit held by a join asked again before it was answered is delivered once, by the later join", async () => {
  const edited = { ...messageOf(50), text: "edited", edited_at: "2026-11-28T10:05:00Z" };
  // joined at 100; joined again twice from 100, the first answered before the second: neither page holds 50
  const page = { items: [], has_more: false, last_seq: 100 };
  const hub = await fakeHub((_call, n) => ({ result: page, delay: [0, 150, 200][n - 1] }));
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const updates: string[] = [];
  client.on("message_updated", (m) => updates.push(`${m.seq} ${m.text}`));
  try {
    await client.start();
    await client.joinConversation(conversation, 100);
    const first = client.joinConversation(conversation, 100);
    await until(() => hub.calls.length === 2);
    hub.push("message_updated", edited);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = client.joinConversation(conversation, 100);
    await first;
    await second;
    await new Promise((resolve) => setTimeout(resolve, 50));

    assert.deepEqual(updates, ["50 edited"]);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("edits held across a join that failed and a later join come in the order they were made", async () => {
  const edit = (text: string) => ({ ...messageOf(7), text, edited_at: "2026-11-28T10:05:00Z" });
  const fault = (target: string) => `An unexpected error occurred invoking '${target}' on the server.`;
  // joined at 7; joined again twice: the first fails (a server fault) after the second was asked
  const hub = await fakeHub((call, n) => {
    if (n === 1) return { result: { items: [messageOf(7)], has_more: false, last_seq: 7 } };
    if (n === 2) return { error: fault(call.target), delay: 150 };
    return { result: { items: [], has_more: false, last_seq: 7 }, delay: 200 };
  });
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const updates: string[] = [];
  client.on("message_updated", (m) => updates.push(`${m.seq} ${m.text}`));
  try {
    await client.start();
    await client.joinConversation(conversation, 6);
    const failing = client.joinConversation(conversation, 7);
    await until(() => hub.calls.length === 2);
    hub.push("message_updated", edit("v1"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const later = client.joinConversation(conversation, 7);
    hub.push("message_updated", edit("v2"));
    await assert.rejects(failing);
    await later;
    await new Promise((resolve) => setTimeout(resolve, 50));

    assert.deepEqual(updates, ["7 v1", "7 v2"]);
    assert.equal(client.lastSeq(conversation), 7);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a listener that throws keeps no other listener from the message, nor the client from going on", async () => {
  const hub = await fakeHub(() => ({ result: { items: [], has_more: false, last_seq: 0 }, then: [1, 2].map((seq) => ({ target: "new_message", arguments: [messageOf(seq)] })) }));
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const reported: unknown[] = [];
  const global = globalThis as { reportError?: (error: unknown) => void };
  global.reportError = (error) => reported.push(error);
  const heard: number[] = [];
  client.on("new_message", () => {
    throw new Error("the app's own bug");
  });
  client.on("new_message", (m) => heard.push(m.seq));
  try {
    await client.start();
    await client.joinConversation(conversation, 0);
    for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));

    assert.deepEqual(heard, [1, 2]);
    assert.equal(reported.length, 2);
    assert.equal(client.lastSeq(conversation), 2);
  } finally {
    delete global.reportError;
    await client.stop();
    await hub.close();
  }
});

test("a push on its way when the conversation was left is not delivered", async () => {
  const hub = await fakeHub((call) =>
    call.target === "LeaveConversation"
      ? { result: null, before: [{ target: "new_message", arguments: [messageOf(4)] }] }
      : { result: { items: [], has_more: false, last_seq: 3 } },
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const heard: number[] = [];
  client.on("new_message", (m) => heard.push(m.seq));
  try {
    await client.start();
    await client.joinConversation(conversation, 3);
    await client.leaveConversation(conversation);
    await new Promise((resolve) => setTimeout(resolve, 50));

    assert.deepEqual(heard, []);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a leave while the connection is down resolves at once, and the reconnect does not join the conversation again", { timeout: 10_000 }, async () => {
  let down = false;
  const hub = await fakeHub(
    (call) => (call.target === "JoinConversation" ? { result: { items: [], has_more: false, last_seq: 3 } } : { result: null }),
    () => (down ? 503 : 200),
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token", retryDelaysMs: [0, 100] });
  try {
    await client.start();
    await client.joinConversation(conversation, 3);
    await client.invoke("JoinGroup", "3f9c1e2a-5b7d-4c8e-9f0a-1b2c3d4e5f60");
    down = true;
    hub.drop();
    await until(() => client.state === "Reconnecting");
    assert.equal(client.state, "Reconnecting");

    await client.leaveConversation(conversation);
    await client.invoke("LeaveGroup", "3f9c1e2a-5b7d-4c8e-9f0a-1b2c3d4e5f60");
    down = false;
    const state = (): string => client.state; // read anew: the assert above narrowed client.state
    await until(() => state() === "Connected");
    await new Promise((resolve) => setTimeout(resolve, 100));

    assert.equal(state(), "Connected");
    assert.equal(hub.calls.filter((c) => c.target === "JoinConversation").length, 1);
    assert.equal(hub.calls.filter((c) => c.target === "JoinGroup").length, 1);
    assert.equal(client.lastSeq(conversation), undefined);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a join while the connection reconnects waits for it and then joins; one when it is stopped instead fails", { timeout: 10_000 }, async () => {
  let down = false;
  const hub = await fakeHub(
    (call) => (call.target === "JoinConversation" ? { result: { items: [], has_more: false, last_seq: 7 } } : { result: null }),
    () => (down ? 503 : 200),
  );
  // Infinity: waits for as long as it takes (setTimeout would take it for 1 ms)
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token", retryDelaysMs: [0, 100], reconnectWaitMs: Infinity });
  const group = "3f9c1e2a-5b7d-4c8e-9f0a-1b2c3d4e5f60";
  try {
    await client.start();
    down = true;
    hub.drop();
    const state = (): string => client.state;
    await until(() => state() === "Reconnecting");
    assert.equal(state(), "Reconnecting");

    const joining = client.joinConversation(conversation, 5);
    const subscribing = client.invoke("JoinGroup", group);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(hub.calls.length, 0);
    down = false;

    const page = await joining;
    await subscribing;
    assert.equal(state(), "Connected");
    assert.equal(page.last_seq, 7);
    assert.equal(client.lastSeq(conversation), 5); // kept joined, from where it was asked
    assert.deepEqual(
      hub.calls.map((c) => c.target).sort(),
      ["JoinConversation", "JoinGroup"],
    );

    // the connection closes instead (stopped while reconnecting): a join waiting for it fails, and is not kept
    down = true;
    hub.drop();
    await until(() => state() === "Reconnecting");
    const other = "8a1d2c3b-4e5f-4a6b-9c7d-0e1f2a3b4c5d";
    const waiting = client.joinConversation(other);
    await client.stop();
    await assert.rejects(waiting);
    assert.equal(state(), "Disconnected");
    assert.equal(client.lastSeq(other), undefined);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a join while the connection reconnects fails once reconnectWaitMs has passed, and is not asked later", { timeout: 10_000 }, async () => {
  let down = false;
  const hub = await fakeHub(
    () => ({ result: { items: [], has_more: false, last_seq: 1 } }),
    () => (down ? 503 : 200),
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token", retryDelaysMs: [0, 100], reconnectWaitMs: 300 });
  try {
    await client.start();
    down = true;
    hub.drop();
    const state = (): string => client.state;
    await until(() => state() === "Reconnecting");

    await assert.rejects(client.joinConversation(conversation), /did not come back within 300 ms/);
    down = false;
    await until(() => state() === "Connected");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(state(), "Connected");
    assert.equal(hub.calls.filter((c) => c.target === "JoinConversation").length, 0);
    assert.equal(client.lastSeq(conversation), undefined);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a conversation closed is not joined again after a reconnect", { timeout: 10_000 }, async () => {
  const hub = await fakeHub((call, n) =>
    call.target === "JoinConversation" && n === 1
      ? { result: { items: [], has_more: false, last_seq: 3 }, then: [{ target: "conversation_closed", arguments: [{ conversation_id: conversation, reason: "thread_deleted" }] }] }
      : { error: refusal(call.target, "404 Not found: No such conversation.") },
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const failed: string[] = [];
  client.onRejoinFailed(({ conversation_id }) => failed.push(conversation_id));
  const closed = new Promise<void>((resolve) => client.on("conversation_closed", () => resolve()));
  try {
    await client.start();
    await client.joinConversation(conversation, 3);
    await closed;
    const negotiated = hub.negotiations();
    hub.drop();
    await until(() => hub.negotiations() !== negotiated && client.state === "Connected");
    await new Promise((resolve) => setTimeout(resolve, 100));

    assert.equal(client.state, "Connected");
    assert.equal(hub.calls.filter((c) => c.target === "JoinConversation").length, 1);
    assert.deepEqual(failed, []);
    assert.equal(client.lastSeq(conversation), undefined);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a rejoin under way when the client is stopped says nothing after the stop", { timeout: 10_000 }, async () => {
  const hub = await fakeHub((call, n) => (n === 1 ? { result: { items: [], has_more: false, last_seq: 3 } } : { error: refusal(call.target, unavailable) }));
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const failed: string[] = [];
  client.onRejoinFailed(({ conversation_id }) => failed.push(conversation_id));
  try {
    await client.start();
    await client.joinConversation(conversation, 3);
    hub.drop();
    // the rejoin after the reconnect is answered 503, and waits before asking again
    await until(() => hub.calls.filter((c) => c.target === "JoinConversation").length >= 2);
    await client.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));

    assert.deepEqual(failed, []);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a join refused with 404 is not asked again", async () => {
  const hub = await fakeHub((call) => ({ error: refusal(call.target, "404 Not found: No such conversation.") }));
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  try {
    await client.start();
    await assert.rejects(client.joinConversation("0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f"), /HubException: 404 Not found/);

    assert.equal(hub.calls.filter((c) => c.target === "JoinConversation").length, 1);
    assert.equal(client.lastSeq("0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f"), undefined);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a leave slowed down by the hub's limit is not asked again after a later join, which it would undo", async () => {
  const conversation = "0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f";
  const hub = await fakeHub((call, n) =>
    call.target === "LeaveConversation" && n === 1
      ? { error: refusal(call.target, "Too many calls: at most 10 per second on one connection. Slow down.") }
      : { result: call.target === "JoinConversation" ? { items: [], has_more: false, last_seq: 0 } : null },
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  try {
    await client.start();
    await client.joinConversation(conversation, 0);

    const leaving = client.leaveConversation(conversation);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.joinConversation(conversation, 0);
    await leaving;
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const targets = hub.calls.map((c) => c.target);
    assert.deepEqual(targets, ["JoinConversation", "LeaveConversation", "JoinConversation"]);
    assert.equal(client.lastSeq(conversation), 0);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a join the hub's limit slowed down past a leave is left again, so the hub ends with the connection not joined", async () => {
  const tooMany = "Too many calls: at most 10 per second on one connection. Slow down.";
  // what the hub holds of the connection: a join answered joins it, a leave answered leaves it
  const joinedAtHub = new Set<string>();
  const hub = await fakeHub((call, n) => {
    const id = call.arguments[0] as string;
    if (call.target === "JoinConversation" && n === 1) return { error: refusal(call.target, tooMany) };
    if (call.target === "JoinConversation") joinedAtHub.add(id);
    if (call.target === "LeaveConversation") joinedAtHub.delete(id);
    return { result: call.target === "JoinConversation" ? { items: [], has_more: false, last_seq: 0 } : null };
  });
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  try {
    await client.start();
    const joining = client.joinConversation(conversation, 0);
    await until(() => hub.calls.length === 1);
    // left while the join waits to be asked again: the hub handles the join after the leave
    await client.leaveConversation(conversation);
    await joining;
    await until(() => hub.calls.filter((c) => c.target === "LeaveConversation").length === 2);

    assert.deepEqual(
      hub.calls.map((c) => c.target),
      ["JoinConversation", "LeaveConversation", "JoinConversation", "LeaveConversation"],
    );
    assert.deepEqual([...joinedAtHub], []);
    assert.equal(client.lastSeq(conversation), undefined);
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("what the client numbers its joins and leaves by keeps nothing of conversations and groups no longer held", { timeout: 10_000 }, async () => {
  const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(8, "0")}-4a7c-4e55-8d7e-6f0a7c1d2e3f`;
  const refused = id("e", 0);
  const closed = id("f", 0);
  const hub = await fakeHub((call) => {
    if (call.arguments[0] === refused) return { error: refusal(call.target, "404 Not found: No such conversation.") };
    if (call.target !== "JoinConversation") return { result: null };
    const page = { result: { items: [], has_more: false, last_seq: 0 } };
    if (call.arguments[0] !== closed) return page;
    const closing = { conversation_id: closed, reason: "thread_deleted" };
    return { ...page, then: [{ target: "conversation_closed", arguments: [closing] }] };
  });
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  const intents = () => (client as unknown as { intents: Map<string, unknown> }).intents;
  try {
    await client.start();
    for (let i = 0; i < 30; i++) await client.joinConversation(id("a", i), 0);
    for (let i = 0; i < 20; i++) await client.leaveConversation(id("a", i));
    for (let i = 0; i < 10; i++) await client.invoke("JoinGroup", id("b", i));
    for (let i = 0; i < 5; i++) await client.invoke("LeaveGroup", id("b", i));
    // left while its join was on its way, refused, closed by the hub
    const joining = client.joinConversation(id("c", 0), 0);
    await client.leaveConversation(id("c", 0));
    await joining;
    await assert.rejects(client.joinConversation(refused, 0), /404/);
    await client.joinConversation(closed, 0);
    await until(() => client.lastSeq(closed) === undefined);
    await until(() => intents().size === 15);

    // the 10 conversations and 5 groups still held
    assert.equal(intents().size, 15);
    assert.equal(client.lastSeq(id("a", 29)), 0);
  } finally {
    await client.stop();
    await hub.close();
  }
});

type Answer = ReturnType<Parameters<typeof fakeHub>[0]>;
type Hub = Awaited<ReturnType<typeof fakeHub>>;

/**
 * A client joined to a conversation whose first join is followed by a push past a gap, so that it catches up with a
 * second join; `body` runs once that catch-up is on its way. Joins after the first are answered by `laterJoin` (n
 * counts every join), other calls with nothing.
 */
async function withCatchUpOnItsWay(
  laterJoin: (call: Invocation, n: number, page: unknown) => Answer,
  body: (client: ChatHubClient, hub: Hub, conversation: string) => Promise<void>,
) {
  const conversation = "0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f";
  const page = { items: [], has_more: false, last_seq: 0 };
  const pushed = { conversation_id: conversation, id: "1c0e6a52-3f5e-4d8e-9a1b-2c3d4e5f6a7b", seq: 5, text: "a gap" };
  const hub = await fakeHub((call, n) => {
    if (call.target !== "JoinConversation") return { result: null };
    if (n === 1) return { result: page, then: [{ target: "new_message", arguments: [pushed] }] };
    return laterJoin(call, n, page);
  });
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token" });
  try {
    await client.start();
    await client.joinConversation(conversation, 0);
    for (let i = 0; i < 50 && hub.calls.filter((c) => c.target === "JoinConversation").length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await body(client, hub, conversation);
  } finally {
    await client.stop();
    await hub.close();
  }
}

test("a catch-up answered after a leave and a later join does not leave again, which would undo that join", async () => {
  // the catch-up's join is slow, and the join asked after a leave slower still
  await withCatchUpOnItsWay(
    (_, n, page) => ({ result: page, delay: n === 2 ? 300 : 700 }),
    async (client, hub, conversation) => {
      await client.leaveConversation(conversation);
      await client.joinConversation(conversation, 0);
      await new Promise((resolve) => setTimeout(resolve, 300));

      const targets = hub.calls.map((c) => c.target);
      assert.deepEqual(targets, ["JoinConversation", "JoinConversation", "LeaveConversation", "JoinConversation"]);
      assert.equal(client.lastSeq(conversation), 0);
    },
  );
});

test("a catch-up answered after a leave and a later join that failed leaves again, so the hub holds nothing unknown", async () => {
  // the catch-up's join is slow; the join asked after the leave is refused
  await withCatchUpOnItsWay(
    (call, n, page) => (n === 2 ? { result: page, delay: 400 } : { error: refusal(call.target, "404 Not found: No such conversation.") }),
    async (client, hub, conversation) => {
      await client.leaveConversation(conversation);
      await assert.rejects(client.joinConversation(conversation, 0), /HubException: 404/);
      await new Promise((resolve) => setTimeout(resolve, 700));

      const targets = hub.calls.map((c) => c.target);
      assert.deepEqual(targets, ["JoinConversation", "JoinConversation", "LeaveConversation", "JoinConversation", "LeaveConversation"]);
      assert.equal(client.lastSeq(conversation), undefined);
    },
  );
});

test("a reconnect refused 401 stops reconnecting and says so, and start() once signed in again joins again", async () => {
  const conversation = "0b4f2d8e-4a7c-4e55-8d7e-6f0a7c1d2e3f";
  let status = 200;
  const hub = await fakeHub(
    (call) => ({ result: call.target === "JoinConversation" ? { items: [], has_more: false, last_seq: 3 } : null }),
    () => status,
  );
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token", retryDelaysMs: [0, 20] });
  const refused: Error[] = [];
  client.onUnauthorized(({ error }) => refused.push(error));
  let closed = false;
  client.connection.onclose(() => (closed = true));
  try {
    await client.start();
    await client.joinConversation(conversation, 0);

    // the session ended while the connection was away: its token is refused from now on
    status = 401;
    hub.drop();
    await until(() => closed);
    assert.ok(closed, `still reconnecting after ${hub.negotiations()} negotiations`);
    assert.equal(refused.length, 1);
    assert.match(refused[0]!.message, /Status code '401'/);
    const asked = hub.negotiations();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(hub.negotiations(), asked, "negotiated again after the 401");
    assert.equal(client.state, "Disconnected");

    // signed in again: the conversation is joined again from where it was
    status = 200;
    await client.start();
    assert.equal(client.state, "Connected");
    assert.deepEqual(
      hub.calls.map((c) => c.target),
      ["JoinConversation", "JoinConversation"],
    );
    assert.equal(client.lastSeq(conversation), 0, "no longer kept joined");
  } finally {
    await client.stop();
    await hub.close();
  }
});

test("a listener of onUnauthorized may start() again at once: the connection is closed when it hears", async () => {
  let status = 200;
  const hub = await fakeHub(() => ({ result: null }), () => status);
  const client = new ChatHubClient({ baseUrl: hub.baseUrl, token: "token", retryDelaysMs: [0] });
  let restarted: Promise<void> | undefined;
  const states: string[] = [];
  client.onUnauthorized(() => {
    // the token renewed without waiting (a refresh already done, say): started again inside the listener
    states.push(client.state);
    status = 200;
    restarted = client.start();
  });
  try {
    await client.start();
    status = 401;
    hub.drop();
    await until(() => restarted !== undefined);
    assert.ok(restarted, `not told after ${hub.negotiations()} negotiations`);
    assert.deepEqual(states, ["Disconnected"]);
    await restarted;
    assert.equal(client.state, "Connected");
  } finally {
    await client.stop();
    await hub.close();
  }
});
