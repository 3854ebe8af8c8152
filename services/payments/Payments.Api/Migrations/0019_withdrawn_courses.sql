-- Courses whose withdrawal payments has heard of: an enrollment's price told after it (its message delivered after the
-- withdrawal's, from another queue) is remembered as already ended, not put up for sale.
CREATE TABLE withdrawn_courses (
    course_id    uuid        PRIMARY KEY,
    withdrawn_at timestamptz NOT NULL
);
