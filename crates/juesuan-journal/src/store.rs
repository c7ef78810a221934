//! A journal straight into the versioned store (日记账入库): `juesuan journal --db` and the
//! web upload of a journal CSV share these steps (docs/journal.md 第9节).
//!
//! For each unit the base (what a journal lacks: unit texts, budgets, prior year, reasons,
//! 三公 details) is the latest stored version of the same unit-year; without one, a given
//! base input (`--base`); without that, placeholders whose 上年决算数 come from the stored
//! previous year when there is one. Every unit is built and validated ([`prepare`]) before
//! anything is stored ([`store_all`]).

use crate::unit_year::{build_input, Base, Draft, PriorTotals};
use crate::{Journal, JournalError, Rule};
use juesuan_core::input::parse_input;
use juesuan_core::model::UnitKind;
use juesuan_core::{Catalogues, UnitYear};
use juesuan_store::{ImportRequest, PriorPolicy, Store, StoreError, UnitRow, VersionInfo};

/// What to fall back on when the store has no version of the unit-year.
pub struct Fallback<'a> {
    /// A base input (`--base`): its unit-year (with its `[evaluation]`) and its name (file).
    pub base: Option<(&'a UnitYear, &'a str)>,
    /// Unit kind (单位性质) for placeholders.
    pub kind: UnitKind,
    /// Unit name for placeholders when the unit is not registered and the journal has no
    /// unit column (the command line: `--unit` or the file name).
    pub name: &'a str,
}

/// One journal unit made into the input text of a new version of `code`.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub code: String,
    pub draft: Draft,
    /// What the journal's figures were put on, for the summary ("已存的2021年度第3版（版本7）",
    /// the base file's name, or "占位数").
    pub base: String,
    /// How the store treats `[prior]`: figures of a stored version were checked when it was
    /// stored and are taken as they are; a base file's are checked against the stored
    /// previous year.
    pub prior_policy: PriorPolicy,
    /// Data rows of this unit in the journal.
    pub rows: u64,
}

/// Why nothing was stored.
#[derive(Debug)]
pub enum Error {
    /// The journal or its result is at fault (exit status 1, HTTP 400).
    Journal(Vec<JournalError>),
    Store(StoreError),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}

/// How a stored version is named in messages and comments.
fn stored_label(year: i32, number: i32, id: i64) -> String {
    format!("已存的{year}年度第{number}版（版本{id}）")
}

/// The version note when the user gives none: "日记账导入 <文件名>，N 条分录".
pub fn default_note(file_name: &str, rows: u64) -> String {
    format!("日记账导入 {file_name}，{rows} 条分录")
}

/// Which of the journal's units is unit `code` (an upload for one unit): the only one, or
/// the one whose name in the unit column is the unit's code or registered name.
pub fn pick_unit(
    journal: &Journal,
    code: &str,
    registered: Option<&str>,
) -> Result<usize, JournalError> {
    if journal.units.len() == 1 {
        return Ok(0);
    }
    let matches = |n: &str| n == code || registered == Some(n);
    if let Some(i) = journal
        .units
        .iter()
        .position(|u| u.as_deref().is_some_and(matches))
    {
        return Ok(i);
    }
    let names = crate::import::first_unit_names(&journal.units);
    Err(JournalError::new(
        Rule::Unit,
        &journal.origin,
        format!(
            "日记账含多个单位（{}），其中没有单位“{code}”{}的分录",
            names.join("、"),
            registered.map(|r| format!("（{r}）")).unwrap_or_default()
        ),
        "“单位”列须写单位编码或登记的单位名称；或只导出本单位的分录（命令行可用 --unit 指定日记账中的单位名称）。",
    ))
}

/// The unit code of every unit of a multi-unit journal: each name in its unit column must be
/// a registered unit's code or its registered name (`juesuan db unit <编码> --name <名称>`).
pub fn map_units(journal: &Journal, units: &[UnitRow]) -> Result<Vec<String>, Vec<JournalError>> {
    if journal.units.iter().all(Option::is_none) {
        return Err(vec![JournalError::new(
            Rule::Unit,
            &journal.origin,
            "日记账没有“单位”列，无法确定存入哪个单位",
            "用 --code <单位编码> 指定单位。",
        )]);
    }
    let mut codes = Vec::new();
    let mut errors = Vec::new();
    for name in journal.units.iter().flatten() {
        let by_code = units.iter().find(|u| u.code == *name);
        let by_name: Vec<&UnitRow> = units.iter().filter(|u| u.name == *name).collect();
        match (by_code, by_name.as_slice()) {
            (Some(u), _) => codes.push(u.code.clone()),
            (None, [u]) => codes.push(u.code.clone()),
            (None, []) => errors.push(JournalError::new(
                Rule::Unit,
                &journal.origin,
                format!("日记账中的单位“{name}”不是已登记单位的编码或名称"),
                format!("先登记该单位：juesuan db unit <单位编码> --name \"{name}\"；或把日记账“单位”列改为已登记的单位编码或名称（juesuan db list 列出已登记单位）。"),
            )),
            (None, several) => errors.push(JournalError::new(
                Rule::Unit,
                &journal.origin,
                format!(
                    "日记账中的单位“{name}”对应多个已登记单位（{}）",
                    several.iter().map(|u| u.code.as_str()).collect::<Vec<_>>().join("、")
                ),
                "把日记账“单位”列改为单位编码。",
            )),
        }
    }
    if let Some(dup) = codes
        .iter()
        .enumerate()
        .find(|(i, c)| codes[..*i].contains(c))
        .map(|(_, c)| c.clone())
    {
        errors.push(JournalError::new(
            Rule::Unit,
            &journal.origin,
            format!("日记账中有两个单位名称都对应单位“{dup}”"),
            "同一单位的分录须用同一名称（或都写单位编码）。",
        ));
    }
    if errors.is_empty() {
        Ok(codes)
    } else {
        Err(errors)
    }
}

