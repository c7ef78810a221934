//! The server-rendered pages (网页). Every form carries the session's CSRF token; the login
//! form, which has no session yet, uses a double-submit cookie.

mod admin;
mod plans;
mod review;
mod unit_year;

use unit_year::rule_cell as unit_year_rule_cell;

use crate::downloads::{self, Format};
use crate::flash::{self, ErrorPage, Kind};
use crate::html::{self, esc, local_time, page, status_class, url, Viewer};
use crate::ops;
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
        let mut body = html::error_block(&msg, &details);
        body.push_str("<p><a href=\"/\">返回首页</a></p>");
        let title = match self.0.status() {
            StatusCode::FORBIDDEN => "无权访问",
            StatusCode::NOT_FOUND => "未找到",
            StatusCode::BAD_REQUEST | StatusCode::CONFLICT => "请求有误",
            StatusCode::TOO_MANY_REQUESTS => "请稍后再试",
            _ => "出错了",
        };
        let mut r = ErrorPage { title, body }.response(self.0.status());
        if let AppError::TooManyRequests(s) | AppError::Quota(_, s) | AppError::Unavailable(_, s) =
            self.0
        {
            if let Ok(v) = header::HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
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

pub(crate) fn viewer(u: &CurrentUser) -> Viewer<'_> {
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

/// A redirect that shows a success message on the page it leads to.
fn done(s: &AppState, to: &str, message: &str) -> Response {
    flash::redirect(s, to, Kind::Ok, message)
}

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/", get(home))
        .route("/units/{code}/{year}", get(unit_year::unit_year))
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
        .route(
            "/plans",
            get(plans::list)
                .post(plans::upload)
                .layer(DefaultBodyLimit::max(2 * state.opts.max_upload + 64 * 1024)),
        )
        .route("/plans/{id}", get(plans::view))
        .route("/plans/{id}/files/{which}", get(plans::file))
        .route("/review", get(review::review))
        .route("/review.csv", get(review::review_csv))
        .route(
            "/audit",
            get(audit_form)
                .post(audit_upload)
                .layer(DefaultBodyLimit::max(
                    state.opts.audit_max_bytes + published::FORM_OVERHEAD,
                )),
        )
        .route("/password", get(own_password_form).post(own_password))
        .merge(admin::routes())
        .layer(DefaultBodyLimit::max(256 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            flash::layer,
        ))
}

// ------------------------------------------------------------------ login

const LOGIN_COOKIE: &str = "juesuan_login";

