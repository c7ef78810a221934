//! The juesuan web app (`juesuan serve`): server-rendered pages and a JSON API over the
//! versioned store, with argon2 passwords, hashed session tokens in HttpOnly SameSite
//! cookies, CSRF tokens on every form and every unsafe API call, roles (填报人 / 审核人 /
//! 管理员), upload limits, zip-bomb protection, a login rate limit and an audit log; reviewers
//! audit published reports in batches (核对已公开报告, `published`).
//! Format and routes: docs/web.md.

pub mod analysis;
mod api;
pub mod auth;
mod downloads;
pub mod flash;
pub mod html;
pub mod limits;
pub mod openapi;
mod ops;
mod pages;
mod plans;
pub mod published;
pub mod session;

use analysis::{Analysis, CheckSummary};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use juesuan_data::Library;
use juesuan_store::{Role, Store, StoreError};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use juesuan_store;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// `sqlite:path` or `postgres://…`
    pub db: String,
    pub addr: SocketAddr,
    /// Set the `Secure` flag on cookies (behind HTTPS).
    pub secure_cookies: bool,
    /// Largest upload (bytes).
    pub max_upload: usize,
    /// 核对已公开报告: files one batch may hold.
    pub audit_max_files: usize,
    /// 核对已公开报告: bytes all files of one batch may hold together.
    pub audit_max_bytes: usize,
    pub password_cost: auth::PasswordCost,
    /// Session lifetime.
    pub session_hours: i64,
    /// Failed logins per user name or address before a lockout of `login_window`.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// First lockout of an account after `login_max_failures`; each further failure doubles
    /// it (exponential backoff), up to a day.
    pub login_lock_base: Duration,
    /// Failed logins from one address within `login_window` before that address is throttled
    /// (only for accounts it has failed on; never for a correct password of another account).
    pub login_ip_max_failures: u32,
    /// Refusal events (failed or locked logins) written per key per minute; the rest are
    /// counted into the next one.
    pub refusal_log_per_minute: u32,
    /// Time a client has to send a request's headers (half-sent requests are closed).
    pub header_timeout: Duration,
    /// Time for a whole request: reading its body and the handler (408 beyond).
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Word and PDF renders at once.
    pub render_concurrency: usize,
    /// Reports (analyses) built at once for pages and the API: each holds tens of MB while
    /// it is built, so many uncached pages at once would otherwise grow memory with the load.
    /// Default: the number of CPU cores (more would not finish sooner).
    pub analysis_concurrency: usize,
    /// Longest wait for a free render slot (503 beyond).
    pub render_wait: Duration,
    /// Deadline of one render (503 beyond).
    pub render_deadline: Duration,
    /// Memory (estimated bytes) of the cached analyses of versions.
    pub analysis_cache_bytes: usize,
    /// Memory of the cached rendered files (Word, PDF, Excel).
    pub render_cache_bytes: usize,
    /// Uploads (imports and published-report batches) per user per `quota_window`.
    pub upload_quota_count: u32,
    /// Bytes uploaded per user per `quota_window`.
    pub upload_quota_bytes: usize,
    pub quota_window: Duration,
}

impl Options {
    pub fn new(db: &str, addr: SocketAddr) -> Options {
        Options {
            db: db.to_string(),
            addr,
            secure_cookies: false,
            max_upload: 8 * 1024 * 1024,
            audit_max_files: published::MAX_FILES,
            audit_max_bytes: published::MAX_BYTES,
            password_cost: auth::PasswordCost::default(),
            session_hours: 8,
            login_max_failures: 5,
            login_window: Duration::from_secs(300),
            login_lock_base: Duration::from_secs(60),
            login_ip_max_failures: 20,
            refusal_log_per_minute: 1,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_connections: 1024,
            render_concurrency: 2,
            analysis_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            render_wait: Duration::from_secs(10),
            render_deadline: Duration::from_secs(60),
            analysis_cache_bytes: 128 * 1024 * 1024,
            render_cache_bytes: 64 * 1024 * 1024,
            upload_quota_count: 120,
            upload_quota_bytes: 256 * 1024 * 1024,
            quota_window: Duration::from_secs(3600),
        }
    }
}

