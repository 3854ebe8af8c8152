-- The feed learns threads started in groups (messaging's NewThread; ThreadDeleted takes them away again).
ALTER TABLE activities DROP CONSTRAINT activities_kind_check;
ALTER TABLE activities ADD CONSTRAINT activities_kind_check
    CHECK (kind IN ('event_published', 'event_rsvp', 'group_joined', 'user_followed', 'connection_accepted', 'photo_added', 'course_completed',
                    'thread_started'));

-- Titles of threads, as the feed names them (from NewThread); a deleted one stays as a marker, so a NewThread
-- that arrives after its ThreadDeleted adds nothing.
CREATE TABLE feed_threads (
    thread_id uuid    PRIMARY KEY,
    title     text    NULL,
    deleted   boolean NOT NULL DEFAULT false
);
