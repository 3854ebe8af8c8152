-- What social knows of each user, projected from identity's and payments' events (social never
-- calls identity). Each group of columns has its own as-of time: a message older than what the
-- row already says changes nothing. A deleted user keeps a nameless row (deleted_at), so a late
-- message cannot bring the profile back.
CREATE TABLE profiles (
    user_id             uuid        PRIMARY KEY,
    username            text        NULL,
    full_name           text        NULL,
    bio                 text        NULL,
    region              text        NULL,
    city                text        NULL,
    country             text        NULL,
    gender              text        NULL,
    date_of_birth       date        NULL,
    interests           text[]      NOT NULL DEFAULT '{}',
    languages           text[]      NOT NULL DEFAULT '{}',
    profile_image_url   text        NULL,
    identity_badge      text        NULL,
    is_verified         boolean     NOT NULL DEFAULT false,
    role                text        NOT NULL DEFAULT 'member',
    tier                text        NOT NULL DEFAULT 'free',
    boosted_until       timestamptz NULL,
    registered_at       timestamptz NULL,
    profile_as_of       timestamptz NULL,
    role_as_of          timestamptz NULL,
    tier_as_of          timestamptz NULL,
    boost_as_of         timestamptz NULL,
    deleted_at          timestamptz NULL
);

-- Usernames are unique in identity; not here, where a rename and a new claim may arrive out of order.
CREATE INDEX profiles_username ON profiles (lower(username)) WHERE deleted_at IS NULL;
CREATE INDEX profiles_region ON profiles (lower(region)) WHERE deleted_at IS NULL AND username IS NOT NULL;
CREATE INDEX profiles_interests ON profiles USING gin (interests) WHERE deleted_at IS NULL AND username IS NOT NULL;
CREATE INDEX profiles_boosted ON profiles (boosted_until) WHERE boosted_until IS NOT NULL;
