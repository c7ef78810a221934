-- 账户管理 (#15): a disabled user cannot sign in and has no live session; a user who must
-- change the password (the first administrator, the demo admin, a reset by an administrator)
-- can do nothing else until it is changed. 0/1, not BOOLEAN, so one query serves both
-- databases through sqlx's Any driver.
ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
-- 登录锁定的指数退避 (exponential backoff): the time of the latest failure of a key.
ALTER TABLE login_failures ADD COLUMN last_at TEXT NOT NULL DEFAULT '';
