// Generated from contract/messaging.openapi.json by scripts/generate.mjs: do not edit; run clients/typescript/generate.sh.

export interface paths {
    "/api/v1/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My conversations, newest activity first, each with its unread count and last message */
        get: operations["ListConversations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/direct": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The direct conversation with a connection: the existing one (200) or a new one (201); never across a block */
        post: operations["StartDirectConversation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/by-event/{event_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An event's chat, for its organizer and confirmed attendees */
        get: operations["GetEventChat"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of my conversations */
        get: operations["GetConversation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages in seq order: before_seq pages back through history, after_seq catches up; neither gives the newest */
        get: operations["ListMessages"];
        put?: never;
        /** Send a message (201); the same client_txn_id again returns the first attempt's message (200) */
        post: operations["SendMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/messages/{message_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One message, as the history shows it (hidden in place across a block); 404 once deleted */
        get: operations["GetMessage"];
        put?: never;
        post?: never;
        /** Delete a message, leaving a tombstone with its seq (its author, a thread's moderators, an event's organizer) */
        delete: operations["DeleteMessage"];
        options?: never;
        head?: never;
        /** Change my message's text within 15 minutes of sending */
        patch: operations["EditMessage"];
        trace?: never;
    };
    "/api/v1/conversations/{id}/messages/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Full-text search of the conversation's messages, newest first */
        get: operations["SearchMessages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move my read position forward */
        post: operations["MarkConversationRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/mute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Mute: the conversation leaves my unread total */
        put: operations["MuteConversation"];
        post?: never;
        /** Unmute */
        delete: operations["UnmuteConversation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/unread-count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Unread messages in my conversations, in total and per kind (muted ones excepted) */
        get: operations["GetUnreadCount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/attachments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upload a file for a message (JPEG, PNG, WebP or PDF judged by content, at most 10 MB; images re-encoded; form field file); 409 past 20 files uploaded and not sent, which are deleted a day after their upload */
        post: operations["UploadAttachment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/attachments/{attachment_id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The file's bytes: for the conversation's members once sent, before that for its uploader only */
        get: operations["GetAttachmentContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/attachments/{attachment_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a file uploaded and not sent yet (its uploader), freeing its place; one sent goes with its message (409) */
        delete: operations["DeleteAttachment"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/threads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A group's threads: pinned first, then the newest activity */
        get: operations["ListThreads"];
        put?: never;
        /** Start a thread in a group I belong to, with its first message (NewThread; new_thread to the group's members) */
        post: operations["CreateThread"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/threads/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Threads of my groups whose title or messages match q (full-text search), newest activity first */
        get: operations["SearchThreads"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/threads/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A thread with its message count, last activity, pin, tags and author */
        get: operations["GetThread"];
        put?: never;
        post?: never;
        /** Delete a thread, its author or a group moderator: it leaves the lists and its messages every read */
        delete: operations["DeleteThread"];
        options?: never;
        head?: never;
        /** Change a thread's title or tags, its author or a group moderator (JSON merge: absent keeps, null clears tags) */
        patch: operations["UpdateThread"];
        trace?: never;
    };
    "/api/v1/threads/{id}/pin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pin a thread to the top of its group's list (moderators; idempotent) */
        post: operations["PinThread"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/threads/{id}/unpin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unpin a thread (moderators; idempotent) */
        post: operations["UnpinThread"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/threads/{id}/messages/{message_id}/replies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The messages replying to a message of the thread, oldest first */
        get: operations["ListReplies"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My notifications, newest first; repeats of one kind on one subject fold into one item (unread and read apart)
         * @description A notification is kept 90 days (unless the deployment sets another period), read or unread, then deleted: it leaves the list, the unread count and the digest. A conversation's unread messages still count in its own unread_count, which no notification holds.
         */
        get: operations["ListNotifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Mark some ({ids}) or all ({all: true}) of my notifications read */
        patch: operations["MarkNotificationsRead"];
        trace?: never;
    };
    "/api/v1/notifications/unread-count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My unread notifications, in total and per kind */
        get: operations["GetNotificationUnreadCount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AttachmentDto: {
            /** Format: uuid */
            id: string;
            content_type: string;
            file_name?: null | string;
            /** Format: int64 */
            size_bytes: number;
            url: string;
        };
        /** @description What a 415 says beside the Problem's members when a JSON body named a charset other than UTF-8. */
        CharsetRefusal: {
            /** @description The one charset JSON bodies are read in: utf-8. */
            supported_charset?: string;
        };
        /** @description A conversation as one of its members sees it. */
        ConversationDto: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "direct" | "thread" | "event_chat";
            other_user?: null | components["schemas"]["UserRef"];
            /** Format: uuid */
            group_id?: null | string;
            /** Format: uuid */
            event_id?: null | string;
            /** Format: int64 */
            last_seq: number;
            /** Format: int64 */
            read_seq: number;
            /**
             * Format: int64
             * @description last_seq - read_seq, computed by the server.
             */
            unread_count: number;
            muted: boolean;
            /** @description Closed for sending: a cancelled event, a deleted group. */
            closed: boolean;
            /** @description Whether the caller may send now (not closed, no block, still connected for a direct conversation). */
            can_send: boolean;
            last_message?: null | components["schemas"]["MessagePreview"];
            /** Format: date-time */
            last_activity_at: string;
            /** Format: date-time */
            created_at: string;
        };
        /** @description A new thread and its first message. */
        CreateThread: {
            /** Format: uuid */
            group_id: string;
            /** @description 1-200 characters. */
            title: string;
            /** @description The first message, at most 4000 characters. */
            text: string;
            /** @description At most 10 tags of 1-32 characters without spaces. */
            tags?: null | string[];
        };
        /** @description One page of a timeline (keyset paging): `items, next_cursor`; no next cursor on the last page. */
        CursorPageOfConversationDto: {
            items: components["schemas"]["ConversationDto"][];
            next_cursor?: null | string;
        };
        /** @description One page of a timeline (keyset paging): `items, next_cursor`; no next cursor on the last page. */
        CursorPageOfMessageDto: {
            items: components["schemas"]["MessageDto"][];
            next_cursor?: null | string;
        };
        /** @description One page of a timeline (keyset paging): `items, next_cursor`; no next cursor on the last page. */
        CursorPageOfNotificationItem: {
            items: components["schemas"]["NotificationItem"][];
            next_cursor?: null | string;
        };
        /** @description One page of a timeline (keyset paging): `items, next_cursor`; no next cursor on the last page. */
        CursorPageOfThreadDto: {
            items: components["schemas"]["ThreadDto"][];
            next_cursor?: null | string;
        };
        EditMessage: {
            /** @description The new text, 1-4000 characters (may be empty only when the message has attachments). */
            text?: null | string;
        };
        JsonElement: {
            [key: string]: unknown;
        };
        MarkNotificationsRead: {
            /** @description Notifications to mark read (1-100 ids), each with the earlier ones folded into its item (an item's id reads the whole item); ids that are not the caller's change nothing. Not with all. */
            ids?: null | string[];
            /** @description true: mark every notification of the caller read. Not with ids. */
            all?: null | boolean;
        };
        MarkRead: {
            /**
             * Format: int64
             * @description The seq read up to; a lower one than before changes nothing, a higher one than the last message stops there.
             */
            seq: number;
        };
        /** @description A message; a deleted one is a tombstone (text null, no attachments) that keeps its seq, and so is one hidden from the viewer by a block between them and its sender (hidden true; the sender nameless), while the block lasts. */
        MessageDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            conversation_id: string;
            /** Format: int64 */
            seq: number;
            sender: components["schemas"]["UserRef"];
            text?: null | string;
            /** Format: uuid */
            reply_to?: null | string;
            attachments: components["schemas"]["AttachmentDto"][];
            /** @description The sender's own client_txn_id; null for everyone else. */
            client_txn_id?: null | string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            edited_at?: null | string;
            /** Format: date-time */
            deleted_at?: null | string;
            /** @description Its sender and the viewer are in a block: the message keeps its place, without text or files, and its sender without name or picture (as a deleted account). */
            hidden: boolean;
        };
        /** @description Messages in seq order; has_more says whether more lie beyond the page in the direction read. */
        MessageHistory: {
            items: components["schemas"]["MessageDto"][];
            has_more: boolean;
            /** Format: int64 */
            last_seq: number;
        };
        /** @description The newest message of a conversation, as its list shows it; text is cut to 140 characters and null once deleted, or while its sender and the viewer are in a block (hidden). */
        MessagePreview: {
            /** Format: uuid */
            id: string;
            /** Format: int64 */
            seq: number;
            /** Format: uuid */
            sender_id: string;
            text?: null | string;
            deleted: boolean;
            /** Format: int32 */
            attachment_count: number;
            /** Format: date-time */
            created_at: string;
            hidden: boolean;
        };
        NotificationActor: {
            /** Format: uuid */
            user_id: string;
            /** @description Their name; null for a deleted account or one messaging has not heard of. */
            name?: null | string;
            /** @description Their picture as identity gives it: an uploaded one at GET /api/v1/users/{id}/picture (asked with a token), or a linked address; null when they have none (or messaging has not heard of it yet). */
            profile_image_url?: null | string;
        };
        /** @description One list item: a notification, or several of one kind on one subject folded together (all unread, or all read). */
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
            actor?: null | components["schemas"]["NotificationActor"];
            /**
             * Format: int32
             * @description How many different people the folded notifications name.
             */
            actor_count: number;
            /**
             * Format: int32
             * @description How many notifications the item folds.
             */
            count: number;
            /** @description The newest notification's details: its members by kind are listed under kind. */
            data: components["schemas"]["JsonElement"];
            /** @description A sentence for people: "Amira and 3 others sent you 7 messages". */
            summary: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            read_at?: null | string;
        };
        NotificationsMarked: {
            /**
             * Format: int32
             * @description How many notifications became read (already read ones and others' ids do not count).
             */
            updated: number;
        };
        NotificationUnreadCount: {
            /** Format: int64 */
            total: number;
            by_kind: {
                [key: string]: number;
            };
        };
        /** @description An RFC 9457 problem; a refusal may add members a client acts on (balance, required, retry hints...). */
        Problem: {
            /**
             * Format: uri-reference
             * @description A URI naming the kind of problem.
             */
            type?: string;
            /** @description A short summary of the kind of problem. */
            title: string;
            /**
             * Format: int32
             * @description The HTTP status code.
             */
            status: number;
            /** @description What went wrong with this request. */
            detail?: string;
            /**
             * Format: uri-reference
             * @description The path of the request.
             */
            instance?: string;
            /** @description The request's id (X-Request-Id): quote it when reporting the problem. */
            request_id: string;
            /** @description The W3C trace id of the request. */
            trace_id?: string;
            /** @description Validation errors: each field (snake_case, as sent) with its messages. */
            errors?: {
                [key: string]: string[];
            };
        };
        ReadPosition: {
            /** Format: int64 */
            read_seq: number;
            /** Format: int64 */
            last_seq: number;
            /** Format: int64 */
            unread_count: number;
        };
        /** @description What a send carries; the REST body and the hub's SendMessage both come here. */
        SendMessage: {
            /** @description At most 4000 characters; required unless attachments are sent. */
            text?: null | string;
            /** @description At most 10 distinct ids of attachments uploaded to this conversation. */
            attachments?: null | string[];
            /**
             * Format: uuid
             * @description A message of this conversation this one answers.
             */
            reply_to?: null | string;
            /** @description The client's own id of this send (at most 64 characters): the same id again returns the first message. */
            client_txn_id: string;
        };
        /** @description The direct conversation with another member: the existing one, or a new one. */
        StartDirectConversation: {
            /**
             * Format: uuid
             * @description The other member.
             */
            user_id: string;
        };
        /** @description A thread's merge patch (absent keeps, null clears tags): title 1-200, tags at most 10. */
        ThreadChanges: {
            title?: null | string;
            tags?: null | string[];
        };
        /** @description A thread as a member of its group sees it; its messages are read and sent at /api/v1/conversations/{id}/messages. */
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
            pinned_at?: null | string;
            /**
             * Format: int64
             * @description Messages not deleted, the first one included.
             */
            message_count: number;
            /**
             * Format: int64
             * @description The conversation's last seq.
             */
            last_seq: number;
            /** Format: date-time */
            last_activity_at: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        UnreadByKind: {
            /** Format: int64 */
            direct: number;
            /** Format: int64 */
            thread: number;
            /** Format: int64 */
            event_chat: number;
        };
        /** @description Unread messages over the caller's conversations (muted and hidden ones do not count). */
        UnreadCountDto: {
            /** Format: int64 */
            total: number;
            by_kind: components["schemas"]["UnreadByKind"];
        };
        /** @description A person as messaging knows them (from identity's events); names and picture are null for a deleted account. */
        UserRef: {
            /** Format: uuid */
            user_id: string;
            username?: null | string;
            display_name?: null | string;
            profile_image_url?: null | string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    ListConversations: {
        parameters: {
            query?: {
                /** @description Only conversations of this kind: direct (with a connection), thread (in a group) or event_chat; absent: all of them. */
                kind?: "direct" | "thread" | "event_chat";
                /** @description The next_cursor of the previous page: the page after it; without it, the first page. A cursor not in the form this list gives out is a 400. */
                cursor?: string;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CursorPageOfConversationDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    StartDirectConversation: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description Repeating a request with the same key answers the first one's result instead of doing it again. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "user_id": "0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10"
                 *     }
                 */
                "application/json": components["schemas"]["StartDirectConversation"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationDto"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, the same request may succeed after this many seconds (what it names has not reached this service yet, or the same request is still running); when absent, the conflict stands. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CharsetRefusal"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    GetEventChat: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
                event_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    GetConversation: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ListMessages: {
        parameters: {
            query?: {
                /** @description Messages before this seq (history), the newest of them first in the page's order. */
                before_seq?: number;
                /** @description Messages after this seq (catch-up after a reconnect). */
                after_seq?: number;
                /** @description Items per page, 1-100; 50 without it. */
                limit?: number;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageHistory"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SendMessage: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description Repeating a request with the same key answers the first one's result instead of doing it again. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "text": "See you at the trailhead at 6!",
                 *       "client_txn_id": "a6f1c2d4-0001"
                 *     }
                 */
                "application/json": components["schemas"]["SendMessage"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageDto"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, the same request may succeed after this many seconds (what it names has not reached this service yet, or the same request is still running); when absent, the conflict stands. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CharsetRefusal"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    GetMessage: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
                /** @description The id of one of the conversation's messages. */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    DeleteMessage: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
                /** @description The id of one of the conversation's messages. */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    EditMessage: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
                /** @description The id of one of the conversation's messages. */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EditMessage"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, the same request may succeed after this many seconds (what it names has not reached this service yet, or the same request is still running); when absent, the conflict stands. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Precondition Failed */
            412: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CharsetRefusal"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SearchMessages: {
        parameters: {
            query: {
                /** @description Words to find in the messages (web-search syntax: "quoted phrase", -without, or); required, at most 200 characters. */
                q: string;
                /** @description Matches before this seq (the next page: the last seq of the page before). */
                before_seq?: number;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageHistory"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    MarkConversationRead: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MarkRead"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReadPosition"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CharsetRefusal"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    MuteConversation: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UnmuteConversation: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    GetUnreadCount: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnreadCountDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UploadAttachment: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description Repeating a request with the same key answers the first one's result instead of doing it again. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: Blob;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttachmentDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request Timeout */
            408: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, the same request may succeed after this many seconds (what it names has not reached this service yet, or the same request is still running); when absent, the conflict stands. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Payload Too Large */
            413: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    GetAttachmentContent: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
                /** @description The id of one of the conversation's attachments. */
                attachment_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": Blob;
                    "image/png": Blob;
                    "image/webp": Blob;
                    "application/pdf": Blob;
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    DeleteAttachment: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The conversation's id. */
                id: string;
                /** @description The id of one of the conversation's attachments. */
                attachment_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, the same request may succeed after this many seconds (what it names has not reached this service yet, or the same request is still running); when absent, the conflict stands. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ListThreads: {
        parameters: {
            query: {
                /** @description The group whose threads to list. */
                group_id: string;
                /** @description The next_cursor of the previous page: the page after it; without it, the first page. A cursor not in the form this list gives out is a 400. */
                cursor?: string;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CursorPageOfThreadDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    CreateThread: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description Repeating a request with the same key answers the first one's result instead of doing it again. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "group_id": "0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10",
                 *       "title": "Gear for the winter hikes",
                 *       "text": "What are you all wearing for the cold mornings?",
                 *       "tags": [
                 *         "gear",
                 *         "winter"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["CreateThread"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ThreadDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, the same request may succeed after this many seconds (what it names has not reached this service yet, or the same request is still running); when absent, the conflict stands. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CharsetRefusal"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    SearchThreads: {
        parameters: {
            query: {
                /** @description Words to find in titles and messages (web-search syntax). */
                q: string;
                /** @description Only this group's threads. */
                group_id?: string;
                /** @description The next_cursor of the previous page: the page after it; without it, the first page. A cursor not in the form this list gives out is a 400. */
                cursor?: string;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CursorPageOfThreadDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    GetThread: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The thread's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ThreadDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    DeleteThread: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The thread's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UpdateThread: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path: {
                /** @description The thread's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ThreadChanges"];
                "application/merge-patch+json": components["schemas"]["ThreadChanges"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ThreadDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Precondition Failed */
            412: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CharsetRefusal"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    PinThread: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The thread's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ThreadDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    UnpinThread: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The thread's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ThreadDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ListReplies: {
        parameters: {
            query?: {
                /** @description The next_cursor of the previous page: the page after it; without it, the first page. A cursor not in the form this list gives out is a 400. */
                cursor?: string;
                /** @description Items per page, 1-100; 50 without it. */
                limit?: number;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The thread's id. */
                id: string;
                /** @description The id of the thread's message the replies answer. */
                message_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CursorPageOfMessageDto"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    ListNotifications: {
        parameters: {
            query?: {
                /** @description The next_cursor of the previous page: the page after it; without it, the first page. A cursor not in the form this list gives out is a 400. */
                cursor?: string;
                /** @description Only unread notifications. */
                unread_only?: boolean;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CursorPageOfNotificationItem"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    MarkNotificationsRead: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MarkNotificationsRead"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationsMarked"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CharsetRefusal"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    GetNotificationUnreadCount: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationUnreadCount"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description When present, how many seconds to wait before asking again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
