-- CipherTalk local store, schema version 3: account, room cache, seen ids, unread sets.

CREATE TABLE account (
  slot INTEGER PRIMARY KEY,
  user_id VARCHAR(64) NOT NULL,
  device_id INTEGER NOT NULL,
  token_sealed VARCHAR NOT NULL
);

CREATE TABLE rooms (
  room_id VARCHAR(64) PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  name VARCHAR(512),
  description VARCHAR(4096),
  max_members INTEGER NOT NULL
);

CREATE TABLE room_members (
  room_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(64) NOT NULL,
  member_role VARCHAR(16) NOT NULL,
  member_order INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
);

CREATE TABLE seen_messages (
  message_id VARCHAR(36) PRIMARY KEY,
  seen_at BIGINT NOT NULL
);

CREATE INDEX seen_messages_time ON seen_messages (seen_at);

CREATE TABLE unread_messages (
  room_id VARCHAR(64) NOT NULL,
  message_id VARCHAR(36) NOT NULL,
  PRIMARY KEY (room_id, message_id)
);
