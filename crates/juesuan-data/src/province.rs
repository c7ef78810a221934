//! A province (省份) as data: `data/provinces/<name>-<year>.toml` names the files and choices
//! that make a disclosure look like that province's — its narrative template, its table set,
//! its glossary files, whether charts are drawn, the order and titles of the parts, and the
//! lists (vehicle uses, equipment categories) its units report counts for. Adding a province
//! is adding files (docs/data-files.md, "adding a province"), not code.

use serde::{Deserialize, Serialize};

/// One province's descriptor (省份描述文件).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Province {
    /// The name inputs write in `province = "…"` (the file name's stem).
    pub name: String,
    /// 省份及表样说明, e.g. "上海市部门决算公开（2024年度起）".
    pub title: String,
    pub year: i32,
    /// Narrative template: `data/narrative/<narrative>-<year>.md.j2`.
    pub narrative: String,
    /// Table set used when the input names no `template`: `data/tables/<tables>-<year>.toml`.
    pub tables: String,
    /// Glossary files (`data/glossary/<name>-<year>.toml`), concatenated in order: one file
    /// replaces the national glossary, `["default", "x"]` extends it. The input's own
    /// `[[glossary]]` entries follow.
    pub glossary: Vec<String>,
    /// Whether the `::chart` lines of the narrative draw charts (图1–图7).
    #[serde(default = "yes")]
    pub charts: bool,
    /// How a part is numbered: `{n}` is replaced by the Chinese numeral of its place
    /// ("第{n}部分" → 第一部分).
    #[serde(default = "part_number")]
    pub part_number: String,
    /// The parts in order (第一部分, 第二部分, …); the narrative prints `part.<id>`.
    #[serde(rename = "part")]
    pub parts: Vec<PartSpec>,
    /// Vehicle uses (车辆用途) the province's units report counts for, in printed order.
    #[serde(default, rename = "vehicle_use")]
    pub vehicle_uses: Vec<ListEntry>,
    /// Equipment categories (设备类别), in printed order.
    #[serde(default, rename = "equipment")]
    pub equipment: Vec<ListEntry>,
    /// The optional details its narrative states (names of `juesuan_core::details::DETAILS`);
    /// a detail an input gives that is not listed draws warning W110.
    #[serde(default)]
    pub details: Vec<String>,
}

fn yes() -> bool {
    true
}

fn part_number() -> String {
    "第{n}部分".into()
}

/// A part of the disclosure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartSpec {
    /// Key the narrative template uses (`part.overview`).
    pub id: String,
    /// Title after the number; `{year}` is the report's year ("{year}年度部门决算情况说明").
    pub title: String,
}

/// An entry of a province list: the input key and the printed label.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListEntry {
    /// Key in the input (`[assets.vehicle_uses]` / `[assets.equipment]`), ASCII.
    pub key: String,
    /// 印刷名称, e.g. "部级领导干部用车".
    pub label: String,
    /// 计量单位 printed after the count ("辆", "台（套）").
    pub unit: String,
}

/// A part's heading as printed: number and title, e.g. "第一部分 部门概况".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartHeading {
    pub id: String,
    /// "第一部分"
    pub number: String,
    /// "部门概况"
    pub title: String,
}

impl PartHeading {
    /// "第一部分 部门概况"
    pub fn heading(&self) -> String {
        format!("{} {}", self.number, self.title)
    }
}

