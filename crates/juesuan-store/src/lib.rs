//! Versioned storage of unit-years (SQLite embedded, PostgreSQL for a bureau), diff, restore
//! and consolidation (汇总).
//!
//! Every import, edit, restore or consolidation writes a new immutable version (版本) of a
//! unit-year: the input TOML text as validated plus one row per fact (money as BIGINT 分).
//! One code path serves both databases through sqlx's `Any` driver with runtime,
//! parameterised queries; the schema lives in `migrations/sqlite` and `migrations/postgres`
//! (same tables, spelled for each database). See docs/store.md.

mod accounts;
mod consolidate;
mod events;
mod keys;
mod plans;
mod prior;
pub mod testing;
pub mod time;
mod units;
mod versions;

pub use consolidate::Elimination;
pub use keys::{fact_key, fact_label};
pub use plans::{NewPlan, PlanInfo, StoredPlan};
pub use prior::{PriorFigures, PriorMismatch};

use juesuan_core::facts::{Fact, FundSource, Measure, Nature, Scenario};
use juesuan_core::input::declared_year;
use juesuan_core::{Amount, InputError, UnitYear};
use juesuan_data::{Library, ReadError};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file (单机版, embedded)
    Sqlite,
    /// PostgreSQL server (财政局 / 主管部门 deployments)
    Postgres,
}

/// A user's role (角色), stored as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 填报人: edits the units granted to them
    Preparer,
    /// 审核人: reads and consolidates every unit
    Reviewer,
    /// 管理员: manages users and units
    Admin,
}

impl Role {
    /// The stored text: "preparer" / "reviewer" / "admin".
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Preparer => "preparer",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "preparer" => Some(Role::Preparer),
            "reviewer" => Some(Role::Reviewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Chinese name: 填报人 / 审核人 / 管理员.
    pub fn label(self) -> &'static str {
        match self {
            Role::Preparer => "填报人",
            Role::Reviewer => "审核人",
            Role::Admin => "管理员",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A unit (单位) and its superior unit (上级单位).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

/// One version (版本) of a unit-year, without its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub id: i64,
    pub unit_code: String,
    pub year: i32,
    /// 1, 2, 3… per unit-year
    pub number: i32,
    pub author: String,
    /// RFC 3339 UTC, `YYYY-MM-DDTHH:MM:SSZ`
    pub created_at: String,
    pub note: String,
    pub fact_count: i64,
    /// How the version came about: "import", "restore" or "consolidate".
    pub kind: String,
    /// For a restore: the version whose content it repeats.
    pub based_on: Option<i64>,
    /// Where the text came from (file name, "web", "汇总 …").
    pub origin: String,
}

/// A version with its input TOML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub info: VersionInfo,
    pub input_toml: String,
}

/// A fact that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactChange {
    /// Readable fact key, e.g. `income.actual.general_budget.2060701` (see [`fact_key`]).
    pub key: String,
    /// `None`: the fact is not in the older version.
    pub before: Option<Amount>,
    /// `None`: the fact is not in the newer version.
    pub after: Option<Amount>,
    /// Chinese description ("决算数 本年收入 一般公共预算财政拨款 2060701").
    pub label: String,
}

/// A user (用户).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// PHC string made by the caller (e.g. argon2); the store never sees passwords.
    pub password_hash: String,
    /// 已停用: cannot sign in (migration 0003).
    pub disabled: bool,
    /// Must set a new password before anything else (first or demo administrator, reset).
    pub must_change_password: bool,
}

/// Failed logins of one key (登录失败记录): how many, since when, the latest (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginRecord {
    pub failures: i64,
    pub first_at: i64,
    pub last_at: i64,
}

/// The documented pattern of unit codes (单位编码): 1–40 ASCII letters, digits, `-` or `_`,
/// beginning with a letter or digit (e.g. `511400001`, `511400-kexie`).
pub fn valid_unit_code(code: &str) -> Result<(), StoreError> {
    let ok = (1..=40).contains(&code.len())
        && code
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "单位编码“{}”不符合要求：须为1至40个英文字母、数字、“-”或“_”，以字母或数字开头（如 511400001）",
            code.chars().take(60).collect::<String>()
        )))
    }
}

/// A live session (会话).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
    /// RFC 3339 UTC, `YYYY-MM-DDTHH:MM:SSZ`
    pub expires_at: String,
}

/// An audit-log entry (操作日志).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

/// A fact as stored, with its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFact {
    pub key: String,
    pub fact: Fact,
}

