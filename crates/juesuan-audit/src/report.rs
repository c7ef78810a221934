//! The audit as a Chinese text report or an HTML page.

use crate::model::*;
use juesuan_core::markup::escape as esc;

/// The audit as a Chinese text report: failures with their quote, stated and expected value,
/// rounding notes, what could not be checked, and a one-line verdict.
pub fn report_text(a: &Audit, source: &str) -> String {
    use std::fmt::Write;
    let mut s = format!("核对：{source}\n");
    let count = |o: Outcome| a.checks.iter().filter(|c| c.outcome == o).count();
    for (outcome, title) in [
        (Outcome::Fail, "错误"),
        (Outcome::RoundingNote, "尾差提示"),
        (Outcome::ParseError, "无法解析"),
    ] {
        for c in a.checks.iter().filter(|c| c.outcome == outcome) {
            let page = c.page.map(|p| format!("第{p}页")).unwrap_or_default();
            let _ = writeln!(
                s,
                "\n{title}［{}］{page}第{}行（{}）：{}",
                c.kind.label(),
                c.line,
                if c.section.is_empty() {
                    "—"
                } else {
                    &c.section
                },
                c.message
            );
            if !c.stated.is_empty() || !c.expected.is_empty() {
                let _ = writeln!(s, "  填写：{}　应为：{}", c.stated, c.expected);
            }
            let _ = writeln!(s, "  原文：{}", c.quote);
        }
    }
    let _ = write!(s, "\n{}", coverage_text(&a.coverage));
    let _ = writeln!(
        s,
        "\n结论：{}。共核对{}处（通过{}，错误{}，尾差提示{}，数据不足{}，无法解析{}），识别金额{}个。",
        a.verdict().label(),
        a.checks.len(),
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::RoundingNote),
        count(Outcome::InsufficientData),
        count(Outcome::ParseError),
        a.figures
    );
    s
}

/// What was read and understood, with a few sentences no check understood.
pub fn coverage_text(c: &Coverage) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if !c.has_text {
        let _ = writeln!(
            s,
            "覆盖：文件中没有可读的文字（PDF 没有文字层，可能是扫描件；须先识别文字后再核对）。"
        );
        return s;
    }
    let pages = c.pages.map(|p| format!("读取{p}页；")).unwrap_or_default();
    let _ = writeln!(
        s,
        "覆盖：{pages}含金额或百分比的文字句子{}句，核对读到{}句，未读懂{}句；含数字的表格行{}行。",
        c.sentences_with_figures, c.understood, c.not_understood, c.table_rows
    );
    let t = &c.tables;
    let _ = write!(
        s,
        "表格：识别{}张表，读取数据行{}行；因空白单元格无法确定栏次而未核对的关系{}处",
        t.tables, t.rows, t.undecided
    );
    if t.unrecognised.is_empty() {
        let _ = writeln!(s, "。");
    } else {
        let _ = writeln!(
            s,
            "；未能读取的表{}张：{}。",
            t.unrecognised.len(),
            t.unrecognised.join("、")
        );
    }
    if let Some(set) = &t.template_set {
        let _ = writeln!(
            s,
            "表样：{}张表对应到{}表样{}，未对应{}张{}；未能对应的栏和行{}处；审核公式核对{}处，错误{}，无法核对的规则{}条（原因见各条）。",
            t.matched.len(),
            if set == "national-budget" { "部门预算公开" } else { "部门决算公开" },
            format_args!("（{set}）"),
            t.unmatched.len(),
            if t.unmatched.is_empty() {
                String::new()
            } else {
                format!("（{}）", t.unmatched.join("、"))
            },
            t.unplaced,
            t.rule_checks,
            t.rule_failures,
            t.rules_unevaluated
        );
    }
    if !c.examples.is_empty() {
        let _ = writeln!(s, "未读懂的句子（前{}句）：", c.examples.len());
        for u in &c.examples {
            let page = u.page.map(|p| format!("第{p}页")).unwrap_or_default();
            let _ = writeln!(s, "  {page}第{}行：{}", u.line, u.quote);
        }
    }
    s
}

/// The audit as a self-contained HTML page: the verdict, then every check that did not pass
/// (errors first) with its quote, then the passes.
pub fn report_html(a: &Audit, source: &str) -> String {
    use std::fmt::Write;
    let label = |o: Outcome| match o {
        Outcome::Pass => "通过",
        Outcome::Fail => "错误",
        Outcome::RoundingNote => "尾差提示",
        Outcome::NotApplicable => "不适用",
        Outcome::InsufficientData => "数据不足",
        Outcome::ParseError => "无法解析",
        Outcome::ExecutionError => "执行错误",
    };
    let order = [
        Outcome::Fail,
        Outcome::RoundingNote,
        Outcome::ParseError,
        Outcome::InsufficientData,
        Outcome::NotApplicable,
        Outcome::Pass,
    ];
    let fails = a.failures().count();
    let mut rows = String::new();
    for o in order {
        for c in a.checks.iter().filter(|c| c.outcome == o) {
            let _ = writeln!(
                rows,
                "<tr class=\"{:?}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"quote\">{}</td></tr>",
                o,
                label(o),
                c.kind.label(),
                c.line,
                esc(&c.section),
                esc(&c.stated),
                esc(&c.expected),
                esc(&c.message),
                esc(&c.quote)
            );
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>核对：{src}</title>\n<style>\nbody {{ font-family: \"Noto Sans CJK SC\", \"Microsoft YaHei\", sans-serif; margin: 1.5em; }}\ntable {{ border-collapse: collapse; width: 100%; font-size: 13px; }}\nth, td {{ border: 1px solid #999; padding: 3px 6px; vertical-align: top; }}\ntd.num {{ text-align: right; white-space: nowrap; }}\ntd.quote {{ color: #444; }}\ntr.Fail td {{ background: #fde8e8; }}\ntr.RoundingNote td {{ background: #fff6dd; }}\n</style>\n</head>\n<body>\n<h1>核对：{src}</h1>\n<p class=\"verdict\">{verdict}：共核对{n}处，错误{fails}处。</p>\n<pre class=\"coverage\">{coverage}</pre>\n<table>\n<thead><tr><th>结果</th><th>核对</th><th>行</th><th>所在部分</th><th>填写</th><th>应为</th><th>说明</th><th>原文</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</body>\n</html>\n",
        src = esc(source),
        verdict = a.verdict().label(),
        coverage = esc(&coverage_text(&a.coverage)),
        n = a.checks.len(),
    )
}
