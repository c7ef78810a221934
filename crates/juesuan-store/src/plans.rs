//! Allocation plans (转移支付分配计划, docs/allocation.md) as versioned documents: each save is
//! a new immutable version of the plan named by its allocating unit, year and title, with the
//! plan text and the KPI file it names, as given. The store keeps documents; reading and
//! allocating them is the application layer's (juesuan-app::allocation), which callers run
//! before [`Store::save_plan`] so that only plans that allocate are stored.

use super::*;

macro_rules! plan_columns {
    () => {
        "id, unit_code, year, title, number, author, created_at, note, plan_name, kpi_name, pool_fen, recipients"
    };
}

/// A plan version to store; `title`, `year`, `pool` and `recipients` are the parsed plan's.
#[derive(Debug, Clone, Copy)]
pub struct NewPlan<'a> {
    /// 分配单位的单位编码
    pub unit_code: &'a str,
    /// 分配单位名称 (the plan's `allocator`), registers the unit if it is new.
    pub allocator: &'a str,
    pub year: i32,
    pub title: &'a str,
    /// The plan file's name as given (shown in traces and errors).
    pub plan_name: &'a str,
    pub plan_toml: &'a str,
    /// 考核数据文件 (name, bytes), when the plan names one.
    pub kpi: Option<(&'a str, &'a [u8])>,
    /// 总资金
    pub pool: Amount,
    pub recipients: usize,
    pub author: &'a str,
    /// 版本说明
    pub note: &'a str,
}

/// One stored version of a plan, without its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInfo {
    pub id: i64,
    pub unit_code: String,
    pub year: i32,
    pub title: String,
    /// 1, 2, 3… per (unit, year, title)
    pub number: i32,
    pub author: String,
    /// RFC 3339 UTC
    pub created_at: String,
    pub note: String,
    pub plan_name: String,
    pub kpi_name: Option<String>,
    pub pool: Amount,
    pub recipients: i64,
}

/// A plan version with its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub info: PlanInfo,
    pub plan_toml: String,
    pub kpi_data: Option<Vec<u8>>,
}

fn plan_info(row: &AnyRow) -> Result<PlanInfo, StoreError> {
    Ok(PlanInfo {
        id: row.try_get("id")?,
        unit_code: row.try_get("unit_code")?,
        year: row.try_get::<i64, _>("year")? as i32,
        title: row.try_get("title")?,
        number: row.try_get::<i64, _>("number")? as i32,
        author: row.try_get("author")?,
        created_at: row.try_get("created_at")?,
        note: row.try_get("note")?,
        plan_name: row.try_get("plan_name")?,
        kpi_name: row.try_get("kpi_name")?,
        pool: Amount(row.try_get("pool_fen")?),
        recipients: row.try_get("recipients")?,
    })
}

fn stored_plan(row: &AnyRow) -> Result<StoredPlan, StoreError> {
    Ok(StoredPlan {
        info: plan_info(row)?,
        plan_toml: row.try_get("plan_toml")?,
        kpi_data: row.try_get("kpi_data")?,
    })
}

impl Store {
    /// Store a new version of an allocation plan in one transaction (the unit is registered
    /// with the allocator's name if it is new). Two writers racing for a number: the loser
    /// retries.
    pub async fn save_plan(&self, p: NewPlan<'_>) -> Result<PlanInfo, StoreError> {
        valid_unit_code(p.unit_code)?;
        if p.title.trim().is_empty() {
            return Err(StoreError::Invalid(
                "分配计划没有标题（title）：请在计划中写 title".into(),
            ));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_save_plan(&p).await {
                Err(StoreError::Database(sqlx::Error::Database(e)))
                    if attempt < 5 && e.is_unique_violation() =>
                {
                    continue
                }
                other => return other,
            }
        }
    }

