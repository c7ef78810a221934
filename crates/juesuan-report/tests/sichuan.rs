//! The Sichuan 14-table template (data/tables/sichuan-2021.toml) on the embedded example with
//! `template = "sichuan"`: the 14 tables in the official order, the seed's key figures in the
//! right cells, blank (never zero) where the input cannot determine a cell, and the rule set
//! data/rules/sichuan-2021.toml holding on them — the national rules for the shared tables
//! (the file `extends` the national set) and each Sichuan rule failing when a cell it reads
//! moves by 1 分.

use juesuan_check::{run, Outcome, Relation, RowSelection, RuleSet};
use juesuan_core::input::parse_input;
use juesuan_core::tables::{derive_tables, Cell, Table};
use juesuan_core::{Amount, UnitYear};
use juesuan_data::Library;
use juesuan_report::build_report;
use juesuan_score::expr::Expr;

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
const SICHUAN_RULES: &str = include_str!("../../../data/rules/sichuan-2021.toml");
const NATIONAL_RULES: &str = include_str!("../../../data/rules/national-2021.toml");

/// The official order of Sichuan's 2021 部门决算公开 tables.
const TITLES: [&str; 14] = [
    "收入支出决算总表",
    "收入决算表",
    "支出决算表",
    "财政拨款收入支出决算总表",
    "财政拨款支出决算明细表",
    "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款支出决算明细表",
    "一般公共预算财政拨款基本支出决算表",
    "一般公共预算财政拨款项目支出决算表",
    "一般公共预算财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表",
    "政府性基金预算财政拨款“三公”经费支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款支出决算表",
];

fn unit_year(template: &str) -> UnitYear {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let text = EXAMPLE.replacen(
        "template = \"national\"",
        &format!("template = \"{template}\""),
        1,
    );
    assert!(text.contains(&format!("template = \"{template}\"")));
    parse_input(&text, "input.toml", &cats).expect("example parses")
}

fn tables(template: &str) -> Vec<Table> {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    derive_tables(
        &lib.table_set(template, 2021).unwrap(),
        &unit_year(template),
        &cats,
    )
}

fn table<'a>(tables: &'a [Table], id: &str) -> &'a Table {
    tables.iter().find(|t| t.id == id).unwrap()
}

fn wan(tables: &[Table], id: &str, row: &str, col: &str) -> String {
    table(tables, id)
        .get(row, col)
        .unwrap_or_else(|| panic!("{id} ({row}, {col}) has no amount"))
        .wan()
}

#[test]
fn the_report_has_the_fourteen_tables_in_order() {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let r = build_report(&unit_year("sichuan"), &lib, &cats).expect("report builds");
    assert_eq!(r.tables.len(), 14);
    let titles: Vec<&str> = r.tables.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, TITLES);
    for (i, t) in r.tables.iter().enumerate() {
        assert_eq!(t.code, format!("公开{:02}表", i + 1));
        assert_eq!(t.unit, "万元");
        let heading = format!("### {} {}", t.code, t.title);
        assert!(r.markdown.contains(&heading), "report.md lacks {heading}");
    }
    // The Markdown lists them in that order too.
    let at = |t: &Table| r.markdown.find(&format!("### {} ", t.code)).unwrap();
    assert!(r.tables.windows(2).all(|w| at(&w[0]) < at(&w[1])));
    assert!(r.tables_json.contains("\"template\": \"sichuan\""));
}

