// Generated from contract/ai-companion.openapi.json by scripts/generate.mjs: do not edit; run clients/typescript/generate.sh.

export interface paths {
    "/api/v1/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My concierge feed, newest first (opportunities, connections, courses that fit, boost reminders); priority is a field, not the order */
        get: operations["ListActivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/activity/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark one of my items read (404 for anyone else's) */
        post: operations["MarkActivityRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/activity/read-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark every item of my feed read */
        post: operations["MarkAllActivityRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/companion/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My messages with the companion today, my tier's daily limit (null: unlimited), my open session and when the count resets */
        get: operations["GetCompanionUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/companion/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Buy a session with credits (Idempotency-Key header): 202 pending until payments spends the credits, 200 the same key again, 409 while another session is open, 422 for a tier without a daily limit */
        post: operations["BuyCompanionSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/companion/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of my sessions: pending, active, rejected (not paid, or paid back) or ended */
        get: operations["GetCompanionSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/companion/conversation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My conversation with the companion (an AI, not a person), newest message first */
        get: operations["GetCompanionConversation"];
        put?: never;
        post?: never;
        /** Forget my whole conversation with the companion, irreversibly */
        delete: operations["DeleteCompanionConversation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/companion/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Say something to the companion: my message and its reply (201); the same client_txn_id again returns the first answer (200) */
        post: operations["SendCompanionMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/companion/messages/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** As SendCompanionMessage, the reply as server-sent events: delta events, replace (a safety hit: show its text instead), reminder, then done (stored ids, usage) or error */
        post: operations["StreamCompanionMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/companion/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What I let the companion know */
        get: operations["GetCompanionSettings"];
        /** Change what I let the companion know */
        put: operations["PutCompanionSettings"];
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
        ActivityItem: {
            /** Format: uuid */
            id: string;
            /**
             * @description opportunity (an event or circle near me), connection (a new connection with shared interests), insight (a course that fits), boost (my boost ended).
             * @enum {string}
             */
            type: "opportunity" | "connection" | "insight" | "boost";
            /**
             * @description high, medium or low.
             * @enum {string}
             */
            priority: "high" | "medium" | "low";
            title: string;
            description: string;
            action_text: string;
            /** @description A relative link to what the item is about. */
            action_link: string;
            /** Format: date-time */
            created_at: string;
            read: boolean;
        };
        ActivityMarked: {
            /**
             * Format: int32
             * @description How many items became read (those already read do not count).
             */
            updated: number;
        };
        /** @description Today's companion messages used up: what the 429 of a message to the companion says beside its text. A 429 without these members is not about the allowance: replies to the caller's other messages are still being written (wait for one, or the Retry-After), or requests came too fast. */
        AllowanceUsedDto: {
            /**
             * Format: int64
             * @description Messages counted today.
             */
            used_today?: number;
            /**
             * Format: int64
             * @description The tier's daily limit.
             */
            daily_limit?: null | number;
            /**
             * @description The caller's tier (free, premium, elite).
             * @enum {string}
             */
            tier?: "free" | "premium" | "elite";
            /**
             * Format: date-time
             * @description The next UTC midnight, when the limit resets.
             */
            resets_at?: string;
            /**
             * Format: int64
             * @description What a session bought with credits costs (POST /api/v1/companion/sessions).
             */
            session_price_credits?: number;
            /**
             * Format: int32
             * @description How long a session lasts.
             */
            session_minutes?: number;
            /**
             * Format: int32
             * @description How many messages a session allows; null: no limit within its time.
             */
            session_messages?: null | number;
        };
        /** @description What a 415 says beside the Problem's members when a JSON body named a charset other than UTF-8. */
        CharsetRefusal: {
            /** @description The one charset JSON bodies are read in: utf-8. */
            supported_charset?: string;
        };
        /** @description A user message and the companion's reply to it. */
        CompanionExchange: {
            message: components["schemas"]["CompanionMessageDto"];
            reply: components["schemas"]["CompanionMessageDto"];
            usage: components["schemas"]["TokenUsageDto"];
            /** @description The companion is an AI, not a person: stated on every read and on the first reply of every conversation. */
            disclosure: string;
        };
        CompanionMessageDto: {
            /** Format: uuid */
            id: string;
            /**
             * Format: int64
             * @description The message's number within the caller's conversation: 1, 2, 3... in order (a message and its reply take two in a row); it keeps counting after the conversation is deleted.
             */
            seq: number;
            /**
             * @description user or assistant (the companion).
             * @enum {string}
             */
            role: "user" | "assistant";
            text: string;
            /** @description The user's client_txn_id; null on the companion's replies. */
            client_txn_id?: null | string;
            /**
             * Format: uuid
             * @description The user message a reply answers.
             */
            reply_to?: null | string;
            /** @description Who wrote a reply: model, offline (the built-in responder, not a language model) or safety (the crisis message or a refusal). */
            responder?: null | string;
            /** Format: date-time */
            created_at: string;
            safety?: null | string;
            reminder?: null | string;
        };
        CompanionSettingsDto: {
            /** @description Whether the companion may use the profile summary (interests, region, identity badge) in its context; false by default. */
            share_profile: boolean;
        };
        /** @description The caller's conversation, newest message first. */
        ConversationHistory: {
            /** @description The companion is an AI, not a person: stated on every read and on the first reply of every conversation. */
            disclosure: string;
            items: components["schemas"]["CompanionMessageDto"][];
            /** @description The next (older) page; null on the last. */
            next_cursor?: null | string;
        };
        /** @description One page of a timeline (keyset paging): `items, next_cursor`; no next cursor on the last page. */
        CursorPageOfActivityItem: {
            items: components["schemas"]["ActivityItem"][];
            next_cursor?: null | string;
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
        SendCompanionMessage: {
            /** @description What the user says, 1-2000 characters once trimmed. */
            text: string;
            /** @description The client's own id of this send (1-100 characters): the same id again returns the first answer. */
            client_txn_id: string;
        };
        /** @description A session bought with credits, as its buyer sees it. */
        SessionDto: {
            /** Format: uuid */
            id: string;
            /**
             * @description pending (payments has not answered yet), active (lifting the daily limit), rejected (not paid, or paid back), ended.
             * @enum {string}
             */
            state: "pending" | "active" | "rejected" | "ended";
            /** Format: int64 */
            price_credits: number;
            /** Format: int32 */
            minutes: number;
            /**
             * Format: int32
             * @description Messages past the daily limit the session gives at most; null: as many as its time allows.
             */
            message_allowance?: null | number;
            /** Format: int32 */
            messages_used: number;
            /** Format: date-time */
            requested_at: string;
            /** Format: date-time */
            starts_at?: null | string;
            /** Format: date-time */
            ends_at?: null | string;
            /** @description Why a rejected session did not start (insufficient_credits, not_for_sale, or the companion's reason; its credits were given back). */
            rejection?: null | string;
        };
        /** @description The session that stands in the way of buying another: what the 409 of a purchase names. */
        SessionOpen: {
            /**
             * Format: uuid
             * @description The session bought before.
             */
            session_id?: string;
            /**
             * @description Its state now: pending (waiting for payment) or active.
             * @enum {string}
             */
            state?: "pending" | "active";
        };
        StreamDelta: {
            text: string;
        };
        /** @description The final event of a streamed reply: what was stored, and what it cost. */
        StreamDone: {
            /** Format: uuid */
            message_id: string;
            /** Format: uuid */
            reply_id: string;
            responder: string;
            /** @description What a reply cost in the model's tokens (none for an answer the model did not write). */
            usage: {
                /** Format: int32 */
                prompt_tokens: number;
                /** Format: int32 */
                completion_tokens: number;
            };
            replayed: boolean;
            message: {
                /** Format: uuid */
                id: string;
                /**
                 * Format: int64
                 * @description The message's number within the caller's conversation: 1, 2, 3... in order (a message and its reply take two in a row); it keeps counting after the conversation is deleted.
                 */
                seq: number;
                /**
                 * @description user or assistant (the companion).
                 * @enum {string}
                 */
                role: "user" | "assistant";
                text: string;
                /** @description The user's client_txn_id; null on the companion's replies. */
                client_txn_id?: null | string;
                /**
                 * Format: uuid
                 * @description The user message a reply answers.
                 */
                reply_to?: null | string;
                /** @description Who wrote a reply: model, offline (the built-in responder, not a language model) or safety (the crisis message or a refusal). */
                responder?: null | string;
                /** Format: date-time */
                created_at: string;
                safety?: null | string;
                reminder?: null | string;
            };
            reply: {
                /** Format: uuid */
                id: string;
                /**
                 * Format: int64
                 * @description The message's number within the caller's conversation: 1, 2, 3... in order (a message and its reply take two in a row); it keeps counting after the conversation is deleted.
                 */
                seq: number;
                /**
                 * @description user or assistant (the companion).
                 * @enum {string}
                 */
                role: "user" | "assistant";
                text: string;
                /** @description The user's client_txn_id; null on the companion's replies. */
                client_txn_id?: null | string;
                /**
                 * Format: uuid
                 * @description The user message a reply answers.
                 */
                reply_to?: null | string;
                /** @description Who wrote a reply: model, offline (the built-in responder, not a language model) or safety (the crisis message or a refusal). */
                responder?: null | string;
                /** Format: date-time */
                created_at: string;
                safety?: null | string;
                reminder?: null | string;
            };
        };
        /** @description An error after the stream started (its status was already sent): the problem's title, status and detail, and the request's id (X-Request-Id) to quote when reporting it, as every problem the platform answers has. */
        StreamError: {
            title: string;
            /** Format: int32 */
            status: number;
            detail: string;
            request_id: string;
        };
        /** @description The minors' break reminder, shown beside the reply (not part of its text). */
        StreamReminder: {
            text: string;
        };
        /** @description A safety hit in the model's streamed reply: the reply shown so far (every delta since the request) is replaced by string StreamReplace.Text, the whole reply as stored; string? StreamReplace.Safety is crisis or refusal. No more deltas follow. */
        StreamReplace: {
            text: string;
            safety?: null | string;
        };
        /** @description What a reply cost in the model's tokens (none for an answer the model did not write). */
        TokenUsageDto: {
            /** Format: int32 */
            prompt_tokens: number;
            /** Format: int32 */
            completion_tokens: number;
        };
        UpdateCompanionSettings: {
            share_profile?: null | boolean;
        };
        /** @description Today's use of the companion. */
        UsageDto: {
            /**
             * Format: int64
             * @description Messages counted today (UTC) against the daily limit; messages a session carried past it count in the session.
             */
            used_today: number;
            /**
             * Format: int64
             * @description The tier's daily limit; null: unlimited.
             */
            daily_limit?: null | number;
            /** @enum {string} */
            tier: "free" | "premium" | "elite";
            session?: null | components["schemas"]["SessionDto"];
            /**
             * Format: date-time
             * @description The next midnight UTC, when the count starts again.
             */
            resets_at: string;
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
    ListActivity: {
        parameters: {
            query?: {
                /** @description The next_cursor of the previous page: the page after it; without it, the first page. A cursor not in the form this list gives out is a 400. */
                cursor?: string;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
                /** @description Only items not yet read. */
                unread_only?: boolean;
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
                    "application/json": components["schemas"]["CursorPageOfActivityItem"];
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
    MarkActivityRead: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The feed item's id. */
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
    MarkAllActivityRead: {
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
                    "application/json": components["schemas"]["ActivityMarked"];
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
    GetCompanionUsage: {
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
                    "application/json": components["schemas"]["UsageDto"];
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
    BuyCompanionSession: {
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
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description Accepted */
            202: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["SessionOpen"];
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
    GetCompanionSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The session's id. */
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
                    "application/json": components["schemas"]["SessionDto"];
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
    GetCompanionConversation: {
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
                    "application/json": components["schemas"]["ConversationHistory"];
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
    DeleteCompanionConversation: {
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
    SendCompanionMessage: {
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
                 *       "text": "Which events this weekend suit someone who likes hiking?",
                 *       "client_txn_id": "c0mp-0001"
                 *     }
                 */
                "application/json": components["schemas"]["SendCompanionMessage"];
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
                    "application/json": components["schemas"]["CompanionExchange"];
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
                    "application/json": components["schemas"]["CompanionExchange"];
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["AllowanceUsedDto"];
                };
            };
            /** @description Bad Gateway */
            502: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
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
    StreamCompanionMessage: {
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
                /**
                 * @example {
                 *       "text": "Which events this weekend suit someone who likes hiking?",
                 *       "client_txn_id": "c0mp-0001"
                 *     }
                 */
                "application/json": components["schemas"]["SendCompanionMessage"];
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
                    "text/event-stream": string;
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["AllowanceUsedDto"];
                };
            };
            /** @description Bad Gateway */
            502: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
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
    GetCompanionSettings: {
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
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CompanionSettingsDto"];
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
    PutCompanionSettings: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateCompanionSettings"];
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
                    "application/json": components["schemas"]["CompanionSettingsDto"];
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
}
