//! The server-rendered pages (网页). Every form carries the session's CSRF token; the login
//! form, which has no session yet, uses a double-submit cookie.

use crate::analysis::{Analysis, CheckSummary};
use crate::downloads::{self, Format};
use crate::html::{self, esc, page, status_class, url, Viewer};
use crate::ops::{self, ReviewFilter};
use crate::published;
use crate::session::{self, ClientAddr};
use crate::{auth, AppError, AppState, CurrentUser};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use juesuan_app::batch;
use juesuan_store::Role;
use serde::Deserialize;
use std::fmt::Write;

/// An error shown as a page; "not signed in" goes to the login page.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<juesuan_store::StoreError> for PageError {
    fn from(e: juesuan_store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let AppError::Unauthorized = self.0 {
            return Redirect::to("/login").into_response();
        }
        if let AppError::MustChangePassword = self.0 {
            return Redirect::to("/password").into_response();
        }
        let (msg, details) = self.0.messages();
        let mut body = format!("<p class=\"msg\">{}</p>", esc(&msg));
        if !details.is_empty() {
            body.push_str("<ul>");
            for d in &details {
                let _ = write!(body, "<li><code>{}</code></li>", esc(d));
            }
            body.push_str("</ul>");
        }
        body.push_str("<p><a href=\"/\">返回首页</a></p>");
        let title = match self.0.status() {
            StatusCode::FORBIDDEN => "无权访问",
            StatusCode::NOT_FOUND => "未找到",
            StatusCode::BAD_REQUEST | StatusCode::CONFLICT => "请求有误",
            _ => "出错了",
        };
        (self.0.status(), Html(page(title, None, &body))).into_response()
    }
}

type PageResult = Result<Response, PageError>;

/// The signed-in user of a page request.
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let user = session::current(state, &parts.headers)
            .await?
            .ok_or(PageError(AppError::Unauthorized))?;
        if user.must_change_password && !session::may_before_password_change(parts, &user) {
            return Err(PageError(AppError::MustChangePassword));
        }
        Ok(PageUser(user))
    }
}

fn viewer(u: &CurrentUser) -> Viewer<'_> {
    Viewer {
        name: &u.name,
        role_label: u.role.label(),
        csrf: &u.csrf,
        is_reviewer: matches!(u.role, Role::Reviewer | Role::Admin),
        is_admin: u.role == Role::Admin,
    }
}

fn show(u: &CurrentUser, title: &str, body: &str) -> Response {
    Html(page(title, Some(&viewer(u)), body)).into_response()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/", get(home))
        .route("/units/{code}/{year}", get(unit_year))
        .route("/units/{code}/{year}/versions", get(versions))
        .route("/units/{code}/{year}/download/{format}", get(download))
        .route("/units/{code}/{year}/consolidate", post(consolidate))
        .route("/units/{code}/compare", get(compare))
        .route("/diff", get(diff))
        .route("/versions/{id}/restore", post(restore))
        .route(
            "/upload",
            get(upload_form)
                .post(upload)
                .layer(DefaultBodyLimit::max(state.opts.max_upload + 64 * 1024)),
        )
        .route("/review", get(review))
        .route("/review.csv", get(review_csv))
        .route(
            "/audit",
            get(audit_form)
                .post(audit_upload)
                .layer(DefaultBodyLimit::max(
                    state.opts.audit_max_bytes + published::FORM_OVERHEAD,
                )),
        )
        .route("/password", get(own_password_form).post(own_password))
        .route("/admin", get(admin))
        .route("/admin/users", post(admin_create_user))
        .route("/admin/users/{id}/password", post(admin_password))
        .route("/admin/grants", post(admin_grant))
        .route("/admin/units", post(admin_unit))
        .layer(DefaultBodyLimit::max(256 * 1024))
}

// ------------------------------------------------------------------ login

const LOGIN_COOKIE: &str = "juesuan_login";

fn login_page(state: &AppState, message: Option<&str>, status: StatusCode) -> Response {
    let token = auth::random_token();
    let mut body = String::new();
    if let Some(m) = message {
        let _ = write!(body, "<p class=\"msg\" id=\"error\">{}</p>", esc(m));
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/login\">{}\
         <label>用户名 <input name=\"username\" id=\"username\" autocomplete=\"username\" required></label>\
         <label>口令 <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button type=\"submit\" id=\"login\">登录</button></form>",
        html::csrf_field(&token)
    );
    (
        status,
        [(
            header::SET_COOKIE,
            session::set_cookie(state, LOGIN_COOKIE, &token, 3600),
        )],
        Html(page("登录", None, &body)),
    )
        .into_response()
}

