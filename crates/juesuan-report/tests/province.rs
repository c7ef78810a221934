//! What a province descriptor (data/provinces/) decides, shown with a province of our own
//! added as files: charts off, glossary files concatenated, part titles and their order.

use juesuan_data::Library;
use juesuan_report::build_report;

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

/// The library plus `provinces/test-2021.toml`: the national descriptor edited by `edit`.
fn library_with(edit: impl Fn(String) -> String) -> Library {
    let mut lib = Library::embedded();
    let national = lib
        .find("provinces", "national", "toml", 2021)
        .unwrap()
        .1
        .to_string();
    let text = edit(national.replace("name = \"national\"", "name = \"test\""));
    lib.add_file(
        "provinces/test-2021.toml",
        "my/provinces/test-2021.toml",
        text,
    );
    lib
}

fn markdown(lib: &Library) -> Result<(String, usize), String> {
    let input = EXAMPLE.replace("province = \"sichuan\"", "province = \"test\"");
    let (uy, cats) = lib
        .read_input(&input, "input.toml")
        .map_err(|e| e.to_string())?;
    build_report(&uy, lib, &cats).map(|r| (r.markdown, r.charts.len()))
}

#[test]
fn charts_off_leaves_the_text_and_draws_nothing() {
    let (with, n) = markdown(&library_with(|t| t)).unwrap();
    assert_eq!(n, 7);
    let (without, n) = markdown(&library_with(|t| {
        t.replace("charts = true", "charts = false")
    }))
    .unwrap();
    assert_eq!(n, 0);
    assert!(with.contains("![图1"));
    assert!(!without.contains("!["));
    // The same text once the figure lines and blank lines are set aside.
    let text = |md: &str| -> Vec<String> {
        md.lines()
            .filter(|l| !l.is_empty() && !l.starts_with("!["))
            .map(str::to_string)
            .collect()
    };
    assert!(
        text(&with) == text(&without),
        "the text differs without charts"
    );
}

#[test]
fn glossary_files_are_concatenated_in_order() {
    let mut lib = library_with(|t| {
        t.replace(
            "glossary = [\"default\"]",
            "glossary = [\"default\", \"extra\"]",
        )
    });
    lib.add_file(
        "glossary/extra-2021.toml",
        "my/glossary/extra-2021.toml",
        "[[term]]\nterm = \"专项经费\"\ntext = \"指本省规定的专项经费。\"\n".into(),
    );
    let (md, _) = markdown(&lib).unwrap();
    let national = md.find("财政拨款收入：").unwrap();
    let extra = md
        .find("专项经费：指本省规定的专项经费。")
        .expect("the extra term");
    assert!(national < extra);
}

#[test]
fn part_titles_come_from_the_descriptor_and_their_order_is_checked() {
    let lib = library_with(|t| t.replace("title = \"部门概况\"", "title = \"单位概况\""));
    let (md, _) = markdown(&lib).unwrap();
    assert!(md.contains("## 第一部分 单位概况\n"));
    // The descriptor lists 名词解释 before 情况说明, the template prints them the other way.
    let swapped = library_with(|t| {
        t.replace(
            "id = \"explanation\"\ntitle = \"{year}年度部门决算情况说明\"",
            "id = \"X\"",
        )
        .replace(
            "id = \"glossary\"\ntitle = \"名词解释\"",
            "id = \"explanation\"\ntitle = \"{year}年度部门决算情况说明\"",
        )
        .replace("id = \"X\"", "id = \"glossary\"\ntitle = \"名词解释\"")
    });
    let err = markdown(&swapped).unwrap_err();
    assert!(err.contains("顺序"), "{err}");
}

#[test]
fn a_detail_the_provinces_narrative_does_not_state_is_warned_about() {
    let lib = Library::embedded();
    let with_usage = EXAMPLE.replace(
        "[prior]",
        "[item_usage]\n\"2060701\" = \"机构运转\"\n\n[prior]",
    );
    let warned = |text: &str| {
        let (uy, cats) = lib.read_input(text, "input.toml").unwrap();
        build_report(&uy, &lib, &cats)
            .unwrap()
            .warnings
            .into_iter()
            .filter(|w| w.code == juesuan_core::ErrorCode::UnusedDetail)
            .map(|w| w.message)
            .collect::<Vec<_>>()
    };
    assert!(warned(EXAMPLE).is_empty());
    let w = warned(&with_usage);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("[item_usage]"), "{w:?}");
    // A province whose descriptor lists the detail states it and does not warn.
    let listing =
        library_with(|t| t.replace("charts = true", "charts = true\ndetails = [\"item_usage\"]"));
    let input = with_usage.replace("province = \"sichuan\"", "province = \"test\"");
    let (uy, cats) = listing.read_input(&input, "input.toml").unwrap();
    let r = build_report(&uy, &listing, &cats).unwrap();
    assert!(r
        .warnings
        .iter()
        .all(|w| w.code != juesuan_core::ErrorCode::UnusedDetail));
}
