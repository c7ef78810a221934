//! Classification catalogues (政府收支分类科目) loaded from data files.
//!
//! A catalogue maps codes to names for one classification and one year. Function codes
//! (支出功能分类) have 类 (3 digits) / 款 (5) / 项 (7); economic codes (部门预算支出经济分类)
//! have 类 (3) / 款 (5). Users extend a catalogue by merging their own file.

use crate::error::{ErrorCode, Warning};
use crate::model::UnitYear;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Which classification a catalogue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassificationKind {
    /// 支出功能分类
    Function,
    /// 部门预算支出经济分类
    Economic,
}

impl ClassificationKind {
    pub fn label(self) -> &'static str {
        match self {
            ClassificationKind::Function => "支出功能分类",
            ClassificationKind::Economic => "支出经济分类",
        }
    }
    fn levels(self) -> &'static [usize] {
        match self {
            ClassificationKind::Function => &[3, 5, 7],
            ClassificationKind::Economic => &[3, 5],
        }
    }
}

/// Level of a code in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// 类
    Class,
    /// 款
    Section,
    /// 项
    Item,
}

impl Level {
    pub fn of(code: &str) -> Option<Level> {
        match code.len() {
            3 => Some(Level::Class),
            5 => Some(Level::Section),
            7 => Some(Level::Item),
            _ => None,
        }
    }
}

/// Why a code is not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// Not 3/5/7 ASCII digits.
    Malformed,
    /// Well formed but not in the catalogue.
    Unknown,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    kind: ClassificationKind,
    year: i32,
    #[serde(default)]
    title: Option<String>,
    codes: BTreeMap<String, String>,
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
}

/// One classification catalogue for one year.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub kind: ClassificationKind,
    pub year: i32,
    pub title: String,
    codes: BTreeMap<String, String>,
    /// Named sets of code prefixes, e.g. `personnel = ["301", "303"]` (人员经费).
    groups: BTreeMap<String, Vec<String>>,
}

