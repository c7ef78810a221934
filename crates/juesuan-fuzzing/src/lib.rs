//! The fuzz targets' logic (模糊测试), one public function per target, each taking the raw
//! fuzz input. `fuzz/fuzz_targets/<target>.rs` are one-line wrappers (nightly, libFuzzer);
//! `tests/regressions.rs` replays `fuzz/regressions/<target>/` and the committed seeds
//! through the same functions on stable, so CI covers every kept crash without nightly.
//!
//! Each function asserts that nothing panics; errors are the right answer to malformed
//! input. A function asserts more only where it holds by construction (see
//! [`pipeline`]), so a failing assertion is a bug, never a false alarm.

mod docx;
mod setup;

pub use docx::docx_structured;

use juesuan_core::input::parse_input;
use juesuan_core::tables::Table;
use juesuan_report::evaluation::Scored;
use setup::{catalogues_for, declared_year, library, national_2021};
use std::collections::{BTreeMap, BTreeSet};

/// A target's function.
pub type Target = fn(&[u8]);

/// Every target: (name, function). The name is the fuzz target's and the directory's under
/// `fuzz/corpus/`, `fuzz/regressions/` and `fuzz/dict/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("audit_text", audit_text),
    ("docx_reader", docx_reader),
    ("docx_structured", docx_structured),
    ("evaluation", evaluation),
    ("input_toml", input_toml),
    ("journal_csv", journal_csv),
    ("operator_files", operator_files),
    ("pipeline", pipeline),
    ("rules_and_systems", rules_and_systems),
    ("text_reader", text_reader),
    ("upload", upload),
    ("xlsx_import", xlsx_import),
    ("xlsx_reader", xlsx_reader),
];

/// `juesuan_audit::audit` on the (lossy UTF-8) text.
pub fn audit_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = juesuan_audit::audit(&text);
}

/// `juesuan_readers::docx_text` on the bytes (mostly stops at the zip layer; see
/// [`docx_structured`] for the XML).
pub fn docx_reader(data: &[u8]) {
    let _ = juesuan_readers::docx_text(data);
}

/// The plain-text reader and the PDF line re-joiner.
pub fn text_reader(data: &[u8]) {
    let _ = juesuan_readers::text_from_bytes(data);
    let text = String::from_utf8_lossy(data);
    let _ = juesuan_readers::unwrap_lines(&text);
}

/// `parse_input` with the embedded catalogues of the year the text declares.
pub fn input_toml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some(cats) = catalogues_for(declared_year(&text)) else {
        return;
    };
    let _ = parse_input(&text, "fuzz.toml", &cats);
}

/// Rule files, indicator-system files and scoring expressions on the same text.
pub fn rules_and_systems(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = juesuan_check::RuleSet::from_toml(&text, "f");
    let _ = juesuan_score::IndicatorSystem::from_toml(&text, "f", &|_| None);
    let _ = juesuan_score::expr::Expr::parse(&text);
}

/// `juesuan_journal::import` on a CSV. The first byte picks the options (bit 0: year 2021,
/// 1: all units, 2: keep going, 3–4: balance check auto/strict/off, 5: GB18030, 6: the
/// yonyou column mapping); the rest is the file.
pub fn journal_csv(data: &[u8]) {
    use juesuan_journal::{BalanceCheck, Options, TextEncoding};
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let s = national_2021();
    let options = Options {
        year: (flags & 1 != 0).then_some(2021),
        unit: None,
        all_units: flags & 2 != 0,
        keep_going: flags & 4 != 0,
        balance: match (flags >> 3) & 3 {
            0 => BalanceCheck::Auto,
            1 => BalanceCheck::Strict,
            _ => BalanceCheck::Off,
        },
        encoding: (flags & 32 != 0).then_some(TextEncoding::Gb18030),
    };
    let columns = if flags & 64 != 0 {
        &s.yonyou
    } else {
        &s.columns
    };
    if let Ok(journal) = juesuan_journal::import(
        body,
        "fuzz.csv",
        columns,
        &s.accounts,
        &s.catalogues,
        &options,
        &mut |_| {},
    ) {
        for i in 0..journal.units.len() {
            let _ = journal.unit_facts(i);
        }
    }
}

