CREATE TABLE courses (
    id              uuid        PRIMARY KEY,
    organizer_id    uuid        NOT NULL,
    title           text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    category        text        NOT NULL CHECK (category = lower(category) AND length(category) BETWEEN 1 AND 50),
    image_url       text        NULL,
    price_cents     bigint      NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency        text        NULL CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$'),
    -- NULL: not sold for credits.
    price_credits   integer     NULL CHECK (price_credits IS NULL OR price_credits >= 0),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT courses_paid_has_currency CHECK (price_cents = 0 OR currency IS NOT NULL)
);
-- The list reads newest first, optionally within one category.
CREATE INDEX courses_newest ON courses (created_at DESC, id DESC);
CREATE INDEX courses_category ON courses (category, created_at DESC, id DESC);
CREATE INDEX courses_organizer ON courses (organizer_id);

CREATE TABLE course_modules (
    id                  uuid    PRIMARY KEY,
    course_id           uuid    NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    position            integer NOT NULL CHECK (position >= 1),
    title               text    NOT NULL,
    duration_minutes    integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 600),
    content             text    NOT NULL DEFAULT '',
    video_url           text    NULL,
    CONSTRAINT course_modules_position UNIQUE (course_id, position)
);

CREATE TABLE course_enrollments (
    id              uuid        PRIMARY KEY,
    course_id       uuid        NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending_payment', 'active')),
    -- The price when the learner enrolled: what a later payment must match.
    price_cents     bigint      NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency        text        NULL,
    price_credits   integer     NULL CHECK (price_credits IS NULL OR price_credits >= 0),
    paid_with       text        NULL CHECK (paid_with IN ('money', 'credits')),
    payment_id      uuid        NULL,
    created_at      timestamptz NOT NULL,
    activated_at    timestamptz NULL,
    -- One enrollment per learner and course: a second (even concurrent) enroll finds the first.
    CONSTRAINT course_enrollments_one_per_user UNIQUE (course_id, user_id),
    CONSTRAINT course_enrollments_active_since CHECK (status <> 'active' OR activated_at IS NOT NULL)
);
CREATE INDEX course_enrollments_user ON course_enrollments (user_id);

CREATE TABLE module_progress (
    enrollment_id   uuid        NOT NULL REFERENCES course_enrollments (id) ON DELETE CASCADE,
    module_id       uuid        NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
    completed_at    timestamptz NOT NULL,
    PRIMARY KEY (enrollment_id, module_id)
);
CREATE INDEX module_progress_module ON module_progress (module_id);
