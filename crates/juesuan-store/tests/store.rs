//! One suite of store tests, run against SQLite (a temporary file per test) and against
//! PostgreSQL (a fresh database per test on the server named by `JUESUAN_TEST_POSTGRES_URL`,
//! e.g. from `scripts/pg-test.sh start`). The PostgreSQL half is `#[ignore]`d: a plain run shows
//! it as skipped; `--run-ignored all` (CI) runs it, and without a server it fails.

use juesuan_core::facts::{FundSource, Measure, Nature, Scenario};
use juesuan_core::{Amount, ErrorCode};
use juesuan_store::testing::TestDatabase;
use juesuan_store::{ImportRequest, NewPlan, PriorPolicy, Role, Store, StoreError};
use std::path::Path;

/// A store for one test, with its database.
struct TestDb {
    store: Store,
    db: TestDatabase,
}

impl TestDb {
    async fn sqlite() -> TestDb {
        TestDb::open(TestDatabase::sqlite()).await
    }

    /// Panics without a PostgreSQL server (`JUESUAN_TEST_POSTGRES_URL`).
    async fn postgres(test: &str) -> TestDb {
        TestDb::open(TestDatabase::postgres(test).await).await
    }

    async fn open(db: TestDatabase) -> TestDb {
        TestDb {
            store: Store::open(&db.url).await.unwrap(),
            db,
        }
    }

    async fn finish(self) {
        self.store.close().await;
        self.db.drop_database().await;
    }
}

