-- Schema version 5: each device's certificate from its account key (docs/protocol.md,
-- "Accounts and devices"), published with its keys and served with its bundle.
ALTER TABLE devices ADD COLUMN certificate ${bytes};
