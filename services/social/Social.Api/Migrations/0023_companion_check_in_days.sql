-- The UTC days a member talked with the AI companion (CompanionCheckedIn), for the dashboard's emotional path.
CREATE TABLE companion_check_in_days (
    user_id uuid NOT NULL,
    day date NOT NULL,
    PRIMARY KEY (user_id, day)
);
