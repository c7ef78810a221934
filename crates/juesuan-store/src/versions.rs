//! Versions (版本) of unit-years: import (validated, one transaction), history, diff,
//! restore, consolidation and the previous year's figures.

use super::*;

/// The columns of [`VersionInfo`] (a macro so queries stay `&'static str` for sqlx).
macro_rules! version_columns {
    () => {
        "id, unit_code, year, number, author, created_at, note, fact_count, kind, based_on, origin"
    };
}

impl Store {
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

    pub(crate) async fn write_version(&self, v: NewVersion<'_>) -> Result<VersionInfo, StoreError> {
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
        valid_unit_code(v.unit_code)?;
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

    /// The parts other than facts that differ between two versions (texts, reasons, details,
    /// `[evaluation]`), from their stored texts parsed again: with [`Store::diff`], the whole
    /// unit-year is compared, so a version that lost its evaluation is not "the same".
    pub async fn section_diff(
        &self,
        from_id: i64,
        to_id: i64,
    ) -> Result<Vec<juesuan_core::SectionChange>, StoreError> {
        let mut parsed = Vec::with_capacity(2);
        for id in [from_id, to_id] {
            let v = self
                .version(id)
                .await?
                .ok_or(StoreError::UnknownVersion(id))?;
            parsed.push(self.parse_version(&v)?);
        }
        Ok(juesuan_core::section_changes(&parsed[0], &parsed[1]))
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
}
