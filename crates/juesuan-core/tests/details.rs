//! The optional details (juesuan_core::details): each rule has a passing and a failing case,
//! and any valid set of details survives the round trip input → UnitYear → input
//! (`write_input`) unchanged.

use juesuan_core::catalogue::Catalogue;
use juesuan_core::details::{Grades, Score, Stage};
use juesuan_core::input::parse_input;
use juesuan_core::{normalized_facts, section_changes, write_input, Catalogues, ErrorCode};
use proptest::prelude::*;

fn catalogues() -> Catalogues {
    Catalogues {
        function: Catalogue::from_toml(
            "kind = \"function\"\nyear = 2024\n[codes]\n\"201\" = \"一般公共服务支出\"\n\"20101\" = \"人大事务\"\n\"2010101\" = \"行政运行\"\n\"2010102\" = \"一般行政管理事务\"\n",
            "f",
        )
        .unwrap(),
        economic: Catalogue::from_toml(
            "kind = \"economic\"\nyear = 2024\n[codes]\n\"301\" = \"工资福利支出\"\n\"30101\" = \"基本工资\"\n[groups]\npersonnel = [\"301\"]\npublic = [\"302\"]\n",
            "e",
        )
        .unwrap(),
    }
}

const BASE: &str = "year = 2024\namount_unit = \"元\"\n[unit]\nname = \"某单位\"\nkind = \"行政\"\n\
[income.general_budget]\n\"2010101\" = 1000\n[expenditure.basic.general_budget]\n\"2010101\" = 1000\n\
[basic_economic.general_budget]\n\"30101\" = 1000\n\
[prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n";

/// The line of the `n`-th line (1-based) of the text after BASE.
fn line(n: usize) -> Option<usize> {
    Some(BASE.lines().count() + n)
}

fn errors(extra: &str) -> Vec<(ErrorCode, String, Option<usize>)> {
    match parse_input(&format!("{BASE}{extra}"), "in.toml", &catalogues()) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .into_iter()
            .map(|e| (e.code, e.message, e.location.map(|l| l.line)))
            .collect(),
    }
}

#[test]
fn small_micro_reservations_are_part_of_sme_reservations() {
    let ok = "[procurement]\nsme_reserved = 500\nsmall_micro_reserved = 500\n";
    assert!(errors(ok).is_empty());
    let bad = errors("[procurement]\nsme_reserved = 500\nsmall_micro_reserved = 500.01\n");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].0, ErrorCode::InconsistentDetail);
    assert_eq!(bad[0].2, line(3), "{bad:?}");
    // 小微 alone: its whole has not been stated.
    let alone = errors("[procurement]\nsmall_micro_reserved = 1\n");
    assert!(alone[0].1.contains("未填写"), "{alone:?}");
}

#[test]
fn graded_projects_are_evaluated_projects() {
    let stage = "[performance.evaluated]\nprojects = 3\namount = 10\n";
    let ok = format!("{stage}[performance.grades]\nexcellent = 1\ngood = 1\npass = 1\n");
    assert!(errors(&ok).is_empty());
    let bad = errors(&format!(
        "{stage}[performance.grades]\nexcellent = 2\ngood = 1\nfail = 1\n"
    ));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].1.contains("共4个，超过绩效评价项目3个"), "{bad:?}");
}

#[test]
fn scores_are_exact_hundredths_from_0_to_100() {
    for ok in ["0", "100", "91.5", "\"88.25\""] {
        assert!(
            errors(&format!("[performance]\naverage_score = {ok}\n")).is_empty(),
            "{ok}"
        );
    }
    for bad in ["100.01", "-1", "91.555", "\"九十\""] {
        let e = errors(&format!("[performance]\naverage_score = {bad}\n"));
        assert_eq!(e.len(), 1, "{bad}: {e:?}");
        assert_eq!(e[0].0, ErrorCode::InconsistentDetail);
        assert_eq!(e[0].2, line(2));
    }
}

#[test]
fn a_use_sentence_names_a_spent_item() {
    assert!(errors("[item_usage]\n\"2010101\" = \"机关运转\"\n").is_empty());
    let e = errors("[item_usage]\n\"2010102\" = \"一般管理\"\n");
    assert_eq!((e[0].0, e[0].2), (ErrorCode::InconsistentDetail, line(2)));
    let e = errors("[item_usage]\n\"20101\" = \"款级\"\n");
    assert_eq!(e[0].0, ErrorCode::NotItemLevel);
}

