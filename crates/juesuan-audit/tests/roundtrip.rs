//! generate → audit: juesuan's own report audits clean, and every material corruption of a
//! figure that takes part in a checked relation is caught.

use juesuan_audit::{audit, Kind, Outcome, Place};
use juesuan_core::input::parse_input;
use juesuan_data::Library;
use juesuan_report::build_report;

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

fn generated() -> String {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let uy = parse_input(EXAMPLE, "input.toml", &cats).unwrap();
    build_report(&uy, &lib, &cats).unwrap().markdown
}

/// The workbook `juesuan report` writes (tables.xlsx), with `change` applied to its tables
/// first, read as the auditor reads an .xlsx.
fn workbook(change: impl Fn(&mut [juesuan_core::tables::Table])) -> String {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let uy = parse_input(EXAMPLE, "input.toml", &cats).unwrap();
    let mut tables = build_report(&uy, &lib, &cats).unwrap().tables;
    change(&mut tables);
    let bytes = juesuan_xlsx::write_workbook(&tables, &uy).unwrap();
    juesuan_readers::xlsx_text(&bytes).unwrap()
}

#[test]
fn our_own_workbook_audits_clean_with_all_nine_tables() {
    let a = audit(&workbook(|_| {}));
    assert_eq!(a.coverage.tables.tables, 9, "{:?}", a.coverage.tables);
    assert!(a.coverage.tables.unrecognised.is_empty());
    // A rule over a grouped header the workbook text does not map (公开04/08/09表) says it could
    // not run; nothing else may be short of a pass.
    let bad: Vec<_> = a
        .checks
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Pass | Outcome::NotApplicable))
        .filter(|c| !(c.kind == Kind::TableRule && c.outcome == Outcome::InsufficientData))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    for c in a
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::InsufficientData)
    {
        assert!(c.message.contains("无法核对"), "{c:?}");
    }
    assert!(a.checks.len() >= 60, "only {} checks", a.checks.len());
}

#[test]
fn a_corrupted_workbook_cell_is_caught_by_a_table_check() {
    // One amount of the first row with three or more (合计 and its parts) is raised by
    // 1 万元 before the workbook is written.
    let text = workbook(|tables| {
        for t in tables.iter_mut() {
            let keys = t.row_keys();
            for row in keys {
                let cells: Vec<(String, juesuan_core::money::Amount)> = t
                    .amounts()
                    .filter(|((r, _), a)| *r == row && !a.is_zero())
                    .map(|((_, c), a)| (c.clone(), *a))
                    .collect();
                if cells.len() >= 3 {
                    let (column, amount) = cells[1].clone();
                    let raised = amount + juesuan_core::money::Amount::from_yuan(10_000);
                    assert!(t.set(&row, &column, raised));
                    return;
                }
            }
        }
        panic!("no row with three amounts");
    });
    let a = audit(&text);
    let table_kinds = [
        Kind::TableColumns,
        Kind::TableHierarchy,
        Kind::TableTotal,
        Kind::TableEqual,
        Kind::TableBalance,
    ];
    let caught: Vec<_> = a
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail && table_kinds.contains(&c.kind))
        .collect();
    assert!(
        !caught.is_empty(),
        "{:#?}",
        a.failures().collect::<Vec<_>>()
    );
}

#[test]
fn our_own_report_audits_clean() {
    let md = generated();
    let a = audit(&md);
    let bad: Vec<_> = a
        .checks
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Pass | Outcome::NotApplicable))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(a.checks.len() >= 60, "only {} checks", a.checks.len());
}

/// Replace the figure at `place` by a materially different number: its first digit + 1
/// (9 → 1 with a carry digit), so the value moves by at least one unit of its leading digit.
fn corrupt(text: &str, place: Place) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = &mut lines[place.line - 1];
    let chars: Vec<char> = line.chars().collect();
    let figure: String = chars[place.start..place.end].iter().collect();
    let first = figure
        .chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .expect("a figure");
    let replaced = if first == 9 {
        format!("1{}", &figure[..])
    } else {
        format!("{}{}", first + 1, &figure[1..])
    };
    *line = format!(
        "{}{}{}",
        chars[..place.start].iter().collect::<String>(),
        replaced,
        chars[place.end..].iter().collect::<String>()
    );
    lines.join("\n")
}

