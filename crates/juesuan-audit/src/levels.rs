//! 正文中的类、款、项与表格 (issue #12, structure checks): "人大事务行政运行（项）支出X万元",
//! "科学技术（206类）支出Y万元" — a 类/款/项 the narrative names exists in the tables with the
//! same amount. The row is found by its code when the narrative gives one, else by its name
//! (a 项's name may carry its 款's before it: "人大事务行政运行"); a name that several rows
//! carry with different codes ("行政运行" under every 款) is not guessed.

use crate::auditor::Auditor;
use crate::concepts::{budget_table, total_cell};
use crate::interval::agree;
use crate::model::*;
use crate::tables::{StatedRow, StatedTable};
use crate::text::*;
use juesuan_core::ratio::Ratio;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// A 类/款/项 named at the end of a label: (name, code if printed, code length).
fn level_of(label: &str) -> Option<(String, Option<String>, usize)> {
    let re = lazy_regex!(
        r"([^，,；;。：:（）()]*?)[（(](\d{3}(?:\d{2}){0,2})?(类|款|项)[）)](?:支出|决算数|决算|预算数|预算|数|为)*$"
    );
    let c = re.captures(label)?;
    let len = match &c[3] {
        "类" => 3,
        "款" => 5,
        _ => 7,
    };
    let code = c.get(2).map(|m| m.as_str().to_string());
    if code.as_ref().is_some_and(|k| k.len() != len) {
        return None;
    }
    // The name: after an enumerator or list mark glued before it ("一般公共服务1. 人大事务…").
    let raw = &c[1];
    let name: String = raw
        .rsplit(['.', '．', '、', ' ', '）', ')'])
        .next()
        .unwrap_or(raw)
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .collect();
    (!name.is_empty() || code.is_some()).then_some((name, code, len))
}

