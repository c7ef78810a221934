//! 单位年度 page in tabs (概览, 公开表, 情况说明, 审核, 绩效, 版本), each reachable by
//! `?tab=`; the report's analysis is cached per version, so switching tabs is cheap.

use super::{show, PageResult, PageUser};
use crate::analysis::{Analysis, CheckSummary};
use crate::downloads;
use crate::html::{self, esc, kind_label, local_time, status_class, url};
use crate::ops::{self, VersionView};
use crate::{AppState, CurrentUser};
use axum::extract::{Path, Query, State};
use juesuan_store::Role;
use serde::Deserialize;
use std::fmt::Write;

/// (id, label) of each tab, in order.
pub const TABS: &[(&str, &str)] = &[
    ("overview", "概览"),
    ("tables", "公开表"),
    ("narrative", "情况说明"),
    ("checks", "审核"),
    ("scores", "绩效"),
    ("versions", "版本"),
];

#[derive(Deserialize)]
pub struct UnitYearQuery {
    version: Option<i64>,
    tab: Option<String>,
}

pub async fn unit_year(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<UnitYearQuery>,
) -> PageResult {
    let tab = q
        .tab
        .as_deref()
        .filter(|t| TABS.iter().any(|(id, _)| id == t))
        .unwrap_or("overview");
    let (v, a) = ops::unit_year(&s, &u, &code, year, q.version).await?;
    let base = format!("/units/{}/{year}", url(&code));
    let version_query = q
        .version
        .map(|id| format!("&amp;version={id}"))
        .unwrap_or_default();
    let info: VersionView = (&v.info).into();
    let mut body = format!(
        "<p class=\"meta\" id=\"version\">第{}版 · {} · {} · {}{}{}</p>",
        info.number,
        kind_label(&info.kind),
        local_time(&info.created_at),
        esc(&info.author),
        if info.note.is_empty() {
            String::new()
        } else {
            format!(" · {}", esc(&info.note))
        },
        if q.version.is_some() {
            format!(" · <a href=\"{base}\">看最新版本</a>")
        } else {
            String::new()
        }
    );
    body.push_str("<div id=\"tabs\"></div>");
    body.push_str(&html::tabs(&base, TABS, tab, &version_query));
    let _ = write!(
        body,
        "<section id=\"panel-{tab}\" aria-labelledby=\"tab-{tab}\">"
    );
    match tab {
        "tables" => tables_tab(&mut body, &a),
        "narrative" => narrative_tab(&mut body, &a),
        "checks" => check_section(&mut body, &a.checks, ops::rule_names(&s)),
        "scores" => scores_section(&mut body, &a),
        "versions" => versions_tab(&s, &u, &mut body, &code, year).await?,
        _ => overview_tab(&mut body, &u, &code, &base, &info, &a),
    }
    body.push_str("</section>");
    let title = format!("{} {}年度", a.unit_year.unit.name, year);
    Ok(show(&u, &title, &body))
}

/// 概览: the verdict, the report's key figures, downloads, hints and the charts.
fn overview_tab(
    body: &mut String,
    u: &CurrentUser,
    code: &str,
    base: &str,
    v: &VersionView,
    a: &Analysis,
) {
    body.push_str(&check_status(
        &a.checks,
        &format!("<a href=\"{base}?tab=checks#tabs\">看审核结果</a>"),
    ));
    let unit = a.unit_year.amount_unit.label();
    body.push_str("<h2>主要数字</h2><div class=\"cards\" id=\"key-figures\">");
    for k in juesuan_report::context::key_figures(&a.unit_year) {
        let _ = write!(
            body,
            "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"k\">万元{}</div></div>",
            esc(k.label),
            esc(&k.current.wan()),
            k.stated_prior
                .map(|p| format!("，上年 {}", esc(&p.wan())))
                .unwrap_or_default()
        );
    }
    let _ = write!(
        body,
        "</div><p class=\"note\">输入文件的金额单位：{}；页面按万元显示，与公开的报告相同。</p>",
        esc(unit)
    );
    body.push_str("<h2>下载</h2><ul id=\"downloads\">");
    for (_, name, label) in downloads::FORMATS {
        let _ = write!(
            body,
            "<li><a href=\"{base}/download/{name}?version={}\" id=\"download-{name}\">{label}</a></li>",
            v.id
        );
    }
    body.push_str("</ul>");
    if matches!(u.role, Role::Reviewer | Role::Admin) || u.can_write(code) {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"{base}/consolidate\">{}<button type=\"submit\" class=\"secondary\">由下级单位汇总生成新版本</button></form>",
            html::csrf_field(&u.csrf)
        );
    }
    if !a.report.warnings.is_empty() {
        let _ = write!(
            body,
            "<h2>编制提示（{}条）</h2><ul id=\"warnings\">",
            a.report.warnings.len()
        );
        for w in &a.report.warnings {
            let _ = write!(body, "<li>{}</li>", esc(&w.to_string()));
        }
        body.push_str("</ul>");
    }
    body.push_str("<h2>图表</h2><div class=\"charts\" id=\"charts\">");
    for ch in &a.report.charts {
        let _ = write!(
            body,
            "<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>",
            esc(&ch.id),
            ch.figure_svg,
            esc(&ch.title)
        );
    }
    body.push_str("</div>");
}

