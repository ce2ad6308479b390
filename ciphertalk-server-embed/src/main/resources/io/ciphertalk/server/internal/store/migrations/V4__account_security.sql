-- Account security (issue 13): disabled accounts, persisted TOTP replay protection, idle expiry of
-- bearer tokens, hashed single-use recovery codes, retired usernames and registration invites.

-- A disabled account cannot log in and its tokens are revoked; an administrator can enable it again.
ALTER TABLE accounts ADD COLUMN disabled BOOLEAN DEFAULT FALSE NOT NULL;
-- The last TOTP time step accepted for this account (login, confirm, re-authentication): a code of
-- that step or an earlier one is never accepted again, across restarts (RFC 6238 section 5.2).
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT;

-- When the token was last presented (REST request or WebSocket hello), for idle expiry.
ALTER TABLE tokens ADD COLUMN last_used_at BIGINT;
UPDATE tokens SET last_used_at = created_at;

-- TOTP recovery codes, stored as SHA-256 hex of the normalised code (80 random bits each); a used
-- code's row is deleted.
CREATE TABLE recovery_codes (
  user_id    VARCHAR(32) NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
  code_hash  VARCHAR(64) NOT NULL,
  created_at BIGINT      NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);

-- Names of deleted accounts: never registered again, so a newcomer cannot take over a deleted
-- user's contacts and rooms under the same name.
CREATE TABLE retired_usernames (
  user_id    VARCHAR(32) NOT NULL PRIMARY KEY,
  retired_at BIGINT      NOT NULL
);

-- Registration invites (used when the server runs invite-only), stored as SHA-256 hex of the code.
CREATE TABLE invites (
  code_hash  VARCHAR(64) NOT NULL PRIMARY KEY,
  created_by VARCHAR(32) NOT NULL,
  created_at BIGINT      NOT NULL,
  expires_at BIGINT      NOT NULL,
  used_by    VARCHAR(32),
  used_at    BIGINT
);

-- A member added by someone else (room creation, invitation) is pending until they accept: until
-- then the room does not make them a co-member for presence, nor a known requester for one-time
-- prekeys. Existing memberships count as accepted.
ALTER TABLE room_members ADD COLUMN accepted BOOLEAN DEFAULT TRUE NOT NULL;
