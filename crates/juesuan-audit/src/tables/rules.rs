//! 审核公式: the consistency rules of `data/rules` run over the printed tables mapped onto
//! their template (`templates.rs`), with each printed figure standing for any value within
//! half a unit of its last digit (`juesuan_check::run_stated`). Every rule of the set runs;
//! one that cannot be evaluated (its table absent, a cell not read) is reported once with
//! why. A failure the generic checks (`checks.rs`, `same.rs`) already report at the same
//! printed figure is reported once, by them.

use super::templates::template_set;
use super::StatedTable;
use crate::model::{Check, Kind, Outcome, TableCoverage};
use juesuan_check::{run_stated, Finding, PrintedCell, RuleResult, RuleSet, StatedGrid};
use juesuan_core::ratio::Ratio;
use juesuan_core::tables::TableSet;
use juesuan_core::template_match::sides;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The rule set of a template set, loaded once from the embedded data files.
fn rule_set(name: &str) -> &'static RuleSet {
    static LOADED: OnceLock<Vec<(String, RuleSet)>> = OnceLock::new();
    let all = LOADED.get_or_init(|| {
        let lib = juesuan_data::Library::embedded();
        super::templates::SETS
            .iter()
            .map(|n| {
                let (origin, text) = lib
                    .find("rules", n, "toml", 2021)
                    .unwrap_or_else(|| panic!("embedded rules {n}"));
                let set = RuleSet::from_toml(text, origin)
                    .unwrap_or_else(|e| panic!("embedded rules {n}: {e:?}"));
                (n.to_string(), set)
            })
            .collect()
    });
    &all.iter().find(|(n, _)| n == name).unwrap_or(&all[0]).1
}

/// Where a template cell is printed: table index, row index, segment, cell index.
type Located = BTreeMap<(String, String, String), (usize, usize, usize, usize)>;

/// The printed tables as rule input, with where each template cell is printed.
fn grids(tables: &[StatedTable], cov: &mut TableCoverage) -> (Vec<StatedGrid>, Located) {
    let mut grids: Vec<StatedGrid> = Vec::new();
    let mut located = Located::new();
    for (ti, t) in tables.iter().enumerate() {
        let Some(m) = &t.template else {
            cov.unmatched.push(t.title.clone());
            continue;
        };
        cov.matched.push((t.title.clone(), m.title.clone()));
        cov.unplaced += m.unmatched_columns.len() + m.unmatched_rows.len();
        // Without a unit the figures cannot be put in 万元; a second table of the same
        // template (a repeated title) is not merged into the first.
        let Some((unit, _)) = t.unit else {
            cov.unplaced += m.cells.len();
            continue;
        };
        if grids.iter().any(|g| g.id == m.table) {
            cov.unplaced += m.cells.len();
            continue;
        }
        let mut g = StatedGrid {
            id: m.table.clone(),
            title: t.title.clone(),
            note: t.note.clone(),
            complete: m.unmatched_rows.is_empty(),
            ..StatedGrid::default()
        };
        for c in &m.cells {
            let (ri, seg, ci) = c.at;
            let cell = &t.rows[ri].segment(seg)[ci];
            let (Ok(value), Ok(half)) = (cell.value.checked_mul(unit), cell.half.checked_mul(unit))
            else {
                continue;
            };
            if !g.rows.contains(&c.row) {
                g.rows.push(c.row.clone());
            }
            g.cells.insert(
                (c.row.clone(), c.column.clone()),
                PrintedCell { value, half },
            );
            located.insert(
                (m.table.clone(), c.row.clone(), c.column.clone()),
                (ti, ri, seg, ci),
            );
        }
        grids.push(g);
    }
    (grids, located)
}

/// Run the rule set of the tables' template set; the checks it makes.
pub(crate) fn run(
    tables: &[StatedTable],
    generic: &[Check],
    cov: &mut TableCoverage,
) -> Vec<Check> {
    let Some(set_name) = tables
        .iter()
        .find_map(|t| t.template.as_ref().map(|m| m.set.clone()))
    else {
        cov.unmatched = tables.iter().map(|t| t.title.clone()).collect();
        return Vec::new();
    };
    cov.template_set = Some(set_name.clone());
    let (grids, located) = grids(tables, cov);
    let set = rule_set(&set_name);
    let templates = template_set(&set_name);
    let cx = Context {
        tables,
        located: &located,
        templates,
        generic,
    };
    let mut out = Vec::new();
    for (rule, result) in set.rules.iter().zip(run_stated(set, &grids)) {
        out.extend(cx.checks_of(rule, &result, cov));
    }
    out
}

