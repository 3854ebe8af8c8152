-- An event's organizer, as the feed learns it from EventPublished. Activity about an event by someone else (an RSVP, a
-- photo) carries it as subject_user_id, so a block with the organizer hides that activity as a block with its actor
-- does. Events published before this learn it from their event_published activity, whose actor is the organizer.
ALTER TABLE feed_events ADD COLUMN organizer_id uuid NULL;
UPDATE feed_events e SET organizer_id = a.actor_id
FROM activities a
WHERE a.kind = 'event_published' AND a.subject_id = e.event_id;
UPDATE activities a SET subject_user_id = e.organizer_id
FROM feed_events e
WHERE a.subject_id = e.event_id AND a.kind IN ('event_rsvp', 'photo_added') AND e.organizer_id IS NOT NULL;
