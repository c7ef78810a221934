//! The allocation table and its trace as text (Chinese) and as a self-contained HTML page.

use crate::Allocation;
use juesuan_core::money::{Amount, MoneyUnit};

fn unit_of(a: &Allocation) -> MoneyUnit {
    if a.unit == "元" {
        MoneyUnit::Yuan
    } else {
        MoneyUnit::Wan
    }
}

fn amt(a: &Allocation, x: Amount) -> String {
    x.exact(unit_of(a))
}

fn header(a: &Allocation) -> Vec<String> {
    let mut out = vec![
        a.title.clone(),
        format!(
            "分配单位：{}；年度：{}；总资金：{}{}；舍入到{}（最大余额法）",
            a.allocator,
            a.year,
            amt(a, a.pool),
            a.unit,
            a.rounding
        ),
    ];
    if a.assessed.is_some() {
        let mut src = format!(
            "考核数据：{}{}",
            a.kpi_source.as_deref().unwrap_or("（未注明来源）"),
            a.kpi_date
                .as_deref()
                .map(|d| format!("，截至{d}"))
                .unwrap_or_default()
        );
        if a.illustrative {
            src.push_str("【示例数据，非真实统计】");
        }
        out.push(src);
    }
    out
}

/// The plain-text report: ranking, allocation table, each line's amounts with how they
/// follow, each score's trace, and the figures for the self-evaluation table.
pub fn text(a: &Allocation) -> String {
    let mut o = header(a).join("\n");
    o.push_str("\n\n");
    if let Some(s) = &a.assessed {
        o.push_str("一、考核结果（按名次）\n");
        let names: Vec<&str> = a.indicators.iter().map(|i| i.name.as_str()).collect();
        o.push_str(&format!("名次\t单位\t总分\t{}\n", names.join("\t")));
        for &r in &s.order {
            let parts: Vec<String> = s.scores[r].iter().map(|x| x.score.to_fixed(2)).collect();
            o.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                s.ranks[r],
                a.recipients[r].name,
                s.totals[r].to_fixed(2),
                parts.join("\t")
            ));
        }
        o.push('\n');
    }
    o.push_str(&format!("二、分配表（单位：{}）\n", a.unit));
    let heads: Vec<&str> = a.lines.iter().map(|l| l.name.as_str()).collect();
    o.push_str(&format!("单位\t{}\t合计\n", heads.join("\t")));
    for r in &a.recipients {
        let cells: Vec<String> = r.amounts.iter().map(|x| amt(a, *x)).collect();
        o.push_str(&format!(
            "{}\t{}\t{}\n",
            r.name,
            cells.join("\t"),
            amt(a, r.total)
        ));
    }
    if !a.unassigned.is_zero() {
        o.push_str(&format!("（未指定单位的项目）\t{}\n", amt(a, a.unassigned)));
    }
    let totals: Vec<String> = a.lines.iter().map(|l| amt(a, l.allocated)).collect();
    o.push_str(&format!(
        "合计\t{}\t{}\n\n",
        totals.join("\t"),
        amt(a, a.total)
    ));
    o.push_str("三、各分配行\n");
    for (k, l) in a.lines.iter().enumerate() {
        o.push_str(&format!(
            "（{}）{}（{}）：资金{}{u}，已分配{}{u}{}\n",
            k + 1,
            l.name,
            l.rule,
            amt(a, l.budget),
            amt(a, l.allocated),
            if l.unallocated.is_zero() {
                String::new()
            } else {
                format!("，结余{}{}", amt(a, l.unallocated), a.unit)
            },
            u = a.unit
        ));
        if let Some(n) = &l.note {
            o.push_str(&format!("  说明：{n}\n"));
        }
        for s in &l.shares {
            let who = match (s.recipient, &s.item) {
                (Some(r), Some(i)) => format!("{}（{}）", i, a.recipients[r].name),
                (Some(r), None) => a.recipients[r].name.clone(),
                (None, Some(i)) => i.clone(),
                (None, None) => String::new(),
            };
            o.push_str(&format!(
                "  {who}：{} → {}{}\n",
                s.how,
                amt(a, s.amount),
                a.unit
            ));
        }
    }
    if let Some(s) = &a.assessed {
        o.push_str(&score_trace(a, s));
    }
    o.push_str("\n五、用于转移支付绩效自评表的数值\n");
    if a.derived.assessed > 0 {
        o.push_str(&format!(
            "  数量指标：考核单位数 {}个\n",
            a.derived.assessed
        ));
    }
    o.push_str(&format!(
        "  数量指标：获得资金的单位数 {}个\n",
        a.derived.funded
    ));
    for (name, c) in &a.derived.costs {
        o.push_str(&format!("  成本指标：{name}：{c}\n"));
    }
    o
}

/// Each recipient in rank order: its heading (name, rank, total) and one line per indicator
/// (the data, its provenance, the scoring and the weighted score).
fn trace_lines(a: &Allocation, s: &crate::Assessed) -> Vec<(String, Vec<String>)> {
    s.order
        .iter()
        .map(|&r| {
            let head = format!(
                "{}（第{}名，总分{}）",
                a.recipients[r].name,
                s.ranks[r],
                s.totals[r].display_exact()
            );
            let lines = s.scores[r]
                .iter()
                .map(|x| {
                    let p = &x.provenance;
                    format!(
                        "{}：数据 {}（{} 第{}行{}{}）；{} = {} 分；× 权重 = {}",
                        x.name,
                        x.value.display_exact(),
                        p.file,
                        p.row,
                        p.date
                            .as_deref()
                            .map(|d| format!("，{d}"))
                            .unwrap_or_default(),
                        p.source
                            .as_deref()
                            .map(|d| format!("，{d}"))
                            .unwrap_or_default(),
                        x.how,
                        x.score.display_exact(),
                        x.weighted.display_exact()
                    )
                })
                .collect();
            (head, lines)
        })
        .collect()
}