/// Shared state of the app.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub lib: Arc<Library>,
    pub opts: Arc<Options>,
    cache: Arc<Cache>,
    pub(crate) renders: limits::RenderGate,
    pub(crate) quotas: Arc<limits::Quotas>,
    pub(crate) refusals: Arc<session::RefusalLog>,
    /// Signs the one-time messages after an action (flash).
    pub(crate) flash_key: Arc<flash::Key>,
    /// Analyses being built: at most `analysis_concurrency` (the rest wait their turn).
    analysis_gate: Arc<tokio::sync::Semaphore>,
    /// The most analyses ever built at once (tests check the gate with it).
    analyses_peak: Arc<std::sync::atomic::AtomicUsize>,
    analysis_gate_used: Arc<std::sync::atomic::AtomicUsize>,
    /// Names of the rules by id (审核公式), loaded once.
    pub(crate) rule_names: Arc<std::sync::OnceLock<std::collections::BTreeMap<String, String>>>,
}

/// The checks of one version, or why its input could not be checked.
pub type Checked = Arc<Result<CheckSummary, Vec<String>>>;

/// The checks of a version with the input's 地区 (`[unit] region`, for the dashboard's filter).
#[derive(Clone)]
pub struct CheckedVersion {
    pub checks: Checked,
    pub region: Option<String>,
}

/// Results per version id: versions are immutable, so nothing is ever invalidated; the maps
/// are only bounded (analyses and rendered files by their estimated bytes, least recently
/// used first out).
struct Cache {
    analyses: Mutex<limits::ByteCache<analysis::ReportKey, Analysis>>,
    renders:
        Mutex<limits::ByteCache<(analysis::ReportKey, downloads::Format), downloads::Download>>,
    checks: Mutex<HashMap<i64, CheckedVersion>>,
}

const MAX_CHECKS: usize = 50_000;

impl limits::Weigh for Analysis {
    /// The report's texts dominate; the tables, blocks and facts are of the same order, so
    /// three times the texts is a generous estimate.
    fn weight(&self) -> usize {
        let r = &self.report;
        3 * (r.markdown.len() + r.html.len() + r.tables_json.len()) + 64 * 1024
    }
}

impl AppState {
    /// Open the store and build the state; `lib` holds the data files (embedded plus any
    /// `--data-dir`).
    pub async fn open(opts: Options, lib: Library) -> Result<AppState, StoreError> {
        let store = Store::open_with(&opts.db, lib).await?;
        Ok(AppState::with_store(store, opts))
    }

    pub fn with_store(store: Store, opts: Options) -> AppState {
        let lib = Arc::new(store.library().clone());
        let cache = Cache {
            analyses: Mutex::new(limits::ByteCache::new(opts.analysis_cache_bytes)),
            renders: Mutex::new(limits::ByteCache::new(opts.render_cache_bytes)),
            checks: Mutex::new(HashMap::new()),
        };
        AppState {
            store,
            lib,
            renders: limits::RenderGate::new(
                opts.render_concurrency,
                opts.render_wait,
                opts.render_deadline,
            ),
            quotas: Arc::new(limits::Quotas::new(
                opts.upload_quota_count,
                opts.upload_quota_bytes,
                opts.quota_window,
            )),
            refusals: Arc::new(session::RefusalLog::default()),
            flash_key: Arc::new(flash::Key::random()),
            rule_names: Arc::default(),
            analysis_gate: Arc::new(tokio::sync::Semaphore::new(
                opts.analysis_concurrency.max(1),
            )),
            analyses_peak: Arc::default(),
            analysis_gate_used: Arc::default(),
            opts: Arc::new(opts),
            cache: Arc::new(cache),
        }
    }

    /// The full analysis of a stored version (report, checks, scores) with the allocation
    /// plans that fill its transfer-payment tables, cached by both (versions never change;
    /// a new plan version is a new key).
    pub(crate) async fn analysis(
        &self,
        id: i64,
        text: &str,
        plans: Vec<juesuan_store::StoredPlan>,
    ) -> Result<Arc<Analysis>, AppError> {
        let mut plan_ids: Vec<i64> = plans.iter().map(|p| p.info.id).collect();
        plan_ids.sort_unstable();
        let key: analysis::ReportKey = (id, plan_ids);
        if let Some(a) = self.cache.analyses.lock().expect("cache").get(&key) {
            return Ok(a.clone());
        }
        let permit = self
            .analysis_gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        // Another request may have built it while this one waited.
        if let Some(a) = self.cache.analyses.lock().expect("cache").get(&key) {
            return Ok(a.clone());
        }
        let building = self.cache_in_flight();
        let (lib, text) = (self.lib.clone(), text.to_string());
        let origin = format!("版本{id}");
        let built_key = key.clone();
        // The permit and the count go with the work: a request given up (timeout, closed
        // connection) does not free its place before the build is done.
        let a = tokio::task::spawn_blocking(move || {
            // Fields drop in order: the count before the permit.
            let _held = (building, permit);
            analysis::analyse(&lib, &text, &origin, &plans, built_key)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("已存版本{id}无法生成报告：{}", e.join("；"))))?;
        let a = Arc::new(a);
        self.cache
            .analyses
            .lock()
            .expect("cache")
            .insert(key, a.clone());
        Ok(a)
    }

