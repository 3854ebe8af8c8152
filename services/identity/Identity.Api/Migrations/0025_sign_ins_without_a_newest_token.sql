-- ExpiredCredentials finds a sign-in that is over by its newest token, the one never rotated. Releases before the
-- refresh's claim and its new token were one transaction could leave a sign-in with every token rotated (a refresh
-- that failed after its claim), which that sweep never finds. Those whose every token was rotated more than a day ago
-- can no longer refresh (a rotated token is answered again only within a minute) nor have an access token accepted
-- (15 minutes), and go now.
DELETE FROM refresh_tokens t
WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens n WHERE n.family_id = t.family_id AND n.rotated_at IS NULL)
    AND NOT EXISTS (
        SELECT 1 FROM refresh_tokens r WHERE r.family_id = t.family_id AND r.rotated_at > now() - interval '1 day');