fn login_page(
    state: &AppState,
    message: Option<&str>,
    username: &str,
    status: StatusCode,
) -> Response {
    let token = auth::random_token();
    let mut body = String::new();
    if let Some(m) = message {
        body.push_str(&html::error_block(m, &[]));
    }
    let _ = write!(
        body,
        "<form class=\"stack\" method=\"post\" action=\"/login\">{}\
         <label for=\"username\">用户名</label><input name=\"username\" id=\"username\" autocomplete=\"username\" value=\"{}\" required>\
         <label for=\"password\">口令</label><input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <p><button type=\"submit\" id=\"login\">登录</button></p></form>",
        html::csrf_field(&token),
        esc(username)
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
    login_page(&s, None, "", StatusCode::OK)
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
        return login_page(&s, Some(&m), &f.username, StatusCode::FORBIDDEN);
    }
    match session::login(&s, f.username.trim(), &f.password, ip).await {
        Ok((cookie, _)) => {
            let mut r = done(&s, "/", &format!("已登录：{}。", f.username.trim()));
            r.headers_mut().append(header::SET_COOKIE, cookie);
            r.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(&s, LOGIN_COOKIE, "", 0),
            );
            r
        }
        Err(e) => {
            let (m, _) = e.messages();
            login_page(&s, Some(&m), &f.username, e.status())
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
    let mut r = done(&s, "/login", "已退出。");
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
                "<a href=\"/units/{}/{}\">{}年度</a> 第{}版（{}） <span class=\"{}\">{}</span>（{}处错误，{}处警告）<br>",
                url(&unit.code),
                y.year,
                y.year,
                y.version.number,
                local_time(&y.version.created_at),
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

/// The version history is the unit-year page's 版本 tab.
async fn versions(Path((code, year)): Path<(String, i32)>) -> Response {
    see_other(&format!("/units/{}/{year}?tab=versions#tabs", url(&code)))
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
    let v = ops::consolidate(&s, &u, &code, year).await?;
    Ok(done(
        &s,
        &format!("/units/{}/{year}", url(&code)),
        &format!("已由下级单位汇总生成第{}版。", v.number),
    ))
}

async fn compare(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
    Query(q): Query<ops::CompareQuery>,
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
    Ok(done(
        &s,
        &format!("/units/{}/{}?tab=versions#tabs", url(&v.unit_code), v.year),
        &format!("已恢复：生成第{}版，内容与所选版本相同。", v.number),
    ))
}

// ------------------------------------------------------------------ upload

/// What the user entered on the upload form: kept when an upload is refused, so the form
/// comes back filled in (a browser never refills a file field: the page says so).
#[derive(Default)]
struct UploadKept {
    unit: String,
    note: String,
    columns: String,
    encoding: String,
    kind: String,
    keep_prior: bool,
    file: String,
}

/// Above a refused upload form: the errors, and that the entered values are kept but the
/// file (`last_file`, as chosen) must be chosen again.
fn refused_upload(e: &AppError, last_file: &str) -> String {
    let (msg, details) = e.messages();
    let mut out = html::error_block(&msg, &details);
    let _ = write!(
        out,
        "<p class=\"note\">已保留您填写的内容；请改正后重新选择文件{}再上传。</p>",
        if last_file.is_empty() {
            String::new()
        } else {
            format!("（上次为“{}”）", esc(last_file))
        }
    );
    out
}

/// `<option>`s with `selected` marked.
fn options(items: &[(String, String)], selected: &str) -> String {
    let mut s = String::new();
    for (value, label) in items {
        let sel = if value == selected { " selected" } else { "" };
        let _ = write!(
            s,
            "<option value=\"{}\"{sel}>{}</option>",
            esc(value),
            esc(label)
        );
    }
    s
}

fn pairs(items: &[&str]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|x| (x.to_string(), x.to_string()))
        .collect()
}

async fn upload_form(State(s): State<AppState>, PageUser(u): PageUser) -> PageResult {
    upload_page(&s, &u, &UploadKept::default(), None).await
}

/// The upload form, filled with `kept`, with `error` shown above it.
async fn upload_page(
    s: &AppState,
    u: &CurrentUser,
    kept: &UploadKept,
    error: Option<&AppError>,
) -> PageResult {
    let units: Vec<(String, String)> = s
        .store
        .units()
        .await?
        .into_iter()
        .filter(|x| u.can_write(&x.code))
        .map(|x| (x.code.clone(), format!("{} {}", x.code, x.name)))
        .collect();
    let unit_field = if u.role == Role::Admin {
        format!("<label for=\"unit\">单位编码</label><input name=\"unit\" id=\"unit\" list=\"units\" value=\"{}\" required><datalist id=\"units\">{}</datalist><p class=\"note\">管理员可填写新编码：单位按输入文件中的名称登记。</p>", esc(&kept.unit), options(&units, ""))
    } else if units.is_empty() {
        return Ok(show(
            u,
            "上传",
            "<p>您没有可填报的单位，请联系管理员授权。</p>",
        ));
    } else {
        format!(
            "<label for=\"unit\">单位</label><select name=\"unit\" id=\"unit\">{}</select>",
            options(&units, &kept.unit)
        )
    };
    let columns: Vec<(String, String)> = ops::journal_columns(s)
        .into_iter()
        .map(|(n, t)| (n.clone(), format!("{n} {t}")))
        .collect();
    let mut body = String::new();
    if let Some(e) = error {
        body.push_str(&refused_upload(e, &kept.file));
    }
    let encodings = vec![
        (String::new(), "按列映射".to_string()),
        ("utf-8".into(), "UTF-8".into()),
        ("gbk".into(), "GBK".into()),
    ];
    let _ = write!(
        body,
        "<form class=\"stack\" method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">{}{unit_field}\
         <label for=\"file\">文件（输入文件 .toml、Excel 导入表 .xlsx 或日记账 .csv，不超过 {} MB）</label><input type=\"file\" name=\"file\" id=\"file\" accept=\".toml,.xlsx,.csv\" required>\
         <label for=\"note\">说明</label><input name=\"note\" id=\"note\" size=\"40\" value=\"{}\">\
         <p><label class=\"check\"><input type=\"checkbox\" name=\"keep_prior\" id=\"keep_prior\" value=\"true\"{}> 按本文件的上年数保存（口径调整）</label></p>\
         <p class=\"note\">上年数默认须等于已存的上一年度决算数；确因口径调整而不同时才勾选，并在情况说明中写明原因。</p>\
         <fieldset><legend>日记账（.csv）</legend>\
         <label for=\"columns\">列映射</label><select name=\"columns\" id=\"columns\">{}</select>\
         <label for=\"encoding\">编码</label><select name=\"encoding\" id=\"encoding\">{}</select>\
         <label for=\"kind\">单位性质（该年度尚无已存版本时）</label><select name=\"kind\" id=\"kind\">{}</select>\
         <p class=\"note\">日记账汇总出本年收入、支出、基本支出经济分类、年初结转和结余和“三公”经费决算数，其余各项（单位信息、预算、上年数、原因等）取自该单位该年度最新的已存版本；没有已存版本时写为占位数。</p></fieldset>\
         <p><button type=\"submit\" id=\"upload\">上传并校验</button></p></form>\
         <p class=\"note\">上传后先校验；有错误时不保存任何数据并列出每处错误（文件:行:列）。每次上传保存为新版本，旧版本不变。</p>",
        html::csrf_field(&u.csrf),
        s.opts.max_upload / 1024 / 1024,
        esc(&kept.note),
        if kept.keep_prior { " checked" } else { "" },
        options(&columns, &kept.columns),
        options(&encodings, &kept.encoding),
        options(&pairs(&["行政", "参公", "事业"]), &kept.kind),
    );
    let status = error.map_or(StatusCode::OK, AppError::status);
    Ok((status, show(u, "上传", &body)).into_response())
}

/// Read the upload form: the fields into `kept`, the file's name and bytes.
async fn read_upload(
    s: &AppState,
    mp: &mut Multipart,
    kept: &mut UploadKept,
    csrf: &mut String,
) -> Result<Option<Vec<u8>>, AppError> {
    let too_large = || {
        AppError::TooLarge(format!(
            "文件超过 {} MB 的上限：请拆分后分别上传",
            s.opts.max_upload / 1024 / 1024
        ))
    };
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            kept.file = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|_| too_large())?;
            if bytes.len() > s.opts.max_upload {
                return Err(too_large());
            }
            file = Some(bytes.to_vec());
            continue;
        }
        if !matches!(
            name.as_str(),
            "csrf" | "unit" | "note" | "columns" | "kind" | "encoding" | "keep_prior"
        ) {
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|_| AppError::bad("表单内容无法读取：请刷新页面后重新提交"))?;
        match name.as_str() {
            "csrf" => *csrf = text,
            "unit" => kept.unit = text,
            "columns" => kept.columns = text,
            "kind" => kept.kind = text,
            "encoding" => kept.encoding = text,
            "keep_prior" => kept.keep_prior = text == "true" || text == "on",
            _ => kept.note = text,
        }
    }
    Ok(file)
}

