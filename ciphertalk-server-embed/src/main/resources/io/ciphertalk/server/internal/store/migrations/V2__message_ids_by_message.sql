-- Dedupe records keyed by (message_id, sender_user) instead of (sender_user, message_id).
-- Message ids are UUIDv7, so new keys now land at the right edge of the primary key, where the old
-- order put them in one place per active sender (each commit rewrote a page per sender); the
-- primary key also serves lookups by message id alone, so message_ids_by_id goes.
CREATE TABLE message_ids_v2 (
  message_id  VARCHAR(36) NOT NULL,
  sender_user VARCHAR(32) NOT NULL,
  room_id     VARCHAR(64),
  seq         BIGINT,
  accepted_at BIGINT      NOT NULL,
  PRIMARY KEY (message_id, sender_user)
);
INSERT INTO message_ids_v2 (message_id, sender_user, room_id, seq, accepted_at)
  SELECT message_id, sender_user, room_id, seq, accepted_at FROM message_ids;
DROP TABLE message_ids;
ALTER TABLE message_ids_v2 RENAME TO message_ids;
CREATE INDEX message_ids_by_time ON message_ids (accepted_at);