async fn login_form(State(s): State<AppState>) -> Response {
    login_page(&s, None, StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(s): State<AppState>,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let expected = session::cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !auth::same_token(expected, &f.csrf) {
        let (m, _) = AppError::Csrf.messages();
        return login_page(&s, Some(&m), StatusCode::FORBIDDEN);
    }
    match session::login(&s, f.username.trim(), &f.password, ip).await {
        Ok((cookie, _)) => {
            let mut r = see_other("/");
            r.headers_mut().append(header::SET_COOKIE, cookie);
            r.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(&s, LOGIN_COOKIE, "", 0),
            );
            r
        }
        Err(e) => {
            let (m, _) = e.messages();
            login_page(&s, Some(&m), e.status())
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageUser(u): PageUser,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let cookie = session::logout(&s, &headers, &u).await?;
    let mut r = see_other("/login");
    r.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(r)
}

// ------------------------------------------------------------------ units and years

async fn home(State(s): State<AppState>, PageUser(u): PageUser) -> PageResult {
    let overview = ops::overview(&s, &u).await?;
    let mut rows = Vec::new();
    for unit in &overview {
        let mut years = String::new();
        for y in &unit.years {
            let _ = write!(
                years,
                "<a href=\"/units/{}/{}\">{}年度</a> 第{}版 <span class=\"{}\">{}</span>（{}错误，{}警告）<br>",
                url(&unit.code),
                y.year,
                y.year,
                y.version.number,
                status_class(&y.status),
                esc(&y.status),
                y.errors,
                y.warnings
            );
        }
        if years.is_empty() {
            years.push_str("<span class=\"note\">尚无数据</span>");
        }
        let compare = if unit.years.len() >= 2 {
            let n = unit.years.len();
            format!(
                "<a href=\"/units/{}/compare?from={}&amp;to={}\">同比对照</a>",
                url(&unit.code),
                unit.years[n - 2].year,
                unit.years[n - 1].year
            )
        } else {
            String::new()
        };
        rows.push(vec![esc(&unit.code), esc(&unit.name), years, compare]);
    }
    let body = if rows.is_empty() {
        "<p>还没有可查看的单位。<a href=\"/upload\">上传输入文件</a>，或请管理员为您授权单位。</p>"
            .to_string()
    } else {
        html::table(&["单位编码", "单位名称", "年度与审核结论", ""], &rows)
    };
    Ok(show(&u, "单位与年度", &body))
}

#[derive(Deserialize)]
struct VersionQuery {
    version: Option<i64>,
}

/// The body of report.html (its own CSS is replaced by the page's).
fn report_body(html: &str) -> &str {
    let start = html.find("<body>").map_or(0, |i| i + "<body>".len());
    let end = html.rfind("</body>").unwrap_or(html.len());
    &html[start..end.max(start)]
}

async fn unit_year(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<VersionQuery>,
) -> PageResult {
    let (v, a) = ops::unit_year(&s, &u, &code, year, q.version).await?;
    let base = format!("/units/{}/{year}", url(&code));
    let mut body = format!(
        "<p>版本：第{}版（版本号{}，{}，{} 由 {} 提交{}） · <a href=\"{base}/versions\">版本历史</a></p>",
        v.info.number,
        v.info.id,
        esc(&v.info.origin),
        esc(&v.info.created_at),
        esc(&v.info.author),
        if v.info.note.is_empty() { String::new() } else { format!("：{}", esc(&v.info.note)) }
    );
    body.push_str("<h2>下载</h2><p id=\"downloads\">");
    for (_, name, label) in downloads::FORMATS {
        let _ = write!(
            body,
            "<a href=\"{base}/download/{name}?version={}\" id=\"download-{name}\">{label}</a> · ",
            v.info.id
        );
    }
    body.push_str("</p>");
    check_section(&mut body, &a.checks);
    if !a.report.warnings.is_empty() {
        body.push_str("<h2>编制提示</h2><ul id=\"warnings\">");
        for w in &a.report.warnings {
            let _ = write!(body, "<li>{}</li>", esc(&w.to_string()));
        }
        body.push_str("</ul>");
    }
    scores_section(&mut body, &a);
    if matches!(u.role, Role::Reviewer | Role::Admin) || u.can_write(&code) {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"{base}/consolidate\">{}<button type=\"submit\">由下级单位汇总生成新版本</button></form>",
            html::csrf_field(&u.csrf)
        );
    }
    let _ = write!(
        body,
        "<div class=\"report\" id=\"report\">{}</div>",
        report_body(&a.report.html)
    );
    let title = format!("{} {}年度", a.unit_year.unit.name, year);
    Ok(show(&u, &title, &body))
}

/// 审核结果 of a unit-year page: the verdict with its counts, then every finding.
fn check_section(body: &mut String, c: &CheckSummary) {
    let _ = write!(
        body,
        "<h2>审核结果</h2><p id=\"check-status\" class=\"{}\">结论：{}（{}条规则，{}条通过，{}处错误，{}处警告）</p>",
        status_class(c.status()),
        c.status(),
        c.rules,
        c.passed,
        c.errors,
        c.warnings
    );
    let mut rows = Vec::new();
    for r in &c.results {
        for f in &r.findings {
            rows.push(vec![
                esc(&f.rule),
                match f.severity {
                    juesuan_check::RuleSeverity::Error => "<span class=\"bad\">错误</span>".into(),
                    juesuan_check::RuleSeverity::Warning => {
                        "<span class=\"warn\">警告</span>".into()
                    }
                    juesuan_check::RuleSeverity::Info => "提示".into(),
                },
                esc(&f.location),
                esc(&f.message),
                esc(&f.stated),
                esc(&f.expected),
                esc(&f.difference),
            ]);
        }
    }
    if rows.is_empty() {
        body.push_str("<p id=\"findings\">没有发现问题。</p>");
    } else {
        body.push_str("<div id=\"findings\">");
        body.push_str(&html::table(
            &["规则", "级别", "位置", "说明", "填列数", "应为", "差额"],
            &rows,
        ));
        body.push_str("</div>");
    }
}

/// 绩效评分 of a unit-year page: the department's and each project's score, or why none.
fn scores_section(body: &mut String, a: &Analysis) {
    body.push_str("<h2>绩效评分</h2><div id=\"scores\">");
    match &a.scores {
        Some(sc) => {
            let mut rows = Vec::new();
            if let Some(d) = &sc.department {
                let total = juesuan_report::evaluation::published_total(d);
                rows.push(vec![
                    esc(&d.title),
                    esc(&total.total),
                    d.max.to_fixed(2),
                    esc(&total.grade),
                    d.claimed_total.map_or("—".into(), |r| r.to_fixed(2)),
                ]);
            }
            for p in &sc.projects {
                let e = &p.evaluation;
                let total = juesuan_report::evaluation::published_total(e);
                rows.push(vec![
                    esc(&e.title),
                    esc(&total.total),
                    e.max.to_fixed(2),
                    esc(&total.grade),
                    e.claimed_total.map_or("—".into(), |r| r.to_fixed(2)),
                ]);
            }
            body.push_str(&html::table(
                &["评价", "计算得分", "满分", "等级", "自评得分"],
                &rows,
            ));
        }
        None => body.push_str("<p>输入没有 [evaluation] 部分，无绩效评分。</p>"),
    }
    for e in &a.score_errors {
        let _ = write!(body, "<p class=\"msg\">{}</p>", esc(e));
    }
    body.push_str("</div>");
}

async fn versions(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path((code, year)): Path<(String, i32)>,
) -> PageResult {
    let list = ops::versions(&s, &u, &code, year).await?;
    let can_write = u.can_write(&code);
    let mut rows = Vec::new();
    let mut prev: Option<i64> = None;
    for v in &list {
        let mut actions = format!(
            "<a href=\"/units/{}/{year}?version={}\">查看</a>",
            url(&code),
            v.id
        );
        if let Some(p) = prev {
            let _ = write!(
                actions,
                " · <a href=\"/diff?from={p}&amp;to={}\">与上一版比较</a>",
                v.id
            );
        }
        if can_write {
            let _ = write!(
                actions,
                " <form class=\"inline\" method=\"post\" action=\"/versions/{}/restore\">{}<input name=\"note\" placeholder=\"说明\" size=\"8\"><button type=\"submit\">恢复为此版</button></form>",
                v.id,
                html::csrf_field(&u.csrf)
            );
        }
        rows.push(vec![
            v.number.to_string(),
            v.id.to_string(),
            esc(&v.kind),
            esc(&v.created_at),
            esc(&v.author),
            esc(&v.origin),
            esc(&v.note),
            v.fact_count.to_string(),
            actions,
        ]);
        prev = Some(v.id);
    }
    rows.reverse();
    let body = html::table(
        &[
            "版次",
            "版本号",
            "方式",
            "时间",
            "提交人",
            "来源",
            "说明",
            "数据条数",
            "",
        ],
        &rows,
    );
    Ok(show(&u, &format!("{code} {year}年度 版本历史"), &body))
}

async fn download(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path((code, year, format)): Path<(String, i32, String)>,
    Query(q): Query<VersionQuery>,
) -> PageResult {
    let f = Format::parse(&format)
        .ok_or_else(|| AppError::NotFound(format!("不支持的下载格式“{format}”")))?;
    let (v, a) = ops::unit_year(&s, &u, &code, year, q.version).await?;
    Ok(downloads::render_async(&s, f, v, a).await?.into_response())
}

async fn consolidate(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path((code, year)): Path<(String, i32)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    ops::consolidate(&s, &u, &code, year).await?;
    Ok(see_other(&format!("/units/{}/{year}", url(&code))))
}

#[derive(Deserialize)]
struct CompareQuery {
    from: i32,
    to: i32,
}

async fn compare(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let c = ops::compare(&s, &u, &code, q.from, q.to).await?;
    let rows: Vec<Vec<String>> = c
        .lines
        .iter()
        .map(|l| {
            vec![
                l.label.to_string(),
                esc(&l.earlier),
                esc(&l.later),
                esc(&l.change),
                match (&l.later_states_prior, l.prior_mismatch) {
                    (Some(p), true) => format!(
                        "<span class=\"bad\">{}（与{}年度决算数不符）</span>",
                        esc(p),
                        q.from
                    ),
                    (Some(p), false) => esc(p),
                    (None, _) => "—".into(),
                },
            ]
        })
        .collect();
    let headers = [
        "项目".to_string(),
        format!("{}年度决算数", q.from),
        format!("{}年度决算数", q.to),
        "增减".to_string(),
        format!("{}年度填报的上年数", q.to),
    ];
    let body = format!(
        "<p>金额单位：万元。{}年度第{}版 对 {}年度第{}版。</p>{}",
        q.from,
        c.from.number,
        q.to,
        c.to.number,
        html::table(
            &headers.iter().map(String::as_str).collect::<Vec<_>>(),
            &rows
        )
    );
    Ok(show(&u, &format!("{code} 同比对照"), &body))
}

#[derive(Deserialize)]
struct DiffQuery {
    from: i64,
    to: i64,
}

async fn diff(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<DiffQuery>,
) -> PageResult {
    let d = ops::diff(&s, &u, q.from, q.to).await?;
    let rows: Vec<Vec<String>> = d
        .changes
        .iter()
        .map(|c| {
            vec![
                esc(&c.label),
                c.before.as_deref().map_or("（无）".into(), esc),
                c.after.as_deref().map_or("（无）".into(), esc),
                c.change.as_deref().map_or("".into(), esc),
            ]
        })
        .collect();
    let mut body = format!(
        "<p>{} {}年度：第{}版 → 第{}版，{}处数据不同（万元）。</p>{}",
        esc(&d.to.unit_code),
        d.to.year,
        d.from.number,
        d.to.number,
        rows.len(),
        html::table(&["数据", "原值", "新值", "增减"], &rows)
    );
    if !d.sections.is_empty() {
        let rows: Vec<Vec<String>> = d
            .sections
            .iter()
            .map(|c| vec![esc(c.section), esc(c.label), esc(&c.what)])
            .collect();
        let _ = write!(
            body,
            "<p>其他内容{}处不同（文字、原因、明细、绩效自评）。</p>{}",
            rows.len(),
            html::table(&["节", "内容", "不同之处"], &rows)
        );
    }
    Ok(show(&u, "版本比较", &body))
}

async fn restore(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let v = ops::restore(&s, &u, id, f.note.trim()).await?;
    Ok(see_other(&format!(
        "/units/{}/{}/versions",
        url(&v.unit_code),
        v.year
    )))
}

// ------------------------------------------------------------------ upload

async fn upload_form(State(s): State<AppState>, PageUser(u): PageUser) -> PageResult {
    let units: Vec<_> = s
        .store
        .units()
        .await?
        .into_iter()
        .filter(|x| u.can_write(&x.code))
        .collect();
    let mut options = String::new();
    for x in &units {
        let _ = write!(
            options,
            "<option value=\"{}\">{} {}</option>",
            esc(&x.code),
            esc(&x.code),
            esc(&x.name)
        );
    }
    let unit_field = if u.role == Role::Admin {
        format!("<label>单位编码 <input name=\"unit\" id=\"unit\" list=\"units\" required><datalist id=\"units\">{options}</datalist></label><p class=\"note\">管理员可填写新编码：单位按输入文件中的名称登记。</p>")
    } else if units.is_empty() {
        return Ok(show(
            &u,
            "上传",
            "<p>您没有可填报的单位，请联系管理员授权。</p>",
        ));
    } else {
        format!("<label>单位 <select name=\"unit\" id=\"unit\">{options}</select></label>")
    };
    let mut column_options = String::new();
    for (name, title) in ops::journal_columns(&s) {
        let _ = write!(
            column_options,
            "<option value=\"{}\">{} {}</option>",
            esc(&name),
            esc(&name),
            esc(&title)
        );
    }
    let body = format!(
        "<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">{}{unit_field}\
         <label>文件（输入文件 .toml、Excel 导入表 .xlsx 或日记账 .csv，不超过 {} MB）<input type=\"file\" name=\"file\" id=\"file\" accept=\".toml,.xlsx,.csv\" required></label>\
         <label>说明 <input name=\"note\" id=\"note\" size=\"40\"></label>\
         <fieldset><legend>日记账（.csv）</legend>\
         <label>列映射 <select name=\"columns\" id=\"columns\">{column_options}</select></label>\
         <label>编码 <select name=\"encoding\" id=\"encoding\"><option value=\"\">按列映射</option><option value=\"utf-8\">UTF-8</option><option value=\"gbk\">GBK</option></select></label>\
         <label>单位性质（该年度尚无已存版本时）<select name=\"kind\" id=\"kind\"><option value=\"行政\">行政</option><option value=\"参公\">参公</option><option value=\"事业\">事业</option></select></label>\
         <p class=\"note\">日记账汇总出本年收入、支出、基本支出经济分类、年初结转和结余和“三公”经费决算数，其余各项（单位信息、预算、上年数、原因等）取自该单位该年度最新的已存版本；没有已存版本时写为占位数。</p></fieldset>\
         <button type=\"submit\" id=\"upload\">上传并校验</button></form>\
         <p class=\"note\">上传后先校验；有错误时不保存任何数据并列出每处错误（文件:行:列）。每次上传保存为新版本，旧版本不变。</p>",
        html::csrf_field(&u.csrf),
        s.opts.max_upload / 1024 / 1024
    );
    Ok(show(&u, "上传", &body))
}

async fn upload(State(s): State<AppState>, PageUser(u): PageUser, mut mp: Multipart) -> PageResult {
    let (mut csrf, mut unit, mut note) = (String::new(), String::new(), String::new());
    let mut opts = ops::UploadOptions::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::bad(format!("上传内容无法读取（{e}）：文件可能超过大小限制")))?
    {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let fname = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|_| {
                    AppError::TooLarge(format!(
                        "文件超过 {} MB 的上限",
                        s.opts.max_upload / 1024 / 1024
                    ))
                })?;
                if bytes.len() > s.opts.max_upload {
                    return Err(AppError::TooLarge(format!(
                        "文件超过 {} MB 的上限",
                        s.opts.max_upload / 1024 / 1024
                    ))
                    .into());
                }
                file = Some((fname, bytes.to_vec()));
            }
            "csrf" | "unit" | "note" | "columns" | "kind" | "encoding" => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| AppError::bad(e.to_string()))?;
                match name.as_str() {
                    "csrf" => csrf = text,
                    "unit" => unit = text,
                    "columns" => opts.columns = text,
                    "kind" => opts.kind = text,
                    "encoding" => opts.encoding = text,
                    _ => note = text,
                }
            }
            _ => {}
        }
    }
    // The token is checked before the file is looked at.
    u.check_csrf(&csrf)?;
    let (fname, bytes) = file.ok_or_else(|| AppError::bad("请选择要上传的文件"))?;
    let v = ops::import(&s, &u, &unit, &bytes, &fname, note.trim(), &opts).await?;
    Ok(see_other(&format!(
        "/units/{}/{}",
        url(&v.unit_code),
        v.year
    )))
}

