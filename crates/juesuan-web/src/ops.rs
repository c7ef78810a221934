//! What the pages and the API do, once: each operation checks the user's role, talks to the
//! store and returns plain data that the HTML and JSON layers render.

use crate::analysis::{self, Analysis, CheckSummary, Comparison};
use crate::{auth, AppError, AppState, CheckedVersion, CurrentUser};
use juesuan_store::{Event, Role, StoredVersion, UnitRow, VersionInfo};
/// A file name as it may appear in messages and the audit log (no paths, no control chars).
pub use juesuan_xlsx::upload::safe_name;
use juesuan_xlsx::upload::{is_journal, is_workbook};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A version as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub id: i64,
    pub unit_code: String,
    pub year: i32,
    pub number: i32,
    pub kind: String,
    pub based_on: Option<i64>,
    pub origin: String,
    pub author: String,
    pub created_at: String,
    pub note: String,
    pub fact_count: i64,
}

impl From<&VersionInfo> for VersionView {
    fn from(v: &VersionInfo) -> Self {
        VersionView {
            id: v.id,
            unit_code: v.unit_code.clone(),
            year: v.year,
            number: v.number,
            kind: v.kind.clone(),
            based_on: v.based_on,
            origin: v.origin.clone(),
            author: v.author.clone(),
            created_at: v.created_at.clone(),
            note: v.note.clone(),
            fact_count: v.fact_count,
        }
    }
}

/// The check status of one unit-year's latest version.
#[derive(Debug, Clone, Serialize)]
pub struct YearStatus {
    pub year: i32,
    pub version: VersionView,
    /// 通过 / 有警告 / 未通过 / 无法审核
    pub status: String,
    pub errors: usize,
    pub warnings: usize,
    pub failing_rules: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitOverview {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    pub years: Vec<YearStatus>,
}

fn status_of(v: &VersionInfo, r: &Result<CheckSummary, Vec<String>>) -> YearStatus {
    match r {
        Ok(c) => YearStatus {
            year: v.year,
            version: v.into(),
            status: c.status().into(),
            errors: c.errors,
            warnings: c.warnings,
            failing_rules: c.failing_rules().iter().map(|s| s.to_string()).collect(),
        },
        Err(_) => YearStatus {
            year: v.year,
            version: v.into(),
            status: "无法审核".into(),
            errors: 0,
            warnings: 0,
            failing_rules: vec![],
        },
    }
}

/// Run (or fetch cached) checks for the given versions, spread over the CPU cores; each with
/// the input's 地区 (region).
pub async fn check_versions(
    state: &AppState,
    versions: &[VersionInfo],
) -> Result<Vec<CheckedVersion>, AppError> {
    let mut out: Vec<Option<CheckedVersion>> =
        versions.iter().map(|v| state.checks_cached(v.id)).collect();
    let mut todo = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        if out[i].is_none() {
            let text = state
                .store
                .version(v.id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("没有版本{}", v.id)))?
                .input_toml;
            todo.push((i, v.id, text));
        }
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = todo.len().div_ceil(workers).max(1);
    let mut tasks = Vec::new();
    for part in todo.chunks(chunk) {
        let part = part.to_vec();
        let lib = state.lib.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            part.into_iter()
                .map(|(i, id, text)| {
                    let origin = format!("版本{id}");
                    let (checks, region) = match analysis::parse(&lib, &text, &origin) {
                        Ok((uy, cats)) => (
                            juesuan_app::check(&lib, &uy, &cats).map_err(|e| vec![e]),
                            uy.unit.region.clone(),
                        ),
                        Err(e) => (Err(e), None),
                    };
                    (i, id, checks, region)
                })
                .collect::<Vec<_>>()
        }));
    }
    for t in tasks {
        for (i, id, r, region) in t.await.map_err(|e| AppError::Internal(e.to_string()))? {
            out[i] = Some(state.remember_checks(id, r, region));
        }
    }
    Ok(out
        .into_iter()
        .map(|o| o.expect("every version checked"))
        .collect())
}

