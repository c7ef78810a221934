//! Checks inside a table and across tables, exact over rounding intervals: a printed cell
//! stands for any value within half a unit of its last digit, so honest rounding of every
//! cell never fails and anything beyond it does.

use super::{StatedCell, StatedRow, StatedTable};
use crate::interval::agree;
use crate::model::{Check, Kind, Outcome, TableCoverage};
use juesuan_core::ratio::Ratio;
use std::collections::HashMap;

/// Columns that add up to the 合计 column before them. Only these: a header naming any
/// other column (结转下年资金, a grouped 三公 header) is not known to add up.
const PARTS_OF_TOTAL: [&[&str]; 2] = [
    &[
        "基本支出",
        "项目支出",
        "上缴上级支出",
        "经营支出",
        "事业单位经营支出",
        "对附属单位补助支出",
        "单位预留机动经费",
    ],
    &["人员经费", "公用经费"],
];

/// The amount columns a header row names one by one: a 合计 (小计, 总计) cell followed only
/// by columns of one set of [`PARTS_OF_TOTAL`]. Returns them from the 合计 on.
pub(crate) fn total_columns(t: &StatedTable) -> Option<Vec<String>> {
    t.header.iter().rev().find_map(|h| {
        let at = h.iter().position(|c| is_total(c))?;
        let parts = &h[at + 1..];
        let known = PARTS_OF_TOTAL
            .iter()
            .any(|set| parts.iter().all(|p| set.contains(&p.as_str())));
        (!parts.is_empty() && known).then(|| h[at..].to_vec())
    })
}

pub(super) fn is_total(label: &str) -> bool {
    matches!(label, "合计" | "总计" | "小计")
}

/// The number of amount columns of a single-segment row when every cell is filled: the
/// header's count, else the most amounts any row has. A row with fewer amounts has blank
/// cells, and which column each of its amounts stands in is not known: it is not used.
fn width(t: &StatedTable) -> usize {
    if !t.columns.is_empty() {
        return t.columns.len();
    }
    t.rows
        .iter()
        .filter(|r| r.more.is_empty())
        .map(|r| r.cells.len())
        .max()
        .unwrap_or(0)
}

/// A row's amount in each of the table's last `n` columns: every cell filled, or the row's
/// amounts placed under the header by position, a column without one a known blank (`None`).
/// `None` when which column an amount stands in is not known.
pub(super) fn amounts<'a>(
    t: &StatedTable,
    r: &'a StatedRow,
    n: usize,
) -> Option<Vec<Option<&'a StatedCell>>> {
    if !r.more.is_empty() || n == 0 {
        return None;
    }
    if r.cells.len() == n {
        return Some(r.cells.iter().map(Some).collect());
    }
    // The amount columns are the header's last `n` columns, named as `columns` names them.
    let first = t.paths.len().checked_sub(n)?;
    let named = t.columns.is_empty()
        || t.columns
            .iter()
            .zip(&t.paths[first..])
            .all(|(c, p)| p.rsplit('/').next() == Some(c.as_str()));
    // Unnamed columns: each holds amounts in some row (a label column never counts as one).
    let holds = |k: usize| {
        t.rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .any(|c| c.column == Some(k))
    };
    if !r.placed || !named || (t.columns.is_empty() && !(first..t.paths.len()).all(holds)) {
        return None;
    }
    let mut out = vec![None; n];
    for c in &r.cells {
        let j = c.column?.checked_sub(first)?;
        *out.get_mut(j)? = Some(c);
    }
    Some(out)
}

fn column_name(t: &StatedTable, j: usize, n: usize) -> String {
    match t.columns.get(j) {
        Some(c) if t.columns.len() == n => format!("“{c}”栏"),
        _ if n == 1 => "金额栏".into(),
        _ => format!("第{}个金额栏", j + 1),
    }
}

/// The sum of parts and the slack of their rounding together with the stated cell's.
fn sum(stated: &StatedCell, parts: &[&StatedCell]) -> Option<(Ratio, Ratio)> {
    // One part printed to the stated figure's precision is the same amount rounded the same
    // way: the two printed figures are equal, with no rounding slack (10.00 beside 10.01 is
    // an error, though the intervals [9.995, 10.005] and [10.005, 10.015] touch).
    if let [part] = parts {
        if part.decimals == stated.decimals && part.half == stated.half {
            return Some((part.value, Ratio::ZERO));
        }
    }
    let mut total = Ratio::ZERO;
    let mut slack = stated.half;
    for p in parts {
        total = total.checked_add(p.value).ok()?;
        slack = slack.checked_add(p.half).ok()?;
    }
    Some((total, slack))
}