// ------------------------------------------------------------------ review dashboard

fn filter_query(f: &ReviewFilter) -> String {
    let mut q = Vec::new();
    if let Some(y) = f.year {
        q.push(format!("year={y}"));
    }
    if let Some(r) = f.rule.as_deref().filter(|r| !r.is_empty()) {
        q.push(format!("rule={}", url(r)));
    }
    if let Some(x) = f.q.as_deref().filter(|r| !r.is_empty()) {
        q.push(format!("q={}", url(x)));
    }
    if f.failing == Some(true) {
        q.push("failing=true".into());
    }
    q.join("&amp;")
}

#[derive(Deserialize)]
struct ReviewForm {
    year: Option<String>,
    rule: Option<String>,
    q: Option<String>,
    failing: Option<String>,
}

impl ReviewForm {
    fn filter(self) -> ReviewFilter {
        ReviewFilter {
            year: self.year.and_then(|y| y.trim().parse().ok()),
            rule: self.rule.filter(|r| !r.trim().is_empty()),
            q: self.q.filter(|r| !r.trim().is_empty()),
            failing: self.failing.map(|f| f == "true" || f == "on"),
        }
    }
}

async fn review(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Query(f): Query<ReviewForm>,
) -> PageResult {
    let f = f.filter();
    let r = ops::review(&s, &u, &f).await?;
    let mut rule_options = String::from("<option value=\"\">（全部规则）</option>");
    for (rule, n) in &r.rules {
        let sel = if f.rule.as_deref() == Some(rule) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            rule_options,
            "<option value=\"{}\"{sel}>{} （{}个）</option>",
            esc(rule),
            esc(rule),
            n
        );
    }
    let mut body = format!(
        "<form method=\"get\" action=\"/review\">年度 <input name=\"year\" size=\"5\" value=\"{}\"> 规则 <select name=\"rule\">{rule_options}</select> 单位 <input name=\"q\" value=\"{}\"> <label style=\"display:inline\"><input type=\"checkbox\" name=\"failing\" value=\"true\"{}> 只看未通过</label> <button type=\"submit\">筛选</button></form>\
         <p>共审核{}个单位年度，{}个未通过。<a href=\"/review.csv?{}\">导出 CSV</a></p>",
        f.year.map(|y| y.to_string()).unwrap_or_default(),
        esc(f.q.as_deref().unwrap_or("")),
        if f.failing == Some(true) { " checked" } else { "" },
        r.checked,
        r.failing,
        filter_query(&f)
    );
    // Units × rules: one column per rule that fails anywhere.
    let rules: Vec<&String> = r.rules.keys().collect();
    let mut headers = vec!["单位", "年度", "结论"];
    headers.extend(rules.iter().map(|s| s.as_str()));
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                format!(
                    "<a href=\"/units/{}/{}\">{} {}</a>",
                    url(&row.unit_code),
                    row.status.year,
                    esc(&row.unit_code),
                    esc(&row.unit_name)
                ),
                row.status.year.to_string(),
                format!(
                    "<span class=\"{}\">{}</span>",
                    status_class(&row.status.status),
                    esc(&row.status.status)
                ),
            ];
            cells.extend(rules.iter().map(|rule| {
                if row.status.failing_rules.iter().any(|x| x == *rule) {
                    "<span class=\"bad\">✗</span>".to_string()
                } else {
                    String::new()
                }
            }));
            cells
        })
        .collect();
    body.push_str(&html::table(&headers, &rows));
    Ok(show(&u, "审核看板", &body))
}

