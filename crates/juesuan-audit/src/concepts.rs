//! 正文与表格按概念对照 (issue #12): a figure of the narrative is compared with the table
//! cell of the same concept — "财政拨款收入支出总计" with the 总计 of the 财政拨款收入支出决算总表,
//! "人员经费" with the 人员经费合计 row of the 基本支出 table — not with a cell whose label merely
//! looks the same. The phrasings are data: `data/audit/national-2021.toml`.

use crate::auditor::Auditor;
use crate::interval::agree;
use crate::model::*;
use crate::tables::{StatedCell, StatedRow, StatedTable};
use crate::text::*;
use juesuan_core::ratio::Ratio;
use serde::Deserialize;
use std::collections::HashSet;

/// The national phrasings, embedded so that the auditor stays pure (no file I/O).
const NATIONAL: &str = include_str!("../../../data/audit/national-2021.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptFile {
    version: u32,
    concept: Vec<Concept>,
    #[serde(default)]
    column_sum: Vec<ColumnSum>,
}

/// 分组表头中的相加关系: under one parent of a grouped header (预算数, 决算数, or none), the
/// `total` column equals the sum of the `parts` columns; a part that is itself split into
/// columns counts by its 小计 (合计). With `within`, only under a parent of that name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColumnSum {
    pub(crate) id: String,
    /// Words of the titles of the tables it holds in.
    pub(crate) tables: Vec<String>,
    #[serde(default)]
    pub(crate) within: Vec<String>,
    /// Names of the total column.
    pub(crate) total: Vec<String>,
    /// Each part's names.
    pub(crate) parts: Vec<Vec<String>>,
}

/// One quantity and how the narrative and the tables name it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Concept {
    pub(crate) id: String,
    /// 概念名称, shown in findings.
    pub(crate) name: String,
    /// Endings of a narrative label (compared after [`key`]).
    pub(crate) phrases: Vec<String>,
    /// Words a narrative label of this concept never holds.
    #[serde(default)]
    pub(crate) excludes: Vec<String>,
    /// Words of the titles of the tables that carry it.
    pub(crate) tables: Vec<String>,
    #[serde(default)]
    pub(crate) table_excludes: Vec<String>,
    /// Row labels (after the enumerator) of its cell.
    #[serde(default)]
    pub(crate) rows: Vec<String>,
    /// Column names of its cell in a table whose header names it ("因公出国（境）费" in a
    /// 三公 table with grouped headers); a split column counts by its 小计. The budget or
    /// actual group (预算数, 决算数) is the one the narrative speaks of.
    #[serde(default)]
    pub(crate) columns: Vec<String>,
    /// `phrases` as compared ([`key`]), computed once.
    #[serde(skip)]
    keys: Vec<String>,
}

/// Parse and validate a concept file: every list filled, ids unique.
#[cfg(test)]
pub(crate) fn parse_concepts(text: &str) -> Result<Vec<Concept>, String> {
    parse_file(text).map(|f| f.0)
}

type Parsed = (Vec<Concept>, Vec<ColumnSum>);

/// Parse and validate a concept file with its column sums.
fn parse_file(text: &str) -> Result<Parsed, String> {
    let file: ConceptFile = toml::from_str(text).map_err(|e| e.to_string())?;
    if file.version != 1 {
        return Err(format!("不支持的版本 {}（应为 1）", file.version));
    }
    let mut ids = HashSet::new();
    for c in &file.concept {
        if !ids.insert(c.id.as_str()) {
            return Err(format!("概念“{}”重复", c.id));
        }
        for (what, list) in [
            ("phrases", &c.phrases),
            ("tables", &c.tables),
            ("rows", &c.rows),
        ] {
            let may_be_empty = what == "rows" && !c.columns.is_empty();
            if (list.is_empty() && !may_be_empty) || list.iter().any(|w| w.trim().is_empty()) {
                return Err(format!("概念“{}”的 {what} 为空", c.id));
            }
        }
    }
    for sum in &file.column_sum {
        if !ids.insert(sum.id.as_str()) {
            return Err(format!("“{}”重复", sum.id));
        }
        let empty = |l: &Vec<String>| l.is_empty() || l.iter().any(|w| w.trim().is_empty());
        if empty(&sum.tables)
            || empty(&sum.total)
            || sum.parts.len() < 2
            || sum.parts.iter().any(empty)
        {
            return Err(format!(
                "相加关系“{}”的 tables、total 或 parts 为空",
                sum.id
            ));
        }
    }
    let mut concepts = file.concept;
    for c in &mut concepts {
        c.keys = c.phrases.iter().map(|p| key(p)).collect();
    }
    Ok((concepts, file.column_sum))
}

