//! The JSON API (`/api/v1`, described by `/api/openapi.json`): everything the pages do.

use crate::downloads::{self, Format};
use crate::ops::{self, ReviewFilter, VersionView};
use crate::published;
use crate::session::{self, ApiUser, ClientAddr};
use crate::{AppError, AppState};
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

type Res<T> = Result<T, AppError>;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", post(login).delete(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/units", get(units).post(upsert_unit))
        .route(
            "/api/v1/units/{code}/imports",
            post(import).layer(DefaultBodyLimit::max(state.opts.max_upload)),
        )
        .route("/api/v1/units/{code}/years/{year}", get(unit_year))
        .route("/api/v1/units/{code}/years/{year}/versions", get(versions))
        .route(
            "/api/v1/units/{code}/years/{year}/download/{format}",
            get(download),
        )
        .route(
            "/api/v1/units/{code}/years/{year}/consolidate",
            post(consolidate),
        )
        .route("/api/v1/units/{code}/compare", get(compare))
        .route("/api/v1/versions/{id}", get(version))
        .route("/api/v1/versions/{id}/restore", post(restore))
        .route("/api/v1/diff", get(diff))
        .route("/api/v1/review", get(review))
        .route("/api/v1/checks/batch", post(batch))
        .route(
            "/api/v1/audit",
            post(audit).layer(DefaultBodyLimit::max(
                state.opts.audit_max_bytes + published::FORM_OVERHEAD,
            )),
        )
        .route("/api/v1/users", get(users).post(create_user))
        .route("/api/v1/users/{id}", axum::routing::patch(update_user))
        .route("/api/v1/users/{id}/password", post(set_password))
        .route("/api/v1/users/{id}/unlock", post(unlock))
        .route("/api/v1/users/{id}/grants", post(grant))
        .route(
            "/api/v1/users/{id}/grants/{unit}",
            axum::routing::delete(revoke),
        )
        .route("/api/v1/events", get(events))
        .route(
            "/api/v1/plans",
            get(plans)
                .post(save_plan)
                .layer(DefaultBodyLimit::max(2 * state.opts.max_upload + 64 * 1024)),
        )
        .route("/api/v1/plans/{id}", get(plan))
        .route("/api/v1/plans/{id}/files/{which}", get(plan_file))
        .layer(DefaultBodyLimit::max(256 * 1024))
}

#[derive(Deserialize)]
struct LoginReq {
    username: String,
    password: String,
}

async fn login(
    State(s): State<AppState>,
    ClientAddr(ip): ClientAddr,
    Json(r): Json<LoginReq>,
) -> Res<Response> {
    let (cookie, user) = session::login(&s, &r.username, &r.password, ip).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({
            "user": { "id": user.id, "name": user.name, "role": user.role.as_str() },
            "csrf_token": user.csrf,
        })),
    )
        .into_response())
}

async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiUser(u): ApiUser,
) -> Res<Response> {
    let cookie = session::logout(&s, &headers, &u).await?;
    Ok(([(header::SET_COOKIE, cookie)], StatusCode::NO_CONTENT).into_response())
}

async fn me(ApiUser(u): ApiUser) -> Json<Value> {
    Json(json!({
        "id": u.id, "name": u.name, "role": u.role.as_str(), "role_label": u.role.label(),
        "units": u.units, "csrf_token": u.csrf,
    }))
}

async fn units(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
) -> Res<Json<Vec<ops::UnitOverview>>> {
    Ok(Json(ops::overview(&s, &u).await?))
}

#[derive(Deserialize)]
struct UnitReq {
    code: String,
    name: String,
    parent: Option<String>,
}