/// Units the user may read, with each year's latest version and check status.
pub async fn overview(state: &AppState, user: &CurrentUser) -> Result<Vec<UnitOverview>, AppError> {
    let units: Vec<UnitRow> = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| user.can_read(&u.code))
        .collect();
    let versions: Vec<VersionInfo> = state
        .store
        .unit_years()
        .await?
        .into_iter()
        .filter(|v| user.can_read(&v.unit_code))
        .collect();
    let checks = check_versions(state, &versions).await?;
    let mut by_unit: BTreeMap<String, Vec<YearStatus>> = BTreeMap::new();
    for (v, c) in versions.iter().zip(&checks) {
        by_unit
            .entry(v.unit_code.clone())
            .or_default()
            .push(status_of(v, &c.checks));
    }
    Ok(units
        .into_iter()
        .map(|u| UnitOverview {
            years: by_unit.remove(&u.code).unwrap_or_default(),
            code: u.code,
            name: u.name,
            parent: u.parent,
        })
        .collect())
}

/// A unit-year's version (latest, or the given one) with its analysis.
pub async fn unit_year(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
    version: Option<i64>,
) -> Result<(StoredVersion, Arc<Analysis>), AppError> {
    user.require_read(code)?;
    let v = match version {
        Some(id) => state
            .store
            .version(id)
            .await?
            .filter(|v| v.info.unit_code == code && v.info.year == year),
        None => state.store.latest(code, year).await?,
    }
    .ok_or_else(|| AppError::NotFound(format!("单位“{code}”没有{year}年度的数据：请先上传")))?;
    // The unit's allocation plans of the year fill the report's transfer-payment tables.
    let plans = state.store.latest_plans(code, year).await?;
    let a = state.analysis(v.info.id, &v.input_toml, plans).await?;
    Ok((v, a))
}

/// A stored version by id, if the user may read its unit.
pub async fn version(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<StoredVersion, AppError> {
    let v = state
        .store
        .version(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("没有编号为{id}的版本")))?;
    user.require_read(&v.info.unit_code)?;
    Ok(v)
}

pub async fn versions(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
) -> Result<Vec<VersionView>, AppError> {
    user.require_read(code)?;
    Ok(state
        .store
        .versions(code, year)
        .await?
        .iter()
        .map(VersionView::from)
        .collect())
}

/// 同比对照's query: the earlier and the later year (pages and API).
#[derive(serde::Deserialize)]
pub struct CompareQuery {
    pub from: i32,
    pub to: i32,
}

/// An uploaded input file (TOML text).
pub fn upload_text(bytes: &[u8], filename: &str) -> Result<String, AppError> {
    juesuan_xlsx::upload::upload_text(bytes, filename).map_err(AppError::bad)
}

/// Excel 导入: the workbook's nine tables give the figures; the unit's latest stored version
/// of the same year gives everything else (texts, prior-year figures, budgets, reasons).
/// Without a stored version the input carries placeholders, which the store's validation
/// accepts only when they make a valid file.
async fn xlsx_to_toml(
    state: &AppState,
    code: &str,
    bytes: &[u8],
    filename: &str,
) -> Result<String, AppError> {
    // The central directory only, before a worker thread inflates anything.
    juesuan_xlsx::safety::check_directory(bytes, &juesuan_xlsx::Limits::upload())
        .map_err(AppError::bad)?;
    let lib = state.lib.clone();
    let name = safe_name(filename);
    let owned = bytes.to_vec();
    // The unit's own table set (a Shanghai unit's tables are Shanghai's): that of its newest
    // stored version, national for a unit with none.
    let template = unit_template(state, code).await?;
    let set_name = template.clone();
    // The year printed above the tables, else the latest catalogue year.
    let first_year = lib
        .latest_catalogue_year()
        .ok_or_else(|| AppError::bad("没有任何分类目录数据文件"))?;
    let import = move |lib: std::sync::Arc<juesuan_data::Library>, year: i32| {
        let set = lib.table_set(&set_name, year).map_err(AppError::bad)?;
        let cats = lib.catalogues(year).map_err(AppError::bad)?;
        let imported = juesuan_xlsx::import_workbook(&owned, &set, &cats, year).map_err(|e| {
            // One line per problem, only as many as are shown (limits::MAX_LISTED).
            let mut list = vec![format!("“{name}”不能导入：{}处问题", e.problems.len())];
            list.extend(
                e.problems
                    .iter()
                    .take(crate::limits::MAX_LISTED + 1)
                    .map(|p| p.to_string()),
            );
            AppError::BadRequest(list)
        })?;
        Ok::<_, AppError>((imported, cats))
    };
    let (lib2, import2) = (lib.clone(), import.clone());
    let (mut imported, mut cats) = tokio::task::spawn_blocking(move || import2(lib2, first_year))
        .await
        .map_err(|e| AppError::bad(e.to_string()))??;
    let mut year = first_year;
    if let Some(y) = imported.stated_year.filter(|y| *y != first_year) {
        let lib3 = lib.clone();
        (imported, cats) = tokio::task::spawn_blocking(move || import(lib3, y))
            .await
            .map_err(|e| AppError::bad(e.to_string()))??;
        year = y;
    }
    let base = match state.store.latest(code, year).await? {
        Some(v) => {
            let origin = format!("第{}版", v.info.number);
            let uy = juesuan_core::input::parse_input(&v.input_toml, &origin, &cats)
                .map_err(|_| AppError::bad("已存版本不能读取"))?;
            Some((uy, origin))
        }
        None => None,
    };
    Ok(juesuan_xlsx::input_text(
        &imported,
        base.as_ref().map(|(uy, o)| (uy, o.as_str())),
        year,
        &template,
        &cats,
        &safe_name(filename),
    ))
}