struct Context<'a> {
    tables: &'a [StatedTable],
    located: &'a Located,
    templates: &'a TableSet,
    generic: &'a [Check],
}

impl Context<'_> {
    fn checks_of(
        &self,
        rule: &juesuan_check::Rule,
        result: &RuleResult,
        cov: &mut TableCoverage,
    ) -> Vec<Check> {
        let (line, page, section) = self.anchor(rule);
        let base = Check {
            kind: Kind::TableRule,
            outcome: Outcome::Pass,
            line,
            page,
            section,
            quote: String::new(),
            stated: String::new(),
            expected: String::new(),
            message: String::new(),
            figures: Vec::new(),
        };
        cov.rule_checks += result.checked;
        // The note under a printed table is read only when it starts with “注”: an official
        // note printed as a sentence would be missed, so it is not judged. A reason rule
        // reads the narrative's explanations, not tables.
        let not_for_tables = if !rule.empty_note.is_empty() {
            Some("公开表格下方的说明文字尚不能可靠读取")
        } else if rule.reason_required.is_some() {
            Some("这条规则核对正文对变动、差异原因的说明，不用于表格")
        } else {
            None
        };
        if let Some(why) = not_for_tables {
            cov.rules_unevaluated += 1;
            return vec![Check {
                outcome: Outcome::NotApplicable,
                message: format!("审核公式{}（{}）无法核对：{why}", rule.id, rule.message),
                ..base
            }];
        }
        match result.outcome {
            juesuan_check::Outcome::Pass => vec![Check {
                message: format!(
                    "审核公式{}（{}）：核对{}处，全部通过",
                    rule.id, rule.message, result.checked
                ),
                ..base
            }],
            juesuan_check::Outcome::Fail => {
                cov.rule_failures += result.findings.len();
                result
                    .findings
                    .iter()
                    .filter_map(|f| self.failure(rule, f, &base))
                    .collect()
            }
            juesuan_check::Outcome::InsufficientData | juesuan_check::Outcome::NotApplicable => {
                cov.rules_unevaluated += 1;
                let why = match (&result.note, result.outcome) {
                    (Some(n), _) => self.missing(n),
                    (None, juesuan_check::Outcome::NotApplicable) => {
                        "规则的条件不成立，或表中没有它逐行核对的行".into()
                    }
                    (None, _) => "缺少数据".into(),
                };
                vec![Check {
                    outcome: if result.outcome == juesuan_check::Outcome::NotApplicable {
                        Outcome::NotApplicable
                    } else {
                        Outcome::InsufficientData
                    },
                    message: format!("审核公式{}（{}）无法核对：{why}", rule.id, rule.message),
                    ..base
                }]
            }
        }
    }

    /// The line, page and title of the first printed table a rule reads.
    fn anchor(&self, rule: &juesuan_check::Rule) -> (usize, Option<usize>, String) {
        let text = [
            &rule.stated,
            &rule.expected,
            &rule.hierarchy,
            &rule.each_row,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .chain(rule.empty_note.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
        self.tables
            .iter()
            .find(|t| {
                t.template.as_ref().is_some_and(|m| {
                    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                        .any(|w| w == m.table)
                })
            })
            .map_or((0, None, "审核公式".into()), |t| {
                (t.line, t.page, t.title.clone())
            })
    }

    /// A failed rule at a printed cell, unless a generic check reports the same figure or
    /// names it as one side of the relation it failed.
    fn failure(&self, rule: &juesuan_check::Rule, f: &Finding, base: &Check) -> Option<Check> {
        let located = f.cell.as_deref().and_then(|name| {
            let mut p = name.splitn(3, '.');
            let key = (
                p.next()?.to_string(),
                p.next()?.to_string(),
                p.next()?.to_string(),
            );
            self.located.get(&key).map(|at| (key, *at))
        });
        let Some(((table_id, row_key, col), (ti, ri, seg, ci))) = located else {
            return Some(Check {
                outcome: Outcome::Fail,
                stated: f.stated.clone(),
                expected: f.expected.clone(),
                message: format!(
                    "审核公式{}：{}。{}：填写{}万元，应为{}万元（差额{}）",
                    rule.id, rule.message, f.location, f.stated, f.expected, f.difference
                ),
                ..base.clone()
            });
        };
        let t = &self.tables[ti];
        let row = &t.rows[ri];
        let cell = &row.segment(seg)[ci];
        // The same figure, or a figure a generic failure already names as one side of the
        // same relation (收入合计 against 支出合计: the generic check states the other side).
        let already = self.generic.iter().any(|c| {
            c.outcome == Outcome::Fail
                && ((c.line == row.line && c.stated == cell.text)
                    || c.figures.contains(&cell.place))
        });
        if already {
            return None;
        }
        let unit = t.unit.map_or(Ratio::from_int(1), |u| u.0);
        let in_unit = |v: Ratio| {
            v.checked_div(unit)
                .map_or_else(|_| "?".into(), |x| x.to_fixed(cell.decimals))
        };
        let (stated, expected) = f.exact.unwrap_or((Ratio::ZERO, Ratio::ZERO));
        let diff = stated.checked_sub(expected).unwrap_or(Ratio::ZERO);
        let unit_name = t.unit.map_or("万元", |u| u.1);
        let column = self.column_label(&table_id, &col);
        let row_name = if seg == 0 {
            row.name()
        } else {
            row.more[seg - 1].0.clone()
        };
        let _ = row_key;
        Some(Check {
            outcome: Outcome::Fail,
            line: row.line,
            page: row.page,
            section: t.title.clone(),
            quote: row.text.clone(),
            stated: cell.text.clone(),
            expected: in_unit(expected),
            message: format!(
                "审核公式{}：{}。{}“{}”行“{}”栏填写{}{unit_name}，应为{}{unit_name}（差额{}）",
                rule.id,
                rule.message,
                t.title,
                row_name,
                column,
                cell.text,
                in_unit(expected),
                in_unit(diff)
            ),
            figures: vec![cell.place],
            ..base.clone()
        })
    }

    fn column_label(&self, table: &str, col: &str) -> String {
        self.templates
            .get(table)
            .and_then(|spec| {
                sides(spec)
                    .iter()
                    .flat_map(|s| s.columns.iter())
                    .find(|c| c.id == col)
                    .map(|c| c.label.clone())
            })
            .unwrap_or_else(|| col.to_string())
    }

    /// "缺少数据：b1.carryover_begin.amount、b8" in words: which table, row and column.
    fn missing(&self, note: &str) -> String {
        if let Some(t) = note.strip_prefix("没有表") {
            return format!("没有读到{}", self.describe(t.trim_matches(['“', '”'])));
        }
        let list = note.split_once('：').map_or(note, |(_, l)| l);
        let names: Vec<String> = list
            .split('、')
            .map(|n| self.describe(n.trim_matches(['“', '”'])))
            .collect();
        let mut names = names;
        names.dedup();
        format!("没有读到{}", names.join("、"))
    }

    fn describe(&self, name: &str) -> String {
        let mut p = name.splitn(3, '.');
        let (t, row, col) = (p.next().unwrap_or(name), p.next(), p.next());
        let Some(spec) = self.templates.get(t) else {
            return name.to_string();
        };
        if row == Some("*") {
            return format!("“{}”的全部行（有未能对应到表样的行）", spec.title);
        }
        let printed = self
            .tables
            .iter()
            .any(|x| x.template.as_ref().is_some_and(|m| m.table == spec.id));
        let (Some(row), Some(col), true) = (row, col, printed) else {
            return format!("表“{}”", spec.title);
        };
        let row_label = sides(spec)
            .iter()
            .flat_map(|s| s.rows.iter())
            .find(|r| r.id.as_deref() == Some(row))
            .and_then(|r| r.label.clone())
            .unwrap_or_else(|| row.to_string());
        format!(
            "“{}”的“{}”行“{}”栏",
            spec.title,
            row_label,
            self.column_label(&spec.id, col)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Kind, Outcome};

    const BUDGET: &str = "财政拨款收支预算总表\n单位：万元\n项目\t金额\t项目\t金额\n\
        一、一般公共预算\t50.00\t一、基本支出\t30.00\n\
        二、政府性基金预算\t0.00\t二、项目支出\t20.00\n三、国有资本经营预算\t0.00\n\
        本年收入合计\t50.00\t本年支出合计\t50.00\n\
        收入合计\t50.00\t支出合计\t50.00\n\n\
        一般公共预算支出预算表\n单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n\
        合计\t50.00\t30.00\t20.00\n201\t一般公共服务支出\t50.00\t30.00\t20.00\n\n\
        一般公共预算基本支出预算表\n单位：元\n科目编码\t科目名称\t合计\t人员经费\t公用经费\n\
        合计\t300,000.00\t200,000.00\t100,000.00\n";

    fn rule_checks(text: &str) -> Vec<crate::Check> {
        crate::audit(text)
            .checks
            .into_iter()
            .filter(|c| c.kind == Kind::TableRule)
            .collect()
    }

    #[test]
    fn budget_tables_pass_their_rules_and_a_rule_that_cannot_run_says_why() {
        let checks = rule_checks(BUDGET);
        assert!(
            checks.iter().all(|c| c.outcome != Outcome::Fail),
            "{checks:?}"
        );
        let passed: Vec<_> = checks
            .iter()
            .filter(|c| c.outcome == Outcome::Pass)
            .map(|c| c.message.split('（').next().unwrap().to_string())
            .collect();
        // 收入合计 = 支出合计; 类 = 合计; 合计 = 基本 + 项目; 基本支出表 = 人员 + 公用 = 基本支出栏.
        for id in ["B4-01", "B5-01", "B5-02", "B6-02", "B6-03"] {
            assert!(
                passed.contains(&format!("审核公式{id}")),
                "{id}: {passed:?}"
            );
        }
        let absent = checks
            .iter()
            .find(|c| c.message.starts_with("审核公式B1-01"))
            .unwrap();
        assert_eq!(absent.outcome, Outcome::InsufficientData);
        assert!(
            absent.message.contains("部门收支总表"),
            "{}",
            absent.message
        );
        let a = crate::audit(BUDGET);
        assert_eq!(
            a.coverage.tables.template_set.as_deref(),
            Some("national-budget")
        );
        assert_eq!(a.coverage.tables.matched.len(), 3);
    }

    #[test]
    fn a_cell_off_beyond_rounding_fails_a_rule_naming_table_row_column_and_unit() {
        // 本年收入合计 is no sum the generic checks read in a 收支总表; B4-02 does.
        let text = BUDGET.replace("本年收入合计\t50.00", "本年收入合计\t50.03");
        let f: Vec<_> = rule_checks(&text)
            .into_iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .collect();
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.starts_with("审核公式B4-02"),
            "{}",
            f[0].message
        );
        assert_eq!(
            (f[0].stated.as_str(), f[0].expected.as_str()),
            ("50.03", "50.00")
        );
        assert!(
            f[0].message
                .contains("“本年收入合计”行“预算数”栏填写50.03万元，应为50.00万元（差额0.03）"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].page, None);
        assert_eq!(f[0].line, 7);
        // Within the rounding of the four figures (0.02) it passes.
        let ok = BUDGET.replace("本年收入合计\t50.00", "本年收入合计\t50.02");
        assert!(rule_checks(&ok).iter().all(|c| c.outcome != Outcome::Fail));
    }

    #[test]
    fn a_failure_a_generic_check_reports_at_the_same_figure_is_reported_once() {
        // 合计 ≠ 基本 + 项目 in the 合计 row: the 合计栏 check reports it; B5-02 looks at
        // class rows only, and B5-01 (合计 = Σ类) fails at the same 合计 figure.
        let text = BUDGET.replace(
            "合计\t50.00\t30.00\t20.00\n201",
            "合计\t51.00\t30.00\t20.00\n201",
        );
        let a = crate::audit(&text);
        let at_total: Vec<_> = a
            .failures()
            .filter(|c| c.stated == "51.00")
            .map(|c| c.kind)
            .collect();
        assert!(!at_total.contains(&Kind::TableRule), "{at_total:?}");
        assert!(!at_total.is_empty());
    }
}