async fn upsert_unit(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Json(r): Json<UnitReq>,
) -> Res<StatusCode> {
    ops::upsert_unit(&s, &u, &r.code, &r.name, r.parent.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    note: String,
    #[serde(default)]
    filename: String,
    /// Journal CSV: built-in column mapping (juesuan, yonyou, inspur).
    #[serde(default)]
    columns: String,
    /// Journal CSV without a stored version of the year: 行政/参公/事业.
    #[serde(default)]
    kind: String,
    /// Journal CSV: utf-8 or gbk, overriding the mapping's.
    #[serde(default)]
    encoding: String,
    /// 口径调整: keep the file's 上年数 where they differ from the stored previous year.
    #[serde(default)]
    keep_prior: bool,
}

async fn import(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(code): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Res<(StatusCode, Json<VersionView>)> {
    let name = if q.filename.is_empty() {
        "api"
    } else {
        &q.filename
    };
    let opts = ops::UploadOptions {
        columns: q.columns,
        kind: q.kind,
        encoding: q.encoding,
        keep_prior: q.keep_prior,
    };
    let v = ops::import(&s, &u, &code, &body, name, &q.note, &opts).await?;
    Ok((StatusCode::CREATED, Json((&v).into())))
}

#[derive(Deserialize)]
struct VersionQuery {
    version: Option<i64>,
}

async fn unit_year(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<VersionQuery>,
) -> Res<Json<Value>> {
    let (v, a) = ops::unit_year(&s, &u, &code, year, q.version).await?;
    let tables: Value = serde_json::from_str(&a.report.tables_json).unwrap_or(Value::Null);
    let downloads: Vec<Value> = downloads::FORMATS
        .iter()
        .map(|(_, n, label)| {
            json!({ "format": n, "label": label,
                    "url": format!("/api/v1/units/{}/years/{year}/download/{n}?version={}", crate::html::url(&code), v.info.id) })
        })
        .collect();
    Ok(Json(json!({
        "unit_code": code,
        "unit_name": a.unit_year.unit.name,
        "year": year,
        "version": VersionView::from(&v.info),
        "checks": a.checks,
        "status": a.checks.status(),
        "scores": a.scores,
        "score_errors": a.score_errors,
        "warnings": a.report.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        "narrative_markdown": a.report.markdown,
        "charts": a.report.charts,
        "tables": tables,
        "downloads": downloads,
    })))
}

async fn versions(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((code, year)): Path<(String, i32)>,
) -> Res<Json<Vec<VersionView>>> {
    Ok(Json(ops::versions(&s, &u, &code, year).await?))
}

async fn download(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((code, year, format)): Path<(String, i32, String)>,
    Query(q): Query<VersionQuery>,
) -> Res<downloads::Download> {
    let f = Format::parse(&format)
        .ok_or_else(|| AppError::NotFound(format!("不支持的下载格式“{format}”")))?;
    let (v, a) = ops::unit_year(&s, &u, &code, year, q.version).await?;
    downloads::render_async(&s, f, v, a).await
}

async fn consolidate(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((code, year)): Path<(String, i32)>,
) -> Res<(StatusCode, Json<VersionView>)> {
    let v = ops::consolidate(&s, &u, &code, year).await?;
    Ok((StatusCode::CREATED, Json((&v).into())))
}

async fn compare(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(code): Path<String>,
    Query(q): Query<ops::CompareQuery>,
) -> Res<Json<ops::CompareView>> {
    Ok(Json(ops::compare(&s, &u, &code, q.from, q.to).await?))
}

async fn version(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> Res<Json<Value>> {
    let v = ops::version(&s, &u, id).await?;
    Ok(Json(
        json!({ "version": VersionView::from(&v.info), "input_toml": v.input_toml }),
    ))
}

#[derive(Deserialize, Default)]
struct NoteReq {
    #[serde(default)]
    note: String,
}

async fn restore(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    body: Option<Json<NoteReq>>,
) -> Res<(StatusCode, Json<VersionView>)> {
    let note = body.map(|b| b.0.note).unwrap_or_default();
    let v = ops::restore(&s, &u, id, &note).await?;
    Ok((StatusCode::CREATED, Json((&v).into())))
}

#[derive(Deserialize)]
struct DiffQuery {
    from: i64,
    to: i64,
}

async fn diff(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<DiffQuery>,
) -> Res<Json<ops::DiffView>> {
    Ok(Json(ops::diff(&s, &u, q.from, q.to).await?))
}

async fn review(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(f): Query<ReviewFilter>,
) -> Res<Json<ops::Review>> {
    Ok(Json(ops::review(&s, &u, &f).await?))
}

async fn batch(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    body: Option<Json<ReviewFilter>>,
) -> Res<Json<ops::Review>> {
    let f = body.map(|b| b.0).unwrap_or_default();
    let r = ops::review(&s, &u, &f).await?;
    s.store
        .log(
            Some(&u.name),
            "checks.batch",
            &format!("批量审核{}个单位年度，{}个未通过", r.checked, r.failing),
        )
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize)]
struct AuditQuery {
    /// json (default), csv, text or html.
    format: Option<String>,
}

/// 核对已公开报告: the uploaded files' summary in the asked format.
async fn audit(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<AuditQuery>,
    mp: Result<Multipart, MultipartRejection>,
) -> Res<Response> {
    // The role and the format before the body is read.
    published::require_auditor(&u)?;
    let mut format = published::format(q.format.as_deref(), juesuan_app::batch::Format::Json)?;
    let mut mp = mp.map_err(|_| {
        AppError::bad("请求体须为 multipart/form-data：每个文件一个带文件名的字段（如 files）")
    })?;
    let got = published::receive(&s, &mut mp, None).await?;
    if q.format.is_none() {
        format = published::format(got.format.as_deref(), format)?;
    }
    let summary = published::audit(&s, &u, got.files).await?;
    Ok(published::file_response(&summary, format, false))
}

async fn users(State(s): State<AppState>, ApiUser(u): ApiUser) -> Res<Json<Vec<ops::UserView>>> {
    Ok(Json(ops::users(&s, &u).await?))
}

#[derive(Deserialize)]
struct UserReq {
    name: String,
    role: String,
    password: String,
}

async fn create_user(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Json(r): Json<UserReq>,
) -> Res<(StatusCode, Json<Value>)> {
    let id = ops::create_user(&s, &u, &r.name, &r.role, &r.password).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[derive(Deserialize)]
struct PasswordReq {
    password: String,
    /// Required for one's own password.
    current_password: Option<String>,
}

async fn set_password(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<PasswordReq>,
) -> Res<StatusCode> {
    ops::set_password(&s, &u, id, r.current_password.as_deref(), &r.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct GrantReq {
    unit_code: String,
}

async fn grant(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<GrantReq>,
) -> Res<StatusCode> {
    ops::grant(&s, &u, id, &r.unit_code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct UserPatch {
    role: Option<String>,
    disabled: Option<bool>,
}

async fn update_user(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<UserPatch>,
) -> Res<StatusCode> {
    ops::update_user(&s, &u, id, r.role.as_deref(), r.disabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unlock(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> Res<StatusCode> {
    ops::unlock(&s, &u, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, unit)): Path<(i64, String)>,
) -> Res<StatusCode> {
    ops::revoke(&s, &u, id, &unit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct EventsQuery {
    limit: Option<i64>,
}

async fn events(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<EventsQuery>,
) -> Res<Json<Vec<ops::EventView>>> {
    Ok(Json(ops::events(&s, &u, q.limit.unwrap_or(100)).await?))
}

// ------------------------------------------------------------------ allocation plans

fn plan_json(p: &juesuan_store::PlanInfo) -> Value {
    json!({
        "id": p.id, "unit_code": p.unit_code, "year": p.year, "title": p.title,
        "number": p.number, "author": p.author, "created_at": p.created_at, "note": p.note,
        "plan_name": p.plan_name, "kpi_name": p.kpi_name,
        "pool_wan": p.pool.exact(juesuan_core::MoneyUnit::Wan), "recipients": p.recipients,
    })
}

async fn plans(State(s): State<AppState>, ApiUser(u): ApiUser) -> Res<Json<Value>> {
    let list = crate::plans::list(&s, &u).await?;
    Ok(Json(Value::Array(list.iter().map(plan_json).collect())))
}

async fn save_plan(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Res<(StatusCode, Json<Value>)> {
    let mut mp = mp.map_err(|_| {
        AppError::bad("请求体须为 multipart/form-data：字段 unit、note，文件 plan（必填）和 kpi")
    })?;
    let r = crate::plans::receive(&s, &mut mp)
        .await
        .map_err(|(_, e)| e)?;
    let p = crate::plans::save(&s, &u, r.upload()?).await?;
    Ok((StatusCode::CREATED, Json(plan_json(&p))))
}

async fn plan(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    uri: axum::http::Uri,
) -> Res<Json<Value>> {
    let v = crate::plans::view(&s, &u, id, &crate::plans::what_if_changes(uri.query())).await?;
    let what_if = v.what_if.as_ref().map(|w| match &w.outcome {
        Ok((after, moves)) => json!({ "changes": w.spec, "after": after, "moves": moves }),
        Err(errors) => json!({
            "changes": w.spec,
            "errors": errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    });
    Ok(Json(json!({
        "plan": plan_json(&v.stored.info),
        "allocation": v.result.allocation,
        "versions": v.versions.iter().map(plan_json).collect::<Vec<_>>(),
        "what_if": what_if,
    })))
}

async fn plan_file(
    State(s): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, which)): Path<(i64, String)>,
) -> Res<Response> {
    let (name, kind, bytes) = crate::plans::file(&s, &u, id, &which).await?;
    Ok(crate::plans::attachment(&name, kind, bytes))
}