/// The table template of the unit's newest stored version, or `national`.
async fn unit_template(state: &AppState, code: &str) -> Result<String, AppError> {
    let newest = state
        .store
        .unit_years()
        .await?
        .into_iter()
        .filter(|v| v.unit_code == code)
        .max_by_key(|v| v.year);
    let Some(info) = newest else {
        return Ok("national".into());
    };
    let Some(v) = state.store.latest(code, info.year).await? else {
        return Ok("national".into());
    };
    Ok(state
        .lib
        .read_input(&v.input_toml, "已存版本")
        .map_or_else(|_| "national".into(), |(uy, _)| uy.template))
}

/// How an uploaded journal CSV is read.
#[derive(Debug, Clone, Default)]
pub struct UploadOptions {
    /// Built-in column mapping (列映射): juesuan, yonyou, inspur; empty: juesuan.
    pub columns: String,
    /// 单位性质 (行政/参公/事业) when the unit-year has no stored version; empty: 行政.
    pub kind: String,
    /// Text encoding (utf-8, gbk) overriding the mapping's; empty: the mapping's.
    pub encoding: String,
    /// 口径调整: store the file's own 上年数 even where they differ from the stored previous
    /// year ([`PriorPolicy::Trust`](juesuan_store::PriorPolicy)); input files and workbooks.
    pub keep_prior: bool,
}

/// Row errors listed for one rejected journal upload; the rest are counted.
const SHOWN_JOURNAL_ERRORS: usize = crate::limits::MAX_LISTED - 1;

/// The built-in column mappings (name, title), for the upload form.
pub fn journal_columns(state: &AppState) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = state
        .lib
        .files()
        .filter_map(|(p, origin, text)| {
            let name = p.strip_prefix("journal/columns-")?.strip_suffix(".toml")?;
            let title = juesuan_journal::ColumnMap::from_toml(text, origin)
                .map(|m| m.title)
                .unwrap_or_default();
            Some((name.to_string(), title))
        })
        .collect();
    // The juesuan format first: it is the default.
    out.sort_by_key(|(n, _)| (n != "juesuan", n.clone()));
    out
}

/// 日记账上传: the journal's actuals merged into the unit's latest stored version of the
/// journal's year (else placeholders), validated and stored as one new version — the same
/// steps as `juesuan journal --db` (juesuan_journal::store). Every row error is listed
/// (up to a limit); nothing is stored when there is any.
/// The upload form's column mapping (shipped names only), unit kind and encoding.
fn journal_options(
    state: &AppState,
    opts: &UploadOptions,
) -> Result<
    (
        juesuan_journal::ColumnMap,
        juesuan_core::model::UnitKind,
        Option<juesuan_journal::TextEncoding>,
    ),
    AppError,
