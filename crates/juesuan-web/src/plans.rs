//! Allocation plans (转移支付分配计划, docs/allocation.md) in the web app, for the pages and the
//! API alike: upload (read and allocated first; nothing is stored on an error), the plans a
//! user may see, one plan version with its ranking and trace, and a what-if.
//!
//! Who may do what follows the plan's allocating unit: its preparers and the administrators
//! upload; whoever may read the unit (its preparers, reviewers, administrators) views.

use crate::{AppError, AppState, CurrentUser};
use juesuan_alloc::whatif::{self, Move};
use juesuan_alloc::{allocate, AllocError, Allocation};
use juesuan_app::allocation::{run_plan, KpiFile, PlanResult};
use juesuan_store::{NewPlan, PlanInfo, StoredPlan};

/// The most what-if changes one request may apply.
pub const MAX_CHANGES: usize = 8;

/// An uploaded plan and its KPI file.
pub struct Upload<'a> {
    pub unit: &'a str,
    pub plan_name: &'a str,
    pub plan: &'a [u8],
    pub kpi: Option<(&'a str, &'a [u8])>,
    pub note: &'a str,
}

/// What the upload form keeps after a refusal (not the files).
#[derive(Default)]
pub struct Kept {
    pub unit: String,
    pub note: String,
    pub plan_file: String,
}

/// The fields of an upload (page form or API): kept values, the CSRF token (pages) and the
/// two files.
pub struct Received {
    pub kept: Kept,
    pub csrf: String,
    pub plan: Option<Vec<u8>>,
    pub kpi: Option<(String, Vec<u8>)>,
}