/// Each case runs once on SQLite and once on PostgreSQL (ignored unless asked for).
macro_rules! both {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let db = super::TestDb::sqlite().await;
                    super::$case(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                #[ignore = "需要 PostgreSQL（设置 JUESUAN_TEST_POSTGRES_URL，见 README）"]
                async fn $case() {
                    let db = super::TestDb::postgres(stringify!($case)).await;
                    super::$case(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}

both!(
    import_twice_makes_two_versions,
    diff_lists_exactly_the_changed_facts,
    diff_names_a_lost_evaluation_and_changed_texts,
    restore_makes_a_new_version_with_old_content,
    bad_input_is_located_and_stores_nothing,
    failure_on_the_last_fact_row_leaves_no_version,
    a_batch_is_stored_whole_or_not_at_all,
    prior_year_fills_and_verifies_comparatives,
    consolidation_of_two_sub_units_is_their_sum,
    consolidation_eliminates_internal_flows,
    units_and_hierarchy,
    users_grants_sessions_and_log,
    concurrent_imports_get_distinct_numbers,
    plans_are_versioned_documents_kept_byte_for_byte,
);

fn example() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/liangshan-kexie-2021/input.toml");
    std::fs::read_to_string(path).unwrap()
}

/// `text` with exactly one occurrence of `from` replaced.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

fn wan(text: &str) -> Amount {
    Amount::parse(text, juesuan_core::MoneyUnit::Wan).unwrap()
}

async fn import_twice_makes_two_versions(s: &Store) {
    let text = example();
    let v1 = s
        .import("kx", &text, "input.toml", "张三", "初次导入")
        .await
        .unwrap();
    let v2 = s
        .import("kx", &text, "input.toml", "李四", "再次导入")
        .await
        .unwrap();
    assert_eq!((v1.number, v2.number), (1, 2));
    assert_eq!((v1.year, v1.unit_code.as_str()), (2021, "kx"));
    assert!(v1.fact_count > 50, "{}", v1.fact_count);
    assert_ne!(v1.id, v2.id);
    let list = s.versions("kx", 2021).await.unwrap();
    assert_eq!(
        list.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(list[0].author, "张三");
    assert_eq!(list[1].note, "再次导入");
    assert!(list[0].created_at.ends_with('Z') && list[0].created_at.len() == 20);
    let latest = s.latest("kx", 2021).await.unwrap().unwrap();
    assert_eq!(latest.info.id, v2.id);
    assert_eq!(latest.input_toml, text, "the text is stored as imported");
    assert_eq!(s.version(v1.id).await.unwrap().unwrap().info, list[0]);
    assert!(s.version(v2.id + 100).await.unwrap().is_none());
    assert!(s.latest("kx", 2020).await.unwrap().is_none());
    // The unit was created with the input's name.
    assert_eq!(
        s.unit("kx").await.unwrap().unwrap().name,
        "凉山州科学技术协会"
    );
    let years = s.unit_years().await.unwrap();
    assert_eq!(years.len(), 1);
    assert_eq!(years[0].id, v2.id);
    // The stored facts are the parsed ones.
    let uy = s.validate(&text, "x").unwrap();
    let facts = s.facts(v1.id).await.unwrap();
    assert_eq!(facts.len(), uy.facts.facts.len());
    let income: Amount = facts
        .iter()
        .filter(|f| f.fact.measure == Measure::Income)
        .map(|f| f.fact.amount)
        .sum();
    assert_eq!(income, wan("616.538"));
    assert!(facts.iter().any(
        |f| f.key == "income.actual.general_budget.2060701" && f.fact.amount == wan("233.934")
    ));
}

/// Issue #14: a version that lost its `[evaluation]` holds the same facts, but not the same
/// unit-year; the section diff says so, naming the section.
async fn diff_names_a_lost_evaluation_and_changed_texts(s: &Store) {
    let text = example();
    let cut = text
        .find("\n[evaluation.")
        .expect("the example has [evaluation]");
    let start = text[..cut].rfind("\n# ====").expect("its banner");
    let without = text[..start].to_string();
    let v1 = s.import("kx", &text, "a.toml", "a", "").await.unwrap();
    let v2 = s.import("kx", &without, "b.toml", "a", "").await.unwrap();
    assert!(s.diff(v1.id, v2.id).await.unwrap().is_empty(), "same facts");
    let sections = s.section_diff(v1.id, v2.id).await.unwrap();
    assert_eq!(sections.len(), 1, "{sections:?}");
    assert_eq!(sections[0].section, "[evaluation]");
    assert!(
        sections[0].what.ends_with("个项目 → （无）"),
        "{sections:?}"
    );
    // The same content again: nothing, whatever the origin.
    let v3 = s.import("kx", &text, "c.toml", "a", "").await.unwrap();
    assert!(s.section_diff(v1.id, v3.id).await.unwrap().is_empty());
    // A changed text is named with its section and field.
    let edited = edit(
        &text,
        "region = \"四川省凉山彝族自治州\"",
        "region = \"凉山州\"",
    );
    let v4 = s.import("kx", &edited, "d.toml", "a", "").await.unwrap();
    let sections = s.section_diff(v1.id, v4.id).await.unwrap();
    assert_eq!(sections.len(), 1, "{sections:?}");
    assert_eq!(
        (sections[0].section, sections[0].what.as_str()),
        ("[unit]", "不同的项：region")
    );
    assert!(matches!(
        s.section_diff(v1.id, 9999).await,
        Err(StoreError::UnknownVersion(9999))
    ));
}

async fn diff_lists_exactly_the_changed_facts(s: &Store) {
    let text = example();
    let v1 = s.import("kx", &text, "a.toml", "a", "").await.unwrap();
    // Two budget figures (年初预算) change, nothing else depends on them.
    let changed = edit(&text, "\"2060702\" = 12      # 100%", "\"2060702\" = 13");
    let changed = edit(&changed, "budget = 9.70", "budget = 9.75");
    let v2 = s
        .import("kx", &changed, "a.toml", "a", "改预算")
        .await
        .unwrap();
    let d = s.diff(v1.id, v2.id).await.unwrap();
    let keys: Vec<&str> = d.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "expenditure.budget.general_budget.2060702",
            "san_gong.budget.vehicle_operation"
        ]
    );
    assert_eq!(d[0].before, Some(wan("12")));
    assert_eq!(d[0].after, Some(wan("13")));
    assert_eq!(d[1].label, "年初预算数 “三公”经费 公务用车运行维护费");
    // A fact that appears only in the newer version.
    let added = edit(
        &changed,
        "\"2069999\" = 27.00",
        "\"2069999\" = 27.00\n\"2060703\" = 3",
    );
    let added = edit(&added, "\"2060703\" = 3       # 100%\n", "");
    let v3 = s.import("kx", &added, "a.toml", "a", "").await.unwrap();
    assert!(
        s.diff(v2.id, v3.id).await.unwrap().is_empty(),
        "same facts in another order"
    );
    let removed = edit(
        &added,
        "\"2069999\" = 27.00\n\"2060703\" = 3",
        "\"2069999\" = 27.00",
    );
    let v4 = s.import("kx", &removed, "a.toml", "a", "").await.unwrap();
    let d = s.diff(v3.id, v4.id).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].key, "expenditure.budget.general_budget.2060703");
    assert_eq!((d[0].before, d[0].after), (Some(wan("3")), None));
    // Diffing a version with itself: nothing; an unknown version: an error.
    assert!(s.diff(v1.id, v1.id).await.unwrap().is_empty());
    assert!(matches!(
        s.diff(v1.id, 9999).await,
        Err(StoreError::UnknownVersion(9999))
    ));
}

