// Generated from contract/identity.openapi.json by scripts/generate.mjs: do not edit; run clients/typescript/generate.sh.

export interface paths {
    "/api/v1/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an account and sign in (201); an e-mail given is confirmed through the link mailed to it
         * @description Creates an account and signs it in; the e-mail, if given, gets a confirmation link.
         */
        post: operations["Register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/register/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm an account's e-mail with the token mailed to it */
        post: operations["ConfirmRegistration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with username, e-mail or phone */
        post: operations["Login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a refresh token for a new pair
         * @description Rotates the refresh token: the one sent is used up, and sending it again ends the whole sign-in (but within a minute of its rotation, from the client address that rotated it, while the token that rotation gave is unused: the answer was lost, and the retry gets a new pair, the lost token used up instead). A refresh token lasts 7 days, and one sign-in 90 days however often it is refreshed: the refresh tokens of a sign-in expire by its 90th day, and after that the person signs in again.
         */
        post: operations["Refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke this login's refresh tokens */
        post: operations["Logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout/others": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign out everywhere else: end every session of this account but the caller's
         * @description Every other sign-in's refresh tokens are revoked and its access tokens refused from now on, by every service, its live connections closed; this session and its tokens go on. Asking again ends only the sessions begun since. A session ended meanwhile (signed out from another one) is answered 401 and ends nothing.
         */
        post: operations["LogoutOthers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in account */
        get: operations["Me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/external/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The outside providers one may sign in with here, for a client's sign-in buttons */
        get: operations["ExternalLoginProviders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/external/{provider}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Start signing in with an outside provider (or linking it): 302 to its authorization page
         * @description Sets a cookie (HttpOnly, SameSite=Lax, path /api/v1/auth/external/) that binds the sign-in to this browser: the callback is answered only in the browser that started it. With intent=link the callback signs nobody in and returns a link_code for POST /api/v1/users/me/external-logins.
         */
        get: operations["ExternalLoginStart"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/external/{provider}/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where the provider returns: 302 to the client page with a one-time code (a link_code when the start's intent was link)
         * @description 400 when the state is unknown, used or expired, or when this browser did not start the sign-in (its cookie from the start is missing or another's): a link someone else's sign-in produced signs nobody in here. The client page gets ?code= (a sign-in), ?link_code= (intent=link: nobody is signed in and nothing is linked until a signed-in client posts it to POST /api/v1/users/me/external-logins), or ?error= (the provider's error, temporarily_unavailable, or link_turned_off: the account with this verified e-mail unlinked this provider, so the sign-in made and linked nothing; its owner signs in with the password and links the provider from the account's settings).
         */
        get: operations["ExternalLoginCallback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/external/exchange": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange the one-time code from an outside sign-in for a token pair */
        post: operations["ExternalLoginExchange"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/external-logins": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The outside sign-ins (OpenID Connect providers) linked to my account */
        get: operations["ListMyExternalLogins"];
        put?: never;
        /**
         * Link an outside provider's account to mine with the link_code of a sign-in started with intent=link: 201, or 200 when it is linked to mine already
         * @description The link goes only to the account whose ticket started it, posted by its client. 422 when the code is unknown, used, expired or was made for another account (it is spent then); 409 when that provider's account is linked to another account. Clears my earlier removal of the provider, so a sign-in with it finds my account again.
         */
        post: operations["LinkExternalLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/external-logins/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A ticket to start linking an outside provider to my account: the browser then goes to GET /api/v1/auth/external/{provider}/start?intent=link&link_ticket=<ticket>&redirect_uri=<page>
         * @description The password, and a code when two-factor sign-in is on, as removing a link takes them: a link is a lasting way in that an access token alone must not add (an account made through an outside provider sets a password first through "forgot password"). Single use, valid for minutes (expires_in). The link_code the provider's way back yields links only to this account, posted by its client: a link started by someone else, whose link_code reaches this account's client, is refused. 404 for a provider that is not configured.
         */
        post: operations["NewExternalLoginLinkTicket"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/external-logins/{provider}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a provider's sign-in from my account (the password, and a code when two-factor sign-in is on): every link of that provider goes, and it is not linked again by my e-mail on its own
         * @description The password proves the caller holds the account, and the account still signs in with it afterwards. An account made through an outside provider has no password it knows: it sets one first through "forgot password" (until then a password is wrong, 400). A wrong password or code counts against the account as at the other changes that ask for them. 404 when no sign-in of that provider is linked. Sessions go on; the owner is told by e-mail.
         */
        delete: operations["UnlinkExternalLogin"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Finish a login with a code from the authenticator app or a recovery code */
        post: operations["LoginTwoFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Turn a member's two-factor sign-in off (admin), for an owner who lost the app and the recovery codes or whose password holder turned it on: every session of the account ends and the owner is told; 204 whether or not it was on; 422 for the admin's own account */
        delete: operations["ResetTwoFactor"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys that verify access tokens */
        get: operations["Jwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether two-factor sign-in is on, and how many recovery codes are left */
        get: operations["GetTwoFactorStatus"];
        put?: never;
        /** Make a TOTP secret for an authenticator app (two-factor stays off until confirmed) */
        post: operations["StartTwoFactorSetup"];
        /** Turn two-factor sign-in off (password and a code or recovery code) */
        delete: operations["DisableTwoFactor"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/two-factor/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn two-factor sign-in on with the app's first code; answers the recovery codes */
        post: operations["ConfirmTwoFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/two-factor/recovery-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** New recovery codes, replacing the old ones (password and a code or recovery code): for codes lost, used up, or never received */
        post: operations["ReplaceTwoFactorRecoveryCodes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new password (the current one, and a code when two-factor sign-in is on): every other session ends, and the answer is a new token pair for this one */
        post: operations["ChangeMyPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password/forgot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** E-mail a single-use reset link */
        post: operations["ForgotPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password with a reset token */
        post: operations["ResetPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My full profile */
        get: operations["GetMyProfile"];
        put?: never;
        post?: never;
        /** Delete my account for good (the password, and a code when two-factor sign-in is on, prove it is the owner asking); not the last admin in force */
        delete: operations["DeleteMyAccount"];
        options?: never;
        head?: never;
        /** Change profile fields (JSON merge: absent keeps, null clears) */
        patch: operations["UpdateMyProfile"];
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Another member's public profile */
        get: operations["GetPublicProfile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}/role": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set a user's role (admin; not your own admin role) */
        put: operations["ChangeRole"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/phone/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Text a 6-digit code to my phone (valid 10 minutes, 5 attempts) */
        post: operations["SendPhoneVerificationCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/phone/verification/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify my phone with the texted code */
        post: operations["ConfirmPhoneVerification"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/email/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mail a new link that confirms my e-mail (202 whether or not another account holds the address) */
        post: operations["SendEmailVerificationLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/me/picture": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set my profile picture (JPEG, PNG or WebP, at most 2 MB, 4096 px a side and 16.8 megapixels; form field file; re-encoded) */
        put: operations["UploadMyProfilePicture"];
        post?: never;
        /** Remove my profile picture, uploaded or linked */
        delete: operations["DeleteMyProfilePicture"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}/picture": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A member's uploaded profile picture's image bytes */
        get: operations["GetProfilePicture"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My referral code, how many it brought, converted and pending, and the credits earned */
        get: operations["GetMyReferrals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/suspension": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's suspension (admin) */
        get: operations["GetSuspension"];
        /** Suspend an account until a time or until lifted; its sessions end at once (admin) */
        put: operations["SuspendUser"];
        post?: never;
        /** Lift an account's suspension (admin); 204 whether or not one was in force */
        delete: operations["LiftSuspension"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/waitlist": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Join the launch waitlist: 202 either way; the place and a status link are mailed to the address (an address already listed gets its place again; 429 when one address is asked for too often) */
        post: operations["JoinWaitlist"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/waitlist/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The place of the holder of a status token (?token=), or e-mail an address its place (?email=, 202; 429 when one address is asked for too often, as for joins) */
        get: operations["WaitlistStatus"];
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
        AuthResponse: {
            user: components["schemas"]["UserDto"];
            access_token: string;
            refresh_token: string;
            token_type: string;
            /** Format: int32 */
            expires_in: number;
        };
        /** @description A new password, chosen while signed in; every other session of the account ends. */
        ChangePasswordRequest: {
            /** @description The account's password now. An account made through an outside provider sets one first through "forgot password". */
            current_password: string;
            /** @description 10-128 characters with letters and a digit or symbol, not containing the username; it may be the current one, which still ends the other sessions. */
            new_password: string;
            /** @description Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code. */
            code?: null | string;
        };
        ChangeRoleRequest: {
            /** @enum {string} */
            role: "member" | "organizer" | "admin";
        };
        /** @description What a 415 says beside the Problem's members when a JSON body named a charset other than UTF-8. */
        CharsetRefusal: {
            /** @description The one charset JSON bodies are read in: utf-8. */
            supported_charset?: string;
        };
        ConfirmPhoneRequest: {
            code: string;
        };
        /** @description The token from the link that confirms an account's e-mail. */
        ConfirmRegistrationRequest: {
            token: string;
        };
        /** @description Deletes the account: its profile, picture and sessions go; other services erase what they hold. */
        DeleteAccountRequest: {
            /** @description The account's password. An account made through an outside provider sets one first through "forgot password". */
            password: string;
            /** @description Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code. */
            code?: null | string;
        };
        EcPublicJwk: {
            kty: string;
            crv: string;
            kid: string;
            use: string;
            alg: string;
            x: string;
            y: string;
        };
        /** @description The address a confirmation link proved, and nothing else of the account: the link proves who reads the mailbox, not who holds the account (an address mistyped at registration mails a stranger), so the profile is for its owner's own GET /api/v1/auth/me. */
        EmailConfirmed: {
            email: string;
            email_verified: boolean;
        };
        EmailVerificationSent: {
            message: string;
        };
        ExternalLoginExchangeRequest: {
            code: string;
        };
        /** @description A ticket to start linking a provider: the link_ticket of GET /api/v1/auth/external/{provider}/start. */
        ExternalLoginLinkTicketDto: {
            /** @description Single use; the start spends it. */
            ticket: string;
            /**
             * Format: int32
             * @description Seconds until it can no longer start a link.
             */
            expires_in: number;
        };
        ExternalProviderDto: {
            /** @description What the sign-in's routes name it by: GET /api/v1/auth/external/{name}/start?redirect_uri=... begins it. */
            name: string;
            /** @description How to name it to a person ("Continue with Google"). */
            display_name: string;
        };
        /** @description The outside providers one may sign in with; empty when none is configured. */
        ExternalProvidersDto: {
            items: components["schemas"]["ExternalProviderDto"][];
        };
        ForgotPasswordRequest: {
            identifier: string;
        };
        JoinWaitlistRequest: {
            email: string;
            source?: null | string;
        };
        /** @description The JSON Web Key Set document (RFC 7517) as identity publishes it; readers parse it with the library's JsonWebKeySet. */
        JsonWebKeySetDocument: {
            keys: components["schemas"]["EcPublicJwk"][];
        };
        /** @description An outside provider's account that signs in to the caller's account. */
        LinkedExternalLoginDto: {
            /** @description The provider's name as GET /api/v1/auth/external/providers lists it; DELETE /api/v1/users/me/external-logins/{provider} removes it. */
            provider: string;
            /** @description How to name it to a person ("Google"). */
            display_name: string;
            /** @description The e-mail address the provider vouched for when it was linked. */
            email: string;
            /**
             * Format: date-time
             * @description When it was linked.
             */
            linked_at: string;
        };
        /** @description The outside sign-ins linked to the caller's account; empty when none is. */
        LinkedExternalLoginsDto: {
            items: components["schemas"]["LinkedExternalLoginDto"][];
        };
        /** @description Links an outside provider's account to the caller's account. */
        LinkExternalLoginRequest: {
            /** @description The link_code the client page received from a sign-in started with intent=link (single use, valid 60 s). */
            code: string;
        };
        LoginRequest: {
            /** @description The username, e-mail or phone of the account. */
            identifier: string;
            password: string;
        };
        /** @description Asks for a ticket to start linking an outside provider to the caller's account. */
        NewExternalLoginLinkTicketRequest: {
            /** @description A provider's name as GET /api/v1/auth/external/providers lists it, in any case. */
            provider: string;
            /** @description The account's password. An account made through an outside provider sets one first through "forgot password". */
            password: string;
            /** @description Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code. */
            code?: null | string;
        };
        /** @description What signing out everywhere else ended. */
        OtherSessionsEnded: {
            /**
             * Format: int32
             * @description How many other sessions were ended: 0 when this was the only one.
             */
            sessions_ended: number;
        };
        /** @description What "forgot password" answers, the same whether or not the account exists. */
        PasswordResetSent: {
            message: string;
        };
        PhoneVerificationSent: {
            message: string;
            /** Format: date-time */
            expires_at: string;
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
        /** @description The members a profile merge patch may carry (absent keeps, null clears): what OpenAPI shows of ProfilePatch. */
        ProfileChanges: {
            full_name?: null | string;
            bio?: null | string;
            region?: null | string;
            city?: null | string;
            country?: null | string;
            /** @enum {null|string} */
            gender?: "female" | "male" | "non_binary" | "other" | "prefer_not_to_say" | null;
            /**
             * Format: date
             * @description YYYY-MM-DD
             */
            date_of_birth?: null | string;
            interests?: null | string[];
            languages?: null | string[];
            profile_image_url?: null | string;
            linkedin_url?: null | string;
            github_url?: null | string;
            identity_badge?: null | string;
        };
        /** @description What anyone signed in may see of another member: no contact details, no birth date; is_verified but not which contact is. */
        PublicProfileDto: {
            /** Format: uuid */
            id: string;
            username: string;
            /** @enum {string} */
            role: "member" | "organizer" | "admin";
            full_name?: null | string;
            bio?: null | string;
            region?: null | string;
            city?: null | string;
            country?: null | string;
            /** Format: int32 */
            age?: null | number;
            interests: string[];
            languages: string[];
            profile_image_url?: null | string;
            linkedin_url?: null | string;
            github_url?: null | string;
            identity_badge?: null | string;
            is_verified: boolean;
            /** Format: date-time */
            created_at: string;
        };
        ReferralSummary: {
            referral_code: string;
            /**
             * Format: int32
             * @description Everyone who registered with my code.
             */
            referrals_count: number;
            /**
             * Format: int32
             * @description Those whose first paid purchase converted the referral (a conversion refunded in full no longer counts).
             */
            conversions: number;
            /**
             * Format: int32
             * @description Those who registered with my code and have not paid for anything yet.
             */
            pending: number;
            /**
             * Format: int64
             * @description My side of those conversions: 50 credits each (the credits ledger in payments shows them).
             */
            credits_earned: number;
        };
        RefreshRequest: {
            refresh_token: string;
        };
        /** @description A new account: an e-mail or a phone (or both) to reach its owner. */
        RegisterRequest: {
            /** @description 3-30 characters of a-z, 0-9, '_' and '.' (upper case is lowered); public and unique. */
            username: string;
            /** @description Needed unless a phone is given; confirmed by a mailed link. */
            email?: null | string;
            /** @description E.164, e.g. +971501234567; needed unless an e-mail is given. */
            phone?: null | string;
            /** @description 10-128 characters with letters and a digit or symbol, not containing the username. */
            password: string;
            /** @description At most 100 characters. */
            full_name?: null | string;
            /**
             * @description member (the default) or organizer.
             * @enum {null|string}
             */
            role?: "member" | "organizer" | null;
            /** @description Another member's referral code, if they invited you. */
            referral_code?: null | string;
        };
        ResetPasswordRequest: {
            token: string;
            new_password: string;
        };
        /** @description What the 403 of a suspended account's sign-in says beside its text. */
        SuspendedSignInDto: {
            /**
             * Format: date-time
             * @description When the suspension ends; null: until an admin lifts it.
             */
            suspended_until?: null | string;
        };
        /** @description An admin's suspension of an account. */
        SuspendRequest: {
            /**
             * Format: date-time
             * @description When it ends by itself (in the future, at most 10 years ahead); absent or null: until an admin lifts it.
             */
            until?: null | string;
            /** @description Why, for the record: 1-500 characters. */
            reason: string;
        };
        /** @description An account's suspension as an admin sees it. */
        SuspensionDto: {
            /** Format: uuid */
            user_id: string;
            /** @description Whether the account is refused sign-in now. */
            suspended: boolean;
            /**
             * Format: date-time
             * @description When the suspension in force began; null when none.
             */
            suspended_at?: null | string;
            /**
             * Format: date-time
             * @description When it ends by itself; null when none, or until an admin lifts it.
             */
            suspended_until?: null | string;
            /** @description The admin's reason, or the report's note. */
            reason?: null | string;
        };
        /** @description A login's answer when the password was right and the account has two-factor sign-in on: no tokens yet; post the challenge with a code to /api/v1/auth/login/two-factor. */
        TwoFactorChallengeResponse: {
            /** @description Always true: tells this answer from the token answer. */
            two_factor_required: boolean;
            /** @description Single use; at most 5 codes may be tried with it. */
            challenge: string;
            /**
             * Format: int32
             * @description Seconds the challenge stays valid.
             */
            expires_in: number;
        };
        /** @description A code from the authenticator app, proving it holds the secret. */
        TwoFactorConfirmRequest: {
            /** @description The 6 digits the app shows now. */
            code: string;
        };
        /** @description Turns two-factor sign-in off. */
        TwoFactorDisableRequest: {
            /** @description The account's password. */
            password: string;
            /** @description A code from the authenticator app, or an unused recovery code. */
            code: string;
        };
        /** @description The second step of a login to an account with two-factor sign-in on. */
        TwoFactorLoginRequest: {
            /** @description The challenge the login answered. */
            challenge: string;
            /** @description A code from the authenticator app, or an unused recovery code (each works once). */
            code: string;
        };
        /** @description Replaces the recovery codes (the ones before stop working). */
        TwoFactorNewRecoveryCodesRequest: {
            /** @description The account's password. */
            password: string;
            /** @description A code from the authenticator app, or an unused recovery code (it is spent). */
            code: string;
        };
        /** @description Two-factor sign-in is on; each of these codes signs in once in place of an app's code. */
        TwoFactorRecoveryCodes: {
            /** @description Ten one-time codes, shown this once only: keep them somewhere safe. */
            recovery_codes: string[];
        };
        /** @description The secret to put in an authenticator app; two-factor sign-in stays off until a code confirms it. */
        TwoFactorSetup: {
            /** @description The TOTP secret in base32 (RFC 4648), for typing into an app by hand. */
            secret: string;
            /** @description The same secret as an otpauth:// URI (SHA-1, 6 digits, 30 s), for a QR code. */
            otpauth_uri: string;
        };
        /** @description Starts turning two-factor sign-in on. */
        TwoFactorSetupRequest: {
            /** @description The account's password. */
            password: string;
        };
        /** @description The caller's two-factor sign-in. */
        TwoFactorStatus: {
            /** @description True when sign-in asks for a code from the authenticator app; a setup not yet confirmed leaves it false. */
            enabled: boolean;
            /**
             * Format: date-time
             * @description When it was turned on; null while off.
             */
            enabled_at?: null | string;
            /**
             * Format: int32
             * @description Recovery codes not used yet (0 while off); turning it off and on again gives ten new ones.
             */
            recovery_codes_left: number;
        };
        /** @description Removes an outside provider's sign-in from the caller's account. */
        UnlinkExternalLoginRequest: {
            /** @description The account's password. An account made through an outside provider sets one first through "forgot password". */
            password: string;
            /** @description Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code. */
            code?: null | string;
        };
        /** @description The account as its owner sees it; is_verified when its e-mail or its phone is proven to be the owner's. */
        UserDto: {
            /** Format: uuid */
            id: string;
            username: string;
            email?: null | string;
            phone?: null | string;
            /** @enum {string} */
            role: "member" | "organizer" | "admin";
            /** @enum {string} */
            tier: "free" | "premium" | "elite";
            full_name?: null | string;
            bio?: null | string;
            region?: null | string;
            city?: null | string;
            country?: null | string;
            /** @enum {null|string} */
            gender?: "female" | "male" | "non_binary" | "other" | "prefer_not_to_say" | null;
            /** Format: date */
            date_of_birth?: null | string;
            /** Format: int32 */
            age?: null | number;
            interests: string[];
            languages: string[];
            profile_image_url?: null | string;
            linkedin_url?: null | string;
            github_url?: null | string;
            identity_badge?: null | string;
            referral_code: string;
            is_verified: boolean;
            email_verified: boolean;
            phone_verified: boolean;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        WaitlistStatus: {
            email: string;
            /** Format: int64 */
            waitlist_position: number;
            /** Format: date-time */
            joined_at: string;
        };
        WaitlistStatusSent: {
            message: string;
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
    Register: {
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
                "application/json": components["schemas"]["RegisterRequest"];
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
                    "application/json": components["schemas"]["AuthResponse"];
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
    ConfirmRegistration: {
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
                "application/json": components["schemas"]["ConfirmRegistrationRequest"];
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
                    "application/json": components["schemas"]["EmailConfirmed"];
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
    Login: {
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
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description The tokens; or, when the account has two-factor sign-in on, two_factor_required with a challenge for /api/v1/auth/login/two-factor and no tokens. */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthResponse"] | components["schemas"]["TwoFactorChallengeResponse"];
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["SuspendedSignInDto"];
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
    Refresh: {
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
                "application/json": components["schemas"]["RefreshRequest"];
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
                    "application/json": components["schemas"]["AuthResponse"];
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["SuspendedSignInDto"];
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
    Logout: {
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
    LogoutOthers: {
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
                    "application/json": components["schemas"]["OtherSessionsEnded"];
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
    Me: {
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
                    "application/json": components["schemas"]["UserDto"];
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
    ExternalLoginProviders: {
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
                    "application/json": components["schemas"]["ExternalProvidersDto"];
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
    ExternalLoginStart: {
        parameters: {
            query: {
                /** @description The client page to return to with the one-time code (required): one of the pages this service is configured to return to (Identity:ExternalLoginClientRedirects; one ending in / allows the pages below it), any query, without a fragment. */
                redirect_uri: string;
                /** @description sign_in (the default) signs the person in. link signs nobody in: the callback returns to the client page with ?link_code=<one-time code>, which a signed-in client posts to POST /api/v1/users/me/external-logins to link the provider to its own account. */
                intent?: "sign_in" | "link";
                /** @description With intent=link (required then): the ticket a signed-in client got from POST /api/v1/users/me/external-logins/tickets for this provider (single use, minutes). The link code the way back yields links the provider to that ticket's account only. */
                link_ticket?: string;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description A provider's name as /api/v1/auth/external/providers lists it, in any case. */
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Found */
            302: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description Where to go next. */
                    Location: string;
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
    ExternalLoginCallback: {
        parameters: {
            query: {
                /** @description The provider's authorization code (required unless error is given). */
                code?: string;
                /** @description The state this service gave the provider at the start (required; good once, for minutes). */
                state: string;
                /** @description The provider's error (e.g. access_denied), with the state: the browser goes back to the client page with it (sign_in_failed for one that is not up to 64 of a-z and _). */
                error?: string;
            };
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description A provider's name as /api/v1/auth/external/providers lists it, in any case. */
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Found */
            302: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    /** @description Where to go next. */
                    Location: string;
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
    ExternalLoginExchange: {
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
                "application/json": components["schemas"]["ExternalLoginExchangeRequest"];
            };
        };
        responses: {
            /** @description The tokens; or, when the account has two-factor sign-in on, two_factor_required with a challenge for /api/v1/auth/login/two-factor and no tokens. */
            200: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthResponse"] | components["schemas"]["TwoFactorChallengeResponse"];
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["SuspendedSignInDto"];
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
    ListMyExternalLogins: {
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
                    "application/json": components["schemas"]["LinkedExternalLoginsDto"];
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
    LinkExternalLogin: {
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
                 *       "code": "q5Xw0Jt3yB8uN1mR7kZc2vL9pH4sD6fA0gE3iO8uY1w"
                 *     }
                 */
                "application/json": components["schemas"]["LinkExternalLoginRequest"];
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
                    "application/json": components["schemas"]["LinkedExternalLoginDto"];
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
                    "application/json": components["schemas"]["LinkedExternalLoginDto"];
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
    NewExternalLoginLinkTicket: {
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
                 *       "provider": "google",
                 *       "password": "sunny-dunes-42"
                 *     }
                 */
                "application/json": components["schemas"]["NewExternalLoginLinkTicketRequest"];
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
                    "application/json": components["schemas"]["ExternalLoginLinkTicketDto"];
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
    UnlinkExternalLogin: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description A provider's name as /api/v1/auth/external/providers lists it, in any case. */
                provider: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "password": "sunny-dunes-42"
                 *     }
                 */
                "application/json": components["schemas"]["UnlinkExternalLoginRequest"];
            };
        };
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
    LoginTwoFactor: {
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
                 *       "challenge": "q5Xw0Jt3yB8uN1mR7kZc2vL9pH4sD6fA0gE3iO8uY1w",
                 *       "code": "492039"
                 *     }
                 */
                "application/json": components["schemas"]["TwoFactorLoginRequest"];
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
                    "application/json": components["schemas"]["AuthResponse"];
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
                    "application/problem+json": components["schemas"]["Problem"] & components["schemas"]["SuspendedSignInDto"];
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
    ResetTwoFactor: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The user's id. */
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
    Jwks: {
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
                    "application/json": components["schemas"]["JsonWebKeySetDocument"];
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
    GetTwoFactorStatus: {
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
                    "application/json": components["schemas"]["TwoFactorStatus"];
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
    StartTwoFactorSetup: {
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
                 *       "password": "sunny-dunes-42"
                 *     }
                 */
                "application/json": components["schemas"]["TwoFactorSetupRequest"];
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
                    "application/json": components["schemas"]["TwoFactorSetup"];
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
    DisableTwoFactor: {
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
                 *       "password": "sunny-dunes-42",
                 *       "code": "k7m2p-9qx4t"
                 *     }
                 */
                "application/json": components["schemas"]["TwoFactorDisableRequest"];
            };
        };
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
    ConfirmTwoFactor: {
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
                 *       "code": "492039"
                 *     }
                 */
                "application/json": components["schemas"]["TwoFactorConfirmRequest"];
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
                    "application/json": components["schemas"]["TwoFactorRecoveryCodes"];
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
    ReplaceTwoFactorRecoveryCodes: {
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
                 *       "password": "sunny-dunes-42",
                 *       "code": "492817"
                 *     }
                 */
                "application/json": components["schemas"]["TwoFactorNewRecoveryCodesRequest"];
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
                    "application/json": components["schemas"]["TwoFactorRecoveryCodes"];
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
    ChangeMyPassword: {
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
                 *       "current_password": "sunny-dunes-42",
                 *       "new_password": "quiet-harbour-77"
                 *     }
                 */
                "application/json": components["schemas"]["ChangePasswordRequest"];
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
                    "application/json": components["schemas"]["AuthResponse"];
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
    ForgotPassword: {
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
                "application/json": components["schemas"]["ForgotPasswordRequest"];
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PasswordResetSent"];
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
    ResetPassword: {
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
                "application/json": components["schemas"]["ResetPasswordRequest"];
            };
        };
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
    GetMyProfile: {
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
                    "application/json": components["schemas"]["UserDto"];
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
    DeleteMyAccount: {
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
                 *       "password": "sunny-dunes-42"
                 *     }
                 */
                "application/json": components["schemas"]["DeleteAccountRequest"];
            };
        };
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
    UpdateMyProfile: {
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
                "application/json": components["schemas"]["ProfileChanges"];
                "application/merge-patch+json": components["schemas"]["ProfileChanges"];
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
                    "application/json": components["schemas"]["UserDto"];
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
    GetPublicProfile: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The user's id. */
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
                    "application/json": components["schemas"]["PublicProfileDto"];
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
    ChangeRole: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
                /** @description The ETag the change was made against: a stale one is refused with 412 and nothing changes; none or * updates as is. */
                "If-Match"?: string;
            };
            path: {
                /** @description The user's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangeRoleRequest"];
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
                    "application/json": components["schemas"]["UserDto"];
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
    SendPhoneVerificationCode: {
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
            /** @description Accepted */
            202: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PhoneVerificationSent"];
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
    ConfirmPhoneVerification: {
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
                "application/json": components["schemas"]["ConfirmPhoneRequest"];
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
                    "application/json": components["schemas"]["UserDto"];
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
    SendEmailVerificationLink: {
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
            /** @description Accepted */
            202: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmailVerificationSent"];
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
    UploadMyProfilePicture: {
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
                    "application/json": components["schemas"]["UserDto"];
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
    DeleteMyProfilePicture: {
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
    GetProfilePicture: {
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
                /** @description The user's id. */
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
    GetMyReferrals: {
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
                    "application/json": components["schemas"]["ReferralSummary"];
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
    GetSuspension: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The user's id. */
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
                    "application/json": components["schemas"]["SuspensionDto"];
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
    SuspendUser: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The user's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "until": "2030-01-31T00:00:00.000000Z",
                 *       "reason": "Repeated harassment after a warning."
                 *     }
                 */
                "application/json": components["schemas"]["SuspendRequest"];
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
                    "application/json": components["schemas"]["SuspensionDto"];
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
    LiftSuspension: {
        parameters: {
            query?: never;
            header?: {
                /** @description The caller's request id (1-64 of A-Z a-z 0-9 . _ : -), echoed and logged; else a new one. */
                "X-Request-Id"?: string;
            };
            path: {
                /** @description The user's id. */
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
    JoinWaitlist: {
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
                "application/json": components["schemas"]["JoinWaitlistRequest"];
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    /** @description The request's id, as in logs and problem details. */
                    "X-Request-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaitlistStatusSent"];
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
    WaitlistStatus: {
        parameters: {
            query?: {
                /** @description The status token from the e-mail sent on joining: its place (200); one that holds none is a 404. */
                token?: string;
                /** @description Without a token: the address to e-mail its place to (202, the same whether it is on the list). */
                email?: string;
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
                    "application/json": components["schemas"]["WaitlistStatus"];
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
                    "application/json": components["schemas"]["WaitlistStatusSent"];
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
