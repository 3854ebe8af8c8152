-- What was withdrawn from the feed (an event cancelled or made private, a group deleted, a course withdrawn, a
-- connection removed), as of when: a publication older than its withdrawal, handled after it (a queue that lagged, a
-- retry), suggests nothing. Kept for good: a row per withdrawn thing.
CREATE TABLE activity_withdrawn (
    source text        PRIMARY KEY,
    as_of  timestamptz NOT NULL
);