async fn restore_makes_a_new_version_with_old_content(s: &Store) {
    let text = example();
    let v1 = s.import("kx", &text, "a.toml", "a", "").await.unwrap();
    let changed = edit(&text, "budget = 9.70", "budget = 9.75");
    let v2 = s.import("kx", &changed, "a.toml", "a", "").await.unwrap();
    let v3 = s.restore(v1.id, "审核人", "").await.unwrap();
    assert_eq!(v3.number, 3);
    assert_eq!(v3.kind, "restore");
    assert_eq!(v3.based_on, Some(v1.id));
    assert_eq!(v3.note, "恢复为第1版");
    assert!(s.diff(v1.id, v3.id).await.unwrap().is_empty());
    assert_eq!(s.diff(v2.id, v3.id).await.unwrap().len(), 1);
    let latest = s.latest("kx", 2021).await.unwrap().unwrap();
    assert_eq!(latest.input_toml, text);
    // Version 2 is still there, unchanged.
    assert_eq!(s.version(v2.id).await.unwrap().unwrap().input_toml, changed);
    assert!(matches!(
        s.restore(4242, "x", "").await,
        Err(StoreError::UnknownVersion(4242))
    ));
}

async fn bad_input_is_located_and_stores_nothing(s: &Store) {
    let bad = edit(&example(), "\"2060799\" = 151.80", "\"2069898\" = 151.80");
    let err = s.import("kx", &bad, "bad.toml", "a", "").await.unwrap_err();
    let StoreError::Input(errors) = &err else {
        panic!("{err}")
    };
    let e = errors
        .iter()
        .find(|e| e.code == ErrorCode::UnknownFunctionCode)
        .expect("E021");
    let line = bad
        .lines()
        .position(|l| l.starts_with("\"2069898\""))
        .unwrap()
        + 1;
    assert_eq!(e.location.map(|l| (l.line, l.column)), Some((line, 1)));
    assert_eq!(e.file, "bad.toml");
    let message = err.to_string();
    assert!(message.contains(&format!("bad.toml:{line}:1")), "{message}");
    assert!(
        message.contains("E021") && message.contains("未保存"),
        "{message}"
    );
    assert!(s.versions("kx", 2021).await.unwrap().is_empty());
    assert!(
        s.units().await.unwrap().is_empty(),
        "no unit created either"
    );
    // Not TOML at all.
    assert!(matches!(
        s.import("kx", "year = 2021\n[[[", "x.toml", "a", "").await,
        Err(StoreError::Input(_))
    ));
    assert!(s.unit_years().await.unwrap().is_empty());
}

async fn failure_on_the_last_fact_row_leaves_no_version(s: &Store) {
    let text = example();
    let mut uy = s.validate(&text, "x").unwrap();
    // A second row with the key of the last fact violates the facts primary key on the very
    // last insert of the transaction.
    let last = uy.facts.facts.last().unwrap().clone();
    uy.facts.facts.push(last);
    let err = s
        .import_parsed(&[("kx", &text, &uy)], "a", "")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err}");
    assert!(s.versions("kx", 2021).await.unwrap().is_empty());
    assert!(s.unit("kx").await.unwrap().is_none());
    assert!(
        !s.events(100)
            .await
            .unwrap()
            .iter()
            .any(|e| e.action.starts_with("version.")),
        "no log entry for the failed version"
    );
    // The next import is number 1 and its facts are complete.
    let v = s.import("kx", &text, "a", "a", "").await.unwrap();
    assert_eq!(v.number, 1);
    assert_eq!(s.facts(v.id).await.unwrap().len() as i64, v.fact_count);
}

