// Generated from contract/events.openapi.json by scripts/generate.mjs: do not edit; run clients/typescript/generate.sh.

export interface paths {
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Browse published events (anonymous: public ones) */
        get: operations["ListEvents"];
        put?: never;
        /** Create a draft event (organizer or admin) */
        post: operations["CreateEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Publish a draft (owner or admin) */
        post: operations["PublishEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Event details, with my registration when signed in */
        get: operations["GetEvent"];
        put?: never;
        post?: never;
        /** Delete a draft, or cancel a published event */
        delete: operations["DeleteEvent"];
        options?: never;
        head?: never;
        /**
         * Change an event (JSON merge: absent keeps, null clears)
         * @description 409 for a cancelled event, and for a published one that has ended (an admin's change excepted): it stays as it took place. An event under way may keep its past start as it is and run longer; a changed ends_at must be in the future.
         */
        patch: operations["UpdateEvent"];
        trace?: never;
    };
    "/api/v1/events/nearby": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Upcoming events within radius_km, nearest first */
        get: operations["NearbyEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/my": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Events I created and events I joined
         * @description Each list latest start first, at most 200 events; created_has_more and joined_has_more say whether those starting earliest were left out, and created_next_cursor and joined_next_cursor read them (as cursor of GET /api/v1/events/my/created and /my/joined).
         */
        get: operations["MyEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/my/created": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Events I organize, drafts included, latest start first, a page at a time
         * @description Ordered by start, then id. A cursor is the position (start, id) of the last event of its page: an event whose start moves while the pages are read may be listed twice or not at all, so a client keeps each id once.
         */
        get: operations["MyCreatedEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/my/joined": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Events I hold a live registration for (waitlist included), with it, latest start first, a page at a time
         * @description Ordered by start, then id. A cursor is the position (start, id) of the last event of its page: an event whose start moves while the pages are read may be listed twice or not at all, so a client keeps each id once.
         */
        get: operations["MyJoinedEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}.ics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The event as an iCalendar file */
        get: operations["GetEventCalendar"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/registrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register: 201 confirmed (free), 402 seat held until paid, 202 waitlisted, 200 already registered */
        post: operations["RegisterForEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/registrations/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My registration for this event */
        get: operations["GetMyRegistration"];
        put?: never;
        post?: never;
        /** Cancel my registration and free the seat */
        delete: operations["CancelMyRegistration"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/registrations/me/ticket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My ticket code and its signed QR payload */
        get: operations["GetMyTicket"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/attendees": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everyone registered, with their username and full name (organizer or admin) */
        get: operations["ListAttendees"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Registrations by status, arrivals still confirmed, revenue net of refunds (organizer or admin) */
        get: operations["EventStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/check-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check in at the venue (attendee inside the geofence), or any ticket by code (organizer) */
        post: operations["CheckIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/photos": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The event's photos, newest first */
        get: operations["ListEventPhotos"];
        put?: never;
        /** Add a photo (JPEG, PNG or WebP, at most 10 MB, 12000 px a side and 50 megapixels; form fields file and caption; re-encoded): organizer or confirmed attendee */
        post: operations["UploadEventPhoto"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/photos/{photo_id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The photo's image bytes */
        get: operations["GetEventPhotoContent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/photos/{photo_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a photo (its uploader, the organizer or an admin) */
        delete: operations["DeleteEventPhoto"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events/{id}/cover": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The uploaded cover's image bytes (whoever may see the event) */
        get: operations["GetEventCover"];
        /**
         * Set the cover image (JPEG, PNG or WebP, at most 5 MB, 12000 px a side and 50 megapixels; form field file; re-encoded): owner or admin
         * @description 409 for a cancelled event, and for a published one that has ended; DELETE still removes a cover.
         */
        put: operations["UploadEventCover"];
        post?: never;
        /** Remove the cover image, uploaded or linked (owner or admin) */
        delete: operations["DeleteEventCover"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/courses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Browse courses, newest first, optionally in one category */
        get: operations["ListCourses"];
        put?: never;
        /** Create a course with its modules, in order (organizer or admin) */
        post: operations["CreateCourse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/courses/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A course with its modules, whether I am enrolled and my progress (content for learners only) */
        get: operations["GetCourse"];
        put?: never;
        post?: never;
        /** Delete a course nobody enrolled in; otherwise withdraw it (learners keep it, unpaid enrollments end) */
        delete: operations["DeleteCourse"];
        options?: never;
        head?: never;
        /** Change a course (organizer or admin; JSON merge: absent keeps, null clears, modules replaces the list) */
        patch: operations["UpdateCourse"];
        trace?: never;
    };
    "/api/v1/courses/{id}/enroll": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enroll: 201 enrolled (free, or any course for the elite tier), 402 pending until paid, 200 already enrolled */
        post: operations["EnrollInCourse"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/courses/{id}/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark a module completed or not (active learners); answers my progress */
        post: operations["UpdateCourseProgress"];
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
        /** @description A registration with the holder's names from the profile projection (null until identity's message arrives). */
        AttendeeDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            event_id: string;
            /** Format: uuid */
            user_id: string;
            username?: null | string;
            full_name?: null | string;
            /** @description The holder's profile picture, for the door to compare with who shows the ticket: an uploaded picture's address on identity (GET /api/v1/users/{id}/picture, with a token), or a linked one; null without one. */
            profile_image_url?: null | string;
            /** @enum {string} */
            status: "held" | "confirmed" | "waitlisted" | "cancelled" | "expired" | "refunded";
            ticket_code?: null | string;
            /** Format: int64 */
            amount_cents: number;
            currency?: null | string;
            /**
             * Format: uuid
             * @description The payment of a paid ticket, for its organizer to refund (POST /api/v1/payments/{id}/refunds); null for a free registration and for one not paid yet.
             */
            payment_id?: null | string;
            /**
             * Format: int64
             * @description What was refunded of that payment so far, as events last heard from payments.
             */
            refunded_cents: number;
            /** Format: date-time */
            hold_expires_at?: null | string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            confirmed_at?: null | string;
            /** Format: date-time */
            cancelled_at?: null | string;
            /** Format: date-time */
            arrived_at?: null | string;
        };
        /** @description What a 415 says beside the Problem's members when a JSON body named a charset other than UTF-8. */
        CharsetRefusal: {
            /** @description The one charset JSON bodies are read in: utf-8. */
            supported_charset?: string;
        };
        /** @description A ticket checked in: whose, when, and whether it had been already. */
        CheckInDto: {
            /**
             * Format: uuid
             * @description The registration checked in.
             */
            registration_id: string;
            /**
             * Format: uuid
             * @description The event.
             */
            event_id: string;
            /**
             * Format: uuid
             * @description The ticket holder.
             */
            user_id: string;
            /** @description The ticket holder's username as events last heard it (null until announced): what the door shows of whose ticket it is. */
            username?: null | string;
            /** @description The ticket holder's full name as events last heard it, if they gave one. */
            full_name?: null | string;
            /** @description The ticket's code. */
            ticket_code: string;
            /**
             * Format: date-time
             * @description When the holder arrived: the first check-in.
             */
            arrived_at: string;
            /**
             * Format: double
             * @description How far from the venue the holder checked in, in metres (null: the organizer did).
             */
            distance_m?: null | number;
            /** @description Whether the ticket had been checked in before this request. */
            already_checked_in: boolean;
        };
        /** @description What a 422 of a check-in says beside its text: when check-in is open, or how far the caller is. */
        CheckInRefusal: {
            /**
             * Format: date-time
             * @description When check-in opens (the refusal of a check-in outside its window).
             */
            check_in_opens_at?: null | string;
            /**
             * Format: date-time
             * @description When it closes: the event's end.
             */
            check_in_closes_at?: null | string;
            /**
             * Format: double
             * @description How far the caller is from the venue, in metres (the refusal of a check-in too far away).
             */
            distance_m?: null | number;
            /**
             * Format: int32
             * @description How close check-in needs the caller to be, in metres.
             */
            geofence_radius_m?: null | number;
        };
        CheckInRequest: {
            /** Format: double */
            latitude?: null | number;
            /** Format: double */
            longitude?: null | number;
            ticket_code?: null | string;
            qr_payload?: null | string;
        };
        /** @description A course with its modules in order. Module content and video are for active learners, the course's organizer and admins (ContentLocked tells the others why they are null). WithdrawnAt is set once the course was withdrawn: only its learners, organizer and admins still read it. */
        CourseDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            organizer_id: string;
            title: string;
            description: string;
            category: string;
            image_url?: null | string;
            /** Format: int64 */
            price_cents: number;
            currency?: null | string;
            /** Format: int32 */
            price_credits?: null | number;
            is_free: boolean;
            /** Format: int32 */
            total_modules: number;
            /** Format: int32 */
            total_duration_minutes: number;
            modules: components["schemas"]["CourseModuleDto"][];
            content_locked: boolean;
            is_enrolled: boolean;
            /** @enum {null|string} */
            enrollment_status?: "pending_payment" | "active" | null;
            user_progress?: null | components["schemas"]["UserProgressDto"];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** Format: date-time */
            withdrawn_at?: null | string;
        };
        /** @description A course as an organizer sends it. Creation reads it from the body; an edit overlays the body on the current values and validates the result with the same rules. Unknown members (id, organizer_id, position...) are refused. */
        CourseInput: {
            /** @description 3-120 characters. */
            title: string;
            /** @description At most 5000 characters. */
            description?: null | string;
            /** @description 1-50 characters. */
            category: string;
            /** @description An absolute http(s) URL. */
            image_url?: null | string;
            /**
             * Format: int64
             * @description The price in minor units (0-100000000); 0 or absent is free.
             */
            price_cents?: null | number;
            /** @description ISO 4217 code, required when price_cents is above 0. */
            currency?: null | string;
            /**
             * Format: int32
             * @description The price in credits (0-1000000, at least 1 when price_cents is above 0); null when not sold for credits.
             */
            price_credits?: null | number;
            /** @description 1-100 modules, in order. */
            modules: components["schemas"]["ModuleInput"][];
        };
        /** @description A course as an organizer sends it. Creation reads it from the body; an edit overlays the body on the current values and validates the result with the same rules. Unknown members (id, organizer_id, position...) are refused. As a merge patch (RFC 7396): a member left out keeps its value; null sets one a create may leave out as a create without it would (empty, or its default), where the rules allow that, and is refused for one a create requires. */
        CourseInputPatch: {
            /** @description 3-120 characters. */
            title?: string;
            /** @description At most 5000 characters. */
            description?: null | string;
            /** @description 1-50 characters. */
            category?: string;
            /** @description An absolute http(s) URL. */
            image_url?: null | string;
            /**
             * Format: int64
             * @description The price in minor units (0-100000000); 0 or absent is free.
             */
            price_cents?: null | number;
            /** @description ISO 4217 code, required when price_cents is above 0. */
            currency?: null | string;
            /**
             * Format: int32
             * @description The price in credits (0-1000000, at least 1 when price_cents is above 0); null when not sold for credits.
             */
            price_credits?: null | number;
            /** @description 1-100 modules, in order. */
            modules?: {
                /** Format: uuid */
                id?: null | string;
                /** @description 1-200 characters. */
                title: string;
                /**
                 * Format: int32
                 * @description 1-600 minutes.
                 */
                duration_minutes: number;
                content?: null | string;
                video_url?: null | string;
            }[];
        };
        CourseModuleDto: {
            /** Format: uuid */
            id: string;
            /** Format: int32 */
            position: number;
            title: string;
            /** Format: int32 */
            duration_minutes: number;
            content?: null | string;
            video_url?: null | string;
        };
        /** @description An enrollment waiting for payment: what a paid course's enroll answers with its 402. */
        CoursePaymentDue: {
            /**
             * Format: uuid
             * @description The pending enrollment (the reference_id of a checkout or a credit spend).
             */
            enrollment_id: string;
            /**
             * Format: uuid
             * @description The course.
             */
            course_id: string;
            /** @description pending_payment. */
            enrollment_status: string;
            /**
             * Format: int64
             * @description The price in minor units (0 when sold for credits only).
             */
            price_cents: number;
            /** @description ISO 4217 code, when sold for money. */
            currency?: null | string;
            /**
             * Format: int32
             * @description The price in credits, when sold for credits.
             */
            price_credits?: null | number;
            /** @description How it can be paid: money (the checkout), credits (POST /api/v1/credits/spend). */
            payment_methods: string[];
            /** @description What to send to `POST /api/v1/payments/checkout` to pay: its purpose and reference_id. */
            checkout: {
                /**
                 * @description What is bought: event_registration, course or group_membership.
                 * @enum {string}
                 */
                purpose: "event_registration" | "course" | "group_membership";
                /**
                 * Format: uuid
                 * @description The held registration, the pending enrollment or the membership purchase.
                 */
                reference_id: string;
            };
        };
        /** @description A course in a list: no modules, their count and total length instead. */
        CourseSummaryDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            organizer_id: string;
            title: string;
            description: string;
            category: string;
            image_url?: null | string;
            /** Format: int64 */
            price_cents: number;
            currency?: null | string;
            /** Format: int32 */
            price_credits?: null | number;
            is_free: boolean;
            /** Format: int32 */
            total_modules: number;
            /** Format: int32 */
            total_duration_minutes: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description One page of a timeline (keyset paging): `items, next_cursor`; no next cursor on the last page. */
        CursorPageOfEventDto: {
            items: components["schemas"]["EventDto"][];
            next_cursor?: null | string;
        };
        EnrollmentDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            course_id: string;
            /** Format: uuid */
            user_id: string;
            /** @enum {string} */
            status: "pending_payment" | "active";
            /** Format: int64 */
            price_cents: number;
            currency?: null | string;
            /** Format: int32 */
            price_credits?: null | number;
            /** @enum {null|string} */
            paid_with?: "money" | "credits" | "elite" | null;
            /** Format: uuid */
            payment_id?: null | string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            activated_at?: null | string;
        };
        /** @description An event as clients see it: instants in UTC, plus the same instants in the event's own zone. */
        EventDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            organizer_id: string;
            title: string;
            description: string;
            /** @enum {string} */
            event_type: "meetup" | "workshop" | "hackathon" | "trip" | "social" | "class" | "other";
            interests: string[];
            region?: null | string;
            location_name?: null | string;
            address?: null | string;
            city?: null | string;
            country?: null | string;
            /** Format: double */
            latitude: number;
            /** Format: double */
            longitude: number;
            /** Format: int32 */
            geofence_radius_m: number;
            /** Format: date-time */
            starts_at: string;
            /** Format: date-time */
            ends_at: string;
            time_zone: string;
            /** Format: date-time */
            starts_at_local: string;
            /** Format: date-time */
            ends_at_local: string;
            /** Format: int32 */
            capacity?: null | number;
            /** Format: int32 */
            registration_count: number;
            /** Format: int32 */
            spots_remaining?: null | number;
            waitlist_enabled: boolean;
            /** Format: int64 */
            price_cents: number;
            currency?: null | string;
            is_free: boolean;
            /** Format: int32 */
            refund_cutoff_hours: number;
            cover_image_url?: null | string;
            /** @enum {string} */
            visibility: "public" | "private";
            invited_user_ids?: null | string[];
            /** @enum {string} */
            status: "draft" | "published" | "cancelled";
            cancellation_reason?: null | string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** Format: date-time */
            published_at?: null | string;
            /** Format: date-time */
            cancelled_at?: null | string;
            /** @description Details only: whether the caller holds a live registration. */
            is_registered?: null | boolean;
            my_registration?: null | components["schemas"]["RegistrationDto"];
            /**
             * Format: double
             * @description Nearby search only: metres from the searched point.
             */
            distance_m?: null | number;
        };
        /** @description Everything an organizer sets on an event. Creation reads it from the body; an edit overlays the body on the current values and validates the result with the same rules. Unknown members (status, organizer_id, seats...) are refused, like everywhere (shared JSON options). */
        EventInput: {
            /** @description 3-120 characters. */
            title: string;
            /** @description At most 5000 characters. */
            description?: null | string;
            /** @enum {string} */
            event_type: "meetup" | "workshop" | "hackathon" | "trip" | "social" | "class" | "other";
            /** @description At most 20 interests of 1-40 characters. */
            interests?: null | string[];
            region?: null | string;
            location_name?: null | string;
            address?: null | string;
            city?: null | string;
            /** @description ISO 3166-1 alpha-2 code, e.g. AE. */
            country?: null | string;
            /**
             * Format: double
             * @description Degrees, -90 to 90: the venue, for check-in by location.
             */
            latitude: number;
            /**
             * Format: double
             * @description Degrees, -180 to 180.
             */
            longitude: number;
            /**
             * Format: int32
             * @description Metres around the venue a check-in must come from, 20-2000 (default 150).
             */
            geofence_radius_m?: null | number;
            /**
             * Format: date-time
             * @description In the future, within 5 years; with an offset.
             */
            starts_at: string;
            /**
             * Format: date-time
             * @description After starts_at, at most 31 days later.
             */
            ends_at: string;
            /** @description IANA time zone id such as Asia/Dubai (default UTC). */
            time_zone?: null | string;
            /**
             * Format: int32
             * @description Seats, 1-100000; null for unlimited.
             */
            capacity?: null | number;
            waitlist_enabled?: null | boolean;
            /**
             * Format: int64
             * @description The ticket price in minor units (0-100000000); 0 or absent is free.
             */
            price_cents?: null | number;
            /** @description ISO 4217 code, required when price_cents is above 0. */
            currency?: null | string;
            /**
             * Format: int32
             * @description Hours before the start after which registrations are not refunded, 0-720 (default 24); a ticket checked in is not refunded by its holder's cancellation.
             */
            refund_cutoff_hours?: null | number;
            /** @description An absolute http(s) URL. */
            cover_image_url?: null | string;
            /**
             * @description public (the default) or private (invited users only).
             * @enum {null|string}
             */
            visibility?: "public" | "private" | null;
            /** @description At most 1000 users who may see and join a private event. */
            invited_user_ids?: null | string[];
        };
        /** @description Everything an organizer sets on an event. Creation reads it from the body; an edit overlays the body on the current values and validates the result with the same rules. Unknown members (status, organizer_id, seats...) are refused, like everywhere (shared JSON options). As a merge patch (RFC 7396): a member left out keeps its value; null sets one a create may leave out as a create without it would (empty, or its default), where the rules allow that, and is refused for one a create requires. */
        EventInputPatch: {
            /** @description 3-120 characters. */
            title?: string;
            /** @description At most 5000 characters. */
            description?: null | string;
            /** @enum {string} */
            event_type?: "meetup" | "workshop" | "hackathon" | "trip" | "social" | "class" | "other";
            /** @description At most 20 interests of 1-40 characters. */
            interests?: null | string[];
            region?: null | string;
            location_name?: null | string;
            address?: null | string;
            city?: null | string;
            /** @description ISO 3166-1 alpha-2 code, e.g. AE. */
            country?: null | string;
            /**
             * Format: double
             * @description Degrees, -90 to 90: the venue, for check-in by location.
             */
            latitude?: number;
            /**
             * Format: double
             * @description Degrees, -180 to 180.
             */
            longitude?: number;
            /**
             * Format: int32
             * @description Metres around the venue a check-in must come from, 20-2000 (default 150).
             */
            geofence_radius_m?: null | number;
            /**
             * Format: date-time
             * @description In the future, within 5 years; with an offset.
             */
            starts_at?: string;
            /**
             * Format: date-time
             * @description After starts_at, at most 31 days later.
             */
            ends_at?: string;
            /** @description IANA time zone id such as Asia/Dubai (default UTC). */
            time_zone?: null | string;
            /**
             * Format: int32
             * @description Seats, 1-100000; null for unlimited.
             */
            capacity?: null | number;
            waitlist_enabled?: null | boolean;
            /**
             * Format: int64
             * @description The ticket price in minor units (0-100000000); 0 or absent is free.
             */
            price_cents?: null | number;
            /** @description ISO 4217 code, required when price_cents is above 0. */
            currency?: null | string;
            /**
             * Format: int32
             * @description Hours before the start after which registrations are not refunded, 0-720 (default 24); a ticket checked in is not refunded by its holder's cancellation.
             */
            refund_cutoff_hours?: null | number;
            /** @description An absolute http(s) URL. */
            cover_image_url?: null | string;
            /**
             * @description public (the default) or private (invited users only).
             * @enum {null|string}
             */
            visibility?: "public" | "private" | null;
            /** @description At most 1000 users who may see and join a private event. */
            invited_user_ids?: null | string[];
        };
        EventStatsDto: {
            /** Format: uuid */
            event_id: string;
            /** Format: int32 */
            capacity?: null | number;
            /** Format: int32 */
            seats_taken: number;
            /** Format: int32 */
            spots_remaining?: null | number;
            registrations: {
                [key: string]: number;
            };
            /**
             * Format: int32
             * @description Checked-in registrations that are still confirmed (one that arrived and was refunded later no longer counts).
             */
            arrivals: number;
            /**
             * Format: int64
             * @description What tickets brought in, net of refunds (a ticket cancelled after the cut-off keeps its money).
             */
            revenue_cents: number;
            /**
             * Format: int64
             * @description What was refunded of ticket payments.
             */
            refunded_cents: number;
            /** @description The currency the tickets were paid in (the event's price stays in it once one is); the event's own when none was paid for; null for a free event nobody paid for. */
            currency?: null | string;
        };
        /** @description One module, whole. In an edit, Id keeps an existing module of the course (and its learners' progress); without one it is new. */
        ModuleInput: {
            /** Format: uuid */
            id?: null | string;
            /** @description 1-200 characters. */
            title: string;
            /**
             * Format: int32
             * @description 1-600 minutes.
             */
            duration_minutes: number;
            content?: null | string;
            video_url?: null | string;
        };
        /** @description The caller's events: those they organize and those they joined. */
        MyEventsDto: {
            /** @description Events I organize, drafts included, latest start first; at most 200. */
            created: components["schemas"]["EventDto"][];
            /** @description Events I hold a live registration for (waitlist included), latest start first; at most 200. */
            joined: components["schemas"]["EventDto"][];
            /** @description Whether I organize more events than created lists (those starting earliest are left out). */
            created_has_more: boolean;
            /** @description Whether I joined more events than joined lists (those starting earliest are left out). */
            joined_has_more: boolean;
            /** @description When created_has_more: the cursor of GET /api/v1/events/my/created that reads the events after those listed. */
            created_next_cursor?: null | string;
            /** @description When joined_has_more: the cursor of GET /api/v1/events/my/joined that reads the events after those listed. */
            joined_next_cursor?: null | string;
        };
        NearbyResult: {
            items: components["schemas"]["EventDto"][];
            /** Format: double */
            latitude: number;
            /** Format: double */
            longitude: number;
            /** Format: double */
            radius_km: number;
        };
        /** @description One page of a catalogue: `items, total, page, pages, limit, total_is_estimate, next_cursor`. The total is exact unless `total_is_estimate` (see CountedTotal); `next_cursor` reads the next page by keyset, null on the last. */
        PageOfAttendeeDto: {
            items: components["schemas"]["AttendeeDto"][];
            /**
             * Format: int32
             * @description Rows matching the query: counted exactly up to a threshold (10,000 unless configured); above it, the database planner's estimate, never below the threshold + 1.
             */
            total: number;
            /**
             * Format: int32
             * @description This page's number (from 1), also when it was read by cursor.
             */
            page: number;
            /**
             * Format: int32
             * @description Pages of limit rows in total; an estimate when total_is_estimate is.
             */
            pages: number;
            /** Format: int32 */
            limit: number;
            /**
             * @description True when total (and so pages) is the planner's estimate rather than an exact count.
             * @default false
             */
            total_is_estimate: boolean;
            next_cursor?: null | string;
        };
        /** @description One page of a catalogue: `items, total, page, pages, limit, total_is_estimate, next_cursor`. The total is exact unless `total_is_estimate` (see CountedTotal); `next_cursor` reads the next page by keyset, null on the last. */
        PageOfCourseSummaryDto: {
            items: components["schemas"]["CourseSummaryDto"][];
            /**
             * Format: int32
             * @description Rows matching the query: counted exactly up to a threshold (10,000 unless configured); above it, the database planner's estimate, never below the threshold + 1.
             */
            total: number;
            /**
             * Format: int32
             * @description This page's number (from 1), also when it was read by cursor.
             */
            page: number;
            /**
             * Format: int32
             * @description Pages of limit rows in total; an estimate when total_is_estimate is.
             */
            pages: number;
            /** Format: int32 */
            limit: number;
            /**
             * @description True when total (and so pages) is the planner's estimate rather than an exact count.
             * @default false
             */
            total_is_estimate: boolean;
            next_cursor?: null | string;
        };
        /** @description One page of a catalogue: `items, total, page, pages, limit, total_is_estimate, next_cursor`. The total is exact unless `total_is_estimate` (see CountedTotal); `next_cursor` reads the next page by keyset, null on the last. */
        PageOfEventDto: {
            items: components["schemas"]["EventDto"][];
            /**
             * Format: int32
             * @description Rows matching the query: counted exactly up to a threshold (10,000 unless configured); above it, the database planner's estimate, never below the threshold + 1.
             */
            total: number;
            /**
             * Format: int32
             * @description This page's number (from 1), also when it was read by cursor.
             */
            page: number;
            /**
             * Format: int32
             * @description Pages of limit rows in total; an estimate when total_is_estimate is.
             */
            pages: number;
            /** Format: int32 */
            limit: number;
            /**
             * @description True when total (and so pages) is the planner's estimate rather than an exact count.
             * @default false
             */
            total_is_estimate: boolean;
            next_cursor?: null | string;
        };
        /** @description One page of a catalogue: `items, total, page, pages, limit, total_is_estimate, next_cursor`. The total is exact unless `total_is_estimate` (see CountedTotal); `next_cursor` reads the next page by keyset, null on the last. */
        PageOfPhotoDto: {
            items: components["schemas"]["PhotoDto"][];
            /**
             * Format: int32
             * @description Rows matching the query: counted exactly up to a threshold (10,000 unless configured); above it, the database planner's estimate, never below the threshold + 1.
             */
            total: number;
            /**
             * Format: int32
             * @description This page's number (from 1), also when it was read by cursor.
             */
            page: number;
            /**
             * Format: int32
             * @description Pages of limit rows in total; an estimate when total_is_estimate is.
             */
            pages: number;
            /** Format: int32 */
            limit: number;
            /**
             * @description True when total (and so pages) is the planner's estimate rather than an exact count.
             * @default false
             */
            total_is_estimate: boolean;
            next_cursor?: null | string;
        };
        PhotoDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            event_id: string;
            /** Format: uuid */
            uploaded_by: string;
            content_type: string;
            /** Format: int64 */
            size_bytes: number;
            /** Format: int32 */
            width?: null | number;
            /** Format: int32 */
            height?: null | number;
            caption?: null | string;
            url: string;
            /** Format: date-time */
            created_at: string;
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
        /** @description Marks one module of the course completed, or not completed again. */
        ProgressInput: {
            /** Format: uuid */
            module_id: string;
            completed: boolean;
        };
        RegistrationDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            event_id: string;
            /** Format: uuid */
            user_id: string;
            /** @enum {string} */
            status: "held" | "confirmed" | "waitlisted" | "cancelled" | "expired" | "refunded";
            ticket_code?: null | string;
            /** Format: int64 */
            amount_cents: number;
            currency?: null | string;
            /** Format: date-time */
            hold_expires_at?: null | string;
            /** Format: int32 */
            waitlist_position?: null | number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            confirmed_at?: null | string;
            /** Format: date-time */
            cancelled_at?: null | string;
            /** Format: date-time */
            arrived_at?: null | string;
        };
        /** @description A seat held for the caller until paid: what a paid event's registration answers with its 402. */
        SeatHeld: {
            /**
             * Format: uuid
             * @description The held registration.
             */
            registration_id: string;
            /**
             * Format: uuid
             * @description The event.
             */
            event_id: string;
            /** @description held. */
            registration_status: string;
            /**
             * Format: int64
             * @description The price in minor units.
             */
            price_cents: number;
            /** @description ISO 4217 code. */
            currency?: null | string;
            /**
             * Format: date-time
             * @description Until when the seat is held; after it, it goes to the next person.
             */
            hold_expires_at?: null | string;
            /** @description What to send to `POST /api/v1/payments/checkout` to pay: its purpose and reference_id. */
            checkout: {
                /**
                 * @description What is bought: event_registration, course or group_membership.
                 * @enum {string}
                 */
                purpose: "event_registration" | "course" | "group_membership";
                /**
                 * Format: uuid
                 * @description The held registration, the pending enrollment or the membership purchase.
                 */
                reference_id: string;
            };
        };
        TicketDto: {
            /** Format: uuid */
            registration_id: string;
            /** Format: uuid */
            event_id: string;
            ticket_code: string;
            qr_payload: string;
            event_title: string;
            /** Format: date-time */
            starts_at: string;
            time_zone: string;
        };
        /** @description Progress is the whole percent of modules completed (rounded down, so 100 means all); the current module is the first one in course order not completed yet, null once all are. */
        UserProgressDto: {
            /** Format: int32 */
            progress: number;
            completed_modules: string[];
            /** Format: uuid */
            current_module?: null | string;
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
    ListEvents: {
        parameters: {
            query?: {
                /** @description Events in this city (any case). */
                city?: string;
                /** @description Events in this country: its ISO 3166 code (any case). */
                country?: string;
                /** @description Events in this region (any case). */
                region?: string;
                /** @description Events of this type. */
                event_type?: "meetup" | "workshop" | "hackathon" | "trip" | "social" | "class" | "other";
                /** @description Events tagged with this interest (any case). */
                interest?: string;
                /** @description Words to find in the title and description (web-search syntax: "quoted phrase", -without, or); at most 200 characters. */
                q?: string;
                /** @description Events starting at or after this instant; without it, the upcoming and ongoing ones. */
                starts_after?: string;
                /** @description Events starting before this instant (after starts_after). */
                starts_before?: string;
                /** @description free: free events only; paid: paid ones only. */
                price?: "free" | "paid";
                /** @description Page number from 1 (numbered paging). A page with more than 10,000 rows before it ((page - 1) x limit; as far as totals are exact) is a 400: follow next_cursor instead. Not with cursor. */
                page?: number;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
                /** @description The next_cursor of the previous page: the next page by keyset, as fast at any depth, with the same rows as the numbered page. Not with page; send the limit the cursor's page was read with (its pages are numbered in it); a cursor not in the form this list gives out is a 400. */
                cursor?: string;
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
                    "application/json": components["schemas"]["PageOfEventDto"];
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
    CreateEvent: {
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
                 *       "title": "Sunrise hike at Jebel Jais",
                 *       "description": "A guided 8 km hike; bring water and good shoes.",
                 *       "event_type": "trip",
                 *       "interests": [
                 *         "hiking"
                 *       ],
                 *       "region": "Ras Al Khaimah",
                 *       "location_name": "Jebel Jais viewing deck",
                 *       "city": "Ras Al Khaimah",
                 *       "country": "AE",
                 *       "latitude": 25.9426,
                 *       "longitude": 56.131,
                 *       "starts_at": "2030-05-16T01:00:00.000000Z",
                 *       "ends_at": "2030-05-16T05:00:00.000000Z",
                 *       "time_zone": "Asia/Dubai",
                 *       "capacity": 25,
                 *       "price_cents": 5000,
                 *       "currency": "AED",
                 *       "visibility": "public"
                 *     }
                 */
                "application/json": components["schemas"]["EventInput"];
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
                    "application/json": components["schemas"]["EventDto"];
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
    PublishEvent: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["EventDto"];
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
    GetEvent: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["EventDto"];
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
    DeleteEvent: {
        parameters: {
            query?: {
                /** @description Why a published event is cancelled, shown as its cancellation_reason: at most 500 characters. */
                reason?: string;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
    UpdateEvent: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path: {
                /** @description The event's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "title": "Sunrise hike at Jebel Jais",
                 *       "description": "A guided 8 km hike; bring water and good shoes.",
                 *       "event_type": "trip",
                 *       "interests": [
                 *         "hiking"
                 *       ],
                 *       "region": "Ras Al Khaimah",
                 *       "location_name": "Jebel Jais viewing deck",
                 *       "city": "Ras Al Khaimah",
                 *       "country": "AE",
                 *       "latitude": 25.9426,
                 *       "longitude": 56.131,
                 *       "starts_at": "2030-05-16T01:00:00.000000Z",
                 *       "ends_at": "2030-05-16T05:00:00.000000Z",
                 *       "time_zone": "Asia/Dubai",
                 *       "capacity": 25,
                 *       "price_cents": 5000,
                 *       "currency": "AED",
                 *       "visibility": "public"
                 *     }
                 */
                "application/json": components["schemas"]["EventInputPatch"];
                /**
                 * @example {
                 *       "title": "Sunrise hike at Jebel Jais",
                 *       "description": "A guided 8 km hike; bring water and good shoes.",
                 *       "event_type": "trip",
                 *       "interests": [
                 *         "hiking"
                 *       ],
                 *       "region": "Ras Al Khaimah",
                 *       "location_name": "Jebel Jais viewing deck",
                 *       "city": "Ras Al Khaimah",
                 *       "country": "AE",
                 *       "latitude": 25.9426,
                 *       "longitude": 56.131,
                 *       "starts_at": "2030-05-16T01:00:00.000000Z",
                 *       "ends_at": "2030-05-16T05:00:00.000000Z",
                 *       "time_zone": "Asia/Dubai",
                 *       "capacity": 25,
                 *       "price_cents": 5000,
                 *       "currency": "AED",
                 *       "visibility": "public"
                 *     }
                 */
                "application/merge-patch+json": components["schemas"]["EventInputPatch"];
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
                    "application/json": components["schemas"]["EventDto"];
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
    NearbyEvents: {
        parameters: {
            query: {
                /** @description Latitude of the centre, -90 to 90. */
                lat: number;
                /** @description Longitude of the centre, -180 to 180. */
                lon: number;
                /** @description How far from the centre, in km: above 0, 10 by default, at most 100 unless configured otherwise (Events:MaxNearbyRadiusKm). */
                radius_km?: number;
                /** @description At most this many items, 1-100; 50 without it. */
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
                    "application/json": components["schemas"]["NearbyResult"];
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
    MyEvents: {
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
                    "application/json": components["schemas"]["MyEventsDto"];
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
    MyCreatedEvents: {
        parameters: {
            query?: {
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
                    "application/json": components["schemas"]["CursorPageOfEventDto"];
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
    MyJoinedEvents: {
        parameters: {
            query?: {
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
                    "application/json": components["schemas"]["CursorPageOfEventDto"];
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
    GetEventCalendar: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "text/calendar": Blob;
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
    RegisterForEvent: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description Repeating a request with the same key answers the first one's result instead of doing it again. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["RegistrationDto"];
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
                    "application/json": components["schemas"]["RegistrationDto"];
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
                    "application/json": components["schemas"]["RegistrationDto"];
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
            /** @description Payment Required */
            402: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["SeatHeld"];
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
    GetMyRegistration: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["RegistrationDto"];
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
    CancelMyRegistration: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["RegistrationDto"];
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
    GetMyTicket: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["TicketDto"];
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
    ListAttendees: {
        parameters: {
            query?: {
                /** @description Only registrations in this status; absent: all of them. */
                status?: "held" | "confirmed" | "waitlisted" | "cancelled" | "expired" | "refunded";
                /** @description Page number from 1 (numbered paging). A page with more than 10,000 rows before it ((page - 1) x limit; as far as totals are exact) is a 400: follow next_cursor instead. Not with cursor. */
                page?: number;
                /** @description Items per page, 1-100; 50 without it. */
                limit?: number;
                /** @description The next_cursor of the previous page: the next page by keyset, as fast at any depth, with the same rows as the numbered page. Not with page; send the limit the cursor's page was read with (its pages are numbered in it); a cursor not in the form this list gives out is a 400. */
                cursor?: string;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["PageOfAttendeeDto"];
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
    EventStats: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["EventStatsDto"];
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
    CheckIn: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CheckInRequest"];
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
                    "application/json": components["schemas"]["CheckInDto"];
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CheckInRefusal"];
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
    ListEventPhotos: {
        parameters: {
            query?: {
                /** @description Page number from 1 (numbered paging). A page with more than 10,000 rows before it ((page - 1) x limit; as far as totals are exact) is a 400: follow next_cursor instead. Not with cursor. */
                page?: number;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
                /** @description The next_cursor of the previous page: the next page by keyset, as fast at any depth, with the same rows as the numbered page. Not with page; send the limit the cursor's page was read with (its pages are numbered in it); a cursor not in the form this list gives out is a 400. */
                cursor?: string;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["PageOfPhotoDto"];
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
    UploadEventPhoto: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description Repeating a request with the same key answers the first one's result instead of doing it again. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description The event's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: Blob;
                    caption?: null | string;
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
                    "application/json": components["schemas"]["PhotoDto"];
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
    GetEventPhotoContent: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag of the copy the caller holds: 304 without the bytes while the file is the same. */
                "If-None-Match"?: string;
                /** @description The Last-Modified of the copy the caller holds (an HTTP date): 304 without the bytes while the file is not newer. Sent with If-None-Match, 304 only when both say the copy is current. */
                "If-Modified-Since"?: string;
                /** @description An ETag the answer is wanted for only: 412 when the file is another version. */
                "If-Match"?: string;
            };
            path: {
                /** @description The event's id. */
                id: string;
                /** @description The id of one of the event's photos. */
                photo_id: string;
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
                    /** @description The file's version, for If-None-Match. */
                    ETag?: string;
                    /** @description When the file was stored (an HTTP date), for If-Modified-Since. */
                    "Last-Modified"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": Blob;
                    "image/png": Blob;
                    "image/webp": Blob;
                };
            };
            /** @description Not Modified: the copy the request names is current. */
            304: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The file's version, for If-None-Match. */
                    ETag?: string;
                    /** @description When the file was stored (an HTTP date), for If-Modified-Since. */
                    "Last-Modified"?: string;
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
    DeleteEventPhoto: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The event's id. */
                id: string;
                /** @description The id of one of the event's photos. */
                photo_id: string;
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
    GetEventCover: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag of the copy the caller holds: 304 without the bytes while the file is the same. */
                "If-None-Match"?: string;
                /** @description The Last-Modified of the copy the caller holds (an HTTP date): 304 without the bytes while the file is not newer. Sent with If-None-Match, 304 only when both say the copy is current. */
                "If-Modified-Since"?: string;
                /** @description An ETag the answer is wanted for only: 412 when the file is another version. */
                "If-Match"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    /** @description The file's version, for If-None-Match. */
                    ETag?: string;
                    /** @description When the file was stored (an HTTP date), for If-Modified-Since. */
                    "Last-Modified"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": Blob;
                    "image/png": Blob;
                    "image/webp": Blob;
                };
            };
            /** @description Not Modified: the copy the request names is current. */
            304: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description The file's version, for If-None-Match. */
                    ETag?: string;
                    /** @description When the file was stored (an HTTP date), for If-Modified-Since. */
                    "Last-Modified"?: string;
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
    UploadEventCover: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    "application/json": components["schemas"]["EventDto"];
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
    DeleteEventCover: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path: {
                /** @description The event's id. */
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
                    /** @description The resource's version, for If-Match on its update. */
                    ETag?: string;
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
    ListCourses: {
        parameters: {
            query?: {
                /** @description Courses in this category (any case). */
                category?: string;
                /** @description Page number from 1 (numbered paging). A page with more than 10,000 rows before it ((page - 1) x limit; as far as totals are exact) is a 400: follow next_cursor instead. Not with cursor. */
                page?: number;
                /** @description Items per page, 1-100; 20 without it. */
                limit?: number;
                /** @description The next_cursor of the previous page: the next page by keyset, as fast at any depth, with the same rows as the numbered page. Not with page; send the limit the cursor's page was read with (its pages are numbered in it); a cursor not in the form this list gives out is a 400. */
                cursor?: string;
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
                    "application/json": components["schemas"]["PageOfCourseSummaryDto"];
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
    CreateCourse: {
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
                 *       "title": "Trail running basics",
                 *       "description": "Pacing, footwork and safety on mountain trails.",
                 *       "category": "fitness",
                 *       "price_cents": 9900,
                 *       "currency": "AED",
                 *       "price_credits": 99,
                 *       "modules": [
                 *         {
                 *           "title": "Gear and safety",
                 *           "duration_minutes": 20,
                 *           "content": "What to wear and carry."
                 *         },
                 *         {
                 *           "title": "Uphill and downhill technique",
                 *           "duration_minutes": 35
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["CourseInput"];
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
                    "application/json": components["schemas"]["CourseDto"];
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
    GetCourse: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The course's id. */
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
                    "application/json": components["schemas"]["CourseDto"];
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
    DeleteCourse: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The course's id. */
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
    UpdateCourse: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path: {
                /** @description The course's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "title": "Trail running basics",
                 *       "description": "Pacing, footwork and safety on mountain trails.",
                 *       "category": "fitness",
                 *       "price_cents": 9900,
                 *       "currency": "AED",
                 *       "price_credits": 99,
                 *       "modules": [
                 *         {
                 *           "title": "Gear and safety",
                 *           "duration_minutes": 20,
                 *           "content": "What to wear and carry."
                 *         },
                 *         {
                 *           "title": "Uphill and downhill technique",
                 *           "duration_minutes": 35
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["CourseInputPatch"];
                /**
                 * @example {
                 *       "title": "Trail running basics",
                 *       "description": "Pacing, footwork and safety on mountain trails.",
                 *       "category": "fitness",
                 *       "price_cents": 9900,
                 *       "currency": "AED",
                 *       "price_credits": 99,
                 *       "modules": [
                 *         {
                 *           "title": "Gear and safety",
                 *           "duration_minutes": 20,
                 *           "content": "What to wear and carry."
                 *         },
                 *         {
                 *           "title": "Uphill and downhill technique",
                 *           "duration_minutes": 35
                 *         }
                 *       ]
                 *     }
                 */
                "application/merge-patch+json": components["schemas"]["CourseInputPatch"];
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
                    "application/json": components["schemas"]["CourseDto"];
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
    EnrollInCourse: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description Repeating a request with the same key answers the first one's result instead of doing it again. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description The course's id. */
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
                    "application/json": components["schemas"]["EnrollmentDto"];
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
                    "application/json": components["schemas"]["EnrollmentDto"];
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
            /** @description Payment Required */
            402: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["CoursePaymentDue"];
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
    UpdateCourseProgress: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The course's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProgressInput"];
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
                    "application/json": components["schemas"]["UserProgressDto"];
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
}