    /// Count an analysis being built (until the guard drops) and record the peak.
    fn cache_in_flight(&self) -> InFlight {
        use std::sync::atomic::Ordering;
        let now = self.analysis_gate_used.fetch_add(1, Ordering::SeqCst) + 1;
        self.analyses_peak.fetch_max(now, Ordering::SeqCst);
        InFlight(self.analysis_gate_used.clone())
    }

    /// The most analyses that were ever built at once.
    pub fn analyses_peak(&self) -> usize {
        self.analyses_peak.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A rendered file of a report, cached by what it is built from and the format.
    pub(crate) fn render_cached(
        &self,
        key: &analysis::ReportKey,
        f: downloads::Format,
    ) -> Option<Arc<downloads::Download>> {
        self.cache
            .renders
            .lock()
            .expect("cache")
            .get(&(key.clone(), f))
    }

    pub(crate) fn remember_render(
        &self,
        key: analysis::ReportKey,
        f: downloads::Format,
        d: Arc<downloads::Download>,
    ) {
        self.cache
            .renders
            .lock()
            .expect("cache")
            .insert((key, f), d);
    }

    /// The consistency checks of a stored version, cached.
    pub(crate) fn checks_cached(&self, id: i64) -> Option<CheckedVersion> {
        self.cache.checks.lock().expect("cache").get(&id).cloned()
    }

    pub(crate) fn remember_checks(
        &self,
        id: i64,
        r: Result<CheckSummary, Vec<String>>,
        region: Option<String>,
    ) -> CheckedVersion {
        let r = CheckedVersion {
            checks: Arc::new(r),
            region,
        };
        let mut map = self.cache.checks.lock().expect("cache");
        if map.len() >= MAX_CHECKS {
            map.clear();
        }
        map.insert(id, r.clone());
        r
    }
}

/// One analysis being built; dropping it counts it out.
struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// What went wrong, as the API (JSON) and the pages (HTML) show it.
#[derive(Debug)]
pub enum AppError {
    /// Not signed in (401; pages redirect to /login).
    Unauthorized,
    /// Signed in but not allowed (403).
    Forbidden(String),
    NotFound(String),
    /// The request is wrong; each message names what to fix (400).
    BadRequest(Vec<String>),
    /// The request conflicts with stored data (409).
    Conflict(Vec<String>),
    /// Missing or wrong CSRF token (403).
    Csrf,
    /// Too many failed logins (429, seconds to wait).
    TooManyRequests(u64),
    TooLarge(String),
    /// A per-user quota is used up (429, seconds to wait).
    Quota(String, u64),
    /// The server is busy or a render passed its deadline (503, seconds to wait).
    Unavailable(String, u64),
    /// The request took longer than allowed (408).
    Timeout(String),
    /// A page for a user who must first change a one-time password (pages go to /password).
    MustChangePassword,
    Internal(String),
}

impl AppError {
    pub fn bad(msg: impl Into<String>) -> AppError {
        AppError::BadRequest(vec![msg.into()])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf | AppError::MustChangePassword => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) | AppError::Quota(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(..) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// (short message, details), the details capped at [`limits::MAX_LISTED`] plus a count.
    pub fn messages(&self) -> (String, Vec<String>) {
        let (m, d) = self.all_messages();
        (m, limits::cap_list(d))
    }

    fn all_messages(&self) -> (String, Vec<String>) {
        match self {
            AppError::Unauthorized => ("请先登录".into(), vec![]),
            AppError::MustChangePassword => ("请先修改口令（/password）".into(), vec![]),
            AppError::Forbidden(m) => (format!("无权操作：{m}"), vec![]),
            AppError::NotFound(m) => (m.clone(), vec![]),
            AppError::BadRequest(v) | AppError::Conflict(v) => (
                v.first().cloned().unwrap_or_default(),
                v.iter().skip(1).cloned().collect(),
            ),
            AppError::Csrf => (
                "表单已过期或缺少防伪令牌（CSRF）：请刷新页面后重新提交".into(),
                vec![],
            ),
            AppError::TooManyRequests(s) => (format!("登录失败次数过多，请{s}秒后再试"), vec![]),
            AppError::TooLarge(m)
            | AppError::Quota(m, _)
            | AppError::Unavailable(m, _)
            | AppError::Timeout(m) => (m.clone(), vec![]),
            AppError::Internal(m) => (format!("服务器内部错误：{m}"), vec![]),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Input(errors) => {
                let mut v = vec![format!("输入有{}处错误，未保存任何数据", errors.len())];
                // Only what will be shown is formatted (a file may have tens of thousands).
                let shown = limits::MAX_LISTED - 1;
                v.extend(errors.iter().take(shown).map(|e| e.to_string()));
                if errors.len() > shown {
                    v.push(format!(
                        "……另有{}处错误未列出：请先改正以上各处，再上传一次查看其余的",
                        errors.len() - shown
                    ));
                }
                AppError::BadRequest(v)
            }
            // The store's text advises the command line; the web says what to do here.
            StoreError::PriorMismatch {
                year,
                number,
                mismatches,
            } => {
                let mut v = vec![format!(
                    "上年决算数与已存的{year}年度数据（第{number}版）不一致，未保存"
                )];
                v.extend(mismatches.iter().map(|m| m.to_string()));
                v.push(
                    "处理：把上年数改为已存的数后重新上传；确属口径调整的，上传时选择“按本文件的上年数保存（口径调整）”（API：查询参数 keep_prior=true）"
                        .into(),
                );
                AppError::Conflict(v)
            }
            // The store's texts name CLI commands; here, what to do in the web app.
            StoreError::UnknownUnit(code) => AppError::NotFound(format!(
                "没有编码为“{code}”的单位：请管理员在“管理”页登记单位"
            )),
            StoreError::UnknownVersion(id) => AppError::NotFound(format!(
                "没有编号为{id}的版本：请在单位年度页的“版本”中选择"
            )),
            e @ StoreError::UnknownUser(_) => AppError::NotFound(e.to_string()),
            e @ StoreError::DuplicateUser(_) => AppError::Conflict(vec![e.to_string()]),
            e @ (StoreError::Invalid(_) | StoreError::Consolidation(_)) => {
                AppError::BadRequest(vec![e.to_string()])
            }
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    /// The JSON form (API); pages convert through `pages::PageError`.
    fn into_response(self) -> Response {
        let (error, details) = self.messages();
        let mut r = (
            self.status(),
            axum::Json(serde_json::json!({ "error": error, "details": details })),
        )
            .into_response();
        if let AppError::TooManyRequests(s) | AppError::Quota(_, s) | AppError::Unavailable(_, s) =
            self
        {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub csrf: String,
    /// Units a preparer may read and write (empty for other roles: they are not limited).
    pub units: Vec<String>,
    /// Must set a new password before anything else (first or demo admin, a reset).
    pub must_change_password: bool,
}

impl CurrentUser {
    pub fn can_read(&self, unit: &str) -> bool {
        match self.role {
            Role::Admin | Role::Reviewer => true,
            Role::Preparer => self.units.iter().any(|u| u == unit),
        }
    }

    pub fn can_write(&self, unit: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Reviewer => false,
            Role::Preparer => self.units.iter().any(|u| u == unit),
        }
    }

    pub fn require_read(&self, unit: &str) -> Result<(), AppError> {
        if self.can_read(unit) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "用户“{}”没有单位“{unit}”的权限，请联系管理员授权",
                self.name
            )))
        }
    }