fn row_name(r: &StatedRow) -> String {
    r.label.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The rows with a 科目编码, by code and by name, over the tables of one kind (budget or
/// 决算): built once per document, so that each narrative figure is a lookup, not a scan.
struct Index<'a> {
    by_code: HashMap<&'a str, Vec<(usize, &'a StatedRow)>>,
    by_name: HashMap<String, Vec<(usize, &'a StatedRow)>>,
}

impl<'a> Index<'a> {
    fn new(tables: &'a [StatedTable], budget: bool) -> Index<'a> {
        let mut index = Index {
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (ti, t) in tables.iter().enumerate() {
            if budget_table(t) != budget {
                continue;
            }
            for r in &t.rows {
                let Some(code) = r.code.as_deref() else {
                    continue;
                };
                index.by_code.entry(code).or_default().push((ti, r));
                let name = row_name(r);
                if !name.is_empty() {
                    index.by_name.entry(name).or_default().push((ti, r));
                }
            }
        }
        index
    }

    /// The rows (table index, row) that are the 类/款/项 `name` — or, for a 项, its 款's name
    /// then its own ("人大事务行政运行"); a 类's name may lack "支出" — or carry `code`.
    fn rows(&self, name: &str, code: Option<&str>, len: usize) -> Vec<(usize, &'a StatedRow)> {
        let of_len = |v: Option<&Vec<(usize, &'a StatedRow)>>| -> Vec<(usize, &'a StatedRow)> {
            v.map(|v| {
                v.iter()
                    .copied()
                    .filter(|(_, r)| r.code.as_deref().is_some_and(|c| c.len() == len))
                    .collect()
            })
            .unwrap_or_default()
        };
        if let Some(code) = code {
            return of_len(self.by_code.get(code));
        }
        let mut out = of_len(self.by_name.get(name));
        if len == 3 {
            out.extend(of_len(self.by_name.get(&format!("{name}支出"))));
        }
        // "人大事务行政运行": every split into a parent's name and a row's.
        for (at, _) in name.char_indices().skip(1) {
            let (prefix, own) = name.split_at(at);
            for (ti, r) in of_len(self.by_name.get(own)) {
                let code = r.code.as_deref().unwrap_or("");
                let parent = &code[..len.saturating_sub(2).min(code.len())];
                let is_parent = self
                    .by_code
                    .get(parent)
                    .is_some_and(|ps| ps.iter().any(|(pt, p)| *pt == ti && row_name(p) == prefix));
                if is_parent {
                    out.push((ti, r));
                }
            }
        }
        out
    }
}

/// The table a section heading explains: "五、财政拨款支出预算表情况说明" → "财政拨款支出预算表".
fn table_named_by(section: &str) -> Option<String> {
    let end = section.rfind('表')? + '表'.len_utf8();
    let t = strip_enumerator(&section[..end]);
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    (t.chars().count() >= 4).then_some(t)
}

/// The funds a heading speaks of: `Some(true)` a fund (财政拨款, 一般公共预算…), `Some(false)`
/// the unit's income and spending as a whole ("收支预算总体情况说明"), `None` when it does
/// not say ("（一）公共安全（类）").
fn fund_scope(section: &str) -> Option<bool> {
    if names_a_fund(section) {
        Some(true)
    } else if ["收支", "收入", "支出"].iter().any(|w| section.contains(w)) {
        Some(false)
    } else {
        None
    }
}

fn names_a_fund(text: &str) -> bool {
    ["财政拨款", "一般公共预算", "政府性基金", "国有资本经营"]
        .iter()
        .any(|w| text.contains(w))
}

/// Whether a table's title is the one a heading names, a note in brackets ("（功能科目）")
/// and a year or unit before it aside.
fn same_title(title: &str, named: &str) -> bool {
    let bare = |t: &str| -> String {
        let t = lazy_regex!(r"[（(][^（）()]*[）)]$").replace(t, "");
        t.chars().filter(|c| !c.is_whitespace()).collect()
    };
    let (t, n) = (bare(title), bare(named));
    t == n || t.ends_with(&n) || n.ends_with(&t)
}

impl Auditor {
    /// Each narrative figure under a 类/款/项 name against that row of the tables: compared
    /// when the rows found are one code and agree across the tables. Figures compared are
    /// added to `done`.
    pub(crate) fn narrative_levels(
        &mut self,
        tables: &[StatedTable],
        figures: &[(Rc<Amount>, Rc<SentenceRef>)],
        done: &mut HashSet<(usize, usize)>,
    ) {
        let budget = tables.iter().any(budget_table);
        let index = Index::new(tables, budget);
        for (a, r) in figures {
            if done.contains(&(a.place.line, a.place.start))
                || !a.label.contains(['类', '款', '项'])
            {
                continue;
            }
            let Some((name, code, len)) = level_of(&a.label) else {
                continue;
            };
            if !budget && is_budget(&a.label) {
                continue;
            }
            let mut found: Vec<(&StatedTable, &StatedRow, Ratio, Ratio, Place)> = Vec::new();
            // A section that explains one table ("五、财政拨款支出预算表情况说明") speaks of that
            // table's figures: a 类 of all funds is not the 类 of the 财政拨款 table.
            // Likewise a section on the unit's whole budget ("收支预算总体情况说明") speaks of
            // all funds, one on 财政拨款 of that fund.
            let named = table_named_by(&r.section);
            let scope = fund_scope(&r.section);
            let explained = |t: &StatedTable| match &named {
                Some(n) => same_title(&t.title, n),
                None => scope.is_none_or(|fiscal| names_a_fund(&t.title) == fiscal),
            };
            for (ti, row) in index.rows(&name, code.as_deref(), len) {
                let t = &tables[ti];
                if !explained(t) {
                    continue;
                }
                let Some((scale, _)) = t.unit else { continue };
                let Some(cell) = total_cell(t, &row.cells) else {
                    continue;
                };
                let (Ok(v), Ok(h)) = (cell.value.checked_mul(scale), cell.half.checked_mul(scale))
                else {
                    continue;
                };
                found.push((t, row, v, h, cell.place));
            }
            let Some(&(t, row, v, h, place)) = found.first() else {
                continue;
            };
            // One 科目 and one value, or not certain which row the narrative restates.
            let one = found.iter().all(|f| {
                f.1.code == row.code
                    && agree(f.2, v, f.3.checked_add(h).unwrap_or(h)) == Outcome::Pass
            });
            if !one {
                continue;
            }
            let outcome = agree(a.value, v, h.checked_add(a.half).unwrap_or(h));
            let figures = if found.len() == 1 {
                vec![a.place, place]
            } else {
                vec![a.place]
            };
            let page = t.page.map_or(String::new(), |p| format!("第{p}页"));
            self.push_at(
                r,
                Kind::TextAgainstTable,
                outcome,
                (a.text.clone(), a.in_unit(v)),
                format!(
                    "正文“{}”{}，{}表“{}”中{}为{}{}",
                    a.label,
                    a.shown(),
                    page,
                    t.title,
                    row.name(),
                    a.in_unit(v),
                    a.unit
                ),
                figures,
            );
            done.insert((a.place.line, a.place.start));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_of_levels() {
        assert_eq!(
            level_of("一般公共服务1. 人大事务行政运行（项）支出"),
            Some(("人大事务行政运行".into(), None, 7))
        );
        assert_eq!(
            level_of("科学技术支出（206类）"),
            Some(("科学技术支出".into(), Some("206".into()), 3))
        );
        assert_eq!(level_of("行政运行（2010101款）"), None);
        assert_eq!(level_of("基本支出"), None);
    }

    fn text_against_table(text: &str) -> Vec<(Outcome, String, String)> {
        crate::audit(text)
            .checks
            .into_iter()
            .filter(|c| c.kind == Kind::TextAgainstTable)
            .map(|c| (c.outcome, c.stated, c.expected))
            .collect()
    }

    const TABLE: &str = "一般公共预算支出表\n单位：万元\n科目编码\t科目名称\t合计\n201\t一般公共服务支出\t150.00\n20101\t人大事务\t100.00\n2010101\t行政运行\t60.00\n2010102\t一般行政管理事务\t40.00\n20103\t政府办公厅（室）及相关机构事务\t50.00\n2010301\t行政运行\t50.00\n";

    #[test]
    fn a_level_named_with_its_parent_is_its_row() {
        let ok = format!("{TABLE}其中：人大事务行政运行（项）支出60.00万元。\n");
        assert_eq!(
            text_against_table(&ok),
            vec![(Outcome::Pass, "60.00".into(), "60.00".into())]
        );
        // The 款's figure given under the 项's name.
        let wrong = format!("{TABLE}其中：人大事务行政运行（项）支出100.00万元。\n");
        assert_eq!(
            text_against_table(&wrong),
            vec![(Outcome::Fail, "100.00".into(), "60.00".into())]
        );
    }

    #[test]
    fn a_section_explaining_another_table_is_not_compared_with_this_one() {
        // All funds (收支总表) in the heading: the 财政拨款 table's 类 is another quantity.
        let text = format!(
            "{TABLE}一、收支预算总表情况说明\n一般公共服务（类）支出165.00万元。\n二、一般公共预算支出表情况说明\n一般公共服务（类）支出150.00万元。\n"
        );
        assert_eq!(
            text_against_table(&text),
            vec![(Outcome::Pass, "150.00".into(), "150.00".into())]
        );
    }

    #[test]
    fn a_name_several_codes_carry_is_not_guessed() {
        let text = format!("{TABLE}其中：行政运行（项）支出100.00万元。\n");
        assert!(text_against_table(&text).is_empty());
        // A 类 named without "支出", and by its code.
        let class =
            format!("{TABLE}一般公共服务（类）支出150.00万元。科学（201类）支出140.00万元。\n");
        assert_eq!(
            text_against_table(&class),
            vec![
                (Outcome::Pass, "150.00".into(), "150.00".into()),
                (Outcome::Fail, "140.00".into(), "150.00".into())
            ]
        );
    }
}