/// 四、得分计算过程: each recipient's data, its provenance and its scores.
fn score_trace(a: &Allocation, s: &crate::Assessed) -> String {
    let mut o = String::new();
    o.push_str("\n四、得分计算过程\n");
    for (head, lines) in trace_lines(a, s) {
        o.push_str(&head);
        o.push('\n');
        for l in lines {
            o.push_str(&format!("  {l}\n"));
        }
    }
    o
}

/// 得分计算过程 in HTML: one `<details>` per recipient, in rank order.
fn score_trace_html(a: &Allocation, s: &crate::Assessed) -> String {
    let mut o = String::from("<h2>得分计算过程</h2>\n");
    for (head, lines) in trace_lines(a, s) {
        o.push_str(&format!("<details><summary>{}</summary><ul>", esc(&head)));
        for l in lines {
            o.push_str(&format!("<li>{}</li>", esc(&l)));
        }
        o.push_str("</ul></details>\n");
    }
    o
}

use juesuan_core::markup::escape as esc;

/// A self-contained HTML page (no scripts) with the same content as [`text`].
pub fn html(a: &Allocation) -> String {
    let mut o =
        String::from("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    o.push_str(&format!("<title>{}</title>", esc(&a.title)));
    o.push_str("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.2em .6em}td.n{text-align:right}.how{color:#444;font-size:90%}</style></head><body>\n");
    let h = header(a);
    o.push_str(&format!("<h1>{}</h1>\n", esc(&h[0])));
    o.push_str(&html_body(a));
    o.push_str("</body></html>\n");
    o
}

/// The content of [`html`] below its title, for a page that has its own heading and style
/// (the web app): the plan's facts, the ranking, the allocation table, each line and the
/// figures for the self-evaluation table. Headings start at `<h2>`.
pub fn html_body(a: &Allocation) -> String {
    let mut o = String::new();
    let h = header(a);
    for p in &h[1..] {
        o.push_str(&format!("<p>{}</p>\n", esc(p)));
    }
    if let Some(s) = &a.assessed {
        o.push_str("<h2>考核结果</h2><table><tr><th>名次</th><th>单位</th><th>总分</th>");
        for i in &a.indicators {
            o.push_str(&format!("<th>{}（权重{}）</th>", esc(&i.name), i.weight));
        }
        o.push_str("</tr>\n");
        for &r in &s.order {
            o.push_str(&format!(
                "<tr><td class=n>{}</td><td>{}</td><td class=n>{}</td>",
                s.ranks[r],
                esc(&a.recipients[r].name),
                s.totals[r].to_fixed(2)
            ));
            for x in &s.scores[r] {
                o.push_str(&format!(
                    "<td class=n title=\"{}\">{}</td>",
                    esc(&format!("数据{}：{}", x.value.display_exact(), x.how)),
                    x.score.to_fixed(2)
                ));
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</table>\n");
    }
    o.push_str(&format!(
        "<h2>分配表（单位：{}）</h2><table><tr><th>单位</th>",
        esc(a.unit)
    ));
    for l in &a.lines {
        o.push_str(&format!("<th>{}</th>", esc(&l.name)));
    }
    o.push_str("<th>合计</th></tr>\n");
    for r in &a.recipients {
        o.push_str(&format!("<tr><td>{}</td>", esc(&r.name)));
        for x in &r.amounts {
            o.push_str(&format!("<td class=n>{}</td>", amt(a, *x)));
        }
        o.push_str(&format!("<td class=n>{}</td></tr>\n", amt(a, r.total)));
    }
    o.push_str("<tr><th>合计</th>");
    for l in &a.lines {
        o.push_str(&format!("<th class=n>{}</th>", amt(a, l.allocated)));
    }
    o.push_str(&format!(
        "<th class=n>{}</th></tr></table>\n<h2>各分配行</h2>\n",
        amt(a, a.total)
    ));
    for l in &a.lines {
        o.push_str(&format!(
            "<h3>{}（{}）：资金{}{}</h3><ul>\n",
            esc(&l.name),
            l.rule,
            amt(a, l.budget),
            esc(a.unit)
        ));
        for s in l.shares.iter().filter(|s| !s.amount.is_zero()) {
            let who = s
                .item
                .clone()
                .or_else(|| s.recipient.map(|r| a.recipients[r].name.clone()))
                .unwrap_or_default();
            o.push_str(&format!(
                "<li>{}：{}{} <span class=how>{}</span></li>\n",
                esc(&who),
                amt(a, s.amount),
                esc(a.unit),
                esc(&s.how)
            ));
        }
        o.push_str("</ul>\n");
    }
    if let Some(s) = &a.assessed {
        o.push_str(&score_trace_html(a, s));
    }
    o.push_str("<h2>用于转移支付绩效自评表的数值</h2><ul>\n");
    o.push_str(&format!(
        "<li>数量指标：考核单位数 {}个；获得资金的单位数 {}个</li>\n",
        a.derived.assessed, a.derived.funded
    ));
    for (name, c) in &a.derived.costs {
        o.push_str(&format!("<li>成本指标：{}：{}</li>\n", esc(name), esc(c)));
    }
    o.push_str("</ul>\n");
    o
}