impl Catalogue {
    /// Parse and validate a catalogue file. `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Catalogue, String> {
        let file: CatalogueFile =
            toml::from_str(text).map_err(|e| format!("{origin}: 分类目录文件格式错误：{e}"))?;
        let mut cat = Catalogue {
            kind: file.kind,
            year: file.year,
            title: file
                .title
                .unwrap_or_else(|| format!("{}年{}", file.year, file.kind.label())),
            codes: BTreeMap::new(),
            groups: file.groups,
        };
        cat.insert_all(file.codes, origin)?;
        Ok(cat)
    }

    fn insert_all(&mut self, codes: BTreeMap<String, String>, origin: &str) -> Result<(), String> {
        for (code, name) in &codes {
            if !self.well_formed(code) {
                return Err(format!(
                    "{origin}: 科目编码“{code}”格式错误：{}应为{}位数字",
                    self.kind.label(),
                    self.kind
                        .levels()
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join("/")
                ));
            }
            if name.trim().is_empty() {
                return Err(format!("{origin}: 科目“{code}”缺少名称"));
            }
        }
        self.codes.extend(codes);
        for code in self.codes.keys() {
            if let Some(parent) = parent_code(code) {
                if !self.codes.contains_key(parent) {
                    return Err(format!(
                        "{origin}: 科目“{code}”的上级科目“{parent}”不在目录中，请一并补充"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Add a user's codes (and groups) to this catalogue; user names win.
    pub fn merge_toml(&mut self, text: &str, origin: &str) -> Result<(), String> {
        let file: CatalogueFile =
            toml::from_str(text).map_err(|e| format!("{origin}: 分类目录文件格式错误：{e}"))?;
        if file.kind != self.kind {
            return Err(format!(
                "{origin}: 目录类型为{}，不能并入{}",
                file.kind.label(),
                self.kind.label()
            ));
        }
        self.groups.extend(file.groups);
        self.insert_all(file.codes, origin)
    }

    fn well_formed(&self, code: &str) -> bool {
        code.chars().all(|c| c.is_ascii_digit()) && self.kind.levels().contains(&code.len())
    }

    /// True for a 项 code that is not in the catalogue while its 款 is: the catalogue may
    /// lack it (ours is not the full official list), so it is read with a warning (W105).
    pub fn is_unlisted_item(&self, code: &str) -> bool {
        self.kind == ClassificationKind::Function
            && code.len() == 7
            && self.well_formed(code)
            && !self.codes.contains_key(code)
            && self.codes.contains_key(&code[..5])
    }

    /// Every (code, name), in code order.
    pub fn codes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.codes.iter().map(|(c, n)| (c.as_str(), n.as_str()))
    }

    /// The named groups of code prefixes (人员经费, 公用经费).
    pub fn groups(&self) -> &BTreeMap<String, Vec<String>> {
        &self.groups
    }

    /// Check that `code` is well formed and known.
    pub fn check(&self, code: &str) -> Result<(), CodeError> {
        if !self.well_formed(code) {
            Err(CodeError::Malformed)
        } else if !self.codes.contains_key(code) {
            Err(CodeError::Unknown)
        } else {
            Ok(())
        }
    }

    /// The bare name of a code ("机构运行").
    pub fn name(&self, code: &str) -> Option<&str> {
        self.codes.get(code).map(String::as_str)
    }

    /// The official printed form: "科学技术支出（206类）科学技术普及（07款）机构运行（01项）".
    /// Function codes only; economic codes print as their bare name.
    pub fn official_name(&self, code: &str) -> Option<String> {
        if self.kind == ClassificationKind::Economic {
            return self.name(code).map(str::to_owned);
        }
        let mut out = String::new();
        for (len, suffix) in [(3, "类"), (5, "款"), (7, "项")] {
            if code.len() < len {
                break;
            }
            let prefix = &code[..len];
            let name = self.name(prefix)?;
            let own = if len == 3 {
                prefix
            } else {
                &code[len - 2..len]
            };
            out.push_str(&format!("{name}（{own}{suffix}）"));
        }
        Some(out)
    }

    /// Code prefixes of a named group, e.g. "personnel" → ["301", "303"].
    pub fn group(&self, name: &str) -> Option<&[String]> {
        self.groups.get(name).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// Which classification a catalogue file holds (its `kind`), for routing user files.
pub fn kind_of_toml(text: &str, origin: &str) -> Result<ClassificationKind, String> {
    #[derive(Deserialize)]
    struct Head {
        kind: ClassificationKind,
    }
    let table: toml::Table =
        toml::from_str(text).map_err(|e| format!("{origin}: 分类目录文件格式错误：{e}"))?;
    table
        .try_into::<Head>()
        .map(|h| h.kind)
        .map_err(|e| format!("{origin}: 分类目录须写明 kind = \"function\" 或 \"economic\"：{e}"))
}

/// The parent of a code: 项 → 款, 款 → 类, 类 → none.
pub fn parent_code(code: &str) -> Option<&str> {
    match code.len() {
        7 => Some(&code[..5]),
        5 => Some(&code[..3]),
        _ => None,
    }
}

/// The function and economic catalogues for one year.
#[derive(Debug, Clone)]
pub struct Catalogues {
    pub function: Catalogue,
    pub economic: Catalogue,
}

impl Catalogues {
    /// W104 for each catalogue whose year is not `year`: the year had no file of its own and
    /// the nearest earlier one is used, which a preparer must know (codes added or renamed
    /// since then read wrongly or not at all).
    pub fn fallback_warnings(&self, year: i32) -> Vec<Warning> {
        [
            (&self.function, "function"),
            (&self.economic, "economic"),
        ]
        .into_iter()
        .filter(|(cat, _)| cat.year != year)
        .map(|(cat, name)| Warning {
            code: ErrorCode::EarlierCatalogue,
            place: format!("分类目录（{}）", cat.kind.label()),
            message: format!(
                "没有{year}年的{label}目录，使用的是{used}年的目录（{title}）：{year}年新设或调整的科目会被误报或读错。\
请从财政部《{year}年政府收支分类科目》导入当年目录（juesuan data import-catalogue 文件 --year {year} --kind {name} \
--out catalogues/{name}-{year}.toml），再用 --data-dir 或 --catalogue 提供",
                label = cat.kind.label(),
                used = cat.year,
                title = cat.title,
            ),
        })
        .collect()
    }

    /// W105 for each function 项 the unit-year uses that the catalogue lacks under a 款 it
    /// has (read, not refused: our catalogue is not the full official list), once per code.
    pub fn unlisted_item_warnings(&self, unit_year: &UnitYear) -> Vec<Warning> {
        let unlisted: BTreeSet<&str> = unit_year
            .facts
            .facts
            .iter()
            .filter_map(|f| f.function.as_deref())
            .chain(unit_year.budget_reasons.keys().map(String::as_str))
            .filter(|c| self.function.is_unlisted_item(c))
            .collect();
        let cat = &self.function;
        unlisted
            .into_iter()
            .map(|code| Warning {
                code: ErrorCode::UnknownFunctionItem,
                place: format!("支出功能分类科目“{code}”"),
                message: format!(
                    "该项不在{title}中，所属款“{section} {name}”在目录中：已按该项读入，但公开表和情况说明中\
没有它的科目名称（显示为编码或“（未知科目）”）。请核对编码；编码无误的，请从财政部《{year}年政府收支分类科目》导入当年目录\
（juesuan data import-catalogue 文件 --year {year} --kind function），再用 --data-dir 或 --catalogue 提供",
                    title = cat.title,
                    section = &code[..5],
                    name = cat.name(&code[..5]).unwrap_or_default(),
                    year = unit_year.year,
                ),
            })
            .collect()
    }

    /// Every warning of reading a unit-year with these catalogues: W104, then W105, then
    /// the 尾差 notes (W106) of its rounded figures.
    pub fn warnings(&self, unit_year: &UnitYear) -> Vec<Warning> {
        let mut out = self.fallback_warnings(unit_year.year);
        out.extend(self.unlisted_item_warnings(unit_year));
        out.extend(unit_year.rounding_notes.iter().cloned());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = r#"
kind = "function"
year = 2021
[codes]
"206" = "科学技术支出"
"20607" = "科学技术普及"
"2060701" = "机构运行"
"#;

    #[test]
    fn official_form() {
        let c = Catalogue::from_toml(FUNCTION, "t.toml").unwrap();
        assert_eq!(
            c.official_name("2060701").unwrap(),
            "科学技术支出（206类）科学技术普及（07款）机构运行（01项）"
        );
        assert_eq!(c.official_name("206").unwrap(), "科学技术支出（206类）");
        assert_eq!(c.check("2060702"), Err(CodeError::Unknown));
        assert_eq!(c.check("20607x1"), Err(CodeError::Malformed));
        assert_eq!(c.check("2060"), Err(CodeError::Malformed));
    }

    /// Issue #14: a year without its own catalogue uses an earlier one, and says so, naming
    /// both years; the year's own catalogue says nothing.
    #[test]
    fn an_earlier_years_catalogue_is_a_warning_naming_both_years() {
        let cats = Catalogues {
            function: Catalogue::from_toml(FUNCTION, "f.toml").unwrap(),
            economic: Catalogue::from_toml(
                "kind = \"economic\"\nyear = 2024\n[codes]\n\"301\" = \"工资福利支出\"\n",
                "e.toml",
            )
            .unwrap(),
        };
        let warnings = cats.fallback_warnings(2025);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings
            .iter()
            .all(|w| w.code == ErrorCode::EarlierCatalogue));
        let first = warnings[0].to_string();
        assert!(first.starts_with("警告[W104]"), "{first}");
        assert!(
            first.contains("没有2025年的支出功能分类目录，使用的是2021年的目录"),
            "{first}"
        );
        assert!(warnings[1].message.contains("使用的是2024年的目录"));
        let only_function = cats.fallback_warnings(2024);
        assert_eq!(only_function.len(), 1);
        assert!(only_function[0]
            .message
            .contains("没有2024年的支出功能分类目录"));
        assert!(Catalogues {
            function: cats.function.clone(),
            economic: cats.function.clone(),
        }
        .fallback_warnings(2021)
        .is_empty());
    }

    #[test]
    fn merge_requires_parents() {
        let mut c = Catalogue::from_toml(FUNCTION, "t.toml").unwrap();
        let err = c
            .merge_toml(
                "kind = \"function\"\nyear = 2021\n[codes]\n\"2069901\" = \"x\"\n",
                "u.toml",
            )
            .unwrap_err();
        assert!(err.contains("20699"), "{err}");
        c.merge_toml(
            "kind = \"function\"\nyear = 2021\n[codes]\n\"20699\" = \"其他科学技术支出\"\n\"2069901\" = \"自定义\"\n",
            "u.toml",
        )
        .unwrap();
        assert_eq!(c.name("2069901"), Some("自定义"));
    }
}