pub(super) struct Out<'a> {
    checks: Vec<Check>,
    pub(super) cov: &'a mut TableCoverage,
}

impl Out<'_> {
    /// Each of the `n` amount columns of `total` against the same column of `rows`.
    fn rows_sum(
        &mut self,
        t: &StatedTable,
        total: &StatedRow,
        rows: &[&StatedRow],
        n: usize,
        kind: Kind,
        relation: &str,
    ) {
        let Some(stated) = amounts(t, total, n) else {
            return;
        };
        let rows: Vec<Vec<Option<&StatedCell>>> =
            rows.iter().filter_map(|r| amounts(t, r, n)).collect();
        for j in 0..n {
            // Blank parts add nothing; a blank total beside amounts is not decided here.
            let parts: Vec<&StatedCell> = rows.iter().filter_map(|r| r[j]).collect();
            let Some(cell) = stated[j] else {
                if !parts.is_empty() {
                    self.cov.undecided += 1;
                }
                continue;
            };
            self.sum_check(
                t,
                total,
                kind,
                cell,
                &parts,
                &column_name(t, j, n),
                relation,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn sum_check(
        &mut self,
        t: &StatedTable,
        row: &StatedRow,
        kind: Kind,
        stated: &StatedCell,
        parts: &[&StatedCell],
        column: &str,
        relation: &str,
    ) {
        let name = row.name();
        self.sum_check_named(t, row, &name, kind, stated, parts, column, relation);
    }

    /// [`sum_check`](Self::sum_check) of a figure named other than by its row's label (the
    /// spending side of a 收支总表 row).
    #[allow(clippy::too_many_arguments)]
    fn sum_check_named(
        &mut self,
        t: &StatedTable,
        row: &StatedRow,
        name: &str,
        kind: Kind,
        stated: &StatedCell,
        parts: &[&StatedCell],
        column: &str,
        relation: &str,
    ) {
        let Some((total, slack)) = sum(stated, parts) else {
            return;
        };
        let outcome = agree(stated.value, total, slack);
        let expected = total.to_fixed(stated.decimals);
        let shown: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
        let message = format!(
            "表“{}”中“{name}”{}填写{}，{}：{} = {}",
            t.title,
            column,
            stated.text,
            relation,
            if shown.is_empty() {
                "（无）".to_string()
            } else {
                shown.join(" + ")
            },
            expected
        );
        let mut figures = vec![stated.place];
        figures.extend(parts.iter().map(|p| p.place));
        self.push(
            t,
            row,
            kind,
            outcome,
            (stated.text.clone(), expected),
            message,
            figures,
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn push(
        &mut self,
        t: &StatedTable,
        row: &StatedRow,
        kind: Kind,
        outcome: Outcome,
        values: (String, String),
        message: String,
        figures: Vec<crate::model::Place>,
    ) {
        self.checks.push(Check {
            kind,
            outcome,
            line: row.line,
            page: row.page,
            section: t.title.clone(),
            quote: row.text.clone(),
            stated: values.0,
            expected: values.1,
            message,
            figures,
        });
    }
}

/// Every check the recognised tables allow; relations that cannot be decided (blank cells
/// that leave columns unknown, a code printed twice) are counted in the coverage.
pub(crate) fn run(tables: &[StatedTable], cov: &mut TableCoverage) -> Vec<Check> {
    let mut out = Out {
        checks: Vec::new(),
        cov,
    };
    for t in tables {
        codes(t, &mut out);
        enumerated_total(t, &mut out);
        columns(t, &mut out);
        super::groups::sums(t, &mut out);
        balance(t, &mut out);
        summary_sides(t, &mut out);
    }
    across(tables, &mut out);
    super::same::amounts(tables, &mut out);
    super::same::names(tables, &mut out);
    out.checks
}

/// Rows by code, for the codes printed once in the table.
pub(super) fn by_code(t: &StatedTable) -> HashMap<&str, &StatedRow> {
    let mut seen: HashMap<&str, Vec<&StatedRow>> = HashMap::new();
    for r in &t.rows {
        if let Some(c) = &r.code {
            seen.entry(c.as_str()).or_default().push(r);
        }
    }
    seen.into_iter()
        .filter(|(_, v)| v.len() == 1)
        .map(|(c, v)| (c, v[0]))
        .collect()
}

/// 类 = Σ 款, 款 = Σ 项 (by code prefix), and 合计 = Σ 类.
fn codes(t: &StatedTable, out: &mut Out) {
    let n = width(t);
    let rows = by_code(t);
    if rows.is_empty() || n == 0 {
        return;
    }
    let full = |r: &StatedRow| amounts(t, r, n).is_some();
    let mut parents: Vec<&&StatedRow> = rows
        .values()
        .filter(|r| r.code.as_ref().is_some_and(|c| c.len() < 7))
        .collect();
    parents.sort_by_key(|r| r.line);
    for p in parents {
        let code = p.code.as_deref().expect("code");
        let mut children: Vec<&StatedRow> = t
            .rows
            .iter()
            .filter(|r| {
                r.code
                    .as_ref()
                    .is_some_and(|c| c.len() == code.len() + 2 && c.starts_with(code))
            })
            .collect();
        if children.is_empty() {
            continue;
        }
        children.sort_by_key(|r| r.line);
        let level = if code.len() == 3 {
            "其下各款"
        } else {
            "其下各项"
        };
        if !full(p) || !children.iter().all(|c| full(c)) {
            out.cov.undecided += 1;
            continue;
        }
        out.rows_sum(
            t,
            p,
            &children,
            n,
            Kind::TableHierarchy,
            &format!("应为{level}之和"),
        );
    }
    // 合计 = Σ 类, when every coded row falls under a 类 printed in the table.
    let classes: Vec<&StatedRow> = {
        let mut v: Vec<&StatedRow> = rows
            .values()
            .filter(|r| r.code.as_ref().is_some_and(|c| c.len() == 3))
            .copied()
            .collect();
        v.sort_by_key(|r| r.line);
        v
    };
    // A data row outside every 类 ("未细化到经济分类科目的支出") is part of the 合计 the
    // classes do not cover: the relation is not Σ 类 then.
    let outside = t.rows.iter().any(|r| {
        r.code.is_none() && !is_total(&r.label) && !r.label.contains("合计") && !r.cells.is_empty()
    });
    let complete = !classes.is_empty()
        && !outside
        && t.rows
            .iter()
            .filter_map(|r| r.code.as_ref())
            .all(|c| classes.iter().any(|k| k.code.as_deref() == c.get(..3)));
    let totals: Vec<&StatedRow> = t
        .rows
        .iter()
        .filter(|r| r.code.is_none() && is_total(&r.label))
        .collect();
    for total in totals {
        if !complete || !full(total) || !classes.iter().all(|c| full(c)) {
            out.cov.undecided += 1;
            continue;
        }
        out.rows_sum(t, total, &classes, n, Kind::TableTotal, "应为各类之和");
    }
}

/// 合计 = Σ the rows numbered "一、" "二、"… in a table without codes (政府采购: 货物、工程、服务).
/// Not in a 收支总表, whose numbered rows are two sides and whose totals have other names.
fn enumerated_total(t: &StatedTable, out: &mut Out) {
    if t.rows.iter().any(|r| r.code.is_some())
        || t.title.contains("总表")
        || t.title.contains("收支")
    {
        return;
    }
    let numbered = lazy_regex!(r"^[一二三四五六七八九十]+、");
    let top: Vec<&StatedRow> = t
        .rows
        .iter()
        .filter(|r| numbered.is_match(&r.label))
        .collect();
    let n = width(t);
    for total in t.rows.iter().filter(|r| r.label == "合计") {
        if top.len() < 2 {
            continue;
        }
        let full = |r: &StatedRow| amounts(t, r, n).is_some();
        if !full(total) || !top.iter().all(|r| full(r)) {
            out.cov.undecided += 1;
            continue;
        }
        out.rows_sum(
            t,
            total,
            &top,
            n,
            Kind::TableTotal,
            "应为编号各项（一、二、…）之和",
        );
    }
}

/// 合计栏 = Σ its component columns, where the header names them (合计 基本支出 项目支出).
fn columns(t: &StatedTable, out: &mut Out) {
    let n = t.columns.len();
    if n < 2 {
        return;
    }
    let parts_name = t.columns[1..].join("、");
    for r in &t.rows {
        if !r.more.is_empty() {
            continue;
        }
        let Some(cells) = amounts(t, r, n) else {
            if r.cells.len() > 1 {
                out.cov.undecided += 1;
            }
            continue;
        };
        let parts: Vec<&StatedCell> = cells[1..].iter().flatten().copied().collect();
        let Some(stated) = cells[0] else {
            if !parts.is_empty() {
                out.cov.undecided += 1;
            }
            continue;
        };
        out.sum_check(
            t,
            r,
            Kind::TableColumns,
            stated,
            &parts,
            &format!("“{}”栏", t.columns[0]),
            &format!("应为{parts_name}之和"),
        );
    }
}

/// A 收支总表 balances: 收入合计 (总计) = 支出合计 (总计), printed side by side.
fn balance(t: &StatedTable, out: &mut Out) {
    let two_sided =
        (t.title.contains("收支") || t.title.contains("收入支出")) && t.title.contains("总表");
    if !two_sided {
        return;
    }
    for r in &t.rows {
        let income = matches!(r.label.as_str(), "收入合计" | "收入总计" | "总计");
        let Some((_, spent)) = r
            .more
            .iter()
            .find(|(l, _)| matches!(l.as_str(), "支出合计" | "支出总计" | "总计"))
        else {
            continue;
        };
        if !income || r.cells.len() != 1 || spent.len() != 1 {
            continue;
        }
        out.sum_check(
            t,
            r,
            Kind::TableBalance,
            &spent[0],
            &[&r.cells[0]],
            "支出方",
            &format!("收支总表应收支平衡，应等于收入方“{}”", r.label),
        );
    }
}

/// In a 收支总表, each side's total (收入合计, 本年收入合计; 支出合计, 本年支出合计) = the
/// rows numbered "一、" "二、"… above it on the same side, back to the previous total.
///
/// A side is known by the header column its amount stands under (the first amount column is
/// the income side, the second the spending side); a blank amount adds nothing. A group is
/// not decided when a numbered label's side is unknown (a lone label without an amount) or
/// its numbering is not 一、二、三… in order (a second list, such as 基本支出/项目支出 after
/// the 功能分类 classes, restarting at 一).
fn summary_sides(t: &StatedTable, out: &mut Out) {
    let two_sided =
        (t.title.contains("收支") || t.title.contains("收入支出")) && t.title.contains("总表");
    let amount_columns: Vec<usize> = t
        .paths
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let last = p.rsplit('/').next().unwrap_or(p);
            let label = ["项目", "名称", "科目", "行次", "栏次"];
            !label.iter().any(|l| last.contains(l))
        })
        .map(|(i, _)| i)
        .collect();
    if !two_sided || amount_columns.len() != 2 {
        return;
    }
    let mut groups: [SideGroup; 2] = Default::default();
    for r in &t.rows {
        let segments = std::iter::once((r.label.as_str(), r.cells.as_slice()))
            .chain(r.more.iter().map(|(l, c)| (l.as_str(), c.as_slice())));
        let lone = r.more.is_empty();
        for (k, (label, cells)) in segments.enumerate() {
            let side = match cells {
                [c] => c
                    .column
                    .and_then(|col| amount_columns.iter().position(|&a| a == col)),
                [] if r.placed && !lone => Some(k.min(1)),
                _ => None,
            };
            let numbered = ordinal(label);
            let total = side_total(label);
            match side {
                Some(s) if total.is_some_and(|t| t == s) => {
                    let g = std::mem::take(&mut groups[s]);
                    if let ([stated], true) = (cells, g.decided && g.rows.len() >= 2) {
                        let parts: Vec<&StatedCell> = g.rows.iter().filter_map(|c| *c).collect();
                        out.sum_check_named(
                            t,
                            r,
                            label,
                            Kind::TableTotal,
                            stated,
                            &parts,
                            "",
                            "应为其上编号各项（一、二、…）之和",
                        );
                    } else if g.rows.len() >= 2 {
                        out.cov.undecided += 1;
                    }
                }
                Some(s) => {
                    if let Some(n) = numbered {
                        groups[s].push(n, cells.first());
                    }
                }
                None if numbered.is_some() => {
                    for g in &mut groups {
                        g.decided = false;
                    }
                }
                None => {}
            }
        }
    }
}

/// The numbered rows of one side of a 收支总表 since its last total.
struct SideGroup<'a> {
    rows: Vec<Option<&'a StatedCell>>,
    next: u32,
    decided: bool,
}

impl Default for SideGroup<'_> {
    fn default() -> Self {
        SideGroup {
            rows: Vec::new(),
            next: 1,
            decided: true,
        }
    }
}