async fn a_batch_is_stored_whole_or_not_at_all(s: &Store) {
    let text = example();
    let good = s.validate(&text, "x").unwrap();
    let mut bad = good.clone();
    let last = bad.facts.facts.last().unwrap().clone();
    bad.facts.facts.push(last);
    // The second unit fails on its last fact row, after the first unit's version was written
    // in the same transaction: neither may remain.
    let err = s
        .import_parsed(&[("ka", &text, &good), ("kb", &text, &bad)], "a", "")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err}");
    for code in ["ka", "kb"] {
        assert!(s.versions(code, 2021).await.unwrap().is_empty(), "{code}");
        assert!(s.unit(code).await.unwrap().is_none(), "{code}");
    }
    // A batch that fails validation on its second input stores nothing either.
    let broken = edit(&text, "year = 2021", "year = \"二〇二一\"");
    let err = s
        .import_many(
            &[
                ImportRequest {
                    unit_code: "ka",
                    input_toml: &text,
                    note: "",
                    policy: PriorPolicy::Check,
                },
                ImportRequest {
                    unit_code: "kb",
                    input_toml: &broken,
                    note: "",
                    policy: PriorPolicy::Check,
                },
            ],
            "batch",
            "a",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Input(_)), "{err}");
    assert!(s.versions("ka", 2021).await.unwrap().is_empty());
    // A good batch: both stored, one log entry each.
    let stored = s
        .import_many(
            &[
                ImportRequest {
                    unit_code: "ka",
                    input_toml: &text,
                    note: "甲",
                    policy: PriorPolicy::Check,
                },
                ImportRequest {
                    unit_code: "kb",
                    input_toml: &text,
                    note: "乙",
                    policy: PriorPolicy::Check,
                },
            ],
            "batch",
            "a",
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!((stored[0].number, stored[1].number), (1, 1));
    assert_eq!(stored[1].note, "乙");
    assert_eq!(
        s.facts(stored[1].id).await.unwrap().len() as i64,
        stored[1].fact_count
    );
}

/// The example without its `[prior]` section (up to the next blank line).
fn without_prior(text: &str) -> String {
    let start = text.find("\n[prior]\n").unwrap() + 1;
    let end = start + text[start..].find("\n\n").unwrap() + 1;
    format!("{}{}", &text[..start], &text[end..])
}

async fn prior_year_fills_and_verifies_comparatives(s: &Store) {
    let y2021 = example();
    let v2021 = s.import("kx", &y2021, "2021.toml", "a", "").await.unwrap();
    // 2022 states 2021's 三公 actuals as its prior figures; 机关运行经费 prior is left out.
    let y2022 = edit(&without_prior(&y2021), "year = 2021", "year = 2022");
    let y2022 = edit(&y2022, "prior = 9.11", "prior = 10.03");
    let y2022 = edit(&y2022, "prior = 0.36", "prior = 0.94");
    let y2022 = edit(&y2022, "prior = 35.31\n", "");
    // Filled from the stored 2021 figures.
    let v = s.import("kx", &y2022, "2022.toml", "a", "").await.unwrap();
    assert_eq!(v.year, 2022);
    let stored = s.latest("kx", 2022).await.unwrap().unwrap();
    assert!(stored
        .input_toml
        .contains(&format!("第1版（版本{}）填入", v2021.id)));
    let uy = s.parse_version(&stored).unwrap();
    let prior = |m: Measure| {
        uy.facts
            .facts
            .iter()
            .find(|f| f.measure == m && f.scenario == Scenario::Prior)
            .unwrap()
            .amount
    };
    // 2021: 本年收入 616.538 + 年初结转 70 = 686.538 (published as 686.54).
    assert_eq!(prior(Measure::GrandTotal), wan("686.538"));
    assert_eq!(prior(Measure::FiscalGrandTotal), wan("686.538"));
    let gb = uy
        .facts
        .facts
        .iter()
        .find(|f| {
            f.measure == Measure::Expenditure
                && f.scenario == Scenario::Prior
                && f.source == Some(FundSource::GeneralBudget)
        })
        .unwrap()
        .amount;
    assert_eq!(gb, wan("686.538"));

    // Stated and equal: accepted as is.
    let stated = format!(
        "{}\n[prior]\ngrand_total = 686.538\nfiscal_grand_total = 686.538\ngeneral_budget_expenditure = 686.538\n",
        y2022
    );
    s.import("kx", &stated, "2022.toml", "a", "").await.unwrap();
    // Stated and different (the 2021 example's own [prior] is 2020's figures): refused, located.
    let wrong = edit(&y2021, "year = 2021", "year = 2022");
    let err = s
        .import("kx", &wrong, "2022.toml", "a", "")
        .await
        .unwrap_err();
    let StoreError::PriorMismatch {
        year, mismatches, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*year, 2021);
    let line = wrong
        .lines()
        .position(|l| l.starts_with("grand_total"))
        .unwrap()
        + 1;
    assert!(
        mismatches
            .iter()
            .any(|m| m.place == format!("2022.toml:{line}:15")
                && m.stated == wan("631.36")
                && m.stored == wan("686.538")),
        "{err}"
    );
    // 三公 prior stated in the example (2020 figures) differ from 2021's actuals too.
    assert!(
        mismatches
            .iter()
            .any(|m| m.what.contains("vehicle_operation")),
        "{err}"
    );
    assert!(err.to_string().contains("631.36万元"), "{err}");
    assert_eq!(
        s.versions("kx", 2022).await.unwrap().len(),
        2,
        "nothing stored"
    );
    // Trusting the input (口径调整) stores it.
    let v = s
        .import_with(
            "kx",
            &wrong,
            "2022.toml",
            "a",
            "调整口径",
            PriorPolicy::Trust,
        )
        .await
        .unwrap();
    assert_eq!(v.number, 3);
}