    async fn try_save_plan(&self, p: &NewPlan<'_>) -> Result<PlanInfo, StoreError> {
        let now = time::now_rfc3339();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO units (code, name, parent_code, created_at) VALUES ($1, $2, NULL, $3) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(p.unit_code)
        .bind(p.allocator)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "INSERT INTO allocation_plans (unit_code, year, title, number, author, created_at, note, plan_name, plan_toml, kpi_name, kpi_data, pool_fen, recipients) \
             VALUES ($1, $2, $3, (SELECT COALESCE(MAX(number), 0) + 1 FROM allocation_plans WHERE unit_code = $1 AND year = $2 AND title = $3), \
                     $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             RETURNING id, number",
        )
        .bind(p.unit_code)
        .bind(i64::from(p.year))
        .bind(p.title)
        .bind(p.author)
        .bind(&now)
        .bind(p.note)
        .bind(p.plan_name)
        .bind(p.plan_toml)
        .bind(p.kpi.map(|(n, _)| n))
        .bind(p.kpi.map(|(_, b)| b.to_vec()))
        .bind(p.pool.fen())
        .bind(p.recipients as i64)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let number: i64 = row.try_get("number")?;
        let detail = format!(
            "{} {}年度 分配计划“{}” 第{}版（版本{}，总资金{}万元）{}",
            p.unit_code,
            p.year,
            p.title,
            number,
            id,
            p.pool.exact(juesuan_core::MoneyUnit::Wan),
            if p.note.is_empty() {
                String::new()
            } else {
                format!("：{}", p.note)
            }
        );
        log_in(&mut tx, Some(p.author), "plan.save", &detail).await?;
        tx.commit().await?;
        Ok(PlanInfo {
            id,
            unit_code: p.unit_code.to_string(),
            year: p.year,
            title: p.title.to_string(),
            number: number as i32,
            author: p.author.to_string(),
            created_at: now,
            note: p.note.to_string(),
            plan_name: p.plan_name.to_string(),
            kpi_name: p.kpi.map(|(n, _)| n.to_string()),
            pool: p.pool,
            recipients: p.recipients as i64,
        })
    }

    /// The latest version of every plan, by unit, year (newest first) and title.
    pub async fn plans(&self) -> Result<Vec<PlanInfo>, StoreError> {
        let sql = concat!(
            "SELECT ",
            plan_columns!(),
            " FROM allocation_plans p WHERE number = (SELECT MAX(number) FROM allocation_plans q \
             WHERE q.unit_code = p.unit_code AND q.year = p.year AND q.title = p.title) \
             ORDER BY unit_code, year DESC, title"
        );
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(plan_info).collect()
    }

    /// Every version of one plan, oldest first.
    pub async fn plan_versions(
        &self,
        unit_code: &str,
        year: i32,
        title: &str,
    ) -> Result<Vec<PlanInfo>, StoreError> {
        let sql = concat!(
            "SELECT ",
            plan_columns!(),
            " FROM allocation_plans WHERE unit_code = $1 AND year = $2 AND title = $3 ORDER BY number"
        );
        let rows = sqlx::query(sql)
            .bind(unit_code)
            .bind(i64::from(year))
            .bind(title)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(plan_info).collect()
    }

    /// One plan version with its files.
    pub async fn plan(&self, id: i64) -> Result<Option<StoredPlan>, StoreError> {
        let sql = concat!(
            "SELECT ",
            plan_columns!(),
            ", plan_toml, kpi_data FROM allocation_plans WHERE id = $1"
        );
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(stored_plan).transpose()
    }

    /// The latest version of each plan a unit allocates in a year (for its report's
    /// transfer-payment tables), with their files, by title. One query: every unit-year page
    /// asks for these.
    pub async fn latest_plans(
        &self,
        unit_code: &str,
        year: i32,
    ) -> Result<Vec<StoredPlan>, StoreError> {
        let sql = concat!(
            "SELECT ",
            plan_columns!(),
            ", plan_toml, kpi_data FROM allocation_plans p WHERE unit_code = $1 AND year = $2 \
             AND number = (SELECT MAX(number) FROM allocation_plans q \
             WHERE q.unit_code = p.unit_code AND q.year = p.year AND q.title = p.title) \
             ORDER BY title"
        );
        let rows = sqlx::query(sql)
            .bind(unit_code)
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(stored_plan).collect()
    }
}