/// 公开表: a list of the tables (in-page links), then each table in its own scrolling box.
fn tables_tab(body: &mut String, a: &Analysis) {
    body.push_str("<nav class=\"toc\" aria-label=\"公开表目录\">");
    for t in &a.report.tables {
        let _ = write!(
            body,
            "<a href=\"#{}\">{} {}</a>",
            esc(&t.id),
            esc(&t.code),
            esc(&t.title)
        );
    }
    body.push_str("</nav><div class=\"report\" id=\"report-tables\">");
    for t in &a.report.tables {
        let _ = write!(
            body,
            "<div class=\"scroll\">{}</div>",
            juesuan_report::render::table_html(t)
        );
    }
    body.push_str("</div>");
}

/// 情况说明: the narrative with its charts, without the tables (they have their own tab),
/// with a list of its parts (in-page links to each `<h2>`).
fn narrative_tab(body: &mut String, a: &Analysis) {
    let (text, parts) = numbered_parts(&without_tables(super::report_body(&a.report.html)));
    body.push_str("<nav class=\"toc\" aria-label=\"情况说明目录\">");
    for (i, title) in parts.iter().enumerate() {
        let _ = write!(body, "<a href=\"#part-{}\">{title}</a>", i + 1);
    }
    let _ = write!(
        body,
        "</nav><div class=\"report\" id=\"report\">{text}</div>"
    );
}

/// Give each `<h2>` of the report an id (`part-1`, …) and return the headings' HTML.
pub fn numbered_parts(html: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(html.len() + 256);
    let mut parts = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<h2>") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "<h2>".len()..];
        let end = after.find("</h2>").unwrap_or(after.len());
        parts.push(after[..end].to_string());
        let _ = write!(out, "<h2 id=\"part-{}\">", parts.len());
        rest = after;
    }
    out.push_str(rest);
    (out, parts)
}

