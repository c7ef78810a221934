//! 审核看板 (reviewers): every unit-year's latest version with its verdict, filtered by 年度,
//! 地区, 主管部门, 规则, 结论 and unit (each choice with its count); each row opens its
//! findings in place (`<details>`).

use super::{show, PageResult, PageUser};
use crate::html::{self, esc, status_class, url};
use crate::ops::{self, Review, ReviewFilter, ReviewRow};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;

fn filter_query(f: &ReviewFilter) -> String {
    let mut q = Vec::new();
    if let Some(y) = f.year {
        q.push(format!("year={y}"));
    }
    for (name, v) in [
        ("rule", &f.rule),
        ("q", &f.q),
        ("region", &f.region),
        ("department", &f.department),
        ("status", &f.status),
    ] {
        if let Some(x) = v.as_deref().filter(|x| !x.is_empty()) {
            q.push(format!("{name}={}", url(x)));
        }
    }
    if f.failing == Some(true) {
        q.push("failing=true".into());
    }
    q.join("&amp;")
}

#[derive(Deserialize)]
pub struct ReviewForm {
    year: Option<String>,
    rule: Option<String>,
    q: Option<String>,
    failing: Option<String>,
    region: Option<String>,
    department: Option<String>,
    status: Option<String>,
}

impl ReviewForm {
    fn filter(self) -> ReviewFilter {
        let some = |o: Option<String>| o.filter(|r| !r.trim().is_empty());
        ReviewFilter {
            year: self.year.and_then(|y| y.trim().parse().ok()),
            rule: some(self.rule),
            q: some(self.q),
            failing: self.failing.map(|f| f == "true" || f == "on"),
            region: some(self.region),
            department: some(self.department),
            status: some(self.status),
        }
    }
}

/// A `<select>` over counted choices: "(全部)" first, then each choice with its count.
fn counted_select(
    id: &str,
    label: &str,
    counts: &BTreeMap<String, usize>,
    name_of: &dyn Fn(&str) -> String,
    chosen: Option<&str>,
) -> String {
    let mut s = format!(
        "<label>{label}<select name=\"{id}\" id=\"filter-{id}\"><option value=\"\">（全部）</option>"
    );
    for (value, n) in counts {
        let sel = if chosen == Some(value.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            s,
            "<option value=\"{}\"{sel}>{}（{n}）</option>",
            esc(value),
            esc(&name_of(value))
        );
    }
    s.push_str("</select></label>");
    s
}

fn filter_form(
    f: &ReviewFilter,
    r: &Review,
    names: &BTreeMap<String, String>,
    units: &BTreeMap<String, String>,
) -> String {
    let rule_name = |id: &str| match names.get(id) {
        Some(n) => format!("{id} {}", n.chars().take(40).collect::<String>()),
        None => id.to_string(),
    };
    let unit_name = |code: &str| match units.get(code) {
        Some(n) => format!("{code} {n}"),
        None => code.to_string(),
    };
    let plain = |x: &str| x.to_string();
    format!(
        "<form class=\"row-form\" method=\"get\" action=\"/review\" id=\"review-filter\">\
         <label>年度<input name=\"year\" id=\"filter-year\" size=\"5\" inputmode=\"numeric\" value=\"{}\"></label>\
         {}{}{}{}\
         <label>单位<input name=\"q\" id=\"filter-q\" value=\"{}\" placeholder=\"编码或名称\"></label>\
         <label class=\"check\"><input type=\"checkbox\" name=\"failing\" value=\"true\"{}> 只看有错误的</label>\
         <button type=\"submit\">筛选</button> <a href=\"/review\">清除筛选</a></form>",
        f.year.map(|y| y.to_string()).unwrap_or_default(),
        counted_select("region", "地区", &r.regions, &plain, f.region.as_deref()),
        counted_select("department", "主管部门", &r.departments, &unit_name, f.department.as_deref()),
        counted_select("rule", "未通过的规则", &r.rules, &rule_name, f.rule.as_deref()),
        counted_select("status", "结论", &r.statuses, &plain, f.status.as_deref()),
        esc(f.q.as_deref().unwrap_or("")),
        if f.failing == Some(true) { " checked" } else { "" },
    )
}

/// The findings of one row, opened in place.
fn findings_cell(row: &ReviewRow, names: &BTreeMap<String, String>) -> String {
    let c = match row.checks.as_ref() {
        Ok(c) => c,
        Err(e) => {
            return format!(
                "<details class=\"findings\"><summary>无法审核</summary><ul>{}</ul></details>",
                e.iter()
                    .map(|x| format!("<li>{}</li>", esc(x)))
                    .collect::<String>()
            )
        }
    };
    let findings: Vec<_> = c.results.iter().flat_map(|r| &r.findings).collect();
    if findings.is_empty() {
        return "<span class=\"note\">没有问题</span>".into();
    }
    let mut s = format!(
        "<details class=\"findings\"><summary>{}处错误，{}处警告</summary><ul>",
        row.status.errors, row.status.warnings
    );
    for f in findings {
        let _ = write!(
            s,
            "<li>{} — {}：{}（填列 {}，应为 {}，差额 {}）</li>",
            super::unit_year_rule_cell(&f.rule, names),
            esc(&f.location),
            esc(&f.message),
            esc(&f.stated),
            esc(&f.expected),
            esc(&f.difference)
        );
    }
    s.push_str("</ul></details>");
    s
}

pub async fn review(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Query(f): Query<ReviewForm>,
) -> PageResult {
    let f = f.filter();
    let r = ops::review(&s, &u, &f).await?;
    let names = ops::rule_names(&s);
    let units: BTreeMap<String, String> = s
        .store
        .units()
        .await?
        .into_iter()
        .map(|x| (x.code, x.name))
        .collect();
    let mut body = filter_form(&f, &r, names, &units);
    let _ = write!(
        body,
        "<p id=\"review-counts\">共审核{}个单位年度；符合筛选的{}个，其中有错误的{}个。<a href=\"/review.csv?{}\">导出 CSV</a></p>",
        r.checked,
        r.rows.len(),
        r.failing,
        filter_query(&f)
    );
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            vec![
                format!(
                    "<a href=\"/units/{}/{}?tab=checks#tabs\">{} {}</a>",
                    url(&row.unit_code),
                    row.status.year,
                    esc(&row.unit_code),
                    esc(&row.unit_name)
                ),
                row.status.year.to_string(),
                esc(row.region.as_deref().unwrap_or("—")),
                row.department.as_deref().map_or("—".into(), |d| {
                    esc(units.get(d).map_or(d, String::as_str))
                }),
                format!(
                    "<span class=\"{}\">{}</span>",
                    status_class(&row.status.status),
                    esc(&row.status.status)
                ),
                findings_cell(row, names),
            ]
        })
        .collect();
    body.push_str(&html::table(
        &[
            "单位",
            "年度",
            "地区",
            "主管部门",
            "结论",
            "问题（点击展开）",
        ],
        &rows,
    ));
    Ok(show(&u, "审核看板", &body))
}

pub async fn review_csv(
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
