-- 转移支付分配计划 (#16): every save of an allocation plan is a new immutable version, like
-- the versions of a unit-year. A plan is named by its allocating unit, year and title (a unit
-- may allocate several funds a year). The KPI file it names is kept with it, as uploaded
-- (CSV text or an Excel workbook), so the version allocates the same way forever.
-- Keep in step with ../postgres/0004_allocation_plans.sql.
CREATE TABLE allocation_plans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_code   TEXT NOT NULL REFERENCES units(code),
    year        BIGINT NOT NULL,
    title       TEXT NOT NULL,
    number      BIGINT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    note        TEXT NOT NULL,
    plan_name   TEXT NOT NULL,
    plan_toml   TEXT NOT NULL,
    kpi_name    TEXT NULL,
    kpi_data    BLOB NULL,
    pool_fen    BIGINT NOT NULL,
    recipients  BIGINT NOT NULL,
    UNIQUE (unit_code, year, title, number)
);
CREATE INDEX allocation_plans_by_unit_year ON allocation_plans (unit_code, year);

CREATE TRIGGER allocation_plans_no_update BEFORE UPDATE ON allocation_plans
BEGIN SELECT RAISE(ABORT, 'allocation plan versions are immutable'); END;
CREATE TRIGGER allocation_plans_no_delete BEFORE DELETE ON allocation_plans
BEGIN SELECT RAISE(ABORT, 'allocation plan versions are immutable'); END;
