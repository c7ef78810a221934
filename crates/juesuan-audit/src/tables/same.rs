//! The same figure in different tables: a 科目 printed in several tables of one fund and one
//! part of spending has one amount, and a 科目编码 carries one name (and a name under one
//! parent one code) in every table. Only what is certain is compared: the total column of
//! tables whose columns are known, in tables whose fund and part their titles name.

use super::checks::{by_code, is_total, Out};
use super::{StatedCell, StatedRow, StatedTable};
use crate::model::{Kind, Outcome};
use juesuan_core::ratio::Ratio;
use std::collections::{BTreeMap, HashSet};

/// The fund a table lists, by its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fund {
    /// All funds (支出总表, 支出决算表, 部门支出总表).
    All,
    /// 财政拨款: 一般公共预算 + 政府性基金 + 国有资本经营预算.
    Appropriation,
    /// 一般公共预算（财政拨款）.
    General,
    /// 政府性基金预算.
    Government,
    StateCapital,
}

/// The part of spending an amount is: all of it, 基本支出 or 项目支出.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    All,
    Basic,
    Project,
}

impl Part {
    fn column(self) -> &'static str {
        match self {
            Part::All => "合计",
            Part::Basic => "基本支出",
            Part::Project => "项目支出",
        }
    }
}

/// The title without a leading note ("（无政府性基金支出）"), a trailing note ("（功能科目）")
/// and a "合计" the reader glued before it; and the leading note.
fn title_parts(title: &str) -> (String, String) {
    let lead = lazy_regex!(r"^[（(]([^（）()]*)[）)]");
    let note = lead
        .captures(title)
        .map_or(String::new(), |c| c[1].to_string());
    let t = lead.replace(title, "");
    let t = lazy_regex!(r"[（(][^（）()]*[）)]$").replace(&t, "");
    let t = t.strip_prefix("合计").unwrap_or(&t).to_string();
    (t, note)
}

/// Fund and part of a table listing expenditure by 科目 (支出表); `None` for other tables
/// (income, 收支总表, 三公, 机关运行经费, 政府采购, 结转结余: other quantities).
fn scope_of(title: &str) -> Option<(Fund, Part)> {
    let (t, _) = title_parts(title);
    let other = [
        "收入",
        "收支",
        "三公",
        "采购",
        "机关运行",
        "结转",
        "结余",
        "资产",
        "人员",
        "公用",
    ];
    if !t.contains("支出") || other.iter().any(|w| t.contains(w)) {
        return None;
    }
    let fund = if t.contains("政府性基金") {
        Fund::Government
    } else if t.contains("国有资本经营") {
        Fund::StateCapital
    } else if t.contains("一般公共预算") {
        Fund::General
    } else if t.contains("财政拨款") {
        Fund::Appropriation
    } else {
        Fund::All
    };
    let part = if t.contains("基本支出") {
        Part::Basic
    } else if t.contains("项目支出") {
        Part::Project
    } else {
        Part::All
    };
    Some((fund, part))
}

/// A table of one amount column: a header, and one amount in every row.
fn single_column(t: &StatedTable) -> bool {
    !t.header.is_empty()
        && t.rows
            .iter()
            .all(|r| r.more.is_empty() && r.cells.len() == 1)
}

/// The cell of `part` in a row of `t` (of part `own`), when the table's columns are known:
/// its total column for its own part, the named column (基本支出, 项目支出) of an all-parts
/// table whose header names 合计 and its parts.
fn cell_of<'a>(
    t: &StatedTable,
    own: Part,
    row: &'a StatedRow,
    part: Part,
) -> Option<&'a StatedCell> {
    if !row.more.is_empty() {
        return None;
    }
    if !t.columns.is_empty() {
        if row.cells.len() != t.columns.len() {
            return None;
        }
        let j = if own == part {
            0
        } else if own == Part::All {
            t.columns.iter().position(|c| c == part.column())?
        } else {
            return None;
        };
        return row.cells.get(j);
    }
    (own == part && single_column(t))
        .then(|| row.cells.first())
        .flatten()
}

/// The column an amount of `part` stands in, as the header names it.
fn column_of(t: &StatedTable, own: Part, part: Part) -> String {
    match t.columns.first() {
        Some(total) if own == part => total.clone(),
        Some(_) => part.column().to_string(),
        None => "金额".to_string(),
    }
}

/// One printed amount of a 科目 (or of the 合计 row) in one table, in 万元.
struct Entry<'a> {
    table: &'a StatedTable,
    row: &'a StatedRow,
    cell: &'a StatedCell,
    column: String,
    value: Ratio,
    half: Ratio,
}

