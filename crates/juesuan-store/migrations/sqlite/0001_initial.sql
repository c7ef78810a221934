-- juesuan store, schema 1 (SQLite). Keep in step with ../postgres/0001_initial.sql:
-- same tables, columns and constraints; only identity columns and triggers are spelled differently.

-- 单位 (units) with their superior unit (上级单位): departments under a region, sub-units under a department.
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_code TEXT NULL REFERENCES units(code),
    created_at  TEXT NOT NULL,
    CHECK (parent_code IS NULL OR parent_code <> code)
);

-- 版本 (versions): one immutable row per import, restore or consolidation of a unit-year.
CREATE TABLE versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_code   TEXT NOT NULL REFERENCES units(code),
    year        BIGINT NOT NULL,
    number      BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('import', 'restore', 'consolidate')),
    based_on    BIGINT NULL REFERENCES versions(id),
    origin      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    note        TEXT NOT NULL,
    input_toml  TEXT NOT NULL,
    fact_count  BIGINT NOT NULL,
    UNIQUE (unit_code, year, number)
);
CREATE INDEX versions_by_unit_year ON versions (unit_code, year);

-- 事实 (facts): every base figure of a version, one row each; money in 分 (BIGINT).
CREATE TABLE facts (
    version_id    BIGINT NOT NULL REFERENCES versions(id),
    fact_key      TEXT NOT NULL,
    measure       TEXT NOT NULL,
    scenario      TEXT NOT NULL,
    source        TEXT NULL,
    nature        TEXT NULL,
    function_code TEXT NULL,
    economic_code TEXT NULL,
    item          TEXT NULL,
    amount_fen    BIGINT NOT NULL,
    PRIMARY KEY (version_id, fact_key)
);
CREATE INDEX facts_by_dimension ON facts (measure, scenario, function_code);

-- Versions and their facts never change once written.
CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;
CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are immutable'); END;
CREATE TRIGGER facts_no_update BEFORE UPDATE ON facts
BEGIN SELECT RAISE(ABORT, 'facts are immutable'); END;
CREATE TRIGGER facts_no_delete BEFORE DELETE ON facts
BEGIN SELECT RAISE(ABORT, 'facts are immutable'); END;

-- 用户 (users), password hashes only (PHC strings made by the web app).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('preparer', 'reviewer', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- 授权 (grants): which units a preparer may edit.
CREATE TABLE grants (
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    unit_code TEXT NOT NULL REFERENCES units(code),
    PRIMARY KEY (user_id, unit_code)
);

-- 会话 (sessions): only the hash of the session token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- 操作日志 (audit log).
CREATE TABLE events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