    pub fn require_write(&self, unit: &str) -> Result<(), AppError> {
        if self.can_write(unit) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "用户“{}”（{}）不能修改单位“{unit}”的数据",
                self.name,
                self.role.label()
            )))
        }
    }

    pub fn require_reviewer(&self) -> Result<(), AppError> {
        match self.role {
            Role::Admin | Role::Reviewer => Ok(()),
            Role::Preparer => Err(AppError::Forbidden(
                "批量审核和审核看板仅限审核人和管理员".into(),
            )),
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        match self.role {
            Role::Admin => Ok(()),
            _ => Err(AppError::Forbidden("用户和单位管理仅限管理员".into())),
        }
    }

    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if auth::same_token(&self.csrf, token) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

/// The whole app: pages, API, OpenAPI document, with body limits.
pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .merge(pages::routes(&state))
        .merge(api::routes(&state))
        .route(
            "/api/openapi.json",
            axum::routing::get(|| async { axum::Json(openapi::document()) }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.opts.request_timeout,
            limits::request_deadline,
        ))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state);
    guard_panics(app)
}

/// A panic inside a handler (a bug) fails that request only, with a 500 and a message the
/// user can act on; the server, its other connections and later requests go on.
pub fn guard_panics<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(tower_http::catch_panic::CatchPanicLayer::custom(
        |_: Box<dyn std::any::Any + Send>| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(serde_json::json!({
                    "error": "服务器内部错误，本次操作没有完成，已保存的数据未受影响。请重试；如仍出错，请把操作步骤告知管理员。"
                })),
            )
                .into_response()
        },
    ))
}