async fn review_csv(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Query(f): Query<ReviewForm>,
) -> PageResult {
    let r = ops::review(&s, &u, &f.filter()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"juesuan-review.csv\"",
            ),
        ],
        ops::review_csv(&r),
    )
        .into_response())
}

// ------------------------------------------------------------------ published reports

/// The upload form of 核对已公开报告: the files, and how to get the summary.
fn audit_form_html(s: &AppState, u: &CurrentUser) -> String {
    format!(
        "<form method=\"post\" action=\"/audit\" enctype=\"multipart/form-data\">{}\
         <label>已公开的决算报告（.pdf、.docx、.txt、.md，可一次选择多个；每批不超过{}个文件、合计不超过 {}）\
         <input type=\"file\" name=\"files\" id=\"files\" multiple accept=\".pdf,.docx,.txt,.md\" required></label>\
         <label>结果 <select name=\"format\" id=\"format\"><option value=\"html\">在本页显示</option>\
         <option value=\"csv\">下载 CSV（Excel 可直接打开）</option><option value=\"json\">下载 JSON</option>\
         <option value=\"text\">下载文本</option></select></label>\
         <button type=\"submit\" id=\"audit\">核对</button></form>\
         <p class=\"note\">与命令行 <code>juesuan audit</code> 核对多个文件时的汇总相同：每份文档一行（结论、错误、尾差提示、通过、\
         含金额或百分比的句子、读懂的句子、表格、页数），然后是全部文档发现的问题。扫描件 PDF 没有文字层，列为“无法读取”；\
         读不了的文件只是汇总中的一行，不影响其他文件。上传的文件只用于本次核对，不保存。</p>",
        html::csrf_field(&u.csrf),
        s.opts.audit_max_files,
        published::size(s.opts.audit_max_bytes)
    )
}

