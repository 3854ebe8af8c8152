// Generated from contract/messaging.asyncapi.json by scripts/generate.mjs: do not edit; run clients/typescript/generate.sh.

export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AttachmentDto: {
            /** Format: uuid */
            id: string;
            content_type: string;
            file_name: string | null;
            size_bytes: number;
            url: string;
        };
        AttendeeChange: {
            /** Format: uuid */
            conversation_id: string;
            /** Format: uuid */
            event_id: string;
            /** Format: uuid */
            user_id: string;
        };
        ChatPresence: {
            /** Format: uuid */
            conversation_id: string;
            /** Format: uuid */
            event_id: string;
            /** Format: uuid */
            user_id: string;
            username: string | null;
            display_name: string | null;
        };
        ConversationClosed: {
            /** Format: uuid */
            conversation_id: string;
            reason: string;
        };
        MemberChange: {
            /** Format: uuid */
            conversation_id: string | null;
            /** Format: uuid */
            user_id: string;
            /**
             * Format: uuid
             * @default null
             */
            group_id: string | null;
        };
        MessageDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            conversation_id: string;
            seq: number;
            sender: components["schemas"]["UserRef"];
            text: string | null;
            /** Format: uuid */
            reply_to: string | null;
            attachments: components["schemas"]["AttachmentDto"][];
            /** @description The sender's own client_txn_id; null for everyone else. */
            client_txn_id: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            edited_at: string | null;
            /** Format: date-time */
            deleted_at: string | null;
            /** @description Its sender and the viewer are in a block: the message keeps its place, without text or files, and its sender without name or picture (as a deleted account). */
            hidden: boolean;
        };
        MessageHistory: {
            items: components["schemas"]["MessageDto"][];
            has_more: boolean;
            last_seq: number;
        };
        NotificationActor: {
            /** Format: uuid */
            user_id: string;
            /** @description Their name; null for a deleted account or one messaging has not heard of. */
            name: string | null;
            /** @description Their picture as identity gives it: an uploaded one at GET /api/v1/users/{id}/picture (asked with a token), or a linked address; null when they have none (or messaging has not heard of it yet). */
            profile_image_url: string | null;
        };
        NotificationItem: {
            /**
             * Format: uuid
             * @description The newest notification of the item.
             */
            id: string;
            /** @description The item's notifications, newest first (at most 100): what PATCH /notifications/read takes. */
            ids: string[];
            /** @description What happened. More kinds may come: a client shows the summary for a kind it does not know. Now, each with its subject_type and the members of its data: connection_requested and connection_accepted (connection; connection_id); group_join_requested, to the group's owner and moderators (group; group_id, reason); group_join_decided (group; group_id, approved); group_invited, to the person a member invited to join (group; group_id); registration_confirmed (event; event_id, registration_id, ticket_code); event_registration and event_cancellation, to the event's organizer (event; event_id, registration_id, and previous_status for a cancellation); event_cancelled, to those with a ticket when the event itself is called off (event; event_id, reason), the reason null to someone in a block with its organizer; waiting_list_seat, to the next on a paid event's waiting list when a seat comes free and is held for them to pay (event; event_id, registration_id, amount_cents, currency, expires_at); payment_succeeded (payment; payment_id, purpose, reference_id, amount_cents, currency); payment_refund_failed (payment; payment_id, refund_id, amount_cents, currency, contact_support); course_enrolled (course; course_id, enrollment_id); report_resolved, to the reporter (report; report_id, target_type, target_id, category, action); report_warning, to the person a report resolved with warn is about: the user, the message's author, the group's owner or the event's organizer (report; report_id, target_type, target_id, category, note); message_received (conversation; conversation_id, conversation_kind, message_id, and the thread's group_id or the event chat's event_id, null otherwise). */
            kind: string;
            /** @description What subject_id names: a connection, group, event, payment, course, report or conversation. More may come. */
            subject_type: string;
            /** Format: uuid */
            subject_id: string;
            actor: components["schemas"]["NotificationActor"] | null;
            /** @description How many different people the folded notifications name. */
            actor_count: number;
            /** @description How many notifications the item folds. */
            count: number;
            /** @description The newest notification's details: its members by kind are listed under kind. */
            data: {
                [key: string]: unknown;
            };
            /** @description A sentence for people: "Amira and 3 others sent you 7 messages". */
            summary: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            read_at: string | null;
        };
        PresenceChange: {
            /** Format: uuid */
            user_id: string;
            online: boolean;
        };
        ReadPosition: {
            read_seq: number;
            last_seq: number;
            unread_count: number;
        };
        ReadReceipt: {
            /** Format: uuid */
            conversation_id: string;
            /** Format: uuid */
            user_id: string;
            read_seq: number;
        };
        ThreadDto: {
            /**
             * Format: uuid
             * @description The thread's id, also the id of its conversation.
             */
            id: string;
            /** Format: uuid */
            group_id: string;
            title: string;
            tags: string[];
            author: components["schemas"]["UserRef"];
            pinned: boolean;
            /** Format: date-time */
            pinned_at: string | null;
            /** @description Messages not deleted, the first one included. */
            message_count: number;
            /** @description The conversation's last seq. */
            last_seq: number;
            /** Format: date-time */
            last_activity_at: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        TypingSignal: {
            /** Format: uuid */
            conversation_id: string;
            /** Format: uuid */
            user_id: string;
            username: string | null;
            display_name: string | null;
        };
        UserRef: {
            /** Format: uuid */
            user_id: string;
            username: string | null;
            display_name: string | null;
            /**
             * @description Their picture as identity gives it: an uploaded one at GET /api/v1/users/{id}/picture (asked with a token), or a linked address; null when they have none (or messaging has not heard of it yet).
             * @default null
             */
            profile_image_url: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

/** The hub's address under the gateway. */
export const hubPath = "/hubs/chat";

/** Hub methods a client invokes: their arguments, in order, and what they answer. */
export interface HubMethods {
    /** Starts live delivery of the conversation to this connection; answers the messages after since_seq (at most 100, oldest first; has_more: join again from the last) or, with null, the newest page. An event chat's members hear user_joined when it is the caller's first connection in it (not when it takes back a leave not told yet). A connection has at most 100 conversations joined at once. */
    JoinConversation: { args: [id: string, since_seq: number | null]; result: components["schemas"]["MessageHistory"] };
    /** Stops live delivery of the conversation to this connection (an event chat's members hear user_left 5 seconds after it was the caller's last connection in it, unless the caller opens it again meanwhile). */
    LeaveConversation: { args: [id: string]; result: void };
    /** Subscribes this connection to a group's member_joined and member_left (conversation_id null) while the caller is a member; a non-member gets the 404 of a group that does not exist. At most 100 groups a connection. */
    JoinGroup: { args: [group_id: string]; result: void };
    /** Ends this connection's subscription to the group's community events. */
    LeaveGroup: { args: [group_id: string]; result: void };
    /** Sends a message (idempotent per client_txn_id, as POST /conversations/{id}/messages); answers the message. */
    SendMessage: { args: [id: string, text: string, client_txn_id: string, reply_to: string | null]; result: components["schemas"]["MessageDto"] };
    /** Edits one of the caller's messages; answers the message. */
    EditMessage: { args: [id: string, message_id: string, text: string | null]; result: components["schemas"]["MessageDto"] };
    /** Deletes a message: the caller's own, or, as a thread's moderator or an event chat's organizer, anyone's; answers its tombstone. */
    DeleteMessage: { args: [id: string, message_id: string]; result: components["schemas"]["MessageDto"] };
    /** Moves the caller's read position to seq; answers the read position and unread count. */
    MarkRead: { args: [id: string, seq: number]; result: components["schemas"]["ReadPosition"] };
    /** Tells the other members' joined connections the caller is typing (never stored); repeat it while typing: stop_typing follows 5 seconds after the last call, or at once on a send or StopTyping. */
    Typing: { args: [id: string]; result: void };
    /** Tells the other members' joined connections the caller stopped typing. */
    StopTyping: { args: [id: string]; result: void };
}

/** Events the hub sends: each one's payload. */
export interface HubEvents {
    /** A message in a joined conversation (client_txn_id only on the sender's own connections). */
    new_message: components["schemas"]["MessageDto"];
    /** A message of a joined conversation was edited. */
    message_updated: components["schemas"]["MessageDto"];
    /** A message of a joined conversation was deleted: its tombstone. */
    message_deleted: components["schemas"]["MessageDto"];
    /** Another member is typing in a joined conversation (with their username and display_name); stop_typing follows when they stop, send, or do not repeat it within 5 seconds. */
    typing: components["schemas"]["TypingSignal"];
    /** Another member stopped typing in a joined conversation: they said so, sent a message, or let 5 seconds pass. */
    stop_typing: components["schemas"]["TypingSignal"];
    /** Someone joined the group of a joined thread (conversation_id the thread) or of a group subscribed to with JoinGroup (conversation_id null). */
    member_joined: components["schemas"]["MemberChange"];
    /** Someone left, or was removed from, the group of a joined thread or of a subscribed group (as member_joined). */
    member_left: components["schemas"]["MemberChange"];
    /** Someone registered for the event of a joined event chat (they are now among its members). */
    attendee_registered: components["schemas"]["AttendeeChange"];
    /** Someone cancelled their registration for the event of a joined event chat (they left its members). */
    attendee_cancelled: components["schemas"]["AttendeeChange"];
    /** Someone opened a joined event chat (their first connection joined it); not told when they open it again before their user_left was told. */
    user_joined: components["schemas"]["ChatPresence"];
    /** Someone left a joined event chat: told 5 seconds after their last connection in it left or closed, and not at all when they open it again meanwhile. */
    user_left: components["schemas"]["ChatPresence"];
    /** A thread was started in one of the user's groups (to every connection of its members, subscribed or not). */
    new_thread: components["schemas"]["ThreadDto"];
    /** A member's read position in a joined conversation moved. */
    read: components["schemas"]["ReadReceipt"];
    /** A connection of the user came online (their first hub connection) or went offline (their last one closed). */
    presence: components["schemas"]["PresenceChange"];
    /** A joined conversation is gone: its thread was deleted, or its group (reason thread_deleted or group_deleted). Its messages can no longer be read or sent; a client stops showing them. */
    conversation_closed: components["schemas"]["ConversationClosed"];
    /** A new notification for the user. */
    notification: components["schemas"]["NotificationItem"];
}

export const hubMethodNames = ["JoinConversation","LeaveConversation","JoinGroup","LeaveGroup","SendMessage","EditMessage","DeleteMessage","MarkRead","Typing","StopTyping"] as const;

export const hubEventNames = ["new_message","message_updated","message_deleted","typing","stop_typing","member_joined","member_left","attendee_registered","attendee_cancelled","user_joined","user_left","new_thread","read","presence","conversation_closed","notification"] as const;
