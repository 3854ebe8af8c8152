-- Event registrations and course enrollments that ended (events' RsvpCancelled, CourseEnrollmentEnded). Each of
-- social's consumers has its own queue, so the confirmation or enrollment an ending undoes may be handled after it:
-- finding its id here, it adds nothing (a registration confirmed again after ended_at is news again). The rows name
-- nobody; each ending deletes a few that ended more than 30 days ago (Signups.Kept).
CREATE TABLE ended_signups (
    signup_id uuid        PRIMARY KEY,
    ended_at  timestamptz NOT NULL
);
CREATE INDEX ended_signups_ended_at ON ended_signups (ended_at);
