-- Schema version 7: encrypted attachment blobs (issue 19; docs/protocol.md, "Blob store (REST)").
-- The bytes live in the BlobStore (files under <data>/blobs by default); these rows hold who owns a
-- blob, the room that may read it, how much has arrived, and which messages still refer to it.
CREATE TABLE blobs (
  blob_id     VARCHAR(40)  NOT NULL PRIMARY KEY,
  owner_id    VARCHAR(32)  NOT NULL,
  room_id     VARCHAR(128) NOT NULL,
  size        BIGINT       NOT NULL,
  received    BIGINT       NOT NULL,
  complete    BOOLEAN      NOT NULL,
  created_at  BIGINT       NOT NULL,
  updated_at  BIGINT       NOT NULL
);

CREATE INDEX blobs_owner ON blobs (owner_id);
CREATE INDEX blobs_pending ON blobs (complete, updated_at);

-- A message (by id) that carries the blob's key; the blob is deleted once it has none left. A
-- reference ends at its message's expiry, when the sender deletes the message for everyone, or
-- when the room's history retention has passed.
CREATE TABLE blob_refs (
  blob_id     VARCHAR(40)  NOT NULL REFERENCES blobs (blob_id) ON DELETE CASCADE,
  message_id  VARCHAR(64)  NOT NULL,
  added_by    VARCHAR(32)  NOT NULL,
  expires_at  BIGINT,
  created_at  BIGINT       NOT NULL,
  PRIMARY KEY (blob_id, message_id)
);

CREATE INDEX blob_refs_expiry ON blob_refs (expires_at);