/// The report body without its `<section class="table">` blocks.
pub fn without_tables(html: &str) -> String {
    const OPEN: &str = "<section class=\"table\"";
    const CLOSE: &str = "</section>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        match rest[i..].find(CLOSE) {
            Some(j) => rest = &rest[i + j + CLOSE.len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.push_str("<p class=\"note\">公开表见“公开表”页。</p>");
    out
}

/// 审核: the verdict with its counts, then every finding with the rule's name.
fn check_section(
    body: &mut String,
    c: &CheckSummary,
    names: &std::collections::BTreeMap<String, String>,
) {
    body.push_str(&check_status(c, ""));
    let mut rows = Vec::new();
    for r in &c.results {
        for f in &r.findings {
            rows.push(vec![
                rule_cell(&f.rule, names),
                match f.severity {
                    juesuan_check::RuleSeverity::Error => "<span class=\"bad\">错误</span>".into(),
                    juesuan_check::RuleSeverity::Warning => {
                        "<span class=\"warn\">警告</span>".into()
                    }
                    juesuan_check::RuleSeverity::Info => "提示".into(),
                },
                esc(&f.location),
                esc(&f.message),
                format!("<span class=\"num\">{}</span>", esc(&f.stated)),
                format!("<span class=\"num\">{}</span>", esc(&f.expected)),
                format!("<span class=\"num\">{}</span>", esc(&f.difference)),
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
        body.push_str("<p class=\"note\">金额单位：万元。</p></div>");
    }
}

/// A rule's code with its name (the rule file's description of what it requires).
pub fn rule_cell(rule: &str, names: &std::collections::BTreeMap<String, String>) -> String {
    match names.get(rule) {
        Some(n) => format!("<code>{}</code> {}", esc(rule), esc(n)),
        None => format!("<code>{}</code>", esc(rule)),
    }
}

/// The checks' conclusion with its counts, then `link` (HTML, may be empty).
fn check_status(c: &CheckSummary, link: &str) -> String {
    format!(
        "<p id=\"check-status\" class=\"{}\">结论：{}（{}条规则，{}条通过，{}处错误，{}处警告）{link}</p>",
        status_class(c.status()),
        c.status(),
        c.rules,
        c.passed,
        c.errors,
        c.warnings
    )
}

/// 绩效: the department's and each project's score, or why none.
fn scores_section(body: &mut String, a: &Analysis) {
    body.push_str("<div id=\"scores\">");
    match &a.scores {
        Some(sc) => {
            let mut rows = Vec::new();
            let evaluations = sc
                .department
                .iter()
                .chain(sc.projects.iter().map(|p| &p.evaluation));
            for e in evaluations {
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
        None => body.push_str("<p>输入文件没有绩效自评部分（[evaluation]），无绩效评分。</p>"),
    }
    for e in &a.score_errors {
        let _ = write!(body, "<p class=\"msg\">{}</p>", esc(e));
    }
    plans_section(body, a);
    body.push_str("</div>");
}

/// The transfer-payment tables the unit's allocation plans filled (docs/allocation.md 6.1),
/// the figures that differ from the plan, and the plans not used, with why.
fn plans_section(body: &mut String, a: &Analysis) {
    let applied = &a.plans;
    if applied.tables.is_empty() && applied.unused.is_empty() {
        return;
    }
    body.push_str("<h2 id=\"plans\">转移支付分配计划</h2><ul>");
    for t in &applied.tables {
        let what = if t.filled.is_empty() {
            "表中数值与分配结果逐项核对".to_string()
        } else {
            let names: Vec<String> = t
                .filled
                .iter()
                .map(|f| {
                    format!(
                        "{}“{}”{}",
                        f.kind,
                        f.name,
                        if f.added { "（新增）" } else { "" }
                    )
                })
                .collect();
            format!("由分配结果填入{}项：{}", t.filled.len(), names.join("、"))
        };
        let _ = write!(
            body,
            "<li>第五部分“{}”转移支付绩效自评表使用分配计划“{}”：{}</li>",
            esc(&t.project),
            esc(&t.plan),
            esc(&what)
        );
        for w in &t.warnings {
            let _ = write!(body, "<li class=\"msg\">{}</li>", esc(w));
        }
    }
    for why in &applied.unused {
        let _ = write!(body, "<li class=\"msg\">{}</li>", esc(why));
    }
    body.push_str("</ul><p class=\"note\">分配计划在“分配计划”页上传和查看；报告使用本单位本年度各计划的最新版本。</p>");
}

/// 版本: every version, newest first, with view, compare and restore.
async fn versions_tab(
    s: &AppState,
    u: &CurrentUser,
    body: &mut String,
    code: &str,
    year: i32,
) -> Result<(), crate::AppError> {
    let list = ops::versions(s, u, code, year).await?;
    let can_write = u.can_write(code);
    let mut rows = Vec::new();
    let mut prev: Option<i64> = None;
    for v in &list {
        let mut actions = format!(
            "<a href=\"/units/{}/{year}?version={}\">查看</a>",
            url(code),
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
                " <form class=\"inline\" method=\"post\" action=\"/versions/{}/restore\">{}<label class=\"sr-only\" for=\"restore-note-{id}\">恢复说明</label><input id=\"restore-note-{id}\" name=\"note\" placeholder=\"说明（可选）\" size=\"10\"><button type=\"submit\" class=\"secondary\">恢复为此版</button></form>",
                v.id,
                html::csrf_field(&u.csrf),
                id = v.id
            );
        }
        rows.push(vec![
            format!("第{}版", v.number),
            esc(kind_label(&v.kind)),
            esc(&local_time(&v.created_at)),
            esc(&v.author),
            esc(&v.origin),
            esc(&v.note),
            v.fact_count.to_string(),
            actions,
        ]);
        prev = Some(v.id);
    }
    rows.reverse();
    body.push_str("<div id=\"versions\">");
    body.push_str(&html::table(
        &[
            "版次",
            "方式",
            "时间",
            "提交人",
            "来源",
            "说明",
            "数据条数",
            "操作",
        ],
        &rows,
    ));
    body.push_str("<p class=\"note\">版本不可修改：恢复旧版会生成一个内容相同的新版本。时间为北京时间。</p></div>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_tables_drops_every_table_section_and_keeps_the_rest() {
        let html = "<h1>一</h1><section class=\"table\" id=\"t1\"><table></table></section><p>文</p><section class=\"table\" id=\"t2\">x</section><figure>图</figure>";
        let out = without_tables(html);
        assert!(
            out.starts_with("<h1>一</h1><p>文</p><figure>图</figure>"),
            "{out}"
        );
        assert!(!out.contains("<table"));
    }

    #[test]
    fn numbered_parts_gives_each_part_an_anchor() {
        let (html, parts) =
            numbered_parts("<h1>题</h1><h2>第一部分 概况</h2><p>文</p><h2>第二部分 表</h2>");
        assert_eq!(parts, ["第一部分 概况", "第二部分 表"]);
        assert_eq!(
            html,
            "<h1>题</h1><h2 id=\"part-1\">第一部分 概况</h2><p>文</p><h2 id=\"part-2\">第二部分 表</h2>"
        );
    }

    #[test]
    fn rule_cell_names_known_rules_and_escapes() {
        let mut names = std::collections::BTreeMap::new();
        names.insert("T1-01".to_string(), "收入总计应等于<各项>之和".to_string());
        assert_eq!(
            rule_cell("T1-01", &names),
            "<code>T1-01</code> 收入总计应等于&lt;各项&gt;之和"
        );
        assert_eq!(rule_cell("X", &names), "<code>X</code>");
    }
}
