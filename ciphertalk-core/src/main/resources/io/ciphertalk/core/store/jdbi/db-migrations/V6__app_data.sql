-- CipherTalk local store, schema version 6: the host app's own small records, sealed.

CREATE TABLE app_data (
  data_key VARCHAR(128) PRIMARY KEY,
  value_sealed VARCHAR NOT NULL
);