/// A small unit-year in 元: basic spending of one 项 plus the given extra lines.
fn small_unit(name: &str, amount: i64, extra: &str) -> String {
    format!(
        r#"year = 2021
amount_unit = "元"

[unit]
name = "{name}"
kind = "事业"

[income.general_budget]
"2060701" = {amount}

[expenditure.basic.general_budget]
"2060701" = {amount}

[basic_economic.general_budget]
"30101" = {amount}

[budget]
"2060701" = {amount}

[prior]
grand_total = 100
fiscal_grand_total = 100
general_budget_expenditure = 100

[sangong.reception]
budget = 10
actual = 8
prior = 5
domestic_batches = 2
{extra}
"#
    )
}

async fn consolidation_of_two_sub_units_is_their_sum(s: &Store) {
    s.upsert_unit("dept", "某部门", None, "admin")
        .await
        .unwrap();
    s.upsert_unit("a", "甲单位", Some("dept"), "admin")
        .await
        .unwrap();
    s.upsert_unit("b", "乙单位", Some("dept"), "admin")
        .await
        .unwrap();
    // A child without figures for the year: refused, naming it.
    let a = s
        .import("a", &small_unit("甲单位", 1000, ""), "a.toml", "u", "")
        .await
        .unwrap();
    let err = s.consolidate("dept", 2021, "审核人").await.unwrap_err();
    assert!(err.to_string().contains("乙单位"), "{err}");
    let b_text = small_unit("乙单位", 2500, "[procurement]\ngoods = 700");
    let b = s.import("b", &b_text, "b.toml", "u", "").await.unwrap();
    let v = s.consolidate("dept", 2021, "审核人").await.unwrap();
    assert_eq!(
        (v.unit_code.as_str(), v.number, v.kind.as_str()),
        ("dept", 1, "consolidate")
    );
    assert!(
        v.note.contains(&format!("版本{}", a.id)) && v.note.contains(&format!("版本{}", b.id)),
        "{}",
        v.note
    );
    // Every fact of the parent is the sum of the children's facts with the same key.
    let sum_of = |facts: &[juesuan_store::StoredFact], key: &str| {
        facts
            .iter()
            .filter(|f| f.key == key)
            .map(|f| f.fact.amount)
            .sum::<Amount>()
    };
    let fa = s.facts(a.id).await.unwrap();
    let fb = s.facts(b.id).await.unwrap();
    let fp = s.facts(v.id).await.unwrap();
    let mut keys: Vec<&str> = fa.iter().chain(&fb).map(|f| f.key.as_str()).collect();
    keys.sort();
    keys.dedup();
    for key in &keys {
        let expected = sum_of(&fa, key) + sum_of(&fb, key);
        assert_eq!(sum_of(&fp, key), expected, "{key}");
    }
    for f in &fp {
        assert!(
            keys.contains(&f.key.as_str()) || f.fact.amount.is_zero(),
            "extra fact {}",
            f.key
        );
    }
    assert_eq!(
        sum_of(&fp, "income.actual.general_budget.2060701"),
        Amount::from_yuan(3500)
    );
    assert_eq!(
        sum_of(&fp, "procurement.actual.goods"),
        Amount::from_yuan(700)
    );
    assert_eq!(
        sum_of(&fp, "san_gong.actual.reception"),
        Amount::from_yuan(16)
    );
    // The consolidated text is a valid input naming the parent and its sub-units.
    let stored = s.latest("dept", 2021).await.unwrap().unwrap();
    let uy = s.parse_version(&stored).unwrap();
    assert_eq!(uy.unit.name, "某部门");
    assert_eq!(
        uy.unit.sub_units,
        vec!["甲单位".to_string(), "乙单位".to_string()]
    );
    assert_eq!(uy.sangong.reception_domestic_batches, 4);
    // Consolidating again after a child changes makes version 2 with the new sum.
    s.import("a", &small_unit("甲单位", 1200, ""), "a.toml", "u", "")
        .await
        .unwrap();
    let v2 = s.consolidate("dept", 2021, "审核人").await.unwrap();
    assert_eq!(v2.number, 2);
    let d = s.diff(v.id, v2.id).await.unwrap();
    assert!(d
        .iter()
        .any(|c| c.key == "income.actual.general_budget.2060701"
            && c.after == Some(Amount::from_yuan(3700))));
    // A unit without sub-units cannot be consolidated.
    assert!(matches!(
        s.consolidate("a", 2021, "x").await,
        Err(StoreError::Consolidation(_))
    ));
}