impl<'a> SideGroup<'a> {
    fn push(&mut self, ordinal: u32, cell: Option<&'a StatedCell>) {
        if ordinal != self.next {
            self.decided = false;
        }
        self.next = ordinal + 1;
        self.rows.push(cell);
    }
}

/// 0 for an income total, 1 for a spending total of a 收支总表.
fn side_total(label: &str) -> Option<usize> {
    match label {
        "收入合计" | "本年收入合计" => Some(0),
        "支出合计" | "本年支出合计" => Some(1),
        _ => None,
    }
}

/// The number of a label "一、…" to "二十、…".
fn ordinal(label: &str) -> Option<u32> {
    let head = label.split_once('、')?.0;
    let digit = |c: char| "一二三四五六七八九".find(c).map(|i| i as u32 / 3 + 1);
    let chars: Vec<char> = head.chars().collect();
    match chars.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => digit(*a),
        ['十', b] => Some(10 + digit(*b)?),
        [a, '十'] => Some(digit(*a)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// The fund a table is of: 2 一般公共预算 (拨款), 1 财政拨款, 0 all funds. Its title
/// without the fund and the "（功能科目）" note names what it lists.
fn fund_of(title: &str) -> (u8, String) {
    let base = lazy_regex!(r"[（(][^（）()]*[）)]$").replace(title, "");
    let base = lazy_regex!(r"^\d{4}年(?:度)?").replace(&base, "");
    let rank = if base.contains("一般公共预算") {
        2
    } else if base.contains("财政拨款") {
        1
    } else {
        0
    };
    let bare = base
        .replace("一般公共预算财政拨款", "")
        .replace("一般公共预算", "")
        .replace("财政拨款", "");
    (rank, bare)
}

/// The same 科目 in a table of a narrower fund and one of a wider fund listing the same
/// thing (一般公共预算支出表 within 财政拨款支出表 within 支出表): the narrower amount cannot
/// exceed the wider one. Equality is not certain (政府性基金 and 国有资本经营预算 differ),
/// so only this bound is checked, on tables of one amount column.
fn across(tables: &[StatedTable], out: &mut Out) {
    for narrow in tables {
        let (rn, base) = fund_of(&narrow.title);
        if rn == 0 || base.contains("总表") || width(narrow) != 1 {
            continue;
        }
        let Some(wide) = tables.iter().find(|w| {
            let (rw, b) = fund_of(&w.title);
            rw < rn && b == base && width(w) == 1
        }) else {
            continue;
        };
        let wide_rows = by_code(wide);
        let mut codes: Vec<(&str, &StatedRow)> = by_code(narrow).into_iter().collect();
        codes.sort_by_key(|(_, r)| r.line);
        for (code, r) in codes {
            let Some(w) = wide_rows.get(code) else {
                continue;
            };
            let (Some(a), Some(b)) = (r.cells.first(), w.cells.first()) else {
                continue;
            };
            if r.cells.len() != 1 || w.cells.len() != 1 || !r.more.is_empty() {
                continue;
            }
            let scale = |t: &StatedTable| t.unit.map_or(Ratio::ONE, |u| u.0);
            let (Ok(av), Ok(bv), Ok(ah), Ok(bh)) = (
                a.value.checked_mul(scale(narrow)),
                b.value.checked_mul(scale(wide)),
                a.half.checked_mul(scale(narrow)),
                b.half.checked_mul(scale(wide)),
            ) else {
                continue;
            };
            let limit = bv.checked_add(bh).and_then(|x| x.checked_add(ah));
            let outcome = match limit {
                Ok(l) if av <= l => Outcome::Pass,
                Ok(_) => Outcome::Fail,
                Err(_) => continue,
            };
            let message = format!(
                "表“{}”中“{}”填写{}，不能超过表“{}”中同一科目的{}（一般公共预算是财政拨款的一部分，财政拨款是全部资金的一部分）",
                narrow.title,
                r.name(),
                a.text,
                wide.title,
                b.text
            );
            out.push(
                narrow,
                r,
                Kind::TableAcross,
                outcome,
                (a.text.clone(), format!("≤{}", b.text)),
                message,
                vec![a.place, b.place],
            );
        }
    }
}
