-- Schema version 9: daily active-user counts for the administrators' statistics (GET /api/admin/stats,
-- docs/server-guide.md, "Administrators' statistics"). A user active on a UTC day (a login or an
-- authenticated request or connection) adds one row for that day to active_user_marks, keyed by a
-- SHA-256 digest of the day and the user id, never the id itself. Once the day is over its rows are
-- counted into active_user_days and deleted, so past days are bare counts; counts older than 30
-- days are deleted too. Days are numbered from 1970-01-01 (UTC).
CREATE TABLE active_user_marks (
  day_number  INTEGER  NOT NULL,
  digest      ${bytes} NOT NULL,
  PRIMARY KEY (day_number, digest)
);

CREATE TABLE active_user_days (
  day_number  INTEGER NOT NULL PRIMARY KEY,
  user_count  BIGINT  NOT NULL
);
