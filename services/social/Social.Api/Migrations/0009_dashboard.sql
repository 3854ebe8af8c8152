-- The days (UTC) a member did something social sees: asked or accepted a connection, followed,
-- joined a group, checked in at an event, enrolled in a course. The dashboard's streak counts them.
CREATE TABLE activity_days (
    user_id uuid NOT NULL,
    day     date NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- The activity social already holds, so streaks do not start from nothing (badges come with the next trigger).
INSERT INTO activity_days (user_id, day)
SELECT user_id, (happened_at AT TIME ZONE 'UTC')::date FROM (
    SELECT requester_id AS user_id, created_at AS happened_at FROM connections
    UNION ALL SELECT addressee_id, accepted_at FROM connections WHERE accepted_at IS NOT NULL
    UNION ALL SELECT follower_id, created_at FROM follows
    UNION ALL SELECT user_id, joined_at FROM group_members
    UNION ALL SELECT user_id, arrived_at FROM events_attended
) AS activity
ON CONFLICT DO NOTHING;

-- Badges earned by the published rules (Dashboard/BadgeRules.cs); one row per member and badge, so each is awarded once.
CREATE TABLE badges (
    user_id   uuid        NOT NULL,
    badge     text        NOT NULL,
    earned_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, badge)
);

-- Courses a member enrolled in (events' CourseEnrolled). Events publishes no completion, so each counts as in progress.
CREATE TABLE course_enrollments (
    user_id       uuid        NOT NULL,
    course_id     uuid        NOT NULL,
    enrollment_id uuid        NOT NULL,
    enrolled_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, course_id)
);

-- Weekly growth counts connections accepted recently, from either side.
CREATE INDEX connections_requester_accepted ON connections (requester_id, accepted_at) WHERE status = 'accepted';
CREATE INDEX connections_addressee_accepted ON connections (addressee_id, accepted_at) WHERE status = 'accepted';
-- The Founder badge reads the largest group a member owns.
CREATE INDEX groups_owner_members ON groups (owner_id, member_count DESC);
