-- An outside sign-in is bound to the browser that started it: /start sets a cookie holding a secret, and the callback
-- is answered only with it (a sign-in link the provider returned to someone else's browser signs nobody in there).
-- Null on rows written by instances of the previous release during a rolling update; the callback refuses those
-- (the person starts again).
ALTER TABLE external_login_states ADD COLUMN browser_binding_hash bytea NULL;