async fn consolidation_eliminates_internal_flows(s: &Store) {
    s.upsert_unit("dept", "某部门", None, "admin")
        .await
        .unwrap();
    s.upsert_unit("self", "某部门本级", Some("dept"), "admin")
        .await
        .unwrap();
    s.upsert_unit("sub", "下属中心", Some("dept"), "admin")
        .await
        .unwrap();
    // 本级 gives the centre a subsidy of 300 (对附属单位补助支出) out of 事业收入 and receives
    // 200 from it (附属单位上缴收入); the centre records 上级补助收入 300 and 上缴上级支出 200.
    let own = small_unit(
        "某部门本级",
        1000,
        "[income.business]\n\"2060701\" = 500\n[income.affiliate]\n\"2060701\" = 200\n\
         [expenditure.to_affiliates.business]\n\"2060701\" = 300",
    );
    let sub = small_unit(
        "下属中心",
        400,
        "[income.superior_subsidy]\n\"2060701\" = 300\n[expenditure.to_superior.superior_subsidy]\n\"2060701\" = 200",
    );
    s.import("self", &own, "self.toml", "u", "").await.unwrap();
    s.import("sub", &sub, "sub.toml", "u", "").await.unwrap();
    let v = s.consolidate("dept", 2021, "审核人").await.unwrap();
    let facts = s.facts(v.id).await.unwrap();
    let get = |key: &str| {
        facts
            .iter()
            .find(|f| f.key == key)
            .map_or(Amount::ZERO, |f| f.fact.amount)
    };
    // Both pairs are inside the group: eliminated on both sides.
    assert_eq!(get("income.actual.affiliate.2060701"), Amount::ZERO);
    assert_eq!(get("income.actual.superior_subsidy.2060701"), Amount::ZERO);
    assert_eq!(
        get("expenditure.actual.business.to_affiliates.2060701"),
        Amount::ZERO
    );
    assert_eq!(
        get("expenditure.actual.superior_subsidy.to_superior.2060701"),
        Amount::ZERO
    );
    // Flows with the outside stay: 事业收入 and the fiscal figures are summed.
    assert_eq!(
        get("income.actual.business.2060701"),
        Amount::from_yuan(500)
    );
    assert_eq!(
        get("income.actual.general_budget.2060701"),
        Amount::from_yuan(1400)
    );
    assert!(v.note.contains("抵销"), "{}", v.note);
    // Totals of income and spending fall by the same amount, so balances are unchanged.
    let total = |m: Measure| {
        facts
            .iter()
            .filter(|f| f.fact.measure == m && f.fact.scenario == Scenario::Actual)
            .map(|f| f.fact.amount)
            .sum::<Amount>()
    };
    assert_eq!(total(Measure::Income), Amount::from_yuan(1900));
    assert_eq!(total(Measure::Expenditure), Amount::from_yuan(1400));
    let _ = Nature::ToSuperior;
}

async fn units_and_hierarchy(s: &Store) {
    s.upsert_unit("r", "某州", None, "admin").await.unwrap();
    s.upsert_unit("d1", "某局", Some("r"), "admin")
        .await
        .unwrap();
    s.upsert_unit("d2", "某协会", Some("r"), "admin")
        .await
        .unwrap();
    s.upsert_unit("u1", "某中心", Some("d1"), "admin")
        .await
        .unwrap();
    assert_eq!(
        s.children("r")
            .await
            .unwrap()
            .iter()
            .map(|u| u.code.as_str())
            .collect::<Vec<_>>(),
        vec!["d1", "d2"]
    );
    assert_eq!(s.units().await.unwrap().len(), 4);
    // Rename keeps the code; an unknown parent and a cycle are refused.
    s.upsert_unit("d2", "某科协", Some("r"), "admin")
        .await
        .unwrap();
    assert_eq!(s.unit("d2").await.unwrap().unwrap().name, "某科协");
    assert!(matches!(
        s.upsert_unit("x", "某", Some("nope"), "admin").await,
        Err(StoreError::UnknownUnit(_))
    ));
    assert!(matches!(
        s.upsert_unit("r", "某州", Some("u1"), "admin").await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.unit("r").await.unwrap().unwrap().parent, None);
    assert!(s
        .events(10)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "unit.update"));
}