/// Read a multipart upload: fields `unit`, `note`, `csrf`, files `plan` and `kpi`. On an
/// error, what was read so far comes back with it (to keep the form).
pub async fn receive(
    s: &AppState,
    mp: &mut axum::extract::Multipart,
) -> Result<Received, (Received, AppError)> {
    let mut r = Received {
        kept: Kept::default(),
        csrf: String::new(),
        plan: None,
        kpi: None,
    };
    let too_large = || {
        AppError::TooLarge(format!(
            "文件超过 {} MB 的上限",
            s.opts.max_upload / 1024 / 1024
        ))
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err((r, too_large())),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().unwrap_or("").to_string();
        let Ok(bytes) = field.bytes().await else {
            return Err((r, too_large()));
        };
        if bytes.len() > s.opts.max_upload {
            return Err((r, too_large()));
        }
        match name.as_str() {
            "plan" if !bytes.is_empty() => {
                r.kept.plan_file = file_name;
                r.plan = Some(bytes.to_vec());
            }
            "kpi" if !bytes.is_empty() => r.kpi = Some((file_name, bytes.to_vec())),
            "csrf" => r.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "unit" => r.kept.unit = String::from_utf8_lossy(&bytes).into_owned(),
            "note" => r.kept.note = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    Ok(r)
}

impl Received {
    /// The upload to store; the plan file is required.
    pub fn upload(&self) -> Result<Upload<'_>, AppError> {
        let plan = self
            .plan
            .as_deref()
            .ok_or_else(|| AppError::bad("请选择分配计划文件（.toml，字段 plan）"))?;
        Ok(Upload {
            unit: &self.kept.unit,
            plan_name: &self.kept.plan_file,
            plan,
            kpi: self.kpi.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
            note: &self.kept.note,
        })
    }
}

/// The located A-code errors of a plan, as a refused request: nothing is stored.
fn refused(errors: &[AllocError]) -> AppError {
    let mut v = vec![format!(
        "分配计划有{}处错误，未保存：请按每处的说明改正后重新上传（格式见 docs/allocation.md）",
        errors.len()
    )];
    v.extend(errors.iter().map(ToString::to_string));
    AppError::BadRequest(v)
}

/// The file name without any directory part (browsers may send a path).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// A stored plan read and allocated.
pub(crate) fn run_stored(p: &StoredPlan) -> Result<PlanResult, Vec<AllocError>> {
    let kpi = match (&p.info.kpi_name, &p.kpi_data) {
        (Some(name), Some(bytes)) => Some(KpiFile { name, bytes }),
        _ => None,
    };
    run_plan(&p.plan_toml, &p.info.plan_name, kpi)
}

/// Read, allocate and store an uploaded plan as a new version.
pub async fn save(s: &AppState, u: &CurrentUser, up: Upload<'_>) -> Result<PlanInfo, AppError> {
    let unit = up.unit.trim();
    if unit.is_empty() {
        return Err(AppError::bad("请选择分配单位"));
    }
    u.require_write(unit)?;
    let text = std::str::from_utf8(up.plan).map_err(|_| {
        AppError::bad("分配计划文件不是 UTF-8 编码的文本：请用 UTF-8 保存 .toml 文件后重新上传")
    })?;
    let plan_name = base_name(up.plan_name);
    let kpi = up.kpi.map(|(n, b)| (base_name(n).to_string(), b.to_vec()));
    let (text_owned, name_owned, kpi_owned) =
        (text.to_string(), plan_name.to_string(), kpi.clone());
    let result = tokio::task::spawn_blocking(move || {
        let kpi = kpi_owned
            .as_ref()
            .map(|(name, bytes)| KpiFile { name, bytes });
        run_plan(&text_owned, &name_owned, kpi)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| refused(&e))?;
    let (plan, a) = (&result.plan, &result.allocation);
    Ok(s.store
        .save_plan(NewPlan {
            unit_code: unit,
            allocator: &plan.allocator,
            year: plan.year,
            title: &plan.title,
            plan_name,
            plan_toml: text,
            kpi: kpi.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
            pool: a.pool,
            recipients: plan.recipients.len(),
            author: &u.name,
            note: up.note.trim(),
        })
        .await?)
}

/// The latest version of every plan the user may read.
pub async fn list(s: &AppState, u: &CurrentUser) -> Result<Vec<PlanInfo>, AppError> {
    Ok(s.store
        .plans()
        .await?
        .into_iter()
        .filter(|p| u.can_read(&p.unit_code))
        .collect())
}

/// One plan version as the pages show it.
pub struct PlanView {
    pub stored: StoredPlan,
    /// Every version of the plan, oldest first.
    pub versions: Vec<PlanInfo>,
    pub result: PlanResult,
    pub what_if: Option<WhatIf>,
}

/// A what-if: the changes, the allocation after them and who moves; or why it could not run.
pub struct WhatIf {
    pub spec: String,
    pub outcome: Result<(Allocation, Vec<Move>), Vec<AllocError>>,
}

/// The what-if changes of a query: `what_if` may repeat (API) and each may hold one change per
/// line (the page's text box).
pub fn what_if_changes(query: Option<&str>) -> Vec<String> {
    query
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == "what_if")
        .filter_map(|(_, v)| crate::html::url_decode(&v.replace('+', " ")))
        .flat_map(|v| {
            v.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A stored plan version the user may read, allocated, with a what-if when `changes` has any.
pub async fn view(
    s: &AppState,
    u: &CurrentUser,
    id: i64,
    changes: &[String],
) -> Result<PlanView, AppError> {
    let stored = s
        .store
        .plan(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("没有编号为{id}的分配计划版本")))?;
    u.require_read(&stored.info.unit_code)?;
    if changes.len() > MAX_CHANGES {
        return Err(AppError::bad(format!(
            "假设分析一次最多{MAX_CHANGES}项改动"
        )));
    }
    let versions = s
        .store
        .plan_versions(&stored.info.unit_code, stored.info.year, &stored.info.title)
        .await?;
    let changes = changes.to_vec();
    let (stored, result, what_if) = tokio::task::spawn_blocking(move || {
        let result = run_stored(&stored);
        let what_if = match &result {
            Ok(r) if !changes.is_empty() => Some(what_if(r, &changes)),
            _ => None,
        };
        (stored, result, what_if)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let result = result.map_err(|e| {
        AppError::Internal(format!(
            "已存的分配计划版本{id}无法分配（数据文件可能已更改）：{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("；")
        ))
    })?;
    Ok(PlanView {
        stored,
        versions,
        result,
        what_if,
    })
}

fn what_if(r: &PlanResult, changes: &[String]) -> WhatIf {
    let spec = changes.join("；");
    let mut plan = r.plan.clone();
    for c in changes {
        plan = match whatif::apply(&plan, c.trim()) {
            Ok(p) => p,
            Err(e) => {
                return WhatIf {
                    spec,
                    outcome: Err(vec![e]),
                }
            }
        };
    }
    let outcome = allocate(&plan).map(|after| {
        let moves = whatif::compare(&r.allocation, &after);
        (after, moves)
    });
    WhatIf { spec, outcome }
}

/// A stored plan's own files, to download: the plan (`plan`) or its KPI file (`kpi`).
pub async fn file(
    s: &AppState,
    u: &CurrentUser,
    id: i64,
    which: &str,
) -> Result<(String, &'static str, Vec<u8>), AppError> {
    let p = s
        .store
        .plan(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("没有编号为{id}的分配计划版本")))?;
    u.require_read(&p.info.unit_code)?;
    match which {
        "plan" => Ok((
            p.info.plan_name,
            "application/toml; charset=utf-8",
            p.plan_toml.into_bytes(),
        )),
        "kpi" => match (p.info.kpi_name, p.kpi_data) {
            (Some(name), Some(bytes)) => {
                let kind = if name.to_ascii_lowercase().ends_with(".xlsx") {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                } else {
                    "text/csv; charset=utf-8"
                };
                Ok((name, kind, bytes))
            }
            _ => Err(AppError::NotFound(
                "这个分配计划的考核数据写在计划文件中，没有单独的考核数据文件".into(),
            )),
        },
        other => Err(AppError::NotFound(format!(
            "没有“{other}”这种文件：可下载 plan（分配计划）或 kpi（考核数据）"
        ))),
    }
}

/// A file to save, its name kept (RFC 6266: an ASCII fallback and the UTF-8 name).
pub fn attachment(name: &str, kind: &'static str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    crate::html::url(name)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}