#[test]
fn every_material_corruption_of_a_checked_figure_is_caught() {
    let md = generated();
    let clean = audit(&md);
    // A figure whose relation has a zero term may change without breaking it (0% of any
    // total is 0%): only figures in a passing check whose other figures are all non-zero
    // are corrupted.
    let figure = |p: &Place| -> String {
        let line: Vec<char> = md.lines().nth(p.line - 1).unwrap().chars().collect();
        line[p.start..p.end].iter().collect()
    };
    let zero = |p: &Place| {
        figure(p)
            .trim_start_matches('0')
            .trim_start_matches('.')
            .trim_matches('0')
            .is_empty()
    };
    let mut places: Vec<Place> = clean
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Pass)
        .flat_map(|c| {
            c.figures
                .iter()
                .filter(|p| c.figures.iter().all(|q| q == *p || !zero(q)))
                .copied()
                .collect::<Vec<_>>()
        })
        .collect();
    places.sort_by_key(|p| (p.line, p.start));
    places.dedup();
    // A deterministic sample (LCG), at most 150 positions.
    let mut seed: u64 = 20211231;
    let mut sample = Vec::new();
    while sample.len() < places.len().min(150) {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let p = places[(seed >> 33) as usize % places.len()];
        if !sample.contains(&p) {
            sample.push(p);
        }
    }
    let mut missed = Vec::new();
    for p in &sample {
        let broken = corrupt(&md, *p);
        if audit(&broken).failures().next().is_none() {
            missed.push(*p);
        }
    }
    let caught = sample.len() - missed.len();
    println!(
        "corruptions caught: {caught}/{} ({:.0}%)",
        sample.len(),
        100.0 * caught as f64 / sample.len() as f64
    );
    assert!(missed.is_empty(), "missed corruptions at {missed:?}");
}

/// Issue #12: our own report's nine tables are all recognised, and a table cell changed is
/// caught by a table rule (表内合计、类款项、合计栏、收支平衡、表间…), whichever cell it is.
#[test]
fn our_nine_tables_are_read_and_a_changed_cell_fails_a_table_rule() {
    let md = generated();
    let clean = audit(&md);
    assert_eq!(
        clean.coverage.tables.tables, 9,
        "{:?}",
        clean.coverage.tables
    );
    assert!(clean.coverage.tables.unrecognised.is_empty());
    let is_table = |k: Kind| format!("{k:?}").starts_with("Table");
    // Every cell a passing table check reads, that is not zero (0 + 0 = 0 whatever the
    // other zero is).
    let mut cells: Vec<Place> = clean
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Pass && is_table(c.kind))
        .flat_map(|c| c.figures.iter().copied())
        .filter(|p| {
            let line: Vec<char> = md.lines().nth(p.line - 1).unwrap().chars().collect();
            let text: String = line[p.start..p.end].iter().collect();
            text.chars().any(|c| ('1'..='9').contains(&c))
        })
        .collect();
    cells.sort_by_key(|p| (p.line, p.start));
    cells.dedup();
    assert!(
        cells.len() >= 50,
        "only {} table cells checked",
        cells.len()
    );
    let missed: Vec<Place> = cells
        .iter()
        .step_by(3)
        .copied()
        .filter(|p| {
            !audit(&corrupt(&md, *p))
                .failures()
                .any(|c| is_table(c.kind))
        })
        .collect();
    assert!(
        missed.is_empty(),
        "changed cells no table rule caught: {missed:?}"
    );
}

/// Issue #12 item 2: our own report's nine tables map onto the national 决算 templates, every
/// rule of data/rules/national-2021.toml they can evaluate passes (only the rules that read
/// the narrative's reasons or the note under an empty table are not for printed tables), and
/// a changed cell that no generic table check reads is caught by a rule.
#[test]
fn our_nine_tables_map_onto_the_templates_and_pass_every_rule() {
    let md = generated();
    let clean = audit(&md);
    let cov = &clean.coverage.tables;
    assert_eq!(cov.template_set.as_deref(), Some("national"));
    assert_eq!(cov.matched.len(), 9, "{:?}", cov.matched);
    assert!(cov
        .matched
        .iter()
        .all(|(printed, template)| printed == template));
    assert_eq!((cov.unplaced, cov.rule_failures), (0, 0), "{cov:?}");
    assert!(cov.rule_checks >= 200, "{cov:?}");
    let rules: Vec<_> = clean
        .checks
        .iter()
        .filter(|c| c.kind == Kind::TableRule)
        .collect();
    let not_run: Vec<&str> = rules
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| c.message.split('（').next().unwrap())
        .collect();
    assert_eq!(not_run, ["审核公式R-01", "审核公式R-02", "审核公式N-01"]);
    assert!(rules
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .all(|c| c.outcome == Outcome::NotApplicable));
    // 二、政府性基金预算财政拨款收入 0.00 → 5.00 in 公开01表: no generic check reads the
    // income rows of a 收支总表; T1-04 (本年收入合计 = Σ收入) does.
    let changed = md.replacen(
        "| 二、政府性基金预算财政拨款收入 | 0.00 |",
        "| 二、政府性基金预算财政拨款收入 | 5.00 |",
        1,
    );
    assert_ne!(changed, md);
    let f: Vec<_> = audit(&changed)
        .failures()
        .map(|c| (c.kind, c.message.split('：').next().unwrap().to_string()))
        .collect();
    assert!(
        f.contains(&(Kind::TableRule, "审核公式T1-04".to_string())),
        "{f:?}"
    );
}