/// What `import` does with the `[prior]` (上年决算数) figures when the unit's previous year is
/// stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PriorPolicy {
    /// Fill `[prior]` from the stored previous year when the input has none; when it has one,
    /// every stated prior figure must equal the stored one (else [`StoreError::PriorMismatch`]).
    #[default]
    Check,
    /// Take the input's `[prior]` as stated (e.g. the previous year was restated / 口径调整);
    /// still fill it when absent.
    Trust,
}

/// One unit-year for [`Store::import_many`].
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    /// 单位编码
    pub unit_code: &'a str,
    /// The input file's text (TOML).
    pub input_toml: &'a str,
    /// 版本说明
    pub note: &'a str,
    pub policy: PriorPolicy,
}

/// Errors of the store, with Chinese messages that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input did not validate; nothing was stored. Errors keep file:line:col and code.
    #[error("输入有{}处错误，未保存任何数据：\n{}", .0.len(), join_lines(.0))]
    Input(Vec<InputError>),
    /// Stated `[prior]` figures differ from the stored previous year.
    #[error("上年决算数与已存的{year}年度数据（第{number}版）不一致，未保存：\n{}\n处理：改为已存的数，或确属口径调整时以 --keep-prior（PriorPolicy::Trust）导入。", join_lines(mismatches))]
    PriorMismatch {
        year: i32,
        number: i32,
        mismatches: Vec<PriorMismatch>,
    },
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
    #[error("数据库结构升级（迁移）失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("无法识别的数据库地址“{0}”：请用 sqlite:文件路径（如 sqlite:juesuan.db）或 postgres://用户@主机:端口/库名")]
    BadUrl(String),
    #[error("没有编码为“{0}”的单位：请先登记单位（juesuan db unit）")]
    UnknownUnit(String),
    #[error("没有编号为 {0} 的版本：请用 juesuan db history 查看可用版本")]
    UnknownVersion(i64),
    #[error("没有编号为 {0} 的用户")]
    UnknownUser(i64),
    #[error("用户名“{0}”已被使用：请换一个用户名")]
    DuplicateUser(String),
    #[error("数据文件错误：{0}")]
    Data(String),
    #[error("无法汇总：{0}")]
    Consolidation(String),
    #[error("{0}")]
    Invalid(String),
    #[error("已存的版本 {id} 无法读取（{reason}）：数据库可能被外部修改")]
    Corrupt { id: i64, reason: String },
}

fn join_lines<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

const MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
const MIGRATE_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Versioned storage of unit-years. Cheap to clone (a pool handle); share it between tasks.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    library: Arc<Library>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// A new version to write.
struct NewVersion<'a> {
    unit_code: &'a str,
    input_toml: &'a str,
    uy: &'a UnitYear,
    kind: &'a str,
    based_on: Option<i64>,
    origin: &'a str,
    author: &'a str,
    note: &'a str,
}

impl Store {
    /// Open (and migrate) the database at `url`: `sqlite:path.db` (the file is created if
    /// missing; a bare path ending in `.db`/`.sqlite` is taken as SQLite too) or
    /// `postgres://user@host:port/db`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, Library::embedded()).await
    }

    /// [`Store::open`] with a data library other than the embedded one (for `--data-dir`);
    /// its catalogues validate imports.
    pub async fn open_with(url: &str, library: Library) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        let mut options = AnyPoolOptions::new();
        if backend == Backend::Sqlite && url.contains(":memory:") {
            // Each connection to :memory: is its own database: keep exactly one.
            options = options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        } else {
            options = options.max_connections(8);
        }
        let pool = options.connect(&url).await?;
        if backend == Backend::Sqlite && !url.contains(":memory:") {
            // Readers need not wait for a writer (web app); the setting is kept in the file.
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_optional(&pool)
                .await?;
        }
        match backend {
            Backend::Sqlite => MIGRATE_SQLITE.run(&pool).await?,
            Backend::Postgres => MIGRATE_POSTGRES.run(&pool).await?,
        }
        Ok(Store {
            pool,
            backend,
            library: Arc::new(library),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The data library whose catalogues validate imports.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Close the pool (waits for connections to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    actor: Option<&str>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO events (at, actor, action, detail) VALUES ($1, $2, $3, $4)")
        .bind(time::now_rfc3339())
        .bind(actor)
        .bind(action)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

async fn log_in(
    tx: &mut Transaction<'static, Any>,
    actor: Option<&str>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    insert_event(tx, actor, action, detail).await
}

/// `(url for sqlx, backend)`.
fn normalise_url(url: &str) -> Result<(String, Backend), StoreError> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_string(), Backend::Postgres));
    }
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if !url.contains("://") && !url.is_empty() {
        url
    } else {
        return Err(StoreError::BadUrl(url.to_string()));
    };
    if path.is_empty() {
        return Err(StoreError::BadUrl(url.to_string()));
    }
    // Create the file if missing unless the caller chose a mode.
    let full = if path.contains('?') {
        format!("sqlite:{path}")
    } else {
        format!("sqlite:{path}?mode=rwc")
    };
    Ok((full, Backend::Sqlite))
}

