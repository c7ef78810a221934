//! Loading indicator systems: the shipped files load; bad files give located errors;
//! a system round-trips through serialisation; variants override a base system.

use juesuan_score::{IndicatorSystem, Ratio};
use proptest::prelude::*;

const SICHUAN: &str = include_str!("../../../data/indicators/sichuan-department-2021.toml");

fn load(text: &str) -> Result<IndicatorSystem, Vec<String>> {
    IndicatorSystem::from_toml(text, "s.toml", &|name| {
        (name == "sichuan-department").then(|| ("sichuan.toml".to_string(), SICHUAN.to_string()))
    })
    .map_err(|e| e.iter().map(|e| e.to_string()).collect())
}

#[test]
fn the_sichuan_department_system_loads_exactly_as_primer_section_6() {
    let s = load(SICHUAN).unwrap();
    assert_eq!(s.max, Ratio::from_int(100));
    assert_eq!(s.self_max(), Ratio::from_int(90));
    let max = |id: &str| s.get(id).unwrap().max.to_fixed(0);
    for (id, want) in [
        ("budget_management", "60"),
        ("preparation", "24"),
        ("execution", "20"),
        ("results", "16"),
        ("special_budget", "20"),
        ("results_use", "10"),
        ("self_evaluation_quality", "10"),
        ("target_setting", "8"),
        ("spending_control", "6"),
        ("execution_progress", "6"),
        ("self_evaluation_published", "2"),
    ] {
        assert_eq!(max(id), want, "{id}");
    }
    assert_eq!(s.level("target_setting"), 3);
    assert!(s
        .get("preparation_accuracy")
        .unwrap()
        .standard
        .contains("调剂金额"));
}

const BASE: &str = r#"name = "t"
title = "t"
year = 2021
kind = "department"
max = 10
[grades]
basis = "raw"
bands = [{ grade = "优", min = 9 }, { grade = "差", min = 0 }]
[inputs]
a = { label = "a" }
[[indicator]]
id = "root"
name = "一级"
max = 10
[[indicator]]
id = "leaf1"
parent = "root"
name = "三级1"
max = 6
rule = { kind = "formula", expr = "a" }
[[indicator]]
id = "leaf2"
parent = "root"
name = "三级2"
max = 4
rule = { kind = "formula", expr = "a" }
"#;

fn first_error(text: &str) -> String {
    load(text).unwrap_err().remove(0)
}

#[test]
fn weights_that_do_not_add_up_are_located() {
    let e = first_error(&BASE.replace("max = 4", "max = 5"));
    // the parent "root" is defined at line 11
    assert!(e.starts_with("s.toml:11:1: 错误[S005]"), "{e}");
    assert!(e.contains("root") && e.contains("11"), "{e}");
}

#[test]
fn unknown_input_is_located_at_its_indicator() {
    let e = first_error(&BASE.replace(
        "name = \"三级2\"\nmax = 4\nrule = { kind = \"formula\", expr = \"a\" }",
        "name = \"三级2\"\nmax = 4\nrule = { kind = \"formula\", expr = \"b * 2\" }",
    ));
    assert!(
        e.starts_with("s.toml:21:1: 错误[S006]") && e.contains("“b”"),
        "{e}"
    );
}

#[test]
fn cycles_and_unknown_parents_are_rejected() {
    let cyc = BASE.replace(
        "id = \"root\"\nname",
        "id = \"root\"\nparent = \"leaf1\"\nname",
    );
    let errors = load(&cyc).unwrap_err();
    assert!(errors.iter().any(|e| e.contains("S004")), "{errors:?}");
    let orphan = BASE.replace(
        "parent = \"root\"\nname = \"三级2\"",
        "parent = \"nowhere\"\nname = \"三级2\"",
    );
    let errors = load(&orphan).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("S003") && e.contains("nowhere")),
        "{errors:?}"
    );
}

#[test]
fn missing_max_is_a_located_error() {
    let e = first_error(&BASE.replace("name = \"三级2\"\nmax = 4\n", "name = \"三级2\"\n"));
    assert!(
        e.starts_with("s.toml:21:1: 错误[S001]") && e.contains("max"),
        "{e}"
    );
}

#[test]
fn band_gaps_and_overlaps_are_rejected() {
    let gap = BASE.replace(
        "name = \"三级2\"\nmax = 4\nrule = { kind = \"formula\", expr = \"a\" }",
        "name = \"三级2\"\nmax = 4\nrule = { kind = \"bands\", value = \"a\", bands = [{ from = \"0\", include_from = true, to = \"0.1\", include_to = false, points = 4 }, { from = \"0.1\", include_from = false, points = 0 }] }",
    );
    let e = first_error(&gap);
    assert!(e.contains("S007") && e.contains("缺口或重叠"), "{e}");
    let overlap = gap
        .replace(
            "to = \"0.1\", include_to = false",
            "to = \"0.1\", include_to = true",
        )
        .replace(
            "{ from = \"0.1\", include_from = false",
            "{ from = \"0.1\", include_from = true",
        );
    assert!(first_error(&overlap).contains("S007"));
}

#[test]
fn a_leaf_needs_a_rule_and_a_branch_must_not_have_one() {
    let e = first_error(&BASE.replace(
        "max = 4\nrule = { kind = \"formula\", expr = \"a\" }\n",
        "max = 4\n",
    ));
    assert!(e.contains("S008") && e.contains("leaf2"), "{e}");
}

