-- Who is connected, which conversations each connection joined and who is online now live in Redis (RealTime/HubPresence:
-- shared by every instance, leased, nothing to keep). What stays is the durable fact the digest reads: when each user
-- last went offline.
DROP TABLE hub_joins;
DROP TABLE hub_connections;
ALTER TABLE user_presence DROP COLUMN online;