async fn users_grants_sessions_and_log(s: &Store) {
    let id = s
        .create_user("zhang", "$argon2id$h1", Role::Preparer)
        .await
        .unwrap();
    let admin = s
        .create_user("admin", "$argon2id$h2", Role::Admin)
        .await
        .unwrap();
    assert!(matches!(
        s.create_user("zhang", "h", Role::Reviewer).await,
        Err(StoreError::DuplicateUser(_))
    ));
    let u = s.user_by_name("zhang").await.unwrap().unwrap();
    assert_eq!(
        (u.id, u.role, u.password_hash.as_str()),
        (id, Role::Preparer, "$argon2id$h1")
    );
    assert!(s.user_by_name("nobody").await.unwrap().is_none());
    assert_eq!(
        s.users()
            .await
            .unwrap()
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        vec!["admin", "zhang"]
    );
    // Grants.
    s.upsert_unit("kx", "科协", None, "admin").await.unwrap();
    s.upsert_unit("kj", "科技局", None, "admin").await.unwrap();
    s.grant(id, "kx").await.unwrap();
    s.grant(id, "kx").await.unwrap();
    s.grant(id, "kj").await.unwrap();
    assert_eq!(s.granted_units(id).await.unwrap(), vec!["kj", "kx"]);
    assert!(s.granted_units(admin).await.unwrap().is_empty());
    assert!(matches!(
        s.grant(id, "nope").await,
        Err(StoreError::UnknownUnit(_))
    ));
    assert!(matches!(
        s.grant(999, "kx").await,
        Err(StoreError::UnknownUser(999))
    ));
    // Sessions: live, expired, deleted; offsets are normalised.
    let later = juesuan_store::time::rfc3339_after(3600);
    s.create_session("t1", id, "csrf1", &later).await.unwrap();
    let sess = s.session("t1").await.unwrap().unwrap();
    assert_eq!((sess.user.id, sess.csrf_token.as_str()), (id, "csrf1"));
    assert_eq!(sess.expires_at, later);
    s.create_session("t2", id, "csrf2", "2000-01-01T08:00:00+08:00")
        .await
        .unwrap();
    assert!(s.session("t2").await.unwrap().is_none(), "expired");
    assert!(matches!(
        s.create_session("t3", id, "c", "tomorrow").await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.purge_sessions().await.unwrap(), 1);
    s.delete_session("t1").await.unwrap();
    assert!(s.session("t1").await.unwrap().is_none());
    // A new password ends the user's sessions.
    s.create_session("t4", id, "c", &later).await.unwrap();
    s.set_password(id, "$argon2id$h3").await.unwrap();
    assert!(s.session("t4").await.unwrap().is_none());
    assert_eq!(
        s.user_by_name("zhang")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$h3"
    );
    assert!(matches!(
        s.set_password(999, "x").await,
        Err(StoreError::UnknownUser(999))
    ));
    // The audit log, newest first.
    s.log(Some("zhang"), "login", "从 127.0.0.1 登录")
        .await
        .unwrap();
    s.log(None, "system", "启动").await.unwrap();
    let events = s.events(2).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].action.as_str(), events[0].actor.as_deref()),
        ("system", None)
    );
    assert_eq!(
        (events[1].action.as_str(), events[1].actor.as_deref()),
        ("login", Some("zhang"))
    );
    assert!(events[0].id > events[1].id);
    let all = s.events(100).await.unwrap();
    assert!(all
        .iter()
        .any(|e| e.action == "user.grant" && e.detail.contains("kx")));
    assert!(all.iter().any(|e| e.action == "user.password"));
}

async fn concurrent_imports_get_distinct_numbers(s: &Store) {
    let text = example();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (s, text) = (s.clone(), text.clone());
            tokio::spawn(async move { s.import("kx", &text, "a", &format!("u{i}"), "").await })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().unwrap().number);
    }
    numbers.sort();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6]);
    for v in s.versions("kx", 2021).await.unwrap() {
        assert_eq!(s.facts(v.id).await.unwrap().len() as i64, v.fact_count);
    }
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data() {
    let s = Store::open("sqlite::memory:").await.unwrap();
    assert_eq!(s.backend(), juesuan_store::Backend::Sqlite);
    let v = s.import("kx", &example(), "a", "a", "").await.unwrap();
    assert_eq!(s.latest("kx", 2021).await.unwrap().unwrap().info.id, v.id);
}

