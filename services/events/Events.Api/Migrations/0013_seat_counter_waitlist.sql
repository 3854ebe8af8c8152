-- Seats are taken by a conditional update of seats_taken (no event lock across a request): a
-- newcomer takes one only while nobody waits, and the sweeper finds waiting lists with free seats.
-- Both ask "who waits for this event, in order" of this index.
CREATE INDEX registrations_waitlisted ON registrations (event_id, sequence) WHERE status = 'waitlisted';
-- Every registration asks whether one of the event's holds is past its time (then it ends them
-- itself rather than refuse a seat the sweeper has not released yet).
CREATE INDEX registrations_held ON registrations (event_id, hold_expires_at) WHERE status = 'held';