/// Tight limits keep each workbook run short (the limits themselves have their own tests).
fn fuzz_limits() -> juesuan_xlsx::Limits {
    juesuan_xlsx::Limits {
        max_total_uncompressed: 8 * 1024 * 1024,
        max_cells: 20_000,
        max_declared_cells: 1_000_000,
        ..juesuan_xlsx::Limits::default()
    }
}

/// `juesuan_xlsx::import_workbook` on the bytes: errors are fine, panics, hangs and unbounded
/// memory are not.
pub fn xlsx_reader(data: &[u8]) {
    let s = national_2021();
    let _ = juesuan_xlsx::import_workbook_with_limits(
        data,
        &s.table_set,
        &s.catalogues,
        2021,
        &fuzz_limits(),
    );
}

/// `juesuan import`: a workbook imported, written as an input file without a base, and that
/// file read back. The written file must at least be TOML (no E001): the importer must never
/// write text its own reader refuses as malformed.
pub fn xlsx_import(data: &[u8]) {
    import_and_reread(data, "fuzz.xlsx");
}

/// A workbook imported with the national 2021 templates (bounded), written and read back.
fn import_and_reread(data: &[u8], name: &str) {
    let s = national_2021();
    let Ok(imported) = juesuan_xlsx::import_workbook_with_limits(
        data,
        &s.table_set,
        &s.catalogues,
        2021,
        &fuzz_limits(),
    ) else {
        return;
    };
    write_and_reread(&imported, 2021, &s.catalogues, name);
}

fn write_and_reread(
    imported: &juesuan_xlsx::Imported,
    year: i32,
    cats: &juesuan_core::Catalogues,
    origin: &str,
) {
    let text = juesuan_xlsx::input_text(imported, None, year, "national", cats, origin);
    if let Err(errors) = parse_input(&text, "written.toml", cats) {
        let syntax: Vec<_> = errors
            .iter()
            .filter(|e| e.code == juesuan_core::error::ErrorCode::Syntax)
            .collect();
        assert!(
            syntax.is_empty(),
            "the importer wrote malformed TOML: {syntax:?}\n{text}"
        );
    }
}

/// parse → derive the tables → check them with the embedded rules → score `[evaluation]` →
/// build the report (Markdown, HTML, JSON, charts; not Word or PDF).
///
/// Invariant, by construction of `derive_tables` (a cell sums the facts matching its row's
/// filter, a classification row's filter is a code prefix, and an input's function codes are
/// 项-level): in a tree of codes, a known parent amount (类 or 款) equals the sum of its
/// children's known amounts whenever every child present is known.
pub fn pipeline(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lib = library();
    let Some(cats) = catalogues_for(declared_year(&text)) else {
        return;
    };
    let Ok(uy) = parse_input(&text, "fuzz.toml", &cats) else {
        return;
    };
    // The consistency rules (审核), as `juesuan check` runs them.
    if let Ok(table_set) = lib.table_set(&uy.template, uy.year) {
        let tables = juesuan_core::tables::derive_tables(&table_set, &uy, &cats);
        for t in &tables {
            assert_tree_sums(t);
        }
        if let Some((origin, rules)) = lib.find("rules", &uy.template, "toml", uy.year) {
            let resolve = |name: &str, year: i32| {
                lib.find("rules", name, "toml", year)
                    .map(|(o, t)| (o.to_string(), t.to_string()))
            };
            if let Ok(set) = juesuan_check::RuleSet::from_toml_resolving(rules, origin, &resolve) {
                let (cx, _) = juesuan_report::context::build(&uy, &cats, Vec::new());
                let explained = juesuan_report::context::explanations(&cx);
                let _ = juesuan_check::run_with(&set, &tables, &explained);
            }
        }
    }
    let scores = match juesuan_report::evaluation::compute(lib, &uy) {
        Ok(Scored::Scores(s)) => Some(*s),
        _ => None,
    };
    let _ = juesuan_report::build_report_with_scores(&uy, lib, &cats, scores.as_ref());
}

