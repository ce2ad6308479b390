-- Schema version 6: signed device revocations (docs/protocol.md, "Accounts and devices"). A
-- revoked device id is refused at hello; its revocation is served with the user's bundles.
CREATE TABLE device_revocations (
  user_id     VARCHAR(32) NOT NULL,
  device_id   INTEGER     NOT NULL,
  revocation  ${bytes}    NOT NULL,
  revoked_at  BIGINT      NOT NULL
);

CREATE INDEX device_revocations_user ON device_revocations (user_id, device_id);
