//! 正文与表格按概念对照 (issue #12): a figure of the narrative is compared with the table
//! cell of the same concept — "财政拨款收入支出总计" with the 总计 of the 财政拨款收入支出决算总表,
//! "人员经费" with the 人员经费合计 row of the 基本支出 table — not with a cell whose label merely
//! looks the same. The phrasings are data: `data/audit/national-2021.toml`.

use crate::auditor::Auditor;
use crate::interval::agree;
use crate::model::*;
use crate::tables::{StatedCell, StatedTable};
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
    pub(crate) rows: Vec<String>,
    /// `phrases` as compared ([`key`]), computed once.
    #[serde(skip)]
    keys: Vec<String>,
}

/// Parse and validate a concept file: every list filled, ids unique.
pub(crate) fn parse_concepts(text: &str) -> Result<Vec<Concept>, String> {
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
            if list.is_empty() || list.iter().any(|w| w.trim().is_empty()) {
                return Err(format!("概念“{}”的 {what} 为空", c.id));
            }
        }
    }
    let mut concepts = file.concept;
    for c in &mut concepts {
        c.keys = c.phrases.iter().map(|p| key(p)).collect();
    }
    Ok(concepts)
}

/// The embedded national concepts (validated by a test, so this cannot fail in a build
/// that passed its tests).
pub(crate) fn national() -> &'static [Concept] {
    static C: std::sync::OnceLock<Vec<Concept>> = std::sync::OnceLock::new();
    C.get_or_init(|| parse_concepts(NATIONAL).expect("data/audit/national-2021.toml is valid"))
}

/// A label as compared: without 预算/决算, enumerators, spaces, "、" and a final "数".
fn key(label: &str) -> String {
    let t: String = strip_enumerator(label)
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

/// A candidate cell of a concept, in 万元, with the table it stands in.
struct Candidate<'a> {
    table: &'a StatedTable,
    row: String,
    cell: &'a StatedCell,
    value: Ratio,
    half: Ratio,
}

fn candidates<'a>(
    concept: &Concept,
    tables: &'a [StatedTable],
    budget: bool,
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
                let (Ok(value), Ok(half)) =
                    (cell.value.checked_mul(scale), cell.half.checked_mul(scale))
                else {
                    continue;
                };
                out.push(Candidate {
                    table: t,
                    row: name,
                    cell,
                    value,
                    half,
                });
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
        let mut cache: std::collections::HashMap<&str, Vec<Candidate>> =
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
            if !budget && speaks_of_budget(&a.label) {
                continue;
            }
            // The cells of a concept are the same for every figure: found once.
            let found = cache
                .entry(concept.id.as_str())
                .or_insert_with(|| candidates(concept, tables, budget));
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
            let figures = if found.len() == 1 {
                vec![a.place, first.cell.place]
            } else {
                vec![a.place]
            };
            let page = first
                .table
                .page
                .map_or(String::new(), |p| format!("第{p}页"));
            self.push_at(
                r,
                Kind::TextAgainstTable,
                outcome,
                (a.text.clone(), a.in_unit(first.value)),
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