#[test]
fn the_seeds_key_figures_are_in_the_right_cells() {
    let t = tables("sichuan");
    // 收支总计, 本年收入, 基本支出, 项目支出
    assert_eq!(wan(&t, "t1", "grand_total_in", "amount"), "686.54");
    assert_eq!(wan(&t, "t1", "grand_total_out", "amount"), "686.54");
    assert_eq!(wan(&t, "t1", "income_total", "amount"), "616.54");
    assert_eq!(wan(&t, "t2", "total", "fiscal"), "616.54");
    assert_eq!(wan(&t, "t3", "total", "basic"), "406.17");
    assert_eq!(wan(&t, "t3", "total", "project"), "280.37");
    assert_eq!(wan(&t, "t4", "grand_total_out", "total"), "686.54");
    // 公开05表: 财政拨款 by 功能科目 with 人员经费 / 公用经费 in the 合计 row.
    assert_eq!(wan(&t, "s05", "total", "total"), "686.54");
    assert_eq!(wan(&t, "s05", "total", "basic"), "406.17");
    assert_eq!(wan(&t, "s05", "total", "personnel"), "353.28");
    assert_eq!(wan(&t, "s05", "total", "public"), "52.89");
    assert_eq!(wan(&t, "s05", "total", "project"), "280.37");
    assert_eq!(wan(&t, "s05", "2060701", "basic"), "233.93");
    assert_eq!(wan(&t, "s05", "206", "total"), "514.30");
    // 公开06表 = national 公开05表
    assert_eq!(wan(&t, "t5", "total", "total"), "686.54");
    assert_eq!(wan(&t, "t5", "2060799", "project"), "221.80");
    // 公开07表: by 经济分类; the unsplit 项目支出 is its own row.
    assert_eq!(wan(&t, "s07", "total", "total"), "686.54");
    assert_eq!(wan(&t, "s07", "total", "basic"), "406.17");
    assert_eq!(wan(&t, "s07", "total", "project"), "280.37");
    assert_eq!(wan(&t, "s07", "301", "basic"), "248.95");
    assert_eq!(wan(&t, "s07", "unclassified", "project"), "280.37");
    assert_eq!(wan(&t, "s07", "unclassified", "total"), "280.37");
    assert_eq!(wan(&t, "s07", "personnel", "basic"), "353.28");
    assert_eq!(wan(&t, "s07", "public", "basic"), "52.89");
    // 公开08表: 人员经费 / 公用经费
    assert_eq!(wan(&t, "t6", "total", "amount"), "406.17");
    assert_eq!(wan(&t, "t6", "personnel", "amount"), "353.28");
    assert_eq!(wan(&t, "t6", "public", "amount"), "52.89");
    // 公开09表: 项目支出 280.37, none of it split by 经济分类.
    assert_eq!(wan(&t, "s09", "total", "amount"), "280.37");
    assert_eq!(wan(&t, "s09", "unclassified", "amount"), "280.37");
    assert_eq!(table(&t, "s09").row_keys(), ["total", "unclassified"]);
    // 公开10表: “三公”
    assert_eq!(wan(&t, "t7", "total", "actual"), "10.97");
    assert_eq!(wan(&t, "t7", "total", "budget"), "9.89");
    assert_eq!(wan(&t, "t7", "vehicle_operation", "actual"), "10.03");
    assert_eq!(wan(&t, "t7", "vehicle_operation", "budget"), "9.70");
    assert_eq!(wan(&t, "t7", "reception", "actual"), "0.94");
    assert_eq!(wan(&t, "t7", "reception", "budget"), "0.19");
    assert_eq!(wan(&t, "t7", "abroad", "actual"), "0.00");
    assert!(table(&t, "t7").note.is_none());
    // The tables the unit has nothing for carry Sichuan's note and no other.
    for id in ["t8", "s12", "t9", "s14"] {
        let tb = table(&t, id);
        assert!(tb.is_empty(), "{id}");
        let note = tb.note.as_deref().unwrap_or_default();
        assert!(
            note.starts_with("本单位本年度没有") && note.ends_with("故本表无数据。"),
            "{id}: {note}"
        );
    }
}