> {
    let columns = match opts.columns.trim() {
        "" => "juesuan",
        c => c,
    };
    // Only the shipped mappings: a path here would read the server's files.
    if !columns
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(AppError::bad(format!(
            "列映射“{columns}”无法识别：可用内置名称 juesuan、yonyou、inspur"
        )));
    }
    let map = juesuan_journal::column_map(&state.lib, columns).map_err(AppError::bad)?;
    let kind = match opts.kind.trim() {
        "" => juesuan_core::model::UnitKind::Administrative,
        k => juesuan_journal::unit_year::unit_kind(k).ok_or_else(|| {
            AppError::bad(format!("单位性质“{k}”无法识别：可用 行政、参公、事业"))
        })?,
    };
    let encoding = match opts.encoding.trim() {
        "" => None,
        e => Some(
            juesuan_journal::TextEncoding::parse(e)
                .ok_or_else(|| AppError::bad(format!("编码“{e}”无法识别：可用 utf-8、gbk")))?,
        ),
    };
    Ok((map, kind, encoding))
}

async fn import_journal(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    bytes: &[u8],
    filename: &str,
    note: &str,
    opts: &UploadOptions,
) -> Result<VersionInfo, AppError> {
    use juesuan_journal::store::{self as jstore, Fallback};
    let name = safe_name(filename);
    let (map, kind, encoding) = journal_options(state, opts)?;
    let lib = state.lib.clone();
    let owned = bytes.to_vec();
    let origin = name.clone();
    // CPU-bound and streaming (memory: the distinct keys, not the rows): off the async threads.
    let (imported, shown, more) = tokio::task::spawn_blocking(move || {
        let (mut shown, mut more) = (Vec::new(), 0usize);
        // Every unit (the upload's is picked below) and every bad row (all listed at once).
        let options = juesuan_journal::Options {
            all_units: true,
            keep_going: true,
            encoding,
            ..Default::default()
        };
        let r = juesuan_journal::import_for_year(
            &lib,
            || Ok(owned.as_slice()),
            &origin,
            &map,
            &options,
            &|year| lib.catalogues(year),
            &mut |e| {
                if shown.len() < SHOWN_JOURNAL_ERRORS {
                    shown.push(e.to_string());
                } else {
                    more += 1;
                }
            },
        );
        (r, shown, more)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let rejected = |mut shown: Vec<String>, more: usize| {
        let mut v = vec![format!(
            "日记账“{name}”有{}处错误，未保存任何数据",
            shown.len() + more
        )];
        v.append(&mut shown);
        if more > 0 {
            v.push(format!("……另有{more}处错误未列出"));
        }
        AppError::BadRequest(v)
    };
    let (journal, cats) = match imported {
        Ok(v) => v,
        Err(juesuan_journal::Failure::Journal(e)) => {
            let mut shown = shown;
            shown.push(e.to_string());
            return Err(rejected(shown, more));
        }
        Err(juesuan_journal::Failure::Setup(e)) => return Err(AppError::bad(e)),
    };
    if !shown.is_empty() || more > 0 {
        return Err(rejected(shown, more));
    }
    let registered = state.store.unit(code).await?.map(|u| u.name);
    let index = jstore::pick_unit(&journal, code, registered.as_deref())
        .map_err(|e| rejected(vec![e.to_string()], 0))?;
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(s, _)| s)
        .to_string();
    let fallback = Fallback {
        base: None,
        kind,
        name: &stem,
    };
    let prepared =
        match jstore::prepare(&state.store, &journal, index, code, &cats, &fallback).await {
            Ok(p) => p,
            Err(jstore::Error::Journal(errors)) => {
                return Err(rejected(errors.iter().map(|e| e.to_string()).collect(), 0))
            }
            Err(jstore::Error::Store(e)) => return Err(e.into()),
        };
    let origin = format!("上传 {name}");
    let mut stored = jstore::store_all(
        &state.store,
        std::slice::from_ref(&prepared),
        &origin,
        &name,
        &user.name,
        note,
    )
    .await?;
    Ok(stored.pop().expect("one version per prepared unit"))
}

/// Import an upload as a new version of a unit.
pub async fn import(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    bytes: &[u8],
    filename: &str,
    note: &str,
    opts: &UploadOptions,
) -> Result<VersionInfo, AppError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::bad("请选择或填写单位编码"));
    }
    user.require_write(code)?;
    state.quotas.charge(user.id, bytes.len())?;
    if user.role != Role::Admin && state.store.unit(code).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "没有编码为“{code}”的单位：请管理员先登记单位"
        )));
    }
    if is_journal(bytes, filename) {
        return import_journal(state, user, code, bytes, filename, note, opts).await;
    }
    let text = if is_workbook(bytes, filename) {
        xlsx_to_toml(state, code, bytes, filename).await?
    } else {
        upload_text(bytes, filename)?
    };
    let origin = format!("上传 {}", safe_name(filename));
    let policy = if opts.keep_prior {
        juesuan_store::PriorPolicy::Trust
    } else {
        juesuan_store::PriorPolicy::Check
    };
    Ok(state
        .store
        .import_with(code, &text, &origin, &user.name, note, policy)
        .await?)
}

