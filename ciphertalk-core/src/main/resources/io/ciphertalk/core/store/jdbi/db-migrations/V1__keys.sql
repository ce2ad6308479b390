-- CipherTalk local store, schema version 1: store metadata and key material.
-- Portable SQL (H2 2.x and PostgreSQL). Sealed columns hold base64(nonce || AES-256-GCM ciphertext || tag).

CREATE TABLE store_meta (
  name VARCHAR(64) PRIMARY KEY,
  val VARCHAR(4096) NOT NULL
);

CREATE TABLE local_identity (
  slot INTEGER PRIMARY KEY,
  user_id VARCHAR(64) NOT NULL,
  device_id INTEGER NOT NULL,
  public_key VARCHAR NOT NULL,
  private_key_sealed VARCHAR NOT NULL
);

CREATE TABLE peer_identities (
  user_id VARCHAR(64) NOT NULL,
  device_id INTEGER NOT NULL,
  identity_key VARCHAR NOT NULL,
  PRIMARY KEY (user_id, device_id)
);

CREATE TABLE sessions (
  user_id VARCHAR(64) NOT NULL,
  device_id INTEGER NOT NULL,
  state_sealed VARCHAR NOT NULL,
  PRIMARY KEY (user_id, device_id)
);

CREATE TABLE prekeys (
  kind VARCHAR(16) NOT NULL,
  key_id INTEGER NOT NULL,
  secret_sealed VARCHAR NOT NULL,
  PRIMARY KEY (kind, key_id)
);

CREATE TABLE sender_keys (
  room_id VARCHAR(64) NOT NULL,
  sender_user VARCHAR(64) NOT NULL,
  sender_device INTEGER NOT NULL,
  state_sealed VARCHAR NOT NULL,
  PRIMARY KEY (room_id, sender_user, sender_device)
);