impl Entry<'_> {
    fn scale(&self) -> Ratio {
        self.table.unit.map_or(Ratio::ONE, |u| u.0)
    }
}

/// Whether the tables show that 财政拨款 is all 一般公共预算: a 政府性基金 table printed
/// without any amount other than 0 (or a title saying there is none: "（无政府性基金支出）"),
/// and no 国有资本经营预算 amount other than 0 anywhere.
fn no_other_fund(tables: &[StatedTable], unread: &[String]) -> bool {
    let nonzero = |r: &StatedRow| {
        r.cells
            .iter()
            .chain(r.more.iter().flat_map(|m| m.1.iter()))
            .any(|c| !c.value.is_zero())
    };
    let empty_fund = tables.iter().any(|t| {
        let (base, note) = title_parts(&t.title);
        (base.contains("政府性基金") && !t.rows.iter().any(nonzero))
            || note.contains("无政府性基金")
    }) || unread.iter().any(|t| t.contains("政府性基金"));
    let state_capital = tables.iter().any(|t| {
        (t.title.contains("国有资本经营") && t.rows.iter().any(nonzero))
            || t.rows.iter().any(|r| {
                (r.label.contains("国有资本经营")
                    || r.more.iter().any(|m| m.0.contains("国有资本经营")))
                    && nonzero(r)
            })
    });
    empty_fund && !state_capital
}

/// Whether the printed values can all be one value. The same value rounded by the same
/// rule prints the same, so a printed value stands for the half-open interval [v − h, v + h)
/// (half up): 299.99 and 300.00 cannot be one value, 4335.3 and 4335.30 can.
fn meet(entries: &[&Entry]) -> bool {
    let lo = entries
        .iter()
        .map(|e| e.value.checked_sub(e.half).ok())
        .max();
    let hi = entries
        .iter()
        .map(|e| e.value.checked_add(e.half).ok())
        .min();
    match (lo, hi) {
        (Some(Some(lo)), Some(Some(hi))) => lo < hi,
        _ => false,
    }
}

/// The same 科目 (and the same 合计 row) of tables of one fund and part has one amount.
pub(super) fn amounts(tables: &[StatedTable], out: &mut Out) {
    type Key = (Fund, Part, String);
    let mut groups: BTreeMap<Key, Vec<Entry>> = BTreeMap::new();
    for t in tables {
        let Some((fund, own)) = scope_of(&t.title) else {
            continue;
        };
        let Some(scale) = t.unit.map(|u| u.0) else {
            continue;
        };
        let mut rows: Vec<(String, &StatedRow)> = by_code(t)
            .into_iter()
            .map(|(c, r)| (c.to_string(), r))
            .collect();
        let totals: Vec<&StatedRow> = t
            .rows
            .iter()
            .filter(|r| r.code.is_none() && is_total(&r.label))
            .collect();
        for r in &totals {
            if totals.iter().filter(|x| x.label == r.label).count() == 1 {
                rows.push((r.label.clone(), r));
            }
        }
        for part in [Part::All, Part::Basic, Part::Project] {
            for (key, r) in &rows {
                let Some(cell) = cell_of(t, own, r, part) else {
                    continue;
                };
                let (Ok(value), Ok(half)) =
                    (cell.value.checked_mul(scale), cell.half.checked_mul(scale))
                else {
                    continue;
                };
                groups
                    .entry((fund, part, key.clone()))
                    .or_default()
                    .push(Entry {
                        table: t,
                        row: r,
                        cell,
                        column: column_of(t, own, part),
                        value,
                        half,
                    });
            }
        }
    }
    // 一般公共预算 is all of 财政拨款 when the other funds are shown empty and the two 合计
    // rows agree: its 科目 are then compared with the 财政拨款 tables' (the 合计 rows are not
    // compared again: they decided the merge).
    if no_other_fund(tables, &out.cov.unrecognised) {
        for part in [Part::All, Part::Basic, Part::Project] {
            let total = |fund: Fund| -> Vec<&Entry> {
                ["合计", "总计"]
                    .iter()
                    .filter_map(|l| groups.get(&(fund, part, l.to_string())))
                    .flatten()
                    .collect()
            };
            let (a, g) = (total(Fund::Appropriation), total(Fund::General));
            let both: Vec<&Entry> = a.iter().chain(g.iter()).copied().collect();
            if a.is_empty() || g.is_empty() || !meet(&both) {
                continue;
            }
            let moved: Vec<Key> = groups
                .keys()
                .filter(|k| k.0 == Fund::General && k.1 == part && !is_total(&k.2))
                .cloned()
                .collect();
            for k in moved {
                let v = groups.remove(&k).expect("key");
                groups
                    .entry((Fund::Appropriation, part, k.2))
                    .or_default()
                    .extend(v);
            }
        }
    }
    let mut all: Vec<(usize, Vec<Entry>)> = groups
        .into_values()
        .filter_map(|mut v| {
            v.sort_by_key(|e| (e.row.line, e.table.line));
            let tables: HashSet<usize> = v.iter().map(|e| e.table.line).collect();
            (tables.len() == v.len() && v.len() >= 2).then(|| (v[0].row.line, v))
        })
        .collect();
    all.sort_by_key(|(line, _)| *line);
    for (_, v) in &all {
        compare(v, out);
    }
}