#[test]
fn the_read_details_are_the_written_ones() {
    let text = format!(
        "{BASE}[item_usage]\n\"2010101\" = \"机关运转\"\n[procurement]\nservices = 100\nsme_reserved = 80\n\
         [sangong.vehicles_held]\nsedan = 2\n[assets.vehicle_uses]\nother = 2\n[assets.equipment]\nover_1m = 1\n\
         [performance]\naverage_score = 91.5\n[performance.tracking]\nprojects = 2\namount = 12.34\n"
    );
    let uy = parse_input(&text, "in.toml", &catalogues()).unwrap();
    let p = &uy.performance;
    assert_eq!(p.average_score, Some(Score(9150)));
    assert_eq!(
        p.tracking,
        Some(Stage {
            projects: 2,
            amount: juesuan_core::Amount(1234)
        })
    );
    assert_eq!(p.evaluated, None);
    assert_eq!(uy.assets.vehicle_uses.get("other"), Some(&2));
    assert_eq!(
        uy.item_usage.get("2010101").map(String::as_str),
        Some("机关运转")
    );
}

fn details() -> impl Strategy<Value = String> {
    let stage = proptest::option::of((0u32..50, 0i64..10_000_000));
    (
        proptest::option::of((0i64..1_000_000, 0i64..=100)),
        (stage.clone(), stage.clone(), stage),
        proptest::option::of(0u32..=10_000),
        proptest::option::of((0u32..3, 0u32..3)),
        proptest::collection::btree_map("[a-z]{1,8}", 0u32..20, 0..4),
        proptest::option::of("[一-龥]{1,10}"),
    )
        .prop_map(|(reserved, stages, score, grades, counts, usage)| {
            let mut t = String::new();
            if let Some((sme, pct)) = reserved {
                let small = sme * pct / 100;
                t += &format!(
                    "[procurement]\nsme_reserved = {}.{:02}\nsmall_micro_reserved = {}.{:02}\n",
                    sme / 100,
                    sme % 100,
                    small / 100,
                    small % 100
                );
            }
            if let Some(u) = usage {
                t += &format!("[item_usage]\n\"2010101\" = \"{u}\"\n");
            }
            t += "[performance]\n";
            if let Some(s) = score {
                t += &format!("average_score = {}\n", Score(s).text());
            }
            for (key, s) in [
                ("target_management", stages.0),
                ("tracking", stages.1),
                ("evaluated", stages.2),
            ] {
                if let Some((n, fen)) = s {
                    t += &format!(
                        "[performance.{key}]\nprojects = {n}\namount = {}.{:02}\n",
                        fen / 100,
                        fen % 100
                    );
                }
            }
            // Grades within the evaluated projects (the relation E009 checks).
            if let (Some((a, b)), Some((n, _))) = (grades, stages.2) {
                let g = Grades {
                    excellent: a.min(n),
                    good: b.min(n - a.min(n)),
                    pass: 0,
                    fail: 0,
                };
                t += &format!(
                    "[performance.grades]\nexcellent = {}\ngood = {}\n",
                    g.excellent, g.good
                );
            }
            if !counts.is_empty() {
                t += "[assets.equipment]\n";
                for (k, n) in counts {
                    t += &format!("{k} = {n}\n");
                }
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn details_survive_the_round_trip(extra in details()) {
        let cats = catalogues();
        let text = format!("{BASE}{extra}");
        let uy = parse_input(&text, "in.toml", &cats).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        let written = write_input(&uy, &cats);
        let again = parse_input(&written, "w.toml", &cats).map_err(|e| TestCaseError::fail(format!("{e:?}\n{written}")))?;
        prop_assert_eq!(section_changes(&uy, &again), Vec::new());
        prop_assert_eq!(normalized_facts(&uy.facts), normalized_facts(&again.facts));
        prop_assert_eq!(&uy.performance, &again.performance);
        prop_assert_eq!(&uy.item_usage, &again.item_usage);
        prop_assert_eq!(&uy.assets, &again.assets);
    }
}
