//! Golden tests against the seed (shared/seed: the published 2021 disclosure of
//! 凉山州科学技术协会): the figures the seed states consistently are regenerated exactly,
//! and where the seed's own amounts give a different share or rate, the computed value is
//! stated instead. The whole report.md is also compared with a committed golden file
//! (regenerate with `UPDATE_GOLDEN=1 cargo test -p juesuan-report --test golden`).

use juesuan_core::input::parse_input;
use juesuan_data::Library;
use juesuan_report::evaluation::{compute, Scored};
use juesuan_report::{build_report, build_report_with_scores, Report};

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

/// The example's report as `juesuan report` builds it: with its [evaluation] scored.
fn report() -> Report {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let uy = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
    let scores = match compute(&lib, &uy).expect("data files load") {
        Scored::Scores(s) => s,
        _ => panic!("the example has a valid [evaluation]"),
    };
    build_report_with_scores(&uy, &lib, &cats, Some(&scores)).expect("report builds")
}

fn assert_says(md: &str, phrases: &[&str]) {
    for p in phrases {
        assert!(md.contains(p), "report.md does not say “{p}”");
    }
}

#[test]
fn narrative_regenerates_the_seeds_consistent_figures() {
    let r = report();
    assert_says(
        &r.markdown,
        &[
            // 一 收入支出决算总体情况
            "2021年度收、支总计686.54万元。与2020年相比，收、支总计各增加55.18万元，增长8.74%。",
            // 二 收入
            "2021年本年收入合计616.54万元，其中：一般公共预算财政拨款收入616.54万元，占100.00%",
            // 三 支出
            "基本支出406.17万元，占59.16%；项目支出280.37万元，占40.84%",
            // 五 一般公共预算财政拨款支出
            "2021年一般公共预算财政拨款支出686.54万元，占本年支出合计的100.00%。",
            "一般公共预算财政拨款支出增加126.59万元，增长22.61%",
            "完成年初预算的120.16%",
            "科学技术支出（206类）514.30万元，占74.91%",
            "社会保障和就业支出（208类）131.02万元，占19.08%",
            "住房保障支出（221类）18.68万元，占2.72%",
            "科学技术支出（206类）科学技术普及（07款）机构运行（01项）：支出决算为基本支出233.93万元，年初预算为195.66万元，完成年初预算的119.56%",
            "科学技术支出（206类）科学技术普及（07款）其他科学技术普及支出（99项）：支出决算为项目支出221.80万元，年初预算为200.00万元，完成年初预算的110.90%",
            "行政单位离退休（01项）：支出决算为基本支出98.21万元，年初预算为57.08万元，完成年初预算的172.06%",
            "事业单位离退休（02项）：支出决算为基本支出6.11万元，年初预算为2.21万元，完成年初预算的276.47%",
            "住房公积金（01项）：支出决算为基本支出18.68万元，年初预算为16.88万元，完成年初预算的110.66%",
            // 六 基本支出
            "人员经费353.28万元",
            "公用经费52.89万元",
            // 七 三公
            "“三公”经费财政拨款支出决算为10.97万元，预算数为9.89万元，完成预算的110.92%",
            "公务用车购置及运行维护费支出10.03万元，年初预算为9.70万元，完成年初预算的103.40%",
            "公务接待费支出0.94万元，年初预算为0.19万元，完成年初预算的494.74%",
            "增加0.58万元，增长161.11%",
            "国内公务接待8批次，54人",
            // 十 其他重要事项
            "机关运行经费支出52.89万元，与2020年35.31万元相比，机关运行经费支出增加17.58万元，增长49.79%",
            "授予中小企业合同金额57.50万元，占政府采购支出总额的100.00%",
        ],
    );
}

#[test]
fn narrative_corrects_the_seeds_arithmetic_errors() {
    let r = report();
    assert_says(
        &r.markdown,
        &[
            // seed: 增加9.03% — 56.59 / 629.95 = 8.98%
            "财政拨款收、支总计各增加56.59万元，增长8.98%",
            // seed: 占96.19% and 占3.81% — 10.03 / 10.97 and 0.94 / 10.97
            "公务用车购置及运行维护费支出决算10.03万元，占91.43%",
            "公务接待费支出决算0.94万元，占8.57%",
            // seed: 增加10.16% — 0.92 / 9.11
            "增加0.92万元，增长10.10%",
            // seed: 116.92% — 31.57 / 27.00
            "支出决算为项目支出31.57万元，年初预算为27.00万元，完成年初预算的116.93%",
            // seed: 112.36% — 2.09 / 1.86
            "支出决算为基本支出2.09万元，年初预算为1.86万元，完成年初预算的112.37%",
            // seed: 政府采购支出总额0万元 although services were 57.5
            "政府采购支出总额57.50万元",
            // seed: 卫生健康支出22.54 — its four items add to 22.53
            "卫生健康支出（210类）22.53万元，占3.28%",
        ],
    );
    for wrong in ["9.03%", "96.19%", "3.81%", "10.16%", "116.92%", "总额0万元"] {
        assert!(
            !r.markdown.contains(wrong),
            "report repeats the seed's error {wrong}"
        );
    }
}