/// The entries agreeing with the most others (the majority), and the rest. With no single
/// largest group of equal printed values, the first entry's group stands as the reference.
fn reference<'a, 'b>(v: &'b [Entry<'a>]) -> Vec<&'b Entry<'a>> {
    let mut clusters: Vec<Vec<&Entry>> = Vec::new();
    for e in v {
        match clusters.iter_mut().find(|c| c[0].value == e.value) {
            Some(c) => c.push(e),
            None => clusters.push(vec![e]),
        }
    }
    let most = clusters.iter().map(Vec::len).max().unwrap_or(0);
    let largest: Vec<&Vec<&Entry>> = clusters.iter().filter(|c| c.len() == most).collect();
    if largest.len() == 1 {
        largest[0].clone()
    } else {
        clusters[0].clone()
    }
}

fn compare(v: &[Entry], out: &mut Out) {
    if meet(&v.iter().collect::<Vec<_>>()) {
        for e in &v[1..] {
            push_amount(e, &v[0], &[&v[0]], Outcome::Pass, v.len(), out);
        }
        return;
    }
    let refs = reference(v);
    for e in v {
        if refs.iter().any(|r| std::ptr::eq(*r, e)) {
            continue;
        }
        let mut with = refs.clone();
        with.push(e);
        let outcome = if meet(&with) {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        push_amount(e, refs[0], &refs, outcome, v.len(), out);
    }
}

fn push_amount(e: &Entry, r: &Entry, refs: &[&Entry], outcome: Outcome, n: usize, out: &mut Out) {
    let expected = r
        .value
        .checked_div(e.scale())
        .map_or_else(|_| r.cell.text.clone(), |x| x.to_fixed(e.cell.decimals));
    let others: Vec<String> = refs
        .iter()
        .map(|x| format!("“{}”{}栏{}", x.table.title, x.column, page(x.row.page)))
        .collect();
    let relation = if outcome == Outcome::Pass {
        "相等".to_string()
    } else if refs.len() >= 2 && refs.len() * 2 > n {
        format!(
            "不一致：同一资金范围的同一科目应相等，{n}张表中{}张为{}",
            refs.len(),
            r.cell.text
        )
    } else {
        "不一致：同一资金范围的同一科目应相等，两者必有一处有误".to_string()
    };
    let message = format!(
        "表“{}”中“{}”{}栏填写{}，与表{}的{}{}",
        e.table.title,
        e.row.name(),
        e.column,
        e.cell.text,
        others.join("、"),
        r.cell.text,
        relation
    );
    out.push(
        e.table,
        e.row,
        Kind::TableEqual,
        outcome,
        (e.cell.text.clone(), expected),
        message,
        vec![e.cell.place, r.cell.place],
    );
}

fn page(p: Option<usize>) -> String {
    p.map_or(String::new(), |p| format!("（第{p}页）"))
}

/// A name as compared: no spaces, half-width letters, digits and brackets.
fn name_key(label: &str) -> String {
    label
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

struct Named<'a> {
    table: &'a StatedTable,
    row: &'a StatedRow,
    code: &'a str,
    name: String,
}

/// The same 科目编码 carries the same name in every table; the same name under the same
/// parent (类 or 款; a 类 name among the 类 of its classification) carries the same code.
pub(super) fn names(tables: &[StatedTable], out: &mut Out) {
    let mut entries: Vec<Named> = Vec::new();
    for t in tables {
        for (code, r) in by_code(t) {
            let name = name_key(&r.label);
            if name.chars().count() >= 2 {
                entries.push(Named {
                    table: t,
                    row: r,
                    code,
                    name,
                });
            }
        }
    }
    entries.sort_by_key(|e| (e.table.line, e.row.line));
    let mut flagged: HashSet<usize> = HashSet::new();
    // Code → name.
    let mut by: BTreeMap<&str, Vec<&Named>> = BTreeMap::new();
    for e in &entries {
        by.entry(e.code).or_default().push(e);
    }
    let mut found: Vec<(usize, &Named, &Named, Outcome, usize, usize)> = Vec::new();
    for v in by.values() {
        if v.len() < 2 {
            continue;
        }
        // A name that is the start of another may be cut by a wrapped cell: not compared.
        let cut = |a: &str, b: &str| a != b && (a.starts_with(b) || b.starts_with(a));
        if v.iter().any(|a| v.iter().any(|b| cut(&a.name, &b.name))) {
            continue;
        }
        let r = majority(v, |e| e.name.as_str());
        let same = v.iter().filter(|e| e.name == r.name).count();
        for e in v {
            if std::ptr::eq(*e, r) {
                continue;
            }
            let outcome = if e.name == r.name {
                Outcome::Pass
            } else {
                flagged.insert(e.row.line);
                Outcome::Fail
            };
            found.push((e.row.line, e, r, outcome, same, v.len()));
        }
    }
    // Name → code, under one parent.
    let mut by: BTreeMap<(String, usize, &str), Vec<&Named>> = BTreeMap::new();
    for e in &entries {
        let parent = if e.code.len() > 3 {
            e.code[..e.code.len() - 2].to_string()
        } else {
            e.code[..1].to_string()
        };
        by.entry((parent, e.code.len(), e.name.as_str()))
            .or_default()
            .push(e);
    }
    for v in by.values() {
        let tables: HashSet<usize> = v.iter().map(|e| e.table.line).collect();
        let codes: HashSet<&str> = v.iter().map(|e| e.code).collect();
        if codes.len() < 2 || tables.len() != v.len() {
            continue;
        }
        let r = majority(v, |e| e.code);
        let same = v.iter().filter(|e| e.code == r.code).count();
        for e in v {
            if e.code != r.code && !flagged.contains(&e.row.line) {
                found.push((e.row.line, e, r, Outcome::Fail, same, v.len()));
            }
        }
    }
    found.sort_by_key(|f| f.0);
    for (_, e, r, outcome, same, n) in found {
        push_name(e, r, outcome, same, n, out);
    }
}

/// The entry of the largest group by `key`; the first entry's when no group is largest.
fn majority<'a: 'b, 'b>(
    v: &[&'b Named<'a>],
    key: impl Fn(&'b Named<'a>) -> &'b str,
) -> &'b Named<'a> {
    let count = |k: &str| v.iter().filter(|e| key(e) == k).count();
    let most = v.iter().map(|e| count(key(e))).max().unwrap_or(0);
    let tops: HashSet<&str> = v
        .iter()
        .filter(|e| count(key(e)) == most)
        .map(|e| key(e))
        .collect();
    if tops.len() == 1 {
        v.iter()
            .find(|e| count(key(e)) == most)
            .copied()
            .unwrap_or(v[0])
    } else {
        v[0]
    }
}

