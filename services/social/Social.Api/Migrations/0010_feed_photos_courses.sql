-- The feed learns photos added to events (events' EventPhotoAdded) and completed courses (CourseCompleted),
-- and the dashboard's courses in progress leave out completed ones.
ALTER TABLE activities DROP CONSTRAINT activities_kind_check;
ALTER TABLE activities ADD CONSTRAINT activities_kind_check
    CHECK (kind IN ('event_published', 'event_rsvp', 'group_joined', 'user_followed', 'connection_accepted', 'photo_added', 'course_completed'));

-- Titles of courses someone completed, as the feed names them (from CourseCompleted).
CREATE TABLE feed_courses (
    course_id uuid PRIMARY KEY,
    title     text NOT NULL
);

ALTER TABLE course_enrollments ADD COLUMN completed_at timestamptz NULL;
