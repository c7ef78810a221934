//! Versioned storage of unit-years (SQLite embedded, PostgreSQL for a bureau), diff, restore
//! and consolidation (汇总).
//!
//! Every import, edit, restore or consolidation writes a new immutable version (版本) of a
//! unit-year: the input TOML text as validated plus one row per fact (money as BIGINT 分).
//! One code path serves both databases through sqlx's `Any` driver with runtime,
//! parameterised queries; the schema lives in `migrations/sqlite` and `migrations/postgres`
//! (same tables, spelled for each database). See docs/store.md.

mod consolidate;
mod keys;
mod prior;
pub mod testing;
pub mod time;

pub use consolidate::Elimination;
pub use keys::{fact_key, fact_label};
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

/// The columns of [`VersionInfo`] (a macro so queries stay `&'static str` for sqlx).
macro_rules! version_columns {
    () => {
        "id, unit_code, year, number, author, created_at, note, fact_count, kind, based_on, origin"
    };
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

    // ---------------------------------------------------------------- units

    /// Create a unit or change its name and superior unit.
    pub async fn upsert_unit(
        &self,
        code: &str,
        name: &str,
        parent: Option<&str>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let code = code.trim();
        if code.is_empty() || name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "单位编码和名称不能为空：请填写单位编码（如 511400001）和全称".into(),
            ));
        }
        if let Some(p) = parent {
            if p == code {
                return Err(StoreError::Invalid(format!(
                    "单位“{code}”不能是自己的上级单位"
                )));
            }
            if self.unit(p).await?.is_none() {
                return Err(StoreError::UnknownUnit(p.to_string()));
            }
            // No cycles: the new parent may not be below this unit.
            let mut at = Some(p.to_string());
            while let Some(c) = at {
                if c == code {
                    return Err(StoreError::Invalid(format!(
                        "单位“{p}”是“{code}”的下级单位，不能再作其上级单位"
                    )));
                }
                at = self.unit(&c).await?.and_then(|u| u.parent);
            }
        }
        let mut tx = self.pool.begin().await?;
        let existed = sqlx::query("SELECT code FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if existed {
            sqlx::query("UPDATE units SET name = $1, parent_code = $2 WHERE code = $3")
                .bind(name)
                .bind(parent)
                .bind(code)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO units (code, name, parent_code, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(code)
            .bind(name)
            .bind(parent)
            .bind(time::now_rfc3339())
            .execute(&mut *tx)
            .await?;
        }
        let detail = match parent {
            Some(p) => format!("{code} {name}（上级单位 {p}）"),
            None => format!("{code} {name}"),
        };
        log_in(
            &mut tx,
            Some(actor),
            if existed {
                "unit.update"
            } else {
                "unit.create"
            },
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every unit, by code.
    pub async fn units(&self) -> Result<Vec<UnitRow>, StoreError> {
        let rows = sqlx::query("SELECT code, name, parent_code FROM units ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(unit_row).collect()
    }

    pub async fn unit(&self, code: &str) -> Result<Option<UnitRow>, StoreError> {
        let row = sqlx::query("SELECT code, name, parent_code FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(unit_row).transpose()
    }

    /// The direct sub-units (下级单位) of `code`, by code.
    pub async fn children(&self, code: &str) -> Result<Vec<UnitRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name, parent_code FROM units WHERE parent_code = $1 ORDER BY code",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_row).collect()
    }

    // ---------------------------------------------------------------- versions

    /// Validate `input_toml` with `juesuan_core::input::parse_input` (catalogues of its year
    /// from the data library) and store it with its facts as a new immutable version of
    /// `unit_code`, in one transaction. The unit is created (named as in the input) if it is
    /// not registered yet. When the unit's previous year is stored, `[prior]` is filled from
    /// it or checked against it ([`PriorPolicy::Check`]; see docs/store.md).
    pub async fn import(
        &self,
        unit_code: &str,
        input_toml: &str,
        origin: &str,
        author: &str,
        note: &str,
    ) -> Result<VersionInfo, StoreError> {
        self.import_with(
            unit_code,
            input_toml,
            origin,
            author,
            note,
            PriorPolicy::Check,
        )
        .await
    }

    /// [`Store::import`] with a choice of what to do with `[prior]`.
    pub async fn import_with(
        &self,
        unit_code: &str,
        input_toml: &str,
        origin: &str,
        author: &str,
        note: &str,
        policy: PriorPolicy,
    ) -> Result<VersionInfo, StoreError> {
        let mut stored = self
            .import_many(
                &[ImportRequest {
                    unit_code,
                    input_toml,
                    note,
                    policy,
                }],
                origin,
                author,
            )
            .await?;
        Ok(stored.remove(0))
    }

    /// Validate and store several unit-years (e.g. every unit of one journal) as new
    /// versions in ONE transaction: all of them or none. Each is checked as by
    /// [`Store::import_with`] before anything is written; the first error stops the batch.
    pub async fn import_many(
        &self,
        requests: &[ImportRequest<'_>],
        origin: &str,
        author: &str,
    ) -> Result<Vec<VersionInfo>, StoreError> {
        let mut prepared = Vec::with_capacity(requests.len());
        for r in requests {
            prepared.push(self.prepare_import(r, origin).await?);
        }
        let versions: Vec<NewVersion<'_>> = requests
            .iter()
            .zip(&prepared)
            .map(|(r, (text, uy))| NewVersion {
                unit_code: r.unit_code,
                input_toml: text,
                uy,
                kind: "import",
                based_on: None,
                origin,
                author,
                note: r.note,
            })
            .collect();
        self.write_versions(&versions).await
    }

    /// `[prior]` filled from (or checked against) the stored previous year, then parsed.
    async fn prepare_import(
        &self,
        r: &ImportRequest<'_>,
        origin: &str,
    ) -> Result<(String, UnitYear), StoreError> {
        let year = declared_year(r.input_toml)
            .or_else(|| self.library.latest_catalogue_year())
            .ok_or_else(|| StoreError::Data("没有任何分类目录数据文件".into()))?;
        let prior = self.prior_figures(r.unit_code, year - 1).await?;
        let text = match &prior {
            Some(p) => prior::fill(r.input_toml, p),
            None => r.input_toml.to_string(),
        };
        let uy = self.validate(&text, origin)?;
        if let (Some(p), PriorPolicy::Check) = (&prior, r.policy) {
            let mismatches = prior::verify(&uy, p, origin);
            if !mismatches.is_empty() {
                return Err(StoreError::PriorMismatch {
                    year: p.year,
                    number: p.number,
                    mismatches,
                });
            }
        }
        Ok((text, uy))
    }

    /// Store already parsed unit-years as new versions in one transaction, with no `[prior]`
    /// handling. For tests that need facts no input file produces (e.g. to force a failure on
    /// the last fact row); real callers use [`Store::import`] and [`Store::import_many`].
    #[doc(hidden)]
    pub async fn import_parsed(
        &self,
        items: &[(&str, &str, &UnitYear)],
        author: &str,
        note: &str,
    ) -> Result<Vec<VersionInfo>, StoreError> {
        let versions: Vec<NewVersion<'_>> = items
            .iter()
            .map(|&(unit_code, input_toml, uy)| NewVersion {
                unit_code,
                input_toml,
                uy,
                kind: "import",
                based_on: None,
                origin: "test",
                author,
                note,
            })
            .collect();
        self.write_versions(&versions).await
    }

    /// Parse an input text with the catalogues of its declared year.
    pub fn validate(&self, input_toml: &str, origin: &str) -> Result<UnitYear, StoreError> {
        match self.library.read_input(input_toml, origin) {
            Ok((uy, _)) => Ok(uy),
            Err(ReadError::Input(errors)) => Err(StoreError::Input(errors)),
            Err(ReadError::Data(message)) => Err(StoreError::Data(message)),
        }
    }

    /// The unit-year of a stored version, parsed again from its text.
    pub fn parse_version(&self, v: &StoredVersion) -> Result<UnitYear, StoreError> {
        let origin = format!("版本{}", v.info.id);
        self.validate(&v.input_toml, &origin)
            .map_err(|e| StoreError::Corrupt {
                id: v.info.id,
                reason: e.to_string(),
            })
    }

    async fn write_version(&self, v: NewVersion<'_>) -> Result<VersionInfo, StoreError> {
        let mut stored = self.write_versions(std::slice::from_ref(&v)).await?;
        Ok(stored.remove(0))
    }

    /// Write new versions in one transaction.
    async fn write_versions(&self, vs: &[NewVersion<'_>]) -> Result<Vec<VersionInfo>, StoreError> {
        for v in vs {
            if v.uy.year != declared_year(v.input_toml).unwrap_or(v.uy.year) {
                return Err(StoreError::Invalid("输入文本的年度与数据不符".into()));
            }
        }
        let rows: Vec<Vec<(String, &Fact)>> = vs
            .iter()
            .map(|v| v.uy.facts.facts.iter().map(|f| (fact_key(f), f)).collect())
            .collect();
        // Two writers may pick the same version number (PostgreSQL): the loser retries.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_write_versions(vs, &rows).await {
                Err(StoreError::Database(sqlx::Error::Database(e)))
                    if attempt < 5
                        && e.is_unique_violation()
                        && e.constraint()
                            .is_none_or(|c| c.contains("number") || c.contains("versions")) =>
                {
                    continue
                }
                other => return other,
            }
        }
    }

    async fn try_write_versions(
        &self,
        vs: &[NewVersion<'_>],
        rows: &[Vec<(String, &Fact)>],
    ) -> Result<Vec<VersionInfo>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut stored = Vec::with_capacity(vs.len());
        for (v, rows) in vs.iter().zip(rows) {
            stored.push(Self::insert_version(&mut tx, v, rows).await?);
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn insert_version(
        tx: &mut Transaction<'static, Any>,
        v: &NewVersion<'_>,
        rows: &[(String, &Fact)],
    ) -> Result<VersionInfo, StoreError> {
        let now = time::now_rfc3339();
        // The first statement writes (SQLite then takes its write lock at once instead of
        // failing to upgrade a read lock later).
        sqlx::query(
            "INSERT INTO units (code, name, parent_code, created_at) VALUES ($1, $2, NULL, $3) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(v.unit_code)
        .bind(&v.uy.unit.name)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        let row = sqlx::query(
            "INSERT INTO versions (unit_code, year, number, kind, based_on, origin, author, created_at, note, input_toml, fact_count) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE unit_code = $1 AND year = $2), \
                     $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id, number",
        )
        .bind(v.unit_code)
        .bind(v.uy.year as i64)
        .bind(v.kind)
        .bind(v.based_on)
        .bind(v.origin)
        .bind(v.author)
        .bind(&now)
        .bind(v.note)
        .bind(v.input_toml)
        .bind(rows.len() as i64)
        .fetch_one(&mut **tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let number: i64 = row.try_get("number")?;
        for (key, f) in rows {
            sqlx::query(
                "INSERT INTO facts (version_id, fact_key, measure, scenario, source, nature, function_code, economic_code, item, amount_fen) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(key.as_str())
            .bind(keys::name_of(f.measure))
            .bind(keys::name_of(f.scenario))
            .bind(f.source.map(|s| s.key()))
            .bind(f.nature.map(|n| n.key()))
            .bind(f.function.as_deref())
            .bind(f.economic.as_deref())
            .bind(f.item.as_deref())
            .bind(f.amount.fen())
            .execute(&mut **tx)
            .await?;
        }
        let detail = format!(
            "{} {}年度 第{}版（版本{}，{}条数据，来源 {}）{}",
            v.unit_code,
            v.uy.year,
            number,
            id,
            rows.len(),
            v.origin,
            if v.note.is_empty() {
                String::new()
            } else {
                format!("：{}", v.note)
            }
        );
        log_in(tx, Some(v.author), &format!("version.{}", v.kind), &detail).await?;
        Ok(VersionInfo {
            id,
            unit_code: v.unit_code.to_string(),
            year: v.uy.year,
            number: number as i32,
            author: v.author.to_string(),
            created_at: now,
            note: v.note.to_string(),
            fact_count: rows.len() as i64,
            kind: v.kind.to_string(),
            based_on: v.based_on,
            origin: v.origin.to_string(),
        })
    }

    /// Every version of a unit-year, oldest first.
    pub async fn versions(
        &self,
        unit_code: &str,
        year: i32,
    ) -> Result<Vec<VersionInfo>, StoreError> {
        let sql = concat!(
            "SELECT ",
            version_columns!(),
            " FROM versions WHERE unit_code = $1 AND year = $2 ORDER BY number"
        );
        let rows = sqlx::query(sql)
            .bind(unit_code)
            .bind(year as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_info).collect()
    }

    /// The newest version of a unit-year.
    pub async fn latest(
        &self,
        unit_code: &str,
        year: i32,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let sql = concat!(
            "SELECT ",
            version_columns!(),
            ", input_toml FROM versions WHERE unit_code = $1 AND year = $2 \
             ORDER BY number DESC LIMIT 1"
        );
        let row = sqlx::query(sql)
            .bind(unit_code)
            .bind(year as i64)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_version).transpose()
    }

    pub async fn version(&self, id: i64) -> Result<Option<StoredVersion>, StoreError> {
        let sql = concat!(
            "SELECT ",
            version_columns!(),
            ", input_toml FROM versions WHERE id = $1"
        );
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(stored_version).transpose()
    }

    /// The latest version of every unit-year, by unit code then year.
    pub async fn unit_years(&self) -> Result<Vec<VersionInfo>, StoreError> {
        let sql = concat!(
            "SELECT ", version_columns!(), " FROM versions v WHERE number = \
             (SELECT MAX(number) FROM versions w WHERE w.unit_code = v.unit_code AND w.year = v.year) \
             ORDER BY unit_code, year"
        );
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(version_info).collect()
    }

    /// The stored facts of a version, by key.
    pub async fn facts(&self, version_id: i64) -> Result<Vec<StoredFact>, StoreError> {
        let rows = sqlx::query(
            "SELECT fact_key, measure, scenario, source, nature, function_code, economic_code, item, amount_fen \
             FROM facts WHERE version_id = $1 ORDER BY fact_key",
        )
        .bind(version_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| stored_fact(r, version_id)).collect()
    }

    /// The facts that differ between two versions (usually of the same unit-year), by key.
    pub async fn diff(&self, from_id: i64, to_id: i64) -> Result<Vec<FactChange>, StoreError> {
        for id in [from_id, to_id] {
            if self.version(id).await?.is_none() {
                return Err(StoreError::UnknownVersion(id));
            }
        }
        let before: BTreeMap<String, Fact> = self
            .facts(from_id)
            .await?
            .into_iter()
            .map(|f| (f.key, f.fact))
            .collect();
        let after: BTreeMap<String, Fact> = self
            .facts(to_id)
            .await?
            .into_iter()
            .map(|f| (f.key, f.fact))
            .collect();
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        Ok(keys
            .into_iter()
            .filter_map(|k| {
                let (b, a) = (before.get(k), after.get(k));
                let (ba, aa) = (b.map(|f| f.amount), a.map(|f| f.amount));
                (ba != aa).then(|| FactChange {
                    key: k.clone(),
                    before: ba,
                    after: aa,
                    label: fact_label(a.or(b).expect("in one of them")),
                })
            })
            .collect())
    }

    /// A new version of the same unit-year with the content of version `id`.
    pub async fn restore(
        &self,
        id: i64,
        author: &str,
        note: &str,
    ) -> Result<VersionInfo, StoreError> {
        let old = self
            .version(id)
            .await?
            .ok_or(StoreError::UnknownVersion(id))?;
        let uy = self.parse_version(&old)?;
        let note = if note.is_empty() {
            format!("恢复为第{}版", old.info.number)
        } else {
            note.to_string()
        };
        let origin = format!("恢复自版本{}", old.info.id);
        self.write_version(NewVersion {
            unit_code: &old.info.unit_code,
            input_toml: &old.input_toml,
            uy: &uy,
            kind: "restore",
            based_on: Some(id),
            origin: &origin,
            author,
            note: &note,
        })
        .await
    }

    /// Consolidate (汇总) `unit_code`'s figures for `year` from the latest versions of its
    /// direct sub-units: facts are summed and internal flows eliminated (see
    /// [`consolidate`](crate::consolidate) and docs/store.md); the result is written as a
    /// new version of `unit_code`.
    pub async fn consolidate(
        &self,
        unit_code: &str,
        year: i32,
        author: &str,
    ) -> Result<VersionInfo, StoreError> {
        consolidate::run(self, unit_code, year, author).await
    }

    /// The `[prior]`-relevant figures of the latest stored version of `unit_code` in `year`.
    pub async fn prior_figures(
        &self,
        unit_code: &str,
        year: i32,
    ) -> Result<Option<PriorFigures>, StoreError> {
        let Some(v) = self.latest(unit_code, year).await? else {
            return Ok(None);
        };
        let facts: Vec<Fact> = self
            .facts(v.info.id)
            .await?
            .into_iter()
            .map(|f| f.fact)
            .collect();
        let unit = amount_unit_of(&v.input_toml);
        Ok(Some(PriorFigures::from_facts(&v.info, &facts, unit)))
    }

    // ---------------------------------------------------------------- users and sessions

    /// Create a user; returns its id.
    pub async fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<i64, StoreError> {
        if name.trim().is_empty() {
            return Err(StoreError::Invalid("用户名不能为空".into()));
        }
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(time::now_rfc3339())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::DuplicateUser(name.to_string()),
            e => e.into(),
        })?;
        let id: i64 = row.try_get("id")?;
        log_in(
            &mut tx,
            None,
            "user.create",
            &format!("{name}（{}）", role.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query("SELECT id, name, role, password_hash FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query("SELECT id, name, role, password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query("SELECT id, name, role, password_hash FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_row).collect()
    }

    pub async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownUser(user_id));
        }
        // A changed password ends every session of that user.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        log_in(&mut tx, None, "user.password", &format!("用户{user_id}")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Let a user (preparer) edit a unit. Granting twice is harmless.
    pub async fn grant(&self, user_id: i64, unit_code: &str) -> Result<(), StoreError> {
        if self.user(user_id).await?.is_none() {
            return Err(StoreError::UnknownUser(user_id));
        }
        if self.unit(unit_code).await?.is_none() {
            return Err(StoreError::UnknownUnit(unit_code.to_string()));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO grants (user_id, unit_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(unit_code)
        .execute(&mut *tx)
        .await?;
        log_in(
            &mut tx,
            None,
            "user.grant",
            &format!("用户{user_id} → {unit_code}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The unit codes granted to a user, by code.
    pub async fn granted_units(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT unit_code FROM grants WHERE user_id = $1 ORDER BY unit_code")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("unit_code"))
            .collect::<Result<_, _>>()?)
    }

    /// Store a session. `expires_at` is RFC 3339 (any offset); it is stored normalised to UTC.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let expires = time::normalise(expires_at).ok_or_else(|| {
            StoreError::Invalid(format!(
                "会话到期时间“{expires_at}”不是 RFC 3339 时间（如 2025-01-02T03:04:05Z）"
            ))
        })?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(expires)
        .bind(time::now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session with this token hash; `None` when unknown or expired.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        // Timestamps are stored normalised (YYYY-MM-DDTHH:MM:SSZ), so text order is time order.
        let row = sqlx::query(
            "SELECT u.id, u.name, u.role, u.password_hash, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(time::now_rfc3339())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                user: user_row(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---------------------------------------------------------------- login rate limit

    /// 登录限速: seconds until any of `keys` may try to log in again, when one of them has
    /// `max_failures` failed logins within `window_secs` of its first failure.
    pub async fn login_wait(
        &self,
        keys: &[String],
        max_failures: u32,
        window_secs: i64,
    ) -> Result<Option<i64>, StoreError> {
        let now = time::now_secs();
        let mut wait = None;
        for key in keys {
            let row = sqlx::query("SELECT failures, first_at FROM login_failures WHERE key = $1")
                .bind(key.as_str())
                .fetch_optional(&self.pool)
                .await?;
            let Some(row) = row else { continue };
            let failures: i64 = row.try_get("failures")?;
            let first_at: String = row.try_get("first_at")?;
            let since = now - time::parse_rfc3339(&first_at).unwrap_or(0);
            if failures >= i64::from(max_failures) && since < window_secs {
                wait = wait.max(Some((window_secs - since).max(1)));
            }
        }
        Ok(wait)
    }

    /// Count a failed login against every key; a key whose window has passed starts a new
    /// one. Expired entries of all keys are removed on the way (the table stays small).
    pub async fn login_failed(&self, keys: &[String], window_secs: i64) -> Result<(), StoreError> {
        let now = time::now_rfc3339();
        let expired = time::rfc3339_after(-window_secs);
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE first_at <= $1")
            .bind(&expired)
            .execute(&mut *tx)
            .await?;
        for key in keys {
            sqlx::query(
                "INSERT INTO login_failures (key, failures, first_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1",
            )
            .bind(key.as_str())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A successful login clears its key's failures (not the address's: one good password
    /// must not reset a guesser's count on that address).
    pub async fn login_succeeded(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Remove expired sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(time::now_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    // ---------------------------------------------------------------- audit log

    /// Append to the audit log.
    pub async fn log(
        &self,
        actor: Option<&str>,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_event(&mut conn, actor, action, detail).await
    }

    /// The newest `limit` events, newest first.
    pub async fn events(&self, limit: i64) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, detail FROM events ORDER BY id DESC LIMIT $1",
        )
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
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