/// Headers every response carries: no framing, no sniffing, no inline scripts.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Pages and API answers carry a user's data: never kept by a browser or proxy cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Chinese message for an error status that a handler did not produce (an unknown path, a
/// wrong method, a body the extractor could not read).
fn status_message(s: StatusCode) -> &'static str {
    match s.as_u16() {
        404 => "没有这个接口：请按 /api/openapi.json 中的路径调用",
        405 => "该接口不支持这种请求方法：请按 /api/openapi.json 调用",
        413 => "请求体过大",
        415 => "请求的 Content-Type 不对：JSON 接口须为 application/json",
        422 | 400 => "请求内容无法读取：请按 /api/openapi.json 检查字段名称和类型",
        _ => "请求未能完成",
    }
}

/// Every API error in the documented shape `{"error": 中文说明, "details": [...]}`: answers
/// that are not JSON (axum's rejections, the 404 of an unknown path) are rewritten, the
/// original text kept as a detail.
async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let r = next.run(req).await;
    let status = r.status();
    let is_json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || status.as_u16() < 400 || is_json {
        return r;
    }
    let (parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&text).trim().to_string();
    let details: Vec<String> = if detail.is_empty() {
        vec![]
    } else {
        vec![detail]
    };
    let mut out = (
        status,
        axum::Json(serde_json::json!({ "error": status_message(status), "details": details })),
    )
        .into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

/// Create a user with a random password if no user of that name exists; returns the password.
pub async fn ensure_user(
    state: &AppState,
    name: &str,
    role: Role,
) -> Result<Option<String>, AppError> {
    if state.store.user_by_name(name).await?.is_some() {
        return Ok(None);
    }
    let password = auth::random_password();
    let hash = auth::hash_password(&password, state.opts.password_cost);
    let id = state.store.create_user(name, &hash, role).await?;
    // A printed one-time password: the first sign-in must replace it.
    state.store.set_password_with(id, &hash, true).await?;
    Ok(Some(password))
}

/// The embedded example unit (凉山州科学技术协会 2021) for `--demo`.
pub const DEMO_INPUT: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
/// The code the demo registers the example unit under.
pub const DEMO_UNIT: &str = "511400-kexie";

/// Load the example unit (if not loaded yet) and make a one-time admin password: the demo
/// database is fresh each start, so the printed password is the only way in.
pub async fn prepare_demo(state: &AppState) -> Result<String, AppError> {
    if state.store.latest(DEMO_UNIT, 2021).await?.is_none() {
        state
            .store
            .upsert_unit(DEMO_UNIT, "凉山州科学技术协会", None, "demo")
            .await?;
        state
            .store
            .import(
                DEMO_UNIT,
                DEMO_INPUT,
                "examples/liangshan-kexie-2021/input.toml",
                "demo",
                "演示数据",
            )
            .await?;
    }
    let password = auth::random_password();
    let hash = auth::hash_password(&password, state.opts.password_cost);
    let id = match state.store.user_by_name("admin").await? {
        Some(u) => u.id,
        None => state.store.create_user("admin", &hash, Role::Admin).await?,
    };
    // The printed password is one-time: the first sign-in must replace it.
    state.store.set_password_with(id, &hash, true).await?;
    Ok(password)
}

/// Serve until the process is stopped.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let addr = state.opts.addr;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let (header, conns) = (state.opts.header_timeout, state.opts.max_connections);
    limits::serve_connections(
        listener,
        router(state),
        header,
        conns,
        std::future::pending(),
    )
    .await
}