/// The tree invariant of [`pipeline`] on one derived table.
fn assert_tree_sums(t: &Table) {
    let rows: BTreeSet<String> = t.row_keys().into_iter().collect();
    let is_code = |r: &str| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit());
    let mut by_cell: BTreeMap<(&str, &str), i128> = BTreeMap::new();
    let mut columns = BTreeSet::new();
    for ((r, c), a) in t.amounts() {
        by_cell.insert((r.as_str(), c.as_str()), a.fen() as i128);
        columns.insert(c.as_str());
    }
    for parent in rows.iter().filter(|r| is_code(r) && r.len() < 7) {
        let children: Vec<&String> = rows
            .iter()
            .filter(|r| is_code(r) && r.len() == parent.len() + 2 && r.starts_with(&**parent))
            .collect();
        if children.is_empty() {
            continue;
        }
        for c in &columns {
            let Some(&whole) = by_cell.get(&(parent.as_str(), *c)) else {
                continue;
            };
            let parts: Option<Vec<i128>> = children
                .iter()
                .map(|k| by_cell.get(&(k.as_str(), *c)).copied())
                .collect();
            if let Some(parts) = parts {
                let sum: i128 = parts.iter().sum();
                assert_eq!(
                    whole, sum,
                    "table {} column {c}: row {parent} is not the sum of its rows {children:?}",
                    t.id
                );
            }
        }
    }
}

/// The `[evaluation]` input (绩效评价) scored against the embedded example unit-year: the
/// text is an input file's `[evaluation]` part (department values and lists, projects with
/// their indicators). Every line is also read as an exact number (`Ratio::parse`).
pub fn evaluation(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(64) {
        let _ = juesuan_score::Ratio::parse(line.trim());
    }
    let lib = library();
    let mut uy = setup::example_unit_year().clone();
    uy.evaluation = juesuan_core::evaluation::EvaluationSection::read(&text, "f");
    if let Ok(Scored::Scores(scores)) = juesuan_report::evaluation::compute(lib, &uy) {
        if let Some(ev) = &scores.department {
            let _ = juesuan_report::evaluation::evaluation_text(ev);
        }
        for p in &scores.projects {
            let _ = juesuan_report::evaluation::project_text(p);
            let _ = juesuan_report::evaluation::project_scored_table_markdown(p);
        }
        let _ = juesuan_report::evaluation::disclosure_markdown(&scores, "万元");
    }
}

/// The web upload path, without the web app: the first byte is the length of the file name
/// (mod 64), then the name, then the file. Type detection, then as the web app does: a
/// journal through the year wrapper (`import_for_year`), a workbook through the zip guard,
/// the importer and the input writer, a text through the UTF-8 check and `parse_input`.
pub fn upload(data: &[u8]) {
    use juesuan_xlsx::upload::{safe_name, upload_kind, upload_text, UploadKind};
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = (n as usize % 64).min(rest.len());
    let (name, bytes) = rest.split_at(n);
    let filename = String::from_utf8_lossy(name);
    let shown = safe_name(&filename);
    assert!(!shown.is_empty() && !shown.contains(['/', '\\']) && !shown.contains(char::is_control));
    match upload_kind(bytes, &filename) {
        UploadKind::Journal => {
            let lib = library();
            let Ok(columns) = juesuan_journal::column_map(lib, "juesuan") else {
                return;
            };
            let options = juesuan_journal::Options {
                all_units: true,
                keep_going: true,
                ..Default::default()
            };
            let imported = juesuan_journal::import_for_year(
                lib,
                || Ok(bytes),
                &shown,
                &columns,
                &options,
                &|year| lib.catalogues(year),
                &mut |_| {},
            );
            if let Ok((journal, _)) = imported {
                for i in 0..journal.units.len() {
                    let _ = journal.unit_facts(i);
                }
            }
        }
        UploadKind::Workbook => {
            if juesuan_xlsx::safety::check_directory(bytes, &juesuan_xlsx::Limits::upload())
                .is_err()
            {
                return;
            }
            import_and_reread(bytes, &shown);
        }
        UploadKind::Text => {
            if let Ok(text) = upload_text(bytes, &filename) {
                if let Some(cats) = catalogues_for(declared_year(&text)) {
                    let _ = parse_input(&text, &shown, &cats);
                }
            }
        }
    }
}