async fn upload(State(s): State<AppState>, PageUser(u): PageUser, mut mp: Multipart) -> PageResult {
    let mut kept = UploadKept::default();
    let mut csrf = String::new();
    let read = read_upload(&s, &mut mp, &mut kept, &mut csrf).await;
    // The token is checked before the file is looked at.
    u.check_csrf(&csrf)?;
    let bytes = match read {
        Ok(Some(b)) => b,
        Ok(None) => {
            return upload_page(&s, &u, &kept, Some(&AppError::bad("请选择要上传的文件"))).await
        }
        Err(e) => return upload_page(&s, &u, &kept, Some(&e)).await,
    };
    let opts = ops::UploadOptions {
        columns: kept.columns.clone(),
        kind: kept.kind.clone(),
        encoding: kept.encoding.clone(),
        keep_prior: kept.keep_prior,
    };
    match ops::import(
        &s,
        &u,
        &kept.unit,
        &bytes,
        &kept.file,
        kept.note.trim(),
        &opts,
    )
    .await
    {
        Ok(v) => Ok(done(
            &s,
            &format!("/units/{}/{}", url(&v.unit_code), v.year),
            &format!(
                "已上传“{}”：保存为{}年度第{}版（{}条数据）。",
                ops::safe_name(&kept.file),
                v.year,
                v.number,
                v.fact_count
            ),
        )),
        Err(e) => upload_page(&s, &u, &kept, Some(&e)).await,
    }
}

