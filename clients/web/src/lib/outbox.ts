import type { messaging } from "@community/sdk";
import { useEffect, useState } from "preact/hooks";
import { session } from "./app";

type Message = messaging.components["schemas"]["MessageDto"];
type Attachment = messaging.components["schemas"]["AttachmentDto"];

/** A message written and not sent yet: sent again under its own client_txn_id until the platform has it. */
export interface Pending {
  txn: string;
  text: string;
  /** Files uploaded for it: a message that carries some is sent over REST (the hub's send takes text alone). */
  attachments: Attachment[];
  /** The message it replies to, if any. */
  replyTo: Message | null;
  failed: boolean;
}

/** The messages waiting, by user, then by conversation. */
type Waiting = Record<string, Record<string, Pending[]>>;

const storageKey = "community.outbox";

type Listener = () => void;

/**
 * The messages waiting to be sent (see Discussion), kept here rather than in a discussion: leaving the conversation
 * (another one opened, another page) loses none, and the discussion opened again shows them and sends them, each
 * under the client_txn_id it had, so one that reached the platform before is not sent twice. Kept in sessionStorage
 * too, so a reload of the tab keeps them; forgotten on sign-out (not when the platform ended the session: signed in
 * again, the account finds them). Each user has their own: another account signed in in this tab never sees nor sends
 * them.
 */
let kept: Waiting = stored();
let waiting: Waiting = {};
const listeners = new Set<Listener>();
takeKept();

/** What sessionStorage kept (a reload), of every account that wrote something. */
function stored(): Waiting {
  try {
    return JSON.parse(sessionStorage.getItem(storageKey) ?? "{}") as Waiting;
  } catch {
    return {};
  }
}

/**
 * The signed-in account's messages kept in storage (from before a reload, signed out or in) become theirs to see and
 * send; those of other accounts stay kept, unseen, until that account signs in here.
 */
function takeKept(): void {
  const me = session.user?.id;
  if (!me || !kept[me]) return;
  waiting = { ...waiting, [me]: { ...kept[me], ...waiting[me] } };
  const { [me]: _taken, ...others } = kept;
  kept = others;
  notify();
}

function save(): void {
  try {
    const all = { ...kept, ...waiting };
    if (Object.keys(all).length) sessionStorage.setItem(storageKey, JSON.stringify(all));
    else sessionStorage.removeItem(storageKey);
  } catch {
    // storage full or refused: they are kept in the page alone
  }
}

function notify(): void {
  for (const listener of listeners) listener();
}

/** The messages `userId` has waiting in the conversation, oldest first. */
export function waitingIn(userId: string, conversationId: string): Pending[] {
  return waiting[userId]?.[conversationId] ?? [];
}

/** Changes the messages the signed-in user `userId` has waiting in the conversation; nothing once another is signed in. */
export function updateWaiting(userId: string, conversationId: string, change: (all: Pending[]) => Pending[]): void {
  if (session.user?.id !== userId) return;
  const before = waitingIn(userId, conversationId);
  const after = change(before);
  if (after.length === before.length && after.every((p, i) => p === before[i])) return;
  const mine = { ...waiting[userId] };
  if (after.length) mine[conversationId] = after;
  else delete mine[conversationId];
  const next = { ...waiting, [userId]: mine };
  if (!Object.keys(mine).length) delete next[userId];
  waiting = next;
  save();
  notify();
}

/** Whether the signed-in user has a message waiting in any conversation. */
export function anyWaiting(): boolean {
  const me = session.user?.id;
  return !!me && Object.keys(waiting[me] ?? {}).length > 0;
}

/** Forgets every message waiting (a sign-out). */
export function forgetWaiting(): void {
  if (!Object.keys(waiting).length && !Object.keys(kept).length) return;
  waiting = {};
  kept = {};
  save();
  notify();
}

/** Re-renders when the messages waiting change; answers those of `userId` in the conversation. */
export function useWaiting(userId: string, conversationId: string): Pending[] {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return waitingIn(userId, conversationId);
}

// signed out by its owner: what waited goes with the session; ended by the platform (a refresh refused), it stays
// for the account that wrote it, sent once they sign in again
session.subscribe(() => (session.user ? takeKept() : session.endedByOwner && forgetWaiting()));

// leaving the app (closing the tab, another site) while a message waits would lose it: the browser asks first
addEventListener("beforeunload", (event) => {
  if (!anyWaiting()) return;
  event.preventDefault();
  event.returnValue = "";
});
