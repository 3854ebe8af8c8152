-- Who runs each course the feed names, so that "completed a course" is left out for the people in a block with its
-- organizer (as an RSVP or a photo of a blocked organizer's event is: 0030). Courses completed before this have none
-- until their next completion.
ALTER TABLE feed_courses ADD COLUMN organizer_id uuid;