/// Cells the input cannot determine are blank, never 0.00, and the table says why.
#[test]
fn underivable_cells_are_blank_not_zero() {
    let t = tables("sichuan");
    let blank_at = |id: &str, row: &str, col: &str| {
        let tb = table(&t, id);
        assert_eq!(tb.get(row, col), None, "{id} ({row}, {col}) has an amount");
        // The column's position from a row where it has an amount (the 合计 row).
        let pos = tb.rows[0]
            .iter()
            .position(|c| matches!(c, Cell::Amount { column, .. } if column == col))
            .unwrap();
        let r = tb
            .rows
            .iter()
            .find(|r| {
                r.iter().any(|c| match c {
                    Cell::Code { code } => code == row,
                    Cell::Amount { row: k, .. } => k == row,
                    _ => false,
                })
            })
            .unwrap_or_else(|| panic!("{id} has no row {row}"));
        assert_eq!(r[pos], Cell::Blank, "{id} ({row}, {col})");
    };
    // 人员经费 of one 功能科目: the input splits 基本支出 by 经济分类 for the unit only.
    blank_at("s05", "2060701", "personnel");
    blank_at("s05", "2080501", "public");
    // 项目支出 (and so 合计) of one 经济科目: the input has no project economic split.
    blank_at("s07", "30101", "project");
    blank_at("s07", "30101", "total");
    blank_at("s07", "personnel", "total");
    for id in ["s05", "s07"] {
        assert!(
            table(&t, id).note.as_deref().unwrap().contains("留空"),
            "{id} explains its blank cells"
        );
    }
    // No Sichuan-only table prints a zero where the unit spent money.
    for id in ["s05", "s07", "s09"] {
        assert!(!table(&t, id).is_empty());
    }
    let s09 = table(&t, "s09");
    assert!(s09.amounts().all(|(_, a)| !a.is_zero()), "{s09:?}");
}

/// The shared tables are the national tables under Sichuan's numbers.
#[test]
fn shared_tables_equal_the_national_ones() {
    let sc = tables("sichuan");
    let nat = tables("national");
    for n in &nat {
        let s = table(&sc, &n.id);
        assert_eq!(s.title, n.title);
        assert_eq!(s.rows, n.rows, "{}", n.id);
        assert_eq!(s.header, n.header, "{}", n.id);
        assert_eq!(s.note, n.note, "{}", n.id);
    }
}

/// The Sichuan rule set as `juesuan check` loads it: the file, its `extends` resolved from the
/// embedded library.
fn sichuan_rules() -> RuleSet {
    let lib = Library::embedded();
    RuleSet::from_toml_resolving(SICHUAN_RULES, "sichuan-2021.toml", &|name, year| {
        lib.find("rules", name, "toml", year)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    })
    .expect("rules load")
}

#[test]
fn the_sichuan_rule_set_is_the_national_rules_then_its_own() {
    let national = RuleSet::from_toml(NATIONAL_RULES, "national-2021.toml").unwrap();
    let sichuan = sichuan_rules();
    assert_eq!((sichuan.name.as_str(), sichuan.year), ("sichuan", 2021));
    // The national rules first, unchanged and in order …
    let n = national.rules.len();
    assert_eq!(sichuan.rules[..n], national.rules[..]);
    // … then the Sichuan file's own rules, none of them a copy of a national one.
    let own: Vec<&str> = sichuan.rules[n..].iter().map(|r| r.id.as_str()).collect();
    assert!(!own.is_empty());
    for id in &own {
        assert!(
            id.starts_with('S') || *id == "N-02",
            "{id}: a Sichuan rule is S… (or N-02)"
        );
        assert!(!national.rules.iter().any(|r| r.id == *id), "{id} copied");
    }
    // The file itself holds no national rule (a copy would be a duplicate id): it names its
    // base instead.
    assert!(SICHUAN_RULES.contains("\nextends = \"national\"\n"));
    for r in &national.rules {
        assert!(
            !SICHUAN_RULES.contains(&format!("id = \"{}\"", r.id)),
            "{}",
            r.id
        );
    }
    // The rule set `juesuan check` picks for the template is this file.
    let lib = Library::embedded();
    let (_, text) = lib.find("rules", "sichuan", "toml", 2021).unwrap();
    assert_eq!(text, SICHUAN_RULES);
}

#[test]
fn the_rules_hold_on_the_sichuan_tables() {
    let t = tables("sichuan");
    for (name, set) in [
        ("national", RuleSet::from_toml(NATIONAL_RULES, "n").unwrap()),
        ("sichuan", sichuan_rules()),
    ] {
        for r in run(&set, &t) {
            assert!(
                matches!(r.outcome, Outcome::Pass | Outcome::NotApplicable),
                "{name} {}: {r:?}",
                r.rule
            );
        }
    }
    // Rules that have something to check on the example do check it.
    let results = run(&sichuan_rules(), &t);
    for id in [
        "S05-01", "S05-02", "S05-03", "S05-04", "S05-05", "S05-06", "S07-01", "S07-02", "S07-03",
        "S07-04", "S07-05", "S07-06", "S07-07", "S09-01", "S09-02", "S14-02", "N-02",
    ] {
        let r = results.iter().find(|r| r.rule == id).unwrap();
        assert_eq!(r.outcome, Outcome::Pass, "{id}: {r:?}");
        assert!(r.checked > 0, "{id}");
    }
}

