//! 分配计划 pages: the plans a user may see with the upload form (`/plans`), one plan version
//! with its ranking, allocation table, trace, versions and a what-if (`/plans/{id}`), and its
//! files (`/plans/{id}/files/{plan|kpi}`).

use super::{done, options, refused_upload, show, PageResult, PageUser};
use crate::html::{self, esc, local_time};
use crate::plans::{self, Kept, PlanView};
use crate::{AppError, AppState, CurrentUser};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use juesuan_core::MoneyUnit;
use juesuan_store::Role;
use std::fmt::Write;

fn wan(a: juesuan_core::Amount) -> String {
    format!("{}万元", a.exact(MoneyUnit::Wan))
}

/// The units the user may allocate for, as (code, "code name").
async fn writable_units(s: &AppState, u: &CurrentUser) -> Result<Vec<(String, String)>, AppError> {
    Ok(s.store
        .units()
        .await?
        .into_iter()
        .filter(|x| u.can_write(&x.code))
        .map(|x| (x.code.clone(), format!("{} {}", x.code, x.name)))
        .collect())
}

fn upload_form(u: &CurrentUser, units: &[(String, String)], kept: &Kept) -> String {
    let unit_field = if u.role == Role::Admin {
        format!(
            "<label for=\"unit\">分配单位编码</label><input name=\"unit\" id=\"unit\" list=\"units\" value=\"{}\" required><datalist id=\"units\">{}</datalist>\
             <p class=\"note\">管理员可填写新编码：单位按计划中的分配单位（allocator）登记。</p>",
            esc(&kept.unit),
            options(units, "")
        )
    } else {
        format!(
            "<label for=\"unit\">分配单位</label><select name=\"unit\" id=\"unit\">{}</select>",
            options(units, &kept.unit)
        )
    };
    format!(
        "<h2 id=\"upload\">上传分配计划</h2>\
         <form class=\"stack\" method=\"post\" action=\"/plans\" enctype=\"multipart/form-data\">{}{unit_field}\
         <label for=\"plan\">分配计划（.toml，格式见 docs/allocation.md）</label><input type=\"file\" name=\"plan\" id=\"plan\" accept=\".toml\" required>\
         <label for=\"kpi\">考核数据（.csv 或 .xlsx；计划的 [kpi] 写了 file 时必须上传，文件名可以不同）</label><input type=\"file\" name=\"kpi\" id=\"kpi\" accept=\".csv,.xlsx\">\
         <label for=\"note\">版本说明</label><input name=\"note\" id=\"note\" size=\"40\" value=\"{}\">\
         <p><button type=\"submit\" id=\"upload-plan\">上传并分配</button></p></form>\
         <p class=\"note\">上传后先完成分配；计划或考核数据有错误时不保存，并列出每处错误（代码 A001–A009、文件和行号）。\
         同一分配单位、年度和标题的计划每次上传保存为新版本，旧版本不变。本单位该年度的报告用各计划的最新版本填写第五部分的转移支付绩效自评表。</p>",
        html::csrf_field(&u.csrf),
        esc(&kept.note)
    )
}

async fn list_page(
    s: &AppState,
    u: &CurrentUser,
    kept: &Kept,
    error: Option<&AppError>,
) -> PageResult {
    let mut body = String::new();
    if let Some(e) = error {
        body.push_str(&refused_upload(e, &kept.plan_file));
    }
    let list = plans::list(s, u).await?;
    if list.is_empty() {
        body.push_str("<p>还没有可查看的分配计划。</p>");
    } else {
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|p| {
                vec![
                    format!("<a href=\"/plans/{}\">{}</a>", p.id, esc(&p.title)),
                    esc(&p.unit_code),
                    format!("{}年度", p.year),
                    format!("第{}版", p.number),
                    wan(p.pool),
                    p.recipients.to_string(),
                    esc(&local_time(&p.created_at)),
                    esc(&p.author),
                ]
            })
            .collect();
        body.push_str(&html::table(
            &[
                "计划",
                "分配单位",
                "年度",
                "版本",
                "总资金",
                "受分配单位数",
                "保存时间",
                "作者",
            ],
            &rows,
        ));
    }
    let units = writable_units(s, u).await?;
    if units.is_empty() && u.role != Role::Admin {
        body.push_str("<p class=\"note\">您没有可上传分配计划的单位（须为该单位的填报人）；如需上传，请联系管理员授权。</p>");
    } else {
        body.push_str(&upload_form(u, &units, kept));
    }
    let status = error.map_or(StatusCode::OK, AppError::status);
    Ok((status, show(u, "分配计划", &body)).into_response())
}

pub async fn list(State(s): State<AppState>, PageUser(u): PageUser) -> PageResult {
    list_page(&s, &u, &Kept::default(), None).await
}