/// One changed fact of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub key: String,
    pub label: String,
    /// 万元, exact to 分; `None`: absent in that version
    pub before: Option<String>,
    pub after: Option<String>,
    pub change: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffView {
    pub from: VersionView,
    pub to: VersionView,
    pub changes: Vec<ChangeView>,
    /// Other parts that differ (texts, reasons, details, `[evaluation]`), by section.
    pub sections: Vec<juesuan_core::SectionChange>,
}

pub async fn diff(
    state: &AppState,
    user: &CurrentUser,
    from: i64,
    to: i64,
) -> Result<DiffView, AppError> {
    let a = version(state, user, from).await?;
    let b = version(state, user, to).await?;
    let changes = state
        .store
        .diff(from, to)
        .await?
        .into_iter()
        .map(|c| ChangeView {
            change: match (c.before, c.after) {
                (Some(x), Some(y)) => Some((y - x).wan()),
                _ => None,
            },
            before: c.before.map(|a| a.wan()),
            after: c.after.map(|a| a.wan()),
            key: c.key,
            label: c.label,
        })
        .collect();
    let sections = state.store.section_diff(from, to).await?;
    Ok(DiffView {
        from: (&a.info).into(),
        to: (&b.info).into(),
        changes,
        sections,
    })
}

pub async fn restore(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    note: &str,
) -> Result<VersionInfo, AppError> {
    let v = version(state, user, id).await?;
    user.require_write(&v.info.unit_code)?;
    Ok(state.store.restore(id, &user.name, note).await?)
}

pub async fn consolidate(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
) -> Result<VersionInfo, AppError> {
    if user.role == Role::Preparer {
        user.require_write(code)?;
    } else {
        user.require_read(code)?;
    }
    Ok(state.store.consolidate(code, year, &user.name).await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareView {
    pub unit_code: String,
    pub from: VersionView,
    pub to: VersionView,
    pub lines: Vec<Comparison>,
}

/// Year-on-year comparison of a unit's latest versions of two years.
pub async fn compare(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    from: i32,
    to: i32,
) -> Result<CompareView, AppError> {
    user.require_read(code)?;
    let get = |year: i32| async move {
        state
            .store
            .latest(code, year)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("单位“{code}”没有{year}年度的数据")))
    };
    let (a, b) = (get(from).await?, get(to).await?);
    let ua = state.store.parse_version(&a)?;
    let ub = state.store.parse_version(&b)?;
    Ok(CompareView {
        unit_code: code.to_string(),
        from: (&a.info).into(),
        to: (&b.info).into(),
        lines: analysis::compare(&ua, &ub),
    })
}

/// Reviewer dashboard filter (审核看板筛选).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ReviewFilter {
    pub year: Option<i32>,
    /// Only unit-years failing this rule.
    pub rule: Option<String>,
    /// Unit code or name contains.
    pub q: Option<String>,
    /// Only unit-years with error-level findings.
    pub failing: Option<bool>,
    /// 地区: the input's `[unit] region`.
    pub region: Option<String>,
    /// 主管部门: the code of the unit's parent (上级单位) in the unit register.
    pub department: Option<String>,
    /// 结论: 通过 / 有警告 / 未通过 / 无法审核.
    pub status: Option<String>,
}

