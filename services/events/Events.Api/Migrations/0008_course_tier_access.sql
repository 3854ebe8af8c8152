-- The elite tier includes every course: an enrollment it opened is settled by the tier ('elite'),
-- not by a payment, and its content is open while the learner's token says elite.
ALTER TABLE course_enrollments
    DROP CONSTRAINT course_enrollments_paid_with_check,
    ADD CONSTRAINT course_enrollments_paid_with_check CHECK (paid_with IN ('money', 'credits', 'elite'));