/// The amount unit an input declares (万元 when unreadable: the parser will say why).
fn amount_unit_of(text: &str) -> juesuan_core::MoneyUnit {
    toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|t| t.get("amount_unit").cloned())
        .and_then(|v| v.try_into().ok())
        .unwrap_or(juesuan_core::MoneyUnit::Wan)
}

fn unit_row(r: &AnyRow) -> Result<UnitRow, StoreError> {
    Ok(UnitRow {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        parent: r.try_get("parent_code")?,
    })
}

fn user_row(r: &AnyRow) -> Result<UserRow, StoreError> {
    let id: i64 = r.try_get("id")?;
    let role: String = r.try_get("role")?;
    Ok(UserRow {
        id,
        name: r.try_get("name")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Invalid(format!("用户{id}的角色“{role}”无法识别")))?,
        password_hash: r.try_get("password_hash")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
    })
}

fn version_info(r: &AnyRow) -> Result<VersionInfo, StoreError> {
    let year: i64 = r.try_get("year")?;
    let number: i64 = r.try_get("number")?;
    Ok(VersionInfo {
        id: r.try_get("id")?,
        unit_code: r.try_get("unit_code")?,
        year: year as i32,
        number: number as i32,
        author: r.try_get("author")?,
        created_at: r.try_get("created_at")?,
        note: r.try_get("note")?,
        fact_count: r.try_get("fact_count")?,
        kind: r.try_get("kind")?,
        based_on: r.try_get("based_on")?,
        origin: r.try_get("origin")?,
    })
}

fn stored_version(r: &AnyRow) -> Result<StoredVersion, StoreError> {
    Ok(StoredVersion {
        info: version_info(r)?,
        input_toml: r.try_get("input_toml")?,
    })
}

fn stored_fact(r: &AnyRow, version_id: i64) -> Result<StoredFact, StoreError> {
    let corrupt = |what: &str, value: &str| StoreError::Corrupt {
        id: version_id,
        reason: format!("{what}“{value}”无法识别"),
    };
    let measure: String = r.try_get("measure")?;
    let scenario: String = r.try_get("scenario")?;
    let source: Option<String> = r.try_get("source")?;
    let nature: Option<String> = r.try_get("nature")?;
    let mut fact = Fact::new(
        keys::from_name::<Measure>(&measure).ok_or_else(|| corrupt("measure", &measure))?,
        keys::from_name::<Scenario>(&scenario).ok_or_else(|| corrupt("scenario", &scenario))?,
        Amount(r.try_get("amount_fen")?),
    );
    fact.source = source
        .map(|s| FundSource::from_key(&s).ok_or_else(|| corrupt("source", &s)))
        .transpose()?;
    fact.nature = nature
        .map(|n| Nature::from_key(&n).ok_or_else(|| corrupt("nature", &n)))
        .transpose()?;
    fact.function = r.try_get("function_code")?;
    fact.economic = r.try_get("economic_code")?;
    fact.item = r.try_get("item")?;
    Ok(StoredFact {
        key: r.try_get("fact_key")?,
        fact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            normalise_url("sqlite:juesuan.db").unwrap(),
            ("sqlite:juesuan.db?mode=rwc".to_string(), Backend::Sqlite)
        );
        assert_eq!(normalise_url("data/x.db").unwrap().1, Backend::Sqlite);
        assert_eq!(
            normalise_url("postgres://u@127.0.0.1:5432/db").unwrap().1,
            Backend::Postgres
        );
        assert!(matches!(
            normalise_url("mysql://x"),
            Err(StoreError::BadUrl(_))
        ));
        assert!(matches!(
            normalise_url("sqlite:"),
            Err(StoreError::BadUrl(_))
        ));
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Preparer, Role::Reviewer, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