/// The first cell a Sichuan rule states (with `row.`/`ROW` resolved to its first row, or the
/// first 类 of a hierarchy), as `table.row.column`.
fn first_stated_cell(set: &RuleSet, id: &str, tables: &[Table]) -> String {
    let rule = set.rules.iter().find(|r| r.id == id).unwrap();
    if let Some(tid) = &rule.hierarchy {
        let class = table(tables, tid)
            .row_keys()
            .into_iter()
            .find(|k| k.len() == 3 && k.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or_else(|| "total".into());
        return format!("{tid}.{class}.{}", rule.columns[0]);
    }
    let row = rule.each_row.as_ref().map(|tid| {
        let key = table(tables, tid)
            .row_keys()
            .into_iter()
            .find(|k| match rule.rows {
                RowSelection::All => true,
                _ => k.chars().all(|c| c.is_ascii_digit()),
            })
            .unwrap();
        (tid.clone(), key)
    });
    let src = rule.stated.as_deref().unwrap();
    let src = match &row {
        Some((_, key)) => src.replace("ROW", key),
        None => src.to_string(),
    };
    let name = Expr::parse(&src)
        .unwrap()
        .names()
        .into_iter()
        .next()
        .unwrap();
    match (name.strip_prefix("row."), &row) {
        (Some(col), Some((tid, key))) => format!("{tid}.{key}.{col}"),
        _ => name,
    }
}

/// Every Sichuan rule that reads amounts fails when a cell it states moves by 1 分 (up, or
/// down for `>=` rules). Hierarchy rules of tables without 类 rows on the example (s09, s14)
/// have nothing to compare; the hierarchy check itself is tested in juesuan-check.
#[test]
fn each_sichuan_rule_catches_a_one_fen_change() {
    let set = sichuan_rules();
    let clean = tables("sichuan");
    let amount_rules = set
        .rules
        .iter()
        .filter(|r| r.id.starts_with('S') && (r.stated.is_some() || r.hierarchy.is_some()));
    let mut tested = 0;
    for rule in amount_rules {
        if let Some(tid) = &rule.hierarchy {
            let has_class = table(&clean, tid)
                .row_keys()
                .iter()
                .any(|k| k.len() == 3 && k.chars().all(|c| c.is_ascii_digit()));
            if !has_class {
                continue;
            }
        }
        let cell = first_stated_cell(&set, &rule.id, &clean);
        let mut parts = cell.splitn(3, '.');
        let (tid, row, col) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let mut broken = clean.clone();
        let tb = broken.iter_mut().find(|t| t.id == tid).unwrap();
        let Some(a) = tb.get(row, col) else {
            panic!("{}: stated cell {cell} is not in the tables", rule.id)
        };
        let delta = if rule.relation == Relation::AtLeast {
            -1
        } else {
            1
        };
        assert!(tb.set(row, col, Amount(a.fen() + delta)));
        let results = run(&set, &broken);
        let r = results.iter().find(|r| r.rule == rule.id).unwrap();
        assert_eq!(
            r.outcome,
            Outcome::Fail,
            "{} did not catch a 1分 change of {cell}: {r:?}",
            rule.id
        );
        let f = &r.findings[0];
        assert!(!f.location.is_empty() && !f.message.is_empty(), "{f:?}");
        tested += 1;
    }
    assert!(tested >= 20, "only {tested} rules tested");
}

/// An empty table without its note is reported.
#[test]
fn an_empty_sichuan_table_needs_its_note() {
    let set = sichuan_rules();
    let mut t = tables("sichuan");
    t.iter_mut().find(|t| t.id == "s14").unwrap().note = None;
    let results = run(&set, &t);
    let r = results.iter().find(|r| r.rule == "N-02").unwrap();
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.findings[0].location.contains("公开14表"));
}
