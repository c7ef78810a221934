-- 登录限速 (login rate limit): failed logins per key ("user:<name>" or "ip:<address>") since the
-- first failure of the current window. In the database, so that every server process on it
-- shares the limit and a restart does not reset it.
CREATE TABLE login_failures (
    key      TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at TEXT NOT NULL
);
CREATE INDEX login_failures_first_at ON login_failures (first_at);