/// Files an operator supplies: `--profile` (审核方案), `--columns` (列映射), `--catalogue`
/// (补充分类目录), `--data-dir` files (table sets, account mappings, indicator systems,
/// project rules, glossaries) and rule sets that `extends` another. The same text goes
/// through every loader, so a seed of one kind also explores the others.
pub fn operator_files(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lib = library();
    let s = national_2021();
    // --profile over the national rules.
    let _ = juesuan_check::Profile::from_toml(&text, "profile.toml", &s.rules)
        .map(|p| p.apply(&s.rules));
    // --columns
    let _ = juesuan_journal::ColumnMap::from_toml(&text, "columns.toml");
    // --catalogue, merged as the command line merges it.
    if let Ok(kind) = juesuan_core::catalogue::kind_of_toml(&text, "catalogue.toml") {
        let mut cats = s.catalogues.clone();
        let target = match kind {
            juesuan_core::catalogue::ClassificationKind::Economic => &mut cats.economic,
            juesuan_core::catalogue::ClassificationKind::Function => &mut cats.function,
        };
        let _ = target.merge_toml(&text, "catalogue.toml");
    }
    // --data-dir files of each kind.
    let _ = juesuan_core::tables::TableSet::from_toml(&text, "tables.toml");
    let _ = juesuan_journal::AccountMap::from_toml(&text, "accounts.toml");
    let _ = juesuan_score::project::ProjectRules::from_toml(&text, "project-rules.toml");
    let _ = juesuan_report::parse_glossary(&text, "glossary.toml");
    let base = |name: &str| {
        lib.find("indicators", name, "toml", 2021)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    };
    let _ = juesuan_score::IndicatorSystem::from_toml(&text, "system.toml", &base);
    // Rule `extends`: the text extending the shipped sets, and the text as the base that the
    // shipped Sichuan set extends.
    let shipped = |name: &str, year: i32| {
        lib.find("rules", name, "toml", year)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    };
    let _ = juesuan_check::RuleSet::from_toml_resolving(&text, "rules.toml", &shipped);
    if let Some((origin, sichuan)) = lib.find("rules", "sichuan", "toml", 2021) {
        let fuzzed = |_: &str, _: i32| Some(("base.toml".to_string(), text.to_string()));
        let _ = juesuan_check::RuleSet::from_toml_resolving(sichuan, origin, &fuzzed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_tables() -> Vec<Table> {
        let uy = setup::example_unit_year();
        let cats = catalogues_for(Some(2021)).unwrap();
        let set = library().table_set("national", 2021).unwrap();
        juesuan_core::tables::derive_tables(&set, uy, &cats)
    }

    #[test]
    fn the_tree_invariant_holds_for_the_example_and_catches_a_wrong_parent() {
        let mut tables = example_tables();
        tables.iter().for_each(assert_tree_sums);
        // Break one 类 amount that has 款 rows under it: the invariant must notice.
        let (i, row, col, amount) = tables
            .iter()
            .enumerate()
            .find_map(|(i, t)| {
                let rows = t.row_keys();
                t.amounts().find_map(|((r, c), a)| {
                    let has_child = rows
                        .iter()
                        .any(|k| k.len() == 5 && k.starts_with(r.as_str()));
                    (r.len() == 3 && has_child && !a.is_zero())
                        .then(|| (i, r.clone(), c.clone(), *a))
                })
            })
            .expect("the example has a 类 row with 款 rows");
        assert!(tables[i].set(&row, &col, juesuan_core::Amount(amount.fen() + 1)));
        let t = &tables[i];
        assert!(std::panic::catch_unwind(|| assert_tree_sums(t)).is_err());
    }

    #[test]
    fn the_example_reaches_the_report() {
        let text = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
        let cats = catalogues_for(declared_year(text)).unwrap();
        let uy = parse_input(text, "example.toml", &cats).unwrap();
        let report = juesuan_report::build_report(&uy, library(), &cats).unwrap();
        assert!(report.markdown.contains("凉山州科学技术协会"));
        pipeline(text.as_bytes());
    }
}