fn chosen(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|x| !x.is_empty())
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewRow {
    pub unit_code: String,
    pub unit_name: String,
    /// 地区 of the input, if it states one.
    pub region: Option<String>,
    /// 主管部门 (the parent unit's code), if registered.
    pub department: Option<String>,
    #[serde(flatten)]
    pub status: YearStatus,
    /// The findings, for the page (the API lists the failing rules only).
    #[serde(skip)]
    pub checks: crate::Checked,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// Every rule that fails somewhere, with how many unit-years fail it.
    pub rules: BTreeMap<String, usize>,
    /// Unit-years per 地区, 主管部门 (parent code) and 结论, before the filters on them: what
    /// each choice of the filter would show.
    pub regions: BTreeMap<String, usize>,
    pub departments: BTreeMap<String, usize>,
    pub statuses: BTreeMap<String, usize>,
    pub rows: Vec<ReviewRow>,
    pub checked: usize,
    pub failing: usize,
}

/// Units × failing rules over the latest version of every unit-year (batch check).
pub async fn review(
    state: &AppState,
    user: &CurrentUser,
    f: &ReviewFilter,
) -> Result<Review, AppError> {
    user.require_reviewer()?;
    let units: BTreeMap<String, UnitRow> = state
        .store
        .units()
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let q = chosen(&f.q);
    let versions: Vec<VersionInfo> = state
        .store
        .unit_years()
        .await?
        .into_iter()
        .filter(|v| f.year.is_none_or(|y| v.year == y))
        .filter(|v| {
            q.is_none_or(|q| {
                v.unit_code.contains(q)
                    || units.get(&v.unit_code).is_some_and(|u| u.name.contains(q))
            })
        })
        .collect();
    let checks = check_versions(state, &versions).await?;
    let mut r = Review {
        rules: BTreeMap::new(),
        regions: BTreeMap::new(),
        departments: BTreeMap::new(),
        statuses: BTreeMap::new(),
        rows: Vec::new(),
        checked: versions.len(),
        failing: 0,
    };
    for (v, c) in versions.iter().zip(&checks) {
        let st = status_of(v, &c.checks);
        let department = units.get(&v.unit_code).and_then(|u| u.parent.clone());
        for rule in &st.failing_rules {
            *r.rules.entry(rule.clone()).or_insert(0) += 1;
        }
        if let Some(region) = &c.region {
            *r.regions.entry(region.clone()).or_insert(0) += 1;
        }
        if let Some(d) = &department {
            *r.departments.entry(d.clone()).or_insert(0) += 1;
        }
        *r.statuses.entry(st.status.clone()).or_insert(0) += 1;
        let keep = chosen(&f.rule).is_none_or(|x| st.failing_rules.iter().any(|y| y == x))
            && (!f.failing.unwrap_or(false) || st.errors > 0)
            && chosen(&f.region).is_none_or(|x| c.region.as_deref() == Some(x))
            && chosen(&f.department).is_none_or(|x| department.as_deref() == Some(x))
            && chosen(&f.status).is_none_or(|x| st.status == x);
        if keep {
            r.rows.push(ReviewRow {
                unit_name: units
                    .get(&v.unit_code)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                unit_code: v.unit_code.clone(),
                region: c.region.clone(),
                department,
                status: st,
                checks: c.checks.clone(),
            });
        }
    }
    r.failing = r.rows.iter().filter(|x| x.status.errors > 0).count();
    Ok(r)
}

/// The names of the rules (审核公式) of every shipped or `--data-dir` rule set, by rule id:
/// the dashboard shows them beside the codes. Each id keeps the first name found.
pub fn rule_names(state: &AppState) -> &BTreeMap<String, String> {
    state.rule_names.get_or_init(|| load_rule_names(state))
}

