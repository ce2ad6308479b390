-- Schema version 7: signed one-time ML-KEM-768 prekeys (PQXDH's PQOPK, docs/protocol.md). One row
-- per unused key; a bundle fetch deletes the row it hands out, so each is served at most once.
-- The device's last-resort KEM prekey stays in devices.kem_prekey and is served when none are left.
CREATE TABLE one_time_kem_prekeys (
  user_id    VARCHAR(32) NOT NULL,
  device_id  INTEGER     NOT NULL,
  key_id     BIGINT      NOT NULL,
  public_key ${bytes}    NOT NULL,
  signature  ${bytes}    NOT NULL,
  PRIMARY KEY (user_id, device_id, key_id),
  FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);

-- Whether the device has ever published one-time KEM prekeys: only then does the PREKEYS_LOW count
-- include them (a client that publishes none is not told it runs out of them).
ALTER TABLE devices ADD COLUMN one_time_kem BOOLEAN DEFAULT FALSE NOT NULL;