fn push_name(e: &Named, r: &Named, outcome: Outcome, same: usize, n: usize, out: &mut Out) {
    let other = format!("表“{}”{}", r.table.title, page(r.row.page));
    let whose = if same * 2 > n && same >= 2 {
        format!("{n}张表中{same}张如此")
    } else {
        "两者必有一处有误".to_string()
    };
    let (values, message) = if e.code != r.code {
        (
            (e.code.to_string(), r.code.to_string()),
            format!(
                "表“{}”中“{}”的科目编码为{}，{}中同一上级科目下的同名科目编码为{}（{whose}）",
                e.table.title, e.row.label, e.code, other, r.code
            ),
        )
    } else if outcome == Outcome::Pass {
        (
            (e.row.label.clone(), r.row.label.clone()),
            format!(
                "表“{}”中科目编码{}的名称“{}”与{}相同",
                e.table.title, e.code, e.row.label, other
            ),
        )
    } else {
        (
            (e.row.label.clone(), r.row.label.clone()),
            format!(
                "表“{}”中科目编码{}的名称为“{}”，{}中同一编码的名称为“{}”（{whose}）",
                e.table.title, e.code, e.row.label, other, r.row.label
            ),
        )
    };
    out.push(
        e.table,
        e.row,
        Kind::TableCodeName,
        outcome,
        values,
        message,
        vec![],
    );
}