async fn audit_form(State(s): State<AppState>, PageUser(u): PageUser) -> PageResult {
    published::require_auditor(&u)?;
    Ok(show(&u, "核对已公开报告", &audit_form_html(&s, &u)))
}

/// The batch's summary on the page (the same HTML as `juesuan audit --format html`), with
/// the same summary as CSV and JSON files to save, then the form for another batch.
fn audit_result_html(s: &AppState, u: &CurrentUser, summary: &batch::Summary) -> String {
    let mut body = format!(
        "<div class=\"audit\" id=\"audit-summary\">{}</div><p id=\"audit-downloads\">保存这份汇总：",
        batch::html_body(summary)
    );
    for (format, label) in [
        (batch::Format::Csv, "CSV（Excel 可直接打开）"),
        (batch::Format::Json, "JSON"),
    ] {
        let (media, ext) = published::content_type(format);
        let _ = write!(
            body,
            "<a download=\"juesuan-audit.{ext}\" id=\"download-{ext}\" href=\"data:{};base64,{}\">{label}</a> ",
            esc(&media.replace(' ', "")),
            published::base64(&batch::render(summary, format))
        );
    }
    let _ = write!(body, "</p><h2>再核对一批</h2>{}", audit_form_html(s, u));
    body
}

async fn audit_upload(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    // The role before the body is read.
    published::require_auditor(&u)?;
    let mut mp = mp.map_err(|_| AppError::bad("请用本页的表单选择文件后再提交"))?;
    let got = published::receive(&s, &mut mp, Some(&u)).await?;
    let format = published::format(got.format.as_deref(), batch::Format::Html)?;
    let summary = published::audit(&s, &u, got.files).await?;
    if format != batch::Format::Html {
        return Ok(published::file_response(&summary, format, true));
    }
    Ok(show(
        &u,
        "核对已公开报告",
        &audit_result_html(&s, &u, &summary),
    ))
}