/// Command-line settings of `juesuan serve` (and the `juesuan-web` test binary).
#[derive(Debug, Clone, Default)]
pub struct ServeArgs {
    /// `sqlite:path` or `postgres://…`; default `sqlite:juesuan.db` (with `--demo`: a fresh
    /// temporary SQLite file).
    pub db: Option<String>,
    /// default 127.0.0.1:8080
    pub addr: Option<SocketAddr>,
    pub demo: bool,
    pub secure_cookies: bool,
    /// Cheap password hashing, for tests only.
    pub fast_password_hash: bool,
    /// Data files (default: the embedded ones).
    pub library: Option<Library>,
}

/// [`run`] on its own multi-threaded runtime (for the synchronous `juesuan` CLI).
pub fn run_blocking(args: ServeArgs) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("无法启动异步运行时：{e}"))?
        .block_on(run(args))
}

/// Open the database, prepare the demo or the first administrator, print how to sign in,
/// and serve. Errors are Chinese messages.
pub async fn run(args: ServeArgs) -> Result<(), String> {
    let addr = args
        .addr
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let (db, _demo_dir) = match (&args.db, args.demo) {
        (Some(db), _) => (db.clone(), None),
        (None, true) => {
            let dir = tempfile_dir()?;
            (
                format!("sqlite:{}", dir.join("demo.db").display()),
                Some(TempDir(dir)),
            )
        }
        (None, false) => (
            std::env::var("JUESUAN_DB")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "sqlite:juesuan.db".to_string()),
            None,
        ),
    };
    let mut opts = Options::new(&db, addr);
    opts.secure_cookies = args.secure_cookies;
    if args.fast_password_hash {
        opts.password_cost = auth::PasswordCost::for_tests();
    }
    let lib = args.library.clone().unwrap_or_else(Library::embedded);
    let state = AppState::open(opts, lib)
        .await
        .map_err(|e| format!("打开数据库 {db} 失败：{e}"))?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        format!("无法在 {addr} 上监听（{e}）：换一个 --addr 端口，或先停止占用该端口的程序")
    })?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    if args.demo {
        let password = prepare_demo(&state).await.map_err(|e| e.messages().0)?;
        println!("演示模式：数据库 {db}，已载入示例单位 凉山州科学技术协会 2021年度（单位编码 {DEMO_UNIT}）。");
        println!("请用浏览器打开 http://{local}/ ，用户名 admin，一次性口令：{password}");
    } else if state
        .store
        .users()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        let password = ensure_user(&state, "admin", Role::Admin)
            .await
            .map_err(|e| e.messages().0)?
            .unwrap_or_default();
        println!(
            "新数据库：已创建管理员 admin，一次性口令：{password}（登录后请在“管理”页重设口令）"
        );
    }
    println!("juesuan serve：http://{local}/ （数据库 {db}；按 Ctrl+C 停止）");
    let (header, conns) = (state.opts.header_timeout, state.opts.max_connections);
    limits::serve_connections(listener, router(state), header, conns, shutdown_signal())
        .await
        .map_err(|e| format!("服务器出错：{e}"))
}

/// Ctrl+C or SIGTERM: stop accepting, finish requests, then return (the demo database is
/// removed on the way out).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("install SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A directory removed when dropped (the demo database).
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("juesuan-demo-{}", &auth::random_token()[..12]));
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("无法创建临时目录 {}：{e}", dir.display()))?;
    Ok(dir)
}

/// Parse `--db URL --addr ADDR --demo --secure-cookies` (the test binary; `juesuan serve`
/// uses clap).
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<ServeArgs, String> {
    let mut out = ServeArgs::default();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--db" => out.db = Some(it.next().ok_or("--db 后面要写数据库地址")?),
            "--addr" => {
                let v = it.next().ok_or("--addr 后面要写地址，如 127.0.0.1:8080")?;
                out.addr = Some(
                    v.parse()
                        .map_err(|_| format!("“{v}”不是地址：应如 127.0.0.1:8080"))?,
                );
            }
            "--demo" => out.demo = true,
            "--secure-cookies" => out.secure_cookies = true,
            "--fast-password-hash" => out.fast_password_hash = true,
            other => {
                return Err(format!(
                    "未知参数“{other}”：可用 --db、--addr、--demo、--secure-cookies"
                ))
            }
        }
    }
    Ok(out)
}