/// The embedded national sums of grouped-header columns.
pub(crate) fn column_sums() -> &'static [ColumnSum] {
    &national_file().1
}

/// The embedded national concepts (validated by a test, so this cannot fail in a build
/// that passed its tests).
pub(crate) fn national() -> &'static [Concept] {
    &national_file().0
}

fn national_file() -> &'static Parsed {
    static C: std::sync::OnceLock<Parsed> = std::sync::OnceLock::new();
    C.get_or_init(|| parse_file(NATIONAL).expect("data/audit/national-2021.toml is valid"))
}

/// A label as compared: without 预算/决算, enumerators, spaces, "、" and a final "数".
fn key(label: &str) -> String {
    let t: String = strip_enumerator(label)
        .replace("年初预算", "")
        .replace("预算", "")
        .replace("决算", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '、' && *c != '，')
        .collect();
    t.strip_suffix('数').map(str::to_owned).unwrap_or(t)
}

/// The last character of a label's [`key`], without building it: a final "数" and the
/// words `key` drops at the end ("预算", "决算") do not count.
fn key_last_char(label: &str) -> Option<char> {
    let t = label.trim_end();
    let t = t.strip_suffix('数').unwrap_or(t);
    let t = t
        .strip_suffix("预算")
        .or_else(|| t.strip_suffix("决算"))
        .unwrap_or(t);
    let t = t.strip_suffix("年初").unwrap_or(t);
    t.chars()
        .rev()
        .find(|c| !c.is_whitespace() && !matches!(c, '、' | '，'))
}

/// The names of funds, which "预算" also spells ("一般公共预算财政拨款支出决算表").
const FUNDS: [&str; 3] = ["一般公共预算", "政府性基金预算", "国有资本经营预算"];

/// Whether a text speaks of a budget (预算数) rather than naming a fund.
fn speaks_of_budget(text: &str) -> bool {
    let mut t = text.to_string();
    for f in FUNDS {
        t = t.replace(f, "");
    }
    t.contains("预算")
}

/// A budget table (部门预算公开表) rather than a 决算 one.
pub(crate) fn budget_table(t: &StatedTable) -> bool {
    !t.title.contains("决算") && speaks_of_budget(&t.title)
}

/// The amount cell of a row segment standing for the whole row: the only amount column, or
/// the first when the header names it a total.
pub(crate) fn total_cell<'a>(t: &StatedTable, cells: &'a [StatedCell]) -> Option<&'a StatedCell> {
    let first = cells.first()?;
    let named_total = t.columns.first().is_some_and(|c| {
        [
            "合计",
            "总计",
            "小计",
            "金额",
            "决算数",
            "预算数",
            "本年预算",
            "本年决算",
        ]
        .iter()
        .any(|w| c.contains(w))
    });
    (cells.len() == 1 || named_total).then_some(first)
}

/// A candidate cell of a concept, in 万元, with the table it stands in; `cell` is `None`
/// for a cell the table leaves blank (its amounts placed by position), worth 0.
struct Candidate<'a> {
    table: &'a StatedTable,
    row: String,
    cell: Option<&'a StatedCell>,
    value: Ratio,
    half: Ratio,
}

/// Whether a header segment names the budget group (预算数: `Some(true)`) or the actual one
/// (决算数: `Some(false)`).
fn group_of(segment: &str) -> Option<bool> {
    if speaks_of_budget(segment) {
        Some(true)
    } else if segment.contains("决算") || segment.contains("实际") {
        Some(false)
    } else {
        None
    }
}

/// The one column of `t` (an index into its paths) for a concept's figure, budget or actual:
/// with `named`, the column named by `concept.columns` (a split one by its 小计); without,
/// the bare 预算数 or 决算数 column of a table listing the concept by rows.
fn column_for(
    concept: &Concept,
    t: &StatedTable,
    wants_budget: bool,
    named: bool,
) -> Option<usize> {
    let bare = |s: &str| s.replace([' ', '\u{3000}'], "");
    let grouped = t
        .paths
        .iter()
        .any(|p| p.split('/').any(|s| group_of(s).is_some()));
    let found: Vec<usize> = (0..t.paths.len())
        .filter(|&k| {
            let segs: Vec<&str> = t.paths[k].split('/').collect();
            let group = segs.iter().find_map(|s| group_of(s));
            if grouped && group != Some(wants_budget) {
                return false;
            }
            let rest: Vec<String> = segs
                .iter()
                .filter(|s| group_of(s).is_none())
                .map(|s| bare(s))
                .collect();
            let names = |c: &str| concept.columns.iter().any(|n| bare(n) == c);
            let total = |c: &str| matches!(c, "小计" | "合计");
            match (named, rest.as_slice()) {
                (false, []) => true,
                (true, [c]) => names(c),
                // A split item by its 小计, or one of its parts ("公务用车购置及运行费/购置费").
                (true, [c, sub]) => (names(c) && total(sub)) || (names(sub) && !total(sub)),
                _ => false,
            }
        })
        .collect();
    (found.len() == 1).then(|| found[0])
}