// ------------------------------------------------------------------ published reports

/// The upload form of 核对已公开报告: the files, and how to get the summary.
fn audit_form_html(s: &AppState, u: &CurrentUser) -> String {
    format!(
        "<form class=\"stack\" method=\"post\" action=\"/audit\" enctype=\"multipart/form-data\">{}\
         <label for=\"files\">已公开的决算报告（.pdf、.docx、.txt、.md，可一次选择多个；每批不超过{}个文件、合计不超过 {}）</label>\
         <input type=\"file\" name=\"files\" id=\"files\" multiple accept=\".pdf,.docx,.txt,.md\" required>\
         <label for=\"format\">结果</label><select name=\"format\" id=\"format\"><option value=\"html\">在本页显示</option>\
         <option value=\"csv\">下载 CSV（Excel 可直接打开）</option><option value=\"json\">下载 JSON</option>\
         <option value=\"text\">下载文本</option></select>\
         <p><button type=\"submit\" id=\"audit\">核对</button></p></form>\
         <p class=\"note\">汇总与命令行核对多个文件时相同：每份文档一行（结论、错误、尾差提示、通过、\
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
        "<div class=\"audit scroll\" id=\"audit-summary\">{}</div><p id=\"audit-downloads\">保存这份汇总：",
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

// ------------------------------------------------------------------ own password

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

fn own_password_html(u: &CurrentUser, error: Option<&AppError>) -> String {
    let mut body = String::new();
    if u.must_change_password {
        body.push_str("<p class=\"flash ok\" role=\"status\" id=\"must-change\">当前口令是一次性口令或由管理员重设：请先设置新口令，然后才能使用其他功能。</p>");
    }
    if let Some(e) = error {
        let (m, d) = e.messages();
        body.push_str(&html::error_block(&m, &d));
    }
    let _ = write!(
        body,
        "<form class=\"stack\" method=\"post\" action=\"/password\">{}\
         <label for=\"current_password\">当前口令</label><input type=\"password\" name=\"current_password\" id=\"current_password\" required autocomplete=\"current-password\">\
         <label for=\"new_password\">新口令（至少10个字符，含字母、数字、符号或汉字中的至少两类，不含用户名）</label><input type=\"password\" name=\"password\" id=\"new_password\" required minlength=\"10\" autocomplete=\"new-password\">\
         <p><button type=\"submit\" id=\"save-password\">保存新口令</button></p></form>",
        html::csrf_field(&u.csrf)
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
        Ok(()) => Ok(done(&s, "/login", "口令已修改：请用新口令登录。")),
        Err(e @ AppError::BadRequest(_)) => Ok((
            StatusCode::BAD_REQUEST,
            show(&u, "修改口令", &own_password_html(&u, Some(&e))),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