#[test]
fn a_variant_overrides_weights_by_id() {
    let variant = r#"name = "county-variant"
title = "某县2020年版"
year = 2020
extends = "sichuan-department"
max = 100

[[indicator]]
id = "budget_management"
max = 80

[[indicator]]
id = "special_budget"
max = 0
"#;
    // 80 for 部门预算管理 without changing its children is a weight error, located in the variant.
    let errors = load(variant).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("S005") && e.contains("budget_management")),
        "{errors:?}"
    );
    assert!(errors[0].starts_with("s.toml:"), "{errors:?}");
}

#[test]
fn the_shipped_system_round_trips() {
    let s = load(SICHUAN).unwrap();
    let again = load(&s.to_toml()).unwrap();
    assert_eq!(s, again);
}

/// A system text from leaf weights given in hundredths of a point, grouped under 一级 indicators.
fn generated(groups: &[Vec<u32>], grand_extra: i64) -> String {
    let hundredths = |h: i64| Ratio::new(h as i128, 100).unwrap().display_exact();
    let total: i64 = groups.iter().flatten().map(|&w| w as i64).sum::<i64>() + grand_extra;
    let mut text = format!(
        "name = \"p\"\ntitle = \"p\"\nyear = 2021\nkind = \"project\"\nmax = \"{}\"\n[grades]\nbasis = \"raw\"\nbands = [{{ grade = \"优\", min = 1 }}, {{ grade = \"差\", min = 0 }}]\n[inputs]\na = {{ label = \"a\" }}\n",
        hundredths(total)
    );
    for (g, leaves) in groups.iter().enumerate() {
        let sum: i64 = leaves.iter().map(|&w| w as i64).sum();
        text.push_str(&format!(
            "[[indicator]]\nid = \"g{g}\"\nname = \"一级{g}\"\nmax = \"{}\"\n",
            hundredths(sum)
        ));
        for (l, &w) in leaves.iter().enumerate() {
            text.push_str(&format!(
                "[[indicator]]\nid = \"g{g}l{l}\"\nparent = \"g{g}\"\nname = \"三级{g}-{l}\"\nmax = \"{}\"\nrule = {{ kind = \"formula\", expr = \"a * 0.5\" }}\n",
                hundredths(w as i64)
            ));
        }
    }
    text
}

proptest! {
    /// Any tree whose weights add up loads and round-trips; a total that does not add up is
    /// rejected with a located S005.
    #[test]
    fn random_systems_round_trip_and_bad_weights_are_rejected(
        groups in prop::collection::vec(prop::collection::vec(1u32..5000, 1..5), 1..5),
        off in prop::sample::select(vec![-1i64, 1, 50, -100]),
    ) {
        let s = load(&generated(&groups, 0)).map_err(|e| TestCaseError::fail(e.join("\n")))?;
        prop_assert_eq!(&load(&s.to_toml()).unwrap(), &s);
        let errors = load(&generated(&groups, off)).unwrap_err();
        prop_assert!(errors.iter().any(|e| e.contains("S005") && e.starts_with("s.toml:")), "{:?}", errors);
    }
}

#[test]
fn every_shipped_system_and_rules_file_loads() {
    let lib = juesuan_data::Library::embedded();
    let mut n = 0;
    for (path, origin, text) in lib.files() {
        if path.starts_with("indicators/") {
            IndicatorSystem::from_toml(text, origin, &|base| {
                lib.find("indicators", base, "toml", 2100)
                    .map(|(o, t)| (o.to_string(), t.to_string()))
            })
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
            n += 1;
        } else if path.starts_with("project-rules/") {
            juesuan_score::project::ProjectRules::from_toml(text, origin)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            n += 1;
        }
    }
    assert!(n >= 2);
}

#[test]
fn a_variant_that_keeps_the_weights_consistent_loads_and_scores_by_its_rules() {
    let variant = r#"name = "strict-county"
title = "某县2021年版（违规每个扣1分）"
year = 2021
extends = "sichuan-department"

[[indicator]]
id = "violations"
rule = { kind = "deduct_per_item", count = "violations", per_item = "1" }
"#;
    let s = load(variant).unwrap();
    assert_eq!(s.name, "strict-county");
    assert_eq!(s.max, Ratio::from_int(100));
    let mut inputs = juesuan_score::Inputs::default();
    inputs.values.insert(
        "violations".into(),
        juesuan_score::score::Input {
            value: juesuan_score::score::InputValue::Num(Ratio::from_int(3)),
            source: "test".into(),
        },
    );
    let e = juesuan_score::evaluate(&s, &inputs);
    let v = e.indicators.iter().find(|i| i.id == "violations").unwrap();
    assert_eq!(v.score.unwrap().to_fixed(2), "5.00");
    // the base system's standard text is kept where the variant does not restate it
    assert!(s
        .get("violations")
        .unwrap()
        .standard
        .contains("每个问题扣0.5分"));
}

/// Every system-file code has its row in docs/evaluation.md §5.1, and the table has no row
/// the enum lacks.
#[test]
fn every_system_code_is_documented_once() {
    use juesuan_score::system::SystemCode;
    let doc = include_str!("../../../docs/evaluation.md");
    for c in SystemCode::ALL {
        assert!(
            doc.contains(&format!("| {} |", c.code())),
            "docs/evaluation.md lacks {}",
            c.code()
        );
    }
    let rows = doc.lines().filter(|l| l.starts_with("| S0")).count();
    assert_eq!(rows, SystemCode::ALL.len());
}