/// A row's cell at column `k` when its amounts were placed: `Some(None)` for a blank.
fn cell_at(r: &StatedRow, k: usize) -> Option<Option<&StatedCell>> {
    r.placed
        .then(|| r.cells.iter().find(|c| c.column == Some(k)))
}

fn candidate<'a>(
    t: &'a StatedTable,
    row: String,
    cell: Option<&'a StatedCell>,
    scale: Ratio,
) -> Option<Candidate<'a>> {
    let (value, half) = cell.map_or((Ratio::ZERO, Ratio::ZERO), |c| (c.value, c.half));
    Some(Candidate {
        table: t,
        row,
        cell,
        value: value.checked_mul(scale).ok()?,
        half: half.checked_mul(scale).ok()?,
    })
}

/// The cells of a concept named by header columns: in a table whose header names it, the
/// one data row's cell; in a table listing it by rows, the row's 预算数 or 决算数 cell.
fn column_candidates<'a>(
    concept: &Concept,
    t: &'a StatedTable,
    scale: Ratio,
    wants_budget: bool,
) -> Vec<Candidate<'a>> {
    if let Some(k) = column_for(concept, t, wants_budget, true) {
        let placed: Vec<&StatedRow> = t.rows.iter().filter(|r| r.placed).collect();
        let [row] = placed.as_slice() else {
            return Vec::new();
        };
        let cell = cell_at(row, k).flatten();
        return candidate(t, t.paths[k].clone(), cell, scale)
            .into_iter()
            .collect();
    }
    let Some(k) = column_for(concept, t, wants_budget, false) else {
        return Vec::new();
    };
    t.rows
        .iter()
        .filter(|r| r.more.is_empty() && concept.rows.contains(&strip_enumerator(&r.label)))
        .filter_map(|r| {
            let cell = cell_at(r, k)?;
            candidate(t, format!("{}/{}", r.label, t.paths[k]), cell, scale)
        })
        .collect()
}

fn candidates<'a>(
    concept: &Concept,
    tables: &'a [StatedTable],
    budget: bool,
    wants_budget: bool,
) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    for t in tables {
        let named = concept.tables.iter().any(|w| t.title.contains(w.as_str()))
            && !concept
                .table_excludes
                .iter()
                .any(|w| t.title.contains(w.as_str()));
        // A 决算 figure is not in a budget table, nor a budget figure in a 决算 table.
        let Some((scale, _)) = t.unit.filter(|_| named && budget_table(t) == budget) else {
            continue;
        };
        if !concept.columns.is_empty() {
            out.extend(column_candidates(concept, t, scale, wants_budget));
            continue;
        }
        for r in &t.rows {
            let segments =
                std::iter::once((&r.label, &r.cells)).chain(r.more.iter().map(|(l, c)| (l, c)));
            for (label, cells) in segments {
                let name: String = strip_enumerator(label)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if !concept.rows.contains(&name) {
                    continue;
                }
                let Some(cell) = total_cell(t, cells) else {
                    continue;
                };
                out.extend(candidate(t, name, Some(cell), scale));
            }
        }
    }
    out
}