pub async fn upload(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    mut mp: Multipart,
) -> PageResult {
    let (r, read_error) = match plans::receive(&s, &mut mp).await {
        Ok(r) => (r, None),
        Err((r, e)) => (r, Some(e)),
    };
    // The token is checked before the files are looked at.
    u.check_csrf(&r.csrf)?;
    if let Some(e) = read_error {
        return list_page(&s, &u, &r.kept, Some(&e)).await;
    }
    let up = match r.upload() {
        Ok(up) => up,
        Err(e) => return list_page(&s, &u, &r.kept, Some(&e)).await,
    };
    match plans::save(&s, &u, up).await {
        Ok(p) => Ok(done(
            &s,
            &format!("/plans/{}", p.id),
            &format!(
                "已保存分配计划“{}”{}年度第{}版：总资金{}，{}个受分配单位。",
                p.title,
                p.year,
                p.number,
                wan(p.pool),
                p.recipients
            ),
        )),
        Err(e) => list_page(&s, &u, &r.kept, Some(&e)).await,
    }
}

fn what_if_section(body: &mut String, v: &PlanView, asked: &[String]) {
    let _ = write!(
        body,
        "<h2 id=\"what-if\">假设分析</h2>\
         <form method=\"get\" action=\"/plans/{}#what-if\" class=\"stack\">\
         <label for=\"what_if\">改动（每行一项，依次应用，最多{}项；如 registration.weight=0.4、pool=80、天府科技云考核奖励.n=6）</label>\
         <textarea name=\"what_if\" id=\"what_if\" rows=\"3\" cols=\"50\">{}</textarea>\
         <p><button type=\"submit\" id=\"run-what-if\">分析</button></p></form>",
        v.stored.info.id,
        plans::MAX_CHANGES,
        esc(&asked.join("\n"))
    );
    let Some(w) = &v.what_if else { return };
    match &w.outcome {
        Err(errors) => {
            let details: Vec<String> = errors.iter().map(ToString::to_string).collect();
            body.push_str(&html::error_block(
                "假设分析无法进行：请改正改动后重试",
                &details,
            ));
        }
        Ok((after, moves)) => {
            let text =
                juesuan_alloc::whatif::moves_text(&w.spec, &v.result.allocation, after, moves);
            let _ = write!(
                body,
                "<div id=\"what-if-result\"><pre class=\"scroll\">{}</pre>\
                 <details><summary>改动后的完整分配</summary><div class=\"alloc scroll\">{}</div></details></div>",
                esc(text.trim()),
                juesuan_alloc::render::html_body(after)
            );
        }
    }
}

fn versions_section(body: &mut String, v: &PlanView) {
    let rows: Vec<Vec<String>> = v
        .versions
        .iter()
        .rev()
        .map(|p| {
            let label = format!("第{}版", p.number);
            vec![
                if p.id == v.stored.info.id {
                    format!("<strong>{label}（本页）</strong>")
                } else {
                    format!("<a href=\"/plans/{}\">{label}</a>", p.id)
                },
                esc(&local_time(&p.created_at)),
                esc(&p.author),
                wan(p.pool),
                esc(&p.note),
            ]
        })
        .collect();
    body.push_str("<h2 id=\"versions\">版本</h2>");
    body.push_str(&html::table(
        &["版本", "保存时间", "作者", "总资金", "说明"],
        &rows,
    ));
}

pub async fn view(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<i64>,
    uri: axum::http::Uri,
) -> PageResult {
    let asked = plans::what_if_changes(uri.query());
    let v = plans::view(&s, &u, id, &asked).await?;
    let info = &v.stored.info;
    let mut body = format!(
        "<p>分配单位 {}，{}年度，第{}版（{}，{}保存）。下载：<a href=\"/plans/{id}/files/plan\">分配计划</a>{}</p>\
         <nav class=\"toc\" aria-label=\"本页\"><a href=\"#what-if\">假设分析</a><a href=\"#versions\">版本</a></nav>",
        esc(&info.unit_code),
        info.year,
        info.number,
        esc(&info.author),
        esc(&local_time(&info.created_at)),
        if info.kpi_name.is_some() {
            format!("、<a href=\"/plans/{id}/files/kpi\">考核数据</a>")
        } else {
            String::new()
        }
    );
    let _ = write!(
        body,
        "<div class=\"alloc scroll\" id=\"allocation\">{}</div>",
        juesuan_alloc::render::html_body(&v.result.allocation)
    );
    what_if_section(&mut body, &v, &asked);
    versions_section(&mut body, &v);
    Ok(show(&u, &info.title, &body))
}

pub async fn file(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path((id, which)): Path<(i64, String)>,
) -> PageResult {
    let (name, kind, bytes) = plans::file(&s, &u, id, &which).await?;
    Ok(plans::attachment(&name, kind, bytes))
}