// ------------------------------------------------------------------ admin

async fn admin(State(s): State<AppState>, PageUser(u): PageUser) -> PageResult {
    let users = ops::users(&s, &u).await?;
    let units = s.store.units().await?;
    let events = ops::events(&s, &u, 50).await?;
    let csrf = html::csrf_field(&u.csrf);
    let mut body = String::from("<h2>用户</h2>");
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|x| {
            vec![
                x.id.to_string(),
                esc(&x.name),
                esc(&x.role_label),
                esc(&x.units.join("、")),
                format!("<form class=\"inline\" method=\"post\" action=\"/admin/users/{}/password\">{csrf}<input type=\"password\" name=\"password\" placeholder=\"新口令（至少10位）\"><button type=\"submit\">重设口令</button></form>", x.id),
            ]
        })
        .collect();
    body.push_str(&html::table(
        &["编号", "用户名", "角色", "可填报单位", ""],
        &rows,
    ));
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/admin/users\">{csrf}新用户 <input name=\"name\" placeholder=\"用户名\" required> \
         <select name=\"role\"><option value=\"preparer\">填报人</option><option value=\"reviewer\">审核人</option><option value=\"admin\">管理员</option></select> \
         <input type=\"password\" name=\"password\" placeholder=\"口令（至少10位）\" required> <button type=\"submit\">创建</button></form>\
         <form method=\"post\" action=\"/admin/grants\">{csrf}授权 用户编号 <input name=\"user_id\" size=\"4\" required> 单位编码 <input name=\"unit_code\" required> <button type=\"submit\">授权</button></form>"
    );
    body.push_str("<h2>单位</h2>");
    let rows: Vec<Vec<String>> = units
        .iter()
        .map(|x| {
            vec![
                esc(&x.code),
                esc(&x.name),
                esc(x.parent.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    body.push_str(&html::table(&["编码", "名称", "上级单位"], &rows));
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/admin/units\">{csrf}登记或修改单位 编码 <input name=\"code\" required> 名称 <input name=\"name\" required> 上级单位编码 <input name=\"parent\"> <button type=\"submit\">保存</button></form>"
    );
    body.push_str("<h2>操作日志（最近50条）</h2>");
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                esc(&e.at),
                esc(e.actor.as_deref().unwrap_or("（系统）")),
                esc(&e.action),
                esc(&e.detail),
            ]
        })
        .collect();
    body.push_str(&html::table(&["时间", "操作人", "操作", "内容"], &rows));
    Ok(show(&u, "管理", &body))
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    csrf: String,
    name: String,
    role: String,
    password: String,
}

