//! A province as data files, proven by Shanghai: the made-up unit of
//! examples/shanghai-demo-2024 (invented names and figures) renders in Shanghai's structure
//! (data/provinces/shanghai-2024.toml) — four parts in the descriptor's order, the nine tables
//! with their layouts, no charts, Shanghai's glossary in place of the national one, and each
//! optional detail only where the input gives it. The whole report.md is compared with a
//! committed golden file (regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p juesuan-report --test shanghai`).

use juesuan_core::UnitYear;
use juesuan_data::{Library, ReadError};
use juesuan_report::{build_report, Report};

const DEMO: &str = include_str!("../../../examples/shanghai-demo-2024/input.toml");
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/shanghai-demo-2024.md"
);

fn read(text: &str) -> Result<(UnitYear, juesuan_core::Catalogues), ReadError> {
    Library::embedded().read_input(text, "input.toml")
}

fn report_of(text: &str) -> Report {
    let (uy, cats) = read(text).expect("the demo reads");
    build_report(&uy, &Library::embedded(), &cats).expect("report builds")
}

#[test]
fn report_md_matches_the_committed_golden_file() {
    let r = report_of(DEMO);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &r.markdown).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("golden file (run with UPDATE_GOLDEN=1)");
    if golden != r.markdown {
        let diff: Vec<String> = golden
            .lines()
            .zip(r.markdown.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}", i + 1))
            .collect();
        panic!(
            "report.md differs from {GOLDEN} (UPDATE_GOLDEN=1 to accept):\n{}",
            diff.join("\n")
        );
    }
}

#[test]
fn the_province_picks_tables_narrative_glossary_and_no_charts() {
    let (uy, _) = read(DEMO).unwrap();
    assert_eq!(
        uy.template, "shanghai",
        "the input names no template: the province's"
    );
    let r = report_of(DEMO);
    assert!(r.charts.is_empty());
    assert_eq!(r.tables.len(), 9);
    let md = &r.markdown;
    let parts = [
        "## 第一部分 概况",
        "## 第二部分 2024年度部门决算表",
        "## 第三部分 2024年度部门决算情况说明",
        "## 第四部分 名词解释",
    ];
    let at: Vec<usize> = parts.iter().map(|p| md.find(p).expect(p)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "parts out of order");
    // 部门决算单位构成 as a 序号/单位名称/备注 table.
    assert!(md.contains("| 序号 | 单位名称 | 备注 |\n|---|---|---|\n| 1 | 上海市浦江区绿化和市容管理局（本级） | |\n| 2 | 上海市浦江区绿化管理所 | |"));
    for section in [
        "### 十、预算绩效管理情况",
        "### 十一、其他重要事项的情况说明",
        "#### （三）国有资产占用情况",
    ] {
        assert!(md.contains(section), "{section}");
    }
    // Shanghai's glossary replaces the national one (its first term differs in wording).
    assert!(md.contains("1. 财政拨款收入：指本年度从本级财政部门取得的财政拨款"));
    assert!(!md.contains("用事业基金弥补收支差额："));
}

#[test]
fn the_tables_have_shanghais_layouts() {
    let r = report_of(DEMO);
    let t = |id: &str| r.tables.iter().find(|t| t.id == id).expect(id);
    // 类/款/项 in three columns.
    let t5 = t("t5");
    let header: Vec<&str> = t5
        .header
        .iter()
        .flatten()
        .map(|h| h.text.as_str())
        .collect();
    assert_eq!(&header[..2], ["科目编码", "科目名称"]);
    assert!(header.contains(&"类") && header.contains(&"款") && header.contains(&"项"));
    let md = &r.markdown;
    assert!(md.contains("| 212 | 01 | 04 | 　　城管执法 | 425.68 | 80.00 | 345.68 |"));
    // 公开06: the whole economic catalogue, zero rows included, in two blocks.
    assert!(md.contains("| 30101 | 　基本工资 | 345.68 | 30201 | 　办公费 | 34.57 |"));
    assert!(md.contains("| 30106 | 　伙食补助费 | 0.00 | 30204 | 　手续费 | 0.00 |"));
    assert!(md.contains("|  | 人员经费合计 | 1264.32 |  | 公用经费合计 | 424.44 |"));
    // The horizontal 三公 table under Shanghai's title.
    let h09 = t("h09");
    assert_eq!(h09.title, "财政拨款“三公”经费支出决算表");
    assert!(md.contains("| 决算数 | 7.11 | 0.00 | 5.88 | 0.00 | 5.88 | 1.23 |"));
}

#[test]
fn each_detail_is_stated_when_given_and_left_out_when_not() {
    let md = report_of(DEMO).markdown;
    for phrase in [
        "主要用于城管执法装备购置、执法车辆运行和执法辅助人员经费。",
        "对3个项目开展绩效目标管理，涉及金额1395.68万元",
        "对2个项目开展绩效评价，涉及金额1050.00万元",
        "项目平均得分91.50分",
        "评价等级为“优”的项目1个、“良”的1个",
        "面向中小企业预留项目金额300.00万元，其中面向小微企业预留210.00万元。",
        "本部门共有车辆3辆，其中：一般公务用车1辆、一般执法执勤用车2辆。",
        "单价100万元（含）以上设备（不含车辆）1台（套），单价50万元（含）以上通用设备2台（套）。",
    ] {
        assert!(md.contains(phrase), "report.md does not say “{phrase}”");
    }
    // Without the details: none of their sentences, and no empty phrase in their place.
    let mut bare = String::new();
    let mut skip = false;
    for line in DEMO.lines() {
        if line.starts_with('[') {
            skip = line.starts_with("[item_usage]")
                || line.starts_with("[performance")
                || line.starts_with("[assets");
        }
        let reservation =
            line.starts_with("sme_reserved") || line.starts_with("small_micro_reserved");
        if !skip && !reservation {
            bare.push_str(line);
            bare.push('\n');
        }
    }
    let bare = bare.replace("sedan = 2\nbus = 1\n", "");
    let md = report_of(&bare).markdown;
    for gone in [
        "主要用于城管执法",
        "平均得分",
        "评价等级",
        "预留",
        "单价100万元",
        "共有车辆",
    ] {
        assert!(!md.contains(gone), "“{gone}” without its input");
    }
    assert!(md.contains("本部门2024年度没有纳入预算绩效管理的项目。"));
    assert!(md.contains("截至2024年12月31日，本部门未配备车辆。"));
}

#[test]
fn the_demo_round_trips_through_its_input_file() {
    let lib = Library::embedded();
    let (uy, cats) = read(DEMO).unwrap();
    let written = juesuan_core::write_input(&uy, &cats);
    let (again, _) = lib
        .read_input(&written, "written.toml")
        .expect("the written input reads");
    assert_eq!(juesuan_core::section_changes(&uy, &again), Vec::new());
    assert_eq!(
        juesuan_core::normalized_facts(&uy.facts),
        juesuan_core::normalized_facts(&again.facts)
    );
    let md = |u: &UnitYear| build_report(u, &lib, &cats).unwrap().markdown;
    assert_eq!(md(&uy), md(&again));
}