impl Auditor {
    /// 正文与表格按概念: each narrative figure whose label names a concept, against the one
    /// value the tables give it. Returns the figures compared, so that the label-only check
    /// (`narrative_against_tables`) does not compare them again.
    pub(crate) fn narrative_by_concept(
        &mut self,
        tables: &[StatedTable],
    ) -> HashSet<(usize, usize)> {
        let mut done = HashSet::new();
        if tables.is_empty() {
            return done;
        }
        let figures = std::mem::take(&mut self.concept_figures);
        // A figure of a 决算 report is compared with 决算 tables; in a budget report every
        // figure is a budget. Which one this is: what the tables are.
        let budget = tables.iter().any(budget_table);
        // Every phrase ends in one of these characters ("计", "费", "额"…): most labels end
        // otherwise, and are passed over without building their key.
        let last_chars: Vec<char> = national()
            .iter()
            .flat_map(|c| c.keys.iter().filter_map(|k| k.chars().last()))
            .collect();
        let mut cache: std::collections::HashMap<(&str, bool), Vec<Candidate>> =
            std::collections::HashMap::new();
        for (a, r) in &figures {
            let ends_like_one = key_last_char(&a.label).is_some_and(|c| last_chars.contains(&c));
            if !ends_like_one {
                continue;
            }
            let k = key(&a.label);
            let Some(concept) = national().iter().find(|c| {
                c.keys.iter().any(|p| k.ends_with(p.as_str()))
                    && !c.excludes.iter().any(|w| a.label.contains(w.as_str()))
            }) else {
                continue;
            };
            // A 决算 report's budget figures are only in a table with a 预算数 group.
            let wants_budget = budget || speaks_of_budget(&a.label);
            if !budget && wants_budget && concept.columns.is_empty() {
                continue;
            }
            // The cells of a concept are the same for every figure: found once.
            let found = cache
                .entry((concept.id.as_str(), wants_budget))
                .or_insert_with(|| candidates(concept, tables, budget, wants_budget));
            let Some(first) = found.first() else {
                continue;
            };
            // Several cells that disagree: which one the narrative restates is not certain.
            let consistent = found.iter().all(|c| {
                agree(
                    c.value,
                    first.value,
                    c.half.checked_add(first.half).unwrap_or(c.half),
                ) == Outcome::Pass
            });
            if !consistent {
                continue;
            }
            let slack = first.half.checked_add(a.half).unwrap_or(a.half);
            let outcome = agree(a.value, first.value, slack);
            let figures = match first.cell {
                Some(c) if found.len() == 1 => vec![a.place, c.place],
                _ => vec![a.place],
            };
            let page = first
                .table
                .page
                .map_or(String::new(), |p| format!("第{p}页"));
            let (expected, message) = match first.cell {
                Some(_) => (
                    a.in_unit(first.value),
                    format!(
                        "正文“{}”{}即“{}”，{}表“{}”中“{}”为{}{}",
                        a.label,
                        a.shown(),
                        concept.name,
                        page,
                        first.table.title,
                        first.row,
                        a.in_unit(first.value),
                        a.unit
                    ),
                ),
                None => (
                    "（表中空白）".to_string(),
                    format!(
                        "正文“{}”写明{}（即“{}”），{}表“{}”中“{}”一栏却是空白：正文写明的数表中没有填写，请在表中填写，或更正正文",
                        a.label,
                        a.shown(),
                        concept.name,
                        page,
                        first.table.title,
                        first.row
                    ),
                ),
            };
            self.push_at(
                r,
                Kind::TextAgainstTable,
                outcome,
                (a.text.clone(), expected),
                message,
                figures,
            );
            done.insert((a.place.line, a.place.start));
        }
        // Then the 类/款/项 the narrative names (src/levels.rs).
        self.narrative_levels(tables, &figures, &mut done);
        self.concept_figures = figures;
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_concepts_are_valid_and_bad_files_are_refused() {
        assert!(national().len() >= 8);
        assert!(parse_concepts("version = 2\nconcept = []").is_err());
        let empty = "version = 1\n[[concept]]\nid = \"x\"\nname = \"x\"\nphrases = []\ntables = [\"表\"]\nrows = [\"合计\"]";
        assert!(parse_concepts(empty).unwrap_err().contains("phrases"));
        let twice = "version = 1\n[[concept]]\nid = \"x\"\nname = \"x\"\nphrases = [\"a\"]\ntables = [\"表\"]\nrows = [\"合计\"]\n[[concept]]\nid = \"x\"\nname = \"y\"\nphrases = [\"b\"]\ntables = [\"表\"]\nrows = [\"合计\"]";
        assert!(parse_concepts(twice).unwrap_err().contains("重复"));
    }

    #[test]
    fn labels_compare_without_budget_words_and_enumerators() {
        assert_eq!(key("一、财政拨款收入支出预算总计"), "财政拨款收入支出总计");
        assert_eq!(key("收入、支出决算总计"), "收入支出总计");
        assert_eq!(key("基本支出预算数"), "基本支出");
        assert!(speaks_of_budget("收支预算总表"));
        assert!(!speaks_of_budget("一般公共预算财政拨款支出决算表"));
    }
}