/// The Chinese numeral of 1–99 (一, 十, 十一, 二十一), for part and section numbers.
pub fn chinese_numeral(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

impl Province {
    /// Read and check a descriptor: every list non-empty where required, ids and keys unique.
    pub fn from_toml(text: &str, origin: &str) -> Result<Province, String> {
        let p: Province =
            toml::from_str(text).map_err(|e| format!("{origin}: 省份描述文件格式错误：{e}"))?;
        let fail = |what: String| Err(format!("{origin}: {what}"));
        if p.parts.is_empty() {
            return fail("没有任何部分（[[part]]）；请按顺序列出各部分".into());
        }
        if p.glossary.is_empty() {
            return fail("glossary 为空；请写出名词解释文件名，如 [\"default\"]".into());
        }
        if !p.part_number.contains("{n}") {
            return fail(format!(
                "part_number = \"{}\" 中没有 {{n}}；请写成 \"第{{n}}部分\" 之类",
                p.part_number
            ));
        }
        let known: Vec<&str> = juesuan_core::details::DETAILS.iter().map(|d| d.0).collect();
        if let Some(d) = p.details.iter().find(|d| !known.contains(&d.as_str())) {
            return fail(format!(
                "details 中的“{d}”不是已知的明细项；可用：{}",
                known.join("、")
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for part in &p.parts {
            if !seen.insert(part.id.as_str()) {
                return fail(format!("部分 id“{}”重复", part.id));
            }
        }
        for (list, entries) in [
            ("vehicle_use", &p.vehicle_uses),
            ("equipment", &p.equipment),
        ] {
            let mut keys = std::collections::BTreeSet::new();
            for e in entries {
                if e.key.is_empty()
                    || !e
                        .key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    return fail(format!(
                        "[[{list}]] 的 key“{}”须为英文字母、数字或下划线",
                        e.key
                    ));
                }
                if !keys.insert(e.key.as_str()) {
                    return fail(format!("[[{list}]] 的 key“{}”重复", e.key));
                }
            }
        }
        Ok(p)
    }

    /// The parts with their numbers and titles for `year`.
    pub fn part_headings(&self, year: i32) -> Vec<PartHeading> {
        self.parts
            .iter()
            .enumerate()
            .map(|(i, part)| PartHeading {
                id: part.id.clone(),
                number: self.part_number.replace("{n}", &chinese_numeral(i + 1)),
                title: part.title.replace("{year}", &year.to_string()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        let got: Vec<String> = [1, 4, 10, 11, 19, 20, 21, 99]
            .into_iter()
            .map(chinese_numeral)
            .collect();
        assert_eq!(
            got,
            ["一", "四", "十", "十一", "十九", "二十", "二十一", "九十九"]
        );
    }

    const GOOD: &str = r#"
name = "x"
title = "某省"
year = 2024
narrative = "default"
tables = "national"
glossary = ["default"]
[[part]]
id = "overview"
title = "部门概况"
[[part]]
id = "explanation"
title = "{year}年度部门决算情况说明"
"#;

    #[test]
    fn parts_are_numbered_in_order_with_the_year() {
        let p = Province::from_toml(GOOD, "x.toml").unwrap();
        assert!(p.charts);
        let h = p.part_headings(2024);
        assert_eq!(h[0].heading(), "第一部分 部门概况");
        assert_eq!(h[1].heading(), "第二部分 2024年度部门决算情况说明");
    }

    #[test]
    fn broken_descriptors_are_refused_naming_the_file() {
        for (bad, says) in [
            (
                GOOD.replace(
                    "[[part]]\nid = \"explanation\"",
                    "[[part]]\nid = \"overview\"",
                ),
                "重复",
            ),
            (
                GOOD.replace("glossary = [\"default\"]", "glossary = []"),
                "glossary 为空",
            ),
            (
                GOOD.replace("year = 2024", "year = 2024\npart_number = \"第部分\""),
                "{n}",
            ),
            (
                GOOD.replace("year = 2024", "year = 2024\ncolour = 1"),
                "colour",
            ),
            (
                format!("{GOOD}[[equipment]]\nkey = \"大型\"\nlabel = \"x\"\nunit = \"台\"\n"),
                "英文字母",
            ),
        ] {
            let err = Province::from_toml(&bad, "p.toml").unwrap_err();
            assert!(err.starts_with("p.toml: ") && err.contains(says), "{err}");
        }
    }
}
