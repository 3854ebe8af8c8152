-- An event's organizer, as the feed learns it from EventPublished: the feed leaves out others' activity about an event
-- (an RSVP, a photo) whose organizer is in a block with the reader, as it leaves out a blocked actor's. Events
-- published before this learn it from their event_published activity, whose actor is the organizer.
ALTER TABLE feed_events ADD COLUMN organizer_id uuid NULL;
UPDATE feed_events e SET organizer_id = a.actor_id
FROM activities a
WHERE a.kind = 'event_published' AND a.subject_id = e.event_id;