async fn admin_create_user(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    ops::create_user(&s, &u, &f.name, &f.role, &f.password).await?;
    Ok(see_other("/admin"))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    password: String,
    #[serde(default)]
    current_password: Option<String>,
}

/// 修改本人口令: the current password and a new one (also the first page of a user who must
/// change a one-time password).
async fn own_password_form(PageUser(u): PageUser) -> PageResult {
    Ok(show(&u, "修改口令", &own_password_html(&u, None)))
}

fn own_password_html(u: &CurrentUser, error: Option<&str>) -> String {
    let mut body = String::new();
    if u.must_change_password {
        body.push_str("<p class=\"msg\">当前口令是一次性口令或由管理员重设：请先设置新口令，然后才能使用其他功能。</p>");
    }
    if let Some(e) = error {
        let _ = write!(body, "<p class=\"msg\" role=\"alert\">{}</p>", esc(e));
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/password\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <p><label>当前口令 <input type=\"password\" name=\"current_password\" required autocomplete=\"current-password\"></label></p>\
         <p><label>新口令（至少10个字符，含字母、数字、符号或汉字中的至少两类，不含用户名） <input type=\"password\" name=\"password\" required minlength=\"10\" autocomplete=\"new-password\"></label></p>\
         <p><button>保存新口令</button></p></form>",
        esc(&u.csrf)
    );
    body
}

async fn own_password(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    match ops::set_password(&s, &u, u.id, f.current_password.as_deref(), &f.password).await {
        // Changing the password ends every session: sign in again with the new one.
        Ok(()) => Ok(see_other("/login")),
        Err(AppError::BadRequest(m)) => Ok((
            StatusCode::BAD_REQUEST,
            show(
                &u,
                "修改口令",
                &own_password_html(&u, m.first().map(String::as_str)),
            ),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn admin_password(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    ops::set_password(&s, &u, id, f.current_password.as_deref(), &f.password).await?;
    Ok(see_other("/admin"))
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    csrf: String,
    user_id: String,
    unit_code: String,
}

async fn admin_grant(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<GrantForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let id =
        f.user_id.trim().parse().map_err(|_| {
            AppError::bad(format!("用户编号“{}”不是数字：见用户表第一列", f.user_id))
        })?;
    ops::grant(&s, &u, id, &f.unit_code).await?;
    Ok(see_other("/admin"))
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    csrf: String,
    code: String,
    name: String,
    #[serde(default)]
    parent: String,
}

async fn admin_unit(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<UnitForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    ops::upsert_unit(&s, &u, &f.code, &f.name, Some(&f.parent)).await?;
    Ok(see_other("/admin"))
}