#[test]
fn tables_hold_the_seeds_totals() {
    let r = report();
    let t = |id: &str| r.tables.iter().find(|t| t.id == id).unwrap();
    let wan = |id: &str, row: &str, col: &str| t(id).get(row, col).unwrap().wan();
    assert_eq!(wan("t1", "grand_total_in", "amount"), "686.54");
    assert_eq!(wan("t1", "grand_total_out", "amount"), "686.54");
    assert_eq!(wan("t1", "income_total", "amount"), "616.54");
    assert_eq!(wan("t1", "carryover_begin", "amount"), "70.00");
    assert_eq!(wan("t1", "206", "amount"), "514.30");
    assert_eq!(wan("t3", "total", "basic"), "406.17");
    assert_eq!(wan("t3", "total", "project"), "280.37");
    assert_eq!(wan("t4", "grand_total_out", "general_budget"), "686.54");
    assert_eq!(wan("t5", "2060701", "basic"), "233.93");
    assert_eq!(wan("t6", "personnel", "amount"), "353.28");
    assert_eq!(wan("t6", "public", "amount"), "52.89");
    assert_eq!(wan("t7", "total", "actual"), "10.97");
    assert_eq!(wan("t7", "total", "budget"), "9.89");
    assert_eq!(wan("t7", "vehicle_operation", "actual"), "10.03");
    // Empty tables still appear, with the official note.
    for id in ["t8", "t9"] {
        assert!(
            t(id).note.as_deref().unwrap().contains("故本表无数据"),
            "{id}"
        );
    }
    assert!(t("t7").note.is_none());
    // No narrative reason is missing (W102 warnings on project indicators are the seed's).
    assert!(
        r.warnings.iter().all(|w| w.code.code() == "W102"),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.charts.len(), 7);
}

#[test]
fn a_missing_reason_is_a_placeholder_and_a_warning() {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let text = EXAMPLE.replace("\"2080501\" = \"按照政策增加离退休人员生活补助\"", "");
    let uy = parse_input(&text, "input.toml", &cats).unwrap();
    let r = build_report(&uy, &lib, &cats).unwrap();
    assert!(r.markdown.contains(
        "行政单位离退休（01项）：支出决算为基本支出98.21万元，年初预算为57.08万元，完成年初预算的172.06%，决算数大于预算数的主要原因是（原因待补充）。"
    ));
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code.code(), "W101");
    assert!(
        r.warnings[0].place.contains("2080501") || r.warnings[0].place.contains("行政单位离退休")
    );
}

#[test]
fn report_md_matches_the_committed_golden_file() {
    let r = report();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/liangshan-kexie-2021.md"
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &r.markdown).unwrap();
    }
    let golden = std::fs::read_to_string(path).expect("golden file (run with UPDATE_GOLDEN=1)");
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
            "report.md differs from {path} (UPDATE_GOLDEN=1 to accept):\n{}",
            diff.join("\n")
        );
    }
}

#[test]
fn html_is_self_contained_and_has_every_table_and_chart() {
    let r = report();
    assert!(r.html.starts_with("<!DOCTYPE html>"));
    assert_eq!(r.html.matches("<svg").count(), 7);
    assert_eq!(r.html.matches("<section class=\"table\"").count(), 9);
    assert!(!r.html.contains("http://") || !r.html.contains("src=\"http"));
    assert!(!r.html.contains("<script"));
}

#[test]
fn each_chart_title_is_printed_once() {
    let r = report();
    for c in &r.charts {
        let caption = format!("<figcaption>{}</figcaption>", c.title);
        assert_eq!(r.html.matches(&caption).count(), 1, "{}", c.title);
        // Inside the figure the title is only the accessible <title>, never drawn text.
        assert!(
            !c.figure_svg.contains(&format!(">{}</text>", c.title)),
            "{}",
            c.title
        );
        assert!(
            !r.html.contains(&format!(">{}</text>", c.title)),
            "{}",
            c.title
        );
        assert!(c
            .figure_svg
            .contains(&format!("<title>{}</title>", c.title)));
        // charts/<id>.svg stands alone (report.md shows it as an image): it keeps its title.
        assert!(
            c.svg.contains(&format!(">{}</text>", c.title)),
            "{}",
            c.title
        );
    }
}

#[test]
fn the_evaluations_are_published_with_unsupported_claims_named() {
    let r = report();
    assert_says(
        &r.markdown,
        &[
            // （四） summarises the department evaluation
            "本部门整体支出自评得分85分（自评满分90分）",
            "依据所列数据可计算的指标得分合计61.90分",
            // 第五部分: the indicator table with self and computed scores
            "## 第五部分 附件：2021年度绩效自评",
            "| 编制准确 | 8 |",
            "- 编制准确：自评8分，按数据计算为5.90分。",
            "- 动态调整：自评8分，按数据计算为0.22分。",
            "- 支出控制：自评3分，所列数据不足以计算。",
            // each project's table as published and as scored
            "### 项目支出绩效目标自评表：“天府科技云”项目购买社会服务及聘用人员",
            "按《项目支出绩效评价管理办法》（财预〔2020〕10号）计分",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&r.tables_json).unwrap();
    // exact values in JSON: 61.9 is 61.90 without the trailing zero
    assert_eq!(json["evaluation"]["department"]["total"], "61.9");
}
