-- CipherTalk local store, schema version 5: the send state of messages this device sent.
-- Stores from version 4 simply have no states yet (their sent messages show no status).

CREATE TABLE message_send_state (
  message_id VARCHAR(36) PRIMARY KEY,
  status VARCHAR(16) NOT NULL,
  failure_reason VARCHAR(200),
  updated_at BIGINT NOT NULL
);
