-- Money payments a course enrollment refused (already active through another payment or the elite tier, the course
-- withdrawn, not the price): payments refunds each, and that refund ends no enrollment. Without it, one reaching an
-- enrollment that went back to pending meanwhile (its learner's elite tier lapsed) would end it, progress and all.
-- Rows go with their enrollment (a refund that finds none ends nothing either way).
CREATE TABLE refused_course_payments (
    payment_id    uuid        PRIMARY KEY,
    enrollment_id uuid        NOT NULL REFERENCES course_enrollments (id) ON DELETE CASCADE,
    refused_at    timestamptz NOT NULL
);
CREATE INDEX refused_course_payments_enrollment ON refused_course_payments (enrollment_id);