/// Unit `index` of `journal` as the validated input text of a new version of `code`, merged
/// into the latest stored version of the unit-year (or the fallback). Stores nothing.
pub async fn prepare(
    store: &Store,
    journal: &Journal,
    index: usize,
    code: &str,
    catalogues: &Catalogues,
    fallback: &Fallback<'_>,
) -> Result<Prepared, Error> {
    let unit = journal.unit_facts(index).map_err(Error::Journal)?;
    let year = journal.year;
    let origin = journal.origin.as_str();
    let rows = journal.unit_rows.get(index).copied().unwrap_or(0);
    if let Some(v) = store.latest(code, year).await? {
        let label = stored_label(year, v.info.number, v.info.id);
        let uy =
            parse_input(&v.input_toml, &label, catalogues).map_err(|e| StoreError::Corrupt {
                id: v.info.id,
                reason: e
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("；"),
            })?;
        let base = Base::Input {
            uy: &uy,
            name: &label,
        };
        let draft = build_input(&unit, year, &base, catalogues, origin).map_err(Error::Journal)?;
        return Ok(Prepared {
            code: code.to_string(),
            draft,
            base: label,
            prior_policy: PriorPolicy::Trust,
            rows,
        });
    }
    if let Some((uy, name)) = fallback.base {
        if uy.year != year {
            return Err(Error::Journal(vec![JournalError::new(
                Rule::OutsideYear,
                origin,
                format!("日记账为{year}年，基础文件 {name} 为{}年", uy.year),
                "用同一年度的基础文件，或用 --year 指定年度。",
            )]));
        }
        let base = Base::Input { uy, name };
        let draft = build_input(&unit, year, &base, catalogues, origin).map_err(Error::Journal)?;
        return Ok(Prepared {
            code: code.to_string(),
            draft,
            base: name.to_string(),
            prior_policy: PriorPolicy::Check,
            rows,
        });
    }
    let prior = store
        .prior_figures(code, year - 1)
        .await?
        .map(|p| PriorTotals {
            origin: stored_label(p.year, p.number, p.version_id),
            grand_total: p.grand_total,
            fiscal_grand_total: p.fiscal_grand_total,
            general_budget_expenditure: p.general_budget_expenditure,
            sangong: p.sangong,
            operating_costs: p.operating_costs,
        });
    let registered = store.unit(code).await?.map(|u| u.name);
    let name = registered
        .or_else(|| unit.name.clone())
        .unwrap_or_else(|| fallback.name.to_string());
    let base = Base::Placeholder {
        name: &name,
        kind: fallback.kind,
        prior: prior.as_ref(),
    };
    let draft = build_input(&unit, year, &base, catalogues, origin).map_err(Error::Journal)?;
    Ok(Prepared {
        code: code.to_string(),
        draft,
        base: match &prior {
            Some(p) => format!("占位数（上年决算数取自{}）", p.origin),
            None => "占位数".into(),
        },
        prior_policy: PriorPolicy::Check,
        rows,
    })
}

/// Store every prepared unit as a new version, in one transaction: all of them or none.
/// `note` empty: [`default_note`] with the unit's rows.
pub async fn store_all(
    store: &Store,
    prepared: &[Prepared],
    origin: &str,
    file_name: &str,
    author: &str,
    note: &str,
) -> Result<Vec<VersionInfo>, StoreError> {
    let notes: Vec<String> = prepared
        .iter()
        .map(|p| {
            if note.trim().is_empty() {
                default_note(file_name, p.rows)
            } else {
                note.trim().to_string()
            }
        })
        .collect();
    let requests: Vec<ImportRequest<'_>> = prepared
        .iter()
        .zip(&notes)
        .map(|(p, note)| ImportRequest {
            unit_code: &p.code,
            input_toml: &p.draft.text,
            note,
            policy: p.prior_policy,
        })
        .collect();
    store.import_many(&requests, origin, author).await
}