fn load_rule_names(state: &AppState) -> BTreeMap<String, String> {
    let mut sets: Vec<(String, i32)> = state
        .lib
        .files()
        .filter_map(|(p, _, _)| {
            let stem = p.strip_prefix("rules/")?.strip_suffix(".toml")?;
            let (name, year) = stem.rsplit_once('-')?;
            Some((name.to_string(), year.parse().ok()?))
        })
        .collect();
    sets.sort();
    sets.dedup();
    let mut out = BTreeMap::new();
    for (name, year) in sets {
        if let Ok(set) = juesuan_app::rules(&state.lib, &name, year) {
            for rule in set.rules {
                out.entry(rule.id).or_insert(rule.message);
            }
        }
    }
    out
}

/// CSV export of the dashboard (UTF-8 with BOM so Excel reads the Chinese).
pub fn review_csv(r: &Review) -> String {
    fn field(s: &str) -> String {
        // A leading = + - @ would make Excel evaluate the cell as a formula.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    }
    let mut out =
        String::from("\u{feff}单位编码,单位名称,年度,版本,审核结论,错误数,警告数,未通过规则\r\n");
    for row in &r.rows {
        out.push_str(
            &[
                field(&row.unit_code),
                field(&row.unit_name),
                row.status.year.to_string(),
                row.status.version.number.to_string(),
                field(&row.status.status),
                row.status.errors.to_string(),
                row.status.warnings.to_string(),
                field(&row.status.failing_rules.join(" ")),
            ]
            .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// A user as administrators see them (never the hash).
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub role_label: String,
    pub units: Vec<String>,
    pub disabled: bool,
    pub must_change_password: bool,
}

pub async fn users(state: &AppState, user: &CurrentUser) -> Result<Vec<UserView>, AppError> {
    user.require_admin()?;
    let mut out = Vec::new();
    for u in state.store.users().await? {
        out.push(UserView {
            units: state.store.granted_units(u.id).await?,
            id: u.id,
            name: u.name,
            role: u.role.as_str().into(),
            role_label: u.role.label().into(),
            disabled: u.disabled,
            must_change_password: u.must_change_password,
        });
    }
    Ok(out)
}

/// 口令强度: at least 10 characters, of at least two kinds (letters, digits, other
/// characters including Chinese), not the user name, not one character repeated.
pub fn check_password(password: &str, name: &str) -> Result<(), AppError> {
    let fix = "请另设一个：至少10个字符，含字母、数字、符号或汉字中的至少两类，不含用户名";
    if password.chars().count() < 10 {
        return Err(AppError::bad(format!("口令太短（至少10个字符）：{fix}")));
    }
    let kinds = [
        password.chars().any(|c| c.is_ascii_alphabetic()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 2 {
        return Err(AppError::bad(format!("口令太简单（只有一类字符）：{fix}")));
    }
    let lower = password.to_lowercase();
    if !name.is_empty() && lower.contains(&name.to_lowercase()) {
        return Err(AppError::bad(format!("口令不能包含用户名：{fix}")));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(AppError::bad(format!("口令不能是同一个字符重复：{fix}")));
    }
    Ok(())
}

// The administrator's operations below share one shape on purpose: check the role, act
// through the store, log the operation in its own words. What differs is each one's check and
// wording; a shared wrapper would only move the three lines.

pub async fn create_user(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    role: &str,
    password: &str,
) -> Result<i64, AppError> {
    user.require_admin()?;
    let role = Role::parse(role).ok_or_else(|| {
        AppError::bad(format!("未知角色“{role}”：可用 preparer、reviewer、admin"))
    })?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::bad("用户名不能为空，且不超过64个字符"));
    }
    check_password(password, name)?;
    let hash = auth::hash_password(password, state.opts.password_cost);
    let id = state.store.create_user(name, &hash, role).await?;
    state
        .store
        .log(
            Some(&user.name),
            "admin.user.create",
            &format!("{name}（{}）", role.label()),
        )
        .await?;
    Ok(id)
}

/// Set a password. One's own needs the current password; an administrator setting someone
/// else's makes it one-time (that user must choose a new one at the next sign-in).
pub async fn set_password(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    current: Option<&str>,
    password: &str,
) -> Result<(), AppError> {
    let own = id == user.id;
    if !own {
        user.require_admin()?;
    }
    let target = state
        .store
        .user(id)
        .await?
        .ok_or(juesuan_store::StoreError::UnknownUser(id))?;
    if own {
        let current = current.unwrap_or("");
        if current.is_empty() {
            return Err(AppError::bad(
                "修改本人口令须填写当前口令（current_password）",
            ));
        }
        let (c, h) = (current.to_string(), target.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || auth::verify_password(&c, &h))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if !ok {
            return Err(AppError::bad("当前口令不正确：请重新输入当前口令"));
        }
        if current == password {
            return Err(AppError::bad("新口令不能与当前口令相同"));
        }
    }
    check_password(password, &target.name)?;
    let hash = auth::hash_password(password, state.opts.password_cost);
    state.store.set_password_with(id, &hash, !own).await?;
    state
        .store
        .log(
            Some(&user.name),
            "admin.user.password",
            &format!("用户{id}"),
        )
        .await?;
    Ok(())
}

pub async fn grant(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: &str,
) -> Result<(), AppError> {
    user.require_admin()?;
    state.store.grant(id, unit.trim()).await?;
    state
        .store
        .log(
            Some(&user.name),
            "admin.user.grant",
            &format!("用户{id} → {}", unit.trim()),
        )
        .await?;
    Ok(())
}

/// 撤销授权: a preparer loses a unit (their next request to it is refused).
pub async fn revoke(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    unit: &str,
) -> Result<(), AppError> {
    user.require_admin()?;
    if !state.store.revoke(id, unit.trim()).await? {
        return Err(AppError::NotFound(format!(
            "用户{id}没有单位“{}”的授权",
            unit.trim()
        )));
    }
    state
        .store
        .log(
            Some(&user.name),
            "admin.user.revoke",
            &format!("用户{id} ✕ {}", unit.trim()),
        )
        .await?;
    Ok(())
}

/// Change a user's role or disable / enable the account (管理员). An administrator cannot
/// disable or demote themself (the bureau would be left without one by mistake).
pub async fn update_user(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    role: Option<&str>,
    disabled: Option<bool>,
) -> Result<(), AppError> {
    user.require_admin()?;
    if state.store.user(id).await?.is_none() {
        return Err(juesuan_store::StoreError::UnknownUser(id).into());
    }
    if let Some(r) = role {
        let r = Role::parse(r).ok_or_else(|| {
            AppError::bad(format!("未知角色“{r}”：可用 preparer、reviewer、admin"))
        })?;
        if id == user.id && r != Role::Admin {
            return Err(AppError::bad(
                "不能取消自己的管理员角色：请由另一位管理员操作",
            ));
        }
        state.store.set_role(id, r).await?;
        state
            .store
            .log(
                Some(&user.name),
                "admin.user.role",
                &format!("用户{id} → {}", r.label()),
            )
            .await?;
    }
    if let Some(d) = disabled {
        if id == user.id && d {
            return Err(AppError::bad("不能停用自己的账户：请由另一位管理员操作"));
        }
        state.store.set_disabled(id, d).await?;
        let what = if d {
            "admin.user.disable"
        } else {
            "admin.user.enable"
        };
        state
            .store
            .log(Some(&user.name), what, &format!("用户{id}"))
            .await?;
    }
    Ok(())
}

/// 管理员解锁: clear a locked account's failed logins.
pub async fn unlock(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    user.require_admin()?;
    let target = state
        .store
        .user(id)
        .await?
        .ok_or(juesuan_store::StoreError::UnknownUser(id))?;
    state.store.login_unlock(&target.name).await?;
    state
        .store
        .log(Some(&user.name), "admin.user.unlock", &target.name)
        .await?;
    Ok(())
}

pub async fn upsert_unit(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    name: &str,
    parent: Option<&str>,
) -> Result<(), AppError> {
    user.require_admin()?;
    let parent = parent.map(str::trim).filter(|p| !p.is_empty());
    Ok(state
        .store
        .upsert_unit(code, name.trim(), parent, &user.name)
        .await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

pub async fn events(
    state: &AppState,
    user: &CurrentUser,
    limit: i64,
) -> Result<Vec<EventView>, AppError> {
    user.require_admin()?;
    Ok(state
        .store
        .events(limit.clamp(1, 1000))
        .await?
        .into_iter()
        .map(|e: Event| EventView {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail: e.detail,
        })
        .collect())
}