fn plan<'a>(note: &'a str, toml: &'a str, kpi: Option<(&'a str, &'a [u8])>) -> NewPlan<'a> {
    NewPlan {
        unit_code: "kx",
        allocator: "凉山州科学技术协会",
        year: 2021,
        title: "科普专项转移支付分配",
        plan_name: "allocation.toml",
        plan_toml: toml,
        kpi,
        pool: wan("70"),
        recipients: 17,
        author: "张三",
        note,
    }
}

async fn plans_are_versioned_documents_kept_byte_for_byte(s: &Store) {
    // Bytes that are not UTF-8 (an Excel workbook is a zip) come back unchanged.
    let xlsx: &[u8] = &[0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0xfe, 0x80];
    let v1 = s
        .save_plan(plan("初稿", "title = \"一\"", Some(("kpi.xlsx", xlsx))))
        .await
        .unwrap();
    let v2 = s
        .save_plan(plan("改了权重", "title = \"二\"", None))
        .await
        .unwrap();
    let other = s
        .save_plan(NewPlan {
            title: "另一项资金",
            ..plan("", "x", None)
        })
        .await
        .unwrap();
    assert_eq!((v1.number, v2.number, other.number), (1, 2, 1));
    assert_eq!(v1.pool, wan("70"));
    // The unit was registered with the allocator's name.
    assert_eq!(
        s.unit("kx").await.unwrap().unwrap().name,
        "凉山州科学技术协会"
    );
    let latest = s.plans().await.unwrap();
    let titles: Vec<(&str, i32)> = latest
        .iter()
        .map(|p| (p.title.as_str(), p.number))
        .collect();
    assert_eq!(titles, [("另一项资金", 1), ("科普专项转移支付分配", 2)]);
    let back = s.plan(v1.id).await.unwrap().unwrap();
    assert_eq!(back.plan_toml, "title = \"一\"");
    assert_eq!(back.kpi_data.as_deref(), Some(xlsx));
    assert_eq!(back.info.kpi_name.as_deref(), Some("kpi.xlsx"));
    assert_eq!(back.info, v1);
    let versions = s
        .plan_versions("kx", 2021, "科普专项转移支付分配")
        .await
        .unwrap();
    assert_eq!(versions, [v1.clone(), v2.clone()]);
    assert!(s.plan(v2.id).await.unwrap().unwrap().kpi_data.is_none());
    let for_report = s.latest_plans("kx", 2021).await.unwrap();
    assert_eq!(for_report.len(), 2);
    assert!(s.latest_plans("kx", 2022).await.unwrap().is_empty());
    assert!(s.plan(999_999).await.unwrap().is_none());
    // Logged, with the number.
    let log = s.events(20).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "plan.save" && e.detail.contains("第2版")));
    // A bad unit code or an empty title stores nothing.
    assert!(s
        .save_plan(NewPlan {
            unit_code: "bad code",
            ..plan("", "x", None)
        })
        .await
        .is_err());
    assert!(s
        .save_plan(NewPlan {
            title: " ",
            ..plan("", "x", None)
        })
        .await
        .is_err());
    assert_eq!(s.plans().await.unwrap().len(), 2);
}

/// The schema itself refuses to change or delete a stored plan version (triggers), whoever
/// connects.
async fn plan_versions_are_immutable_in_the_schema(db: TestDb) {
    let v = db.store.save_plan(plan("", "x", None)).await.unwrap();
    for sql in [
        "UPDATE allocation_plans SET note = 'x'",
        "DELETE FROM allocation_plans",
    ] {
        let refused = db.db.try_execute(sql).await;
        assert!(
            refused.as_ref().is_err_and(|e| e.contains("immutable")),
            "{sql}: {refused:?}"
        );
    }
    assert_eq!(db.store.plan(v.id).await.unwrap().unwrap().info.note, "");
    db.finish().await;
}

#[tokio::test]
async fn plan_versions_are_immutable_in_sqlite() {
    plan_versions_are_immutable_in_the_schema(TestDb::sqlite().await).await;
}

#[tokio::test]
#[ignore = "需要 PostgreSQL（设置 JUESUAN_TEST_POSTGRES_URL，见 README）"]
async fn plan_versions_are_immutable_in_postgres() {
    plan_versions_are_immutable_in_the_schema(TestDb::postgres("plan_immutable").await).await;
}
