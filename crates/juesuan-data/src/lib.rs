//! The data files juesuan ships, embedded in the binary, and a [`Library`] that finds the
//! right one for a year (the newest file whose year is not after the requested one) and
//! lets users add or override files from a directory of their own.
//!
//! Layout under `data/` (documented in docs/data-files.md):
//! - `catalogues/function-<year>.toml`, `catalogues/economic-<year>.toml`
//! - `tables/<template>-<year>.toml` (e.g. `national-2021.toml`)
//! - `narrative/<style>-<year>.md.j2` (e.g. `default-2021.md.j2`)
//! - `glossary/<style>-<year>.toml`
//! - `provinces/<province>-<year>.toml` (which of the files above a province uses)

pub mod import;
pub mod province;

use juesuan_core::catalogue::{kind_of_toml, Catalogue, ClassificationKind};
use juesuan_core::input::{declared_year, key_location, parse_input};
use juesuan_core::{Catalogues, ErrorCode, InputError, TableSet, UnitYear};
pub use province::Province;
use std::collections::BTreeMap;

include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// A set of data files: the embedded ones plus any the user added (same relative paths
/// override embedded files).
#[derive(Debug, Clone)]
pub struct Library {
    files: BTreeMap<String, (String, String)>,
    /// Supplementary catalogue files (`--catalogue`): (origin, text), merged into the
    /// catalogues of every year, so every command and the web app read inputs alike.
    supplements: Vec<(String, String)>,
}

/// Why an input text could not be read into a unit-year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The input itself has errors (located, with codes).
    Input(Vec<InputError>),
    /// No catalogue for the year, or a broken data file: not the input's fault.
    Data(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Input(errors) => {
                let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                f.write_str(&lines.join("\n"))
            }
            ReadError::Data(message) => f.write_str(message),
        }
    }
}

impl Default for Library {
    fn default() -> Self {
        Library::embedded()
    }
}

/// Split "tables/national-2021.toml" into ("tables", "national", 2021, "toml").
fn parse_name(path: &str) -> Option<(&str, &str, i32, &str)> {
    let (dir, file) = path.rsplit_once('/')?;
    let (stem, ext) = file.split_once('.')?;
    let (name, year) = stem.rsplit_once('-')?;
    Some((dir, name, year.parse().ok()?, ext))
}

impl Library {
    /// Only the files shipped in the binary.
    pub fn embedded() -> Library {
        let files = FILES
            .iter()
            .map(|(p, c)| (p.to_string(), (format!("(内置)data/{p}"), c.to_string())))
            .collect();
        Library {
            files,
            supplements: Vec::new(),
        }
    }

    /// Add a supplementary catalogue file (`--catalogue`: an imported official list, or codes
    /// the built-in catalogue lacks): which classification it
    /// extends is read from the file; it must merge into the catalogues of the newest year.
    pub fn add_catalogue(&mut self, origin: &str, text: String) -> Result<(), String> {
        let kind = kind_of_toml(&text, origin)?;
        if let Some(year) = self.latest_catalogue_year() {
            let mut cats = self.catalogues(year)?;
            let target = match kind {
                ClassificationKind::Economic => &mut cats.economic,
                ClassificationKind::Function => &mut cats.function,
            };
            target.merge_toml(&text, origin)?;
        }
        self.supplements.push((origin.to_string(), text));
        Ok(())
    }

    /// Read an input text: the catalogues of the year it declares (the newest catalogue's
    /// when the year is unreadable, so the parser still reports that error with its place),
    /// then the strict parse. The one way every front end reads an input.
    pub fn read_input(
        &self,
        text: &str,
        origin: &str,
    ) -> Result<(UnitYear, Catalogues), ReadError> {
        let year = declared_year(text)
            .or_else(|| self.latest_catalogue_year())
            .ok_or_else(|| ReadError::Data("没有任何分类目录数据文件".into()))?;
        let catalogues = self.catalogues(year).map_err(ReadError::Data)?;
        let mut unit_year = parse_input(text, origin, &catalogues).map_err(ReadError::Input)?;
        let errors = self.settle_province(&mut unit_year, text, origin);
        if !errors.is_empty() {
            return Err(ReadError::Input(errors));
        }
        Ok((unit_year, catalogues))
    }

    /// Add (or override) a file. `origin` is what error messages call it.
    pub fn add_file(&mut self, relative_path: &str, origin: &str, contents: String) {
        self.files
            .insert(relative_path.to_string(), (origin.to_string(), contents));
    }

    /// All files: (relative path, origin, contents).
    pub fn files(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.files
            .iter()
            .map(|(p, (o, c))| (p.as_str(), o.as_str(), c.as_str()))
    }

    /// The newest file `dir/name-<y>.ext` with y ≤ year: (origin, contents).
    pub fn find(&self, dir: &str, name: &str, ext: &str, year: i32) -> Option<(&str, &str)> {
        self.find_dated(dir, name, ext, year)
            .map(|(_, origin, text)| (origin, text))
    }

    /// [`find`](Self::find) with the year of the file found: (year, origin, contents).
    pub fn find_dated(
        &self,
        dir: &str,
        name: &str,
        ext: &str,
        year: i32,
    ) -> Option<(i32, &str, &str)> {
        self.files
            .iter()
            .filter_map(|(p, (o, c))| {
                let (d, n, y, e) = parse_name(p)?;
                (d == dir && n == name && e == ext && y <= year).then_some((y, o, c))
            })
            .max_by_key(|(y, _, _)| *y)
            .map(|(y, o, c)| (y, o.as_str(), c.as_str()))
    }

    /// Names available in a directory (e.g. the table templates).
    pub fn names(&self, dir: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .files
            .keys()
            .filter_map(|p| parse_name(p))
            .filter(|(d, ..)| *d == dir)
            .map(|(_, n, ..)| n.to_string())
            .collect();
        v.dedup();
        v
    }

    /// The function and economic catalogues for `year`, plus user catalogue files merged in.
    /// A year without its own file gets the newest earlier one: the catalogue's `year` then
    /// differs from `year`, which [`Catalogues::fallback_warnings`] reports (W104).
    pub fn catalogues(&self, year: i32) -> Result<Catalogues, String> {
        let load = |name: &str| -> Result<Catalogue, String> {
            let (file_year, origin, text) = self.find_dated("catalogues", name, "toml", year).ok_or_else(|| {
                let label = if name == "function" {
                    "支出功能分类"
                } else {
                    "支出经济分类"
                };
                format!(
                    "没有 {year} 年或更早年度的{label}目录（data/catalogues/{name}-<年度>.toml）；请用 --data-dir 提供该年度目录"
                )
            })?;
            let catalogue = Catalogue::from_toml(text, origin)?;
            // The file's name chooses it and its `year` is what the warnings name: they
            // must agree, or a fallback would go unreported.
            if catalogue.year != file_year {
                return Err(format!(
                    "{origin}: 文件名的年度是 {file_year}，文件中 year = {}；请使两者一致",
                    catalogue.year
                ));
            }
            Ok(catalogue)
        };
        let mut cats = Catalogues {
            function: load("function")?,
            economic: load("economic")?,
        };
        for (origin, text) in &self.supplements {
            let target = match kind_of_toml(text, origin)? {
                ClassificationKind::Economic => &mut cats.economic,
                ClassificationKind::Function => &mut cats.function,
            };
            target.merge_toml(text, origin)?;
        }
        Ok(cats)
    }

    /// The newest year of any catalogue file (used when an input's year is unreadable, so
    /// its errors can still be reported with locations).
    pub fn latest_catalogue_year(&self) -> Option<i32> {
        self.files
            .keys()
            .filter_map(|p| parse_name(p))
            .filter(|(d, ..)| *d == "catalogues")
            .map(|(_, _, y, _)| y)
            .max()
    }

    /// The table template `name` for `year`.
    pub fn table_set(&self, name: &str, year: i32) -> Result<TableSet, String> {
        let (origin, text) = self.find("tables", name, "toml", year).ok_or_else(|| {
            format!(
                "没有名为“{name}”的 {year} 年表格模板；可用：{}",
                self.names("tables").join("、")
            )
        })?;
        TableSet::from_toml(text, origin)
    }

    /// The province descriptor `name` (`national` when the input names none) for `year`:
    /// the newest `provinces/<name>-<y>.toml` with y ≤ year. An unknown name is an error
    /// naming the known ones, never a silent fallback.
    pub fn province(&self, name: Option<&str>, year: i32) -> Result<Province, String> {
        let name = name.unwrap_or(NATIONAL);
        let (origin, text) = self
            .find("provinces", name, "toml", year)
            .ok_or_else(|| self.unknown_province(name, year))?;
        Province::from_toml(text, origin)
    }

    /// Why `province(name, year)` finds nothing, in words.
    fn unknown_province(&self, name: &str, year: i32) -> String {
        let known = self.names("provinces");
        if known.iter().any(|k| k == name) {
            format!(
                "省份“{name}”没有{year}年度或更早的描述文件（data/provinces/{name}-<年度>.toml，不晚于{year}年）"
            )
        } else {
            format!(
                "没有名为“{name}”的省份（data/provinces/{name}-<年度>.toml）；已有：{}",
                known.join("、")
            )
        }
    }

    /// The narrative template a province names: (origin, minijinja source).
    pub fn narrative(&self, province: &Province, year: i32) -> Result<(&str, &str), String> {
        self.find("narrative", &province.narrative, "md.j2", year)
            .ok_or_else(|| {
                format!(
                    "省份“{}”的情况说明模板 data/narrative/{}-<年度>.md.j2 没有{year}年度或更早的文件",
                    province.name, province.narrative
                )
            })
    }

    /// The glossary files a province names, in order: (origin, contents) each.
    pub fn glossary(&self, province: &Province, year: i32) -> Result<Vec<(&str, &str)>, String> {
        province
            .glossary
            .iter()
            .map(|g| {
                self.find("glossary", g, "toml", year).ok_or_else(|| {
                    format!(
                        "省份“{}”的名词解释文件 data/glossary/{g}-<年度>.toml 没有{year}年度或更早的文件",
                        province.name
                    )
                })
            })
            .collect()
    }

    /// The input's `province` and `template` checked against the files (E007, located at
    /// the input's line), and the table set of the province filled in when the input names
    /// no `template`. The descriptor's lists are checked too (E008).
    fn settle_province(&self, uy: &mut UnitYear, text: &str, origin: &str) -> Vec<InputError> {
        let mut errors = Vec::new();
        let error = |key: &str, message: String, hint: &str| InputError {
            code: ErrorCode::UnknownProvince,
            file: origin.to_string(),
            location: key_location(text, "", key),
            message,
            hint: hint.to_string(),
        };
        let name = uy.province.as_deref().unwrap_or(NATIONAL);
        let province = if self.find("provinces", name, "toml", uy.year).is_none() {
            errors.push(error(
                "province",
                self.unknown_province(name, uy.year),
                "请改为已有的省份之一，或用 --data-dir 提供该省份的描述文件（见 docs/data-files.md“新增省份”）。",
            ));
            None
        } else {
            // A descriptor that does not read is the data's fault, reported when the report
            // is built (exit 2), not the input's.
            self.province(Some(name), uy.year).ok()
        };
        if key_location(text, "", "template").is_none() {
            if let Some(p) = &province {
                uy.template.clone_from(&p.tables);
            }
        }
        if self.find("tables", &uy.template, "toml", uy.year).is_none() {
            errors.push(error(
                "template",
                if self.names("tables").contains(&uy.template) {
                    format!(
                        "表格模板“{}”没有{}年度或更早的文件（data/tables/{}-<年度>.toml 的年度都晚于{}年）",
                        uy.template, uy.year, uy.template, uy.year
                    )
                } else {
                    format!(
                        "没有名为“{}”的表格模板（data/tables/{}-<年度>.toml）；已有：{}",
                        uy.template,
                        uy.template,
                        self.names("tables").join("、")
                    )
                },
                "请改为已有的表格模板之一，或删去 template 使用省份的表样。",
            ));
        }
        if let Some(p) = &province {
            errors.extend(juesuan_core::details::check_lists(
                uy,
                text,
                origin,
                &juesuan_core::details::Lists {
                    province: &p.name,
                    vehicle_uses: p.vehicle_uses.iter().map(|e| e.key.as_str()).collect(),
                    equipment: p.equipment.iter().map(|e| e.key.as_str()).collect(),
                },
            ));
        }
        errors
    }
}

/// The province of an input that names none: today's national disclosure.
pub const NATIONAL: &str = "national";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_data_file_loads() {
        let lib = Library::embedded();
        let cats = lib.catalogues(2021).expect("2021 catalogues");
        assert!(cats.function.len() > 50);
        for name in lib.names("tables") {
            lib.table_set(&name, 2026).expect("table template loads");
        }
        for name in lib.names("provinces") {
            let year = if name == "shanghai" { 2024 } else { 2021 };
            let p = lib.province(Some(&name), year).expect("province loads");
            lib.narrative(&p, year).expect("its narrative");
            lib.glossary(&p, year).expect("its glossary");
            lib.table_set(&p.tables, year).expect("its tables");
        }
        assert!(lib.names("provinces").len() >= 3);
    }

    /// Issue #14: each year 2021–2026 has its own catalogues, with the codes units print
    /// most and the amendments we know of; a later year falls back visibly (W104).
    #[test]
    fn every_year_from_2021_to_2026_has_its_own_catalogues() {
        let lib = Library::embedded();
        for year in 2021..=2026 {
            let cats = lib.catalogues(year).expect("catalogues load");
            assert_eq!(cats.function.year, year);
            assert_eq!(cats.economic.year, year);
            assert!(cats.fallback_warnings(year).is_empty());
            for code in ["2299999", "2130505", "2080505", "2101101"] {
                assert!(cats.function.name(code).is_some(), "{year}: {code}");
            }
            assert!(cats.economic.group("personnel").is_some());
            // 财预〔2024〕22号: 款 22006 from 2024 on.
            assert_eq!(
                cats.function.name("22006").is_some(),
                year >= 2024,
                "{year}: 22006"
            );
        }
        assert_eq!(
            lib.catalogues(2021).unwrap().function.name("2299999"),
            Some("其他支出")
        );
        let later = lib.catalogues(2027).unwrap();
        assert_eq!(later.function.year, 2026);
        let warnings = later.fallback_warnings(2027);
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[0].message.contains("没有2027年") && warnings[0].message.contains("2026年")
        );
    }

    #[test]
    fn a_catalogue_file_whose_name_and_year_disagree_is_refused() {
        let mut lib = Library::embedded();
        lib.add_file(
            "catalogues/function-2030.toml",
            "my/function-2030.toml",
            "kind = \"function\"\nyear = 2021\n[codes]\n\"201\" = \"一般公共服务支出\"\n".into(),
        );
        let err = lib.catalogues(2030).unwrap_err();
        assert!(
            err.contains("my/function-2030.toml") && err.contains("year = 2021"),
            "{err}"
        );
        assert!(lib.catalogues(2026).is_ok());
    }

    #[test]
    fn newest_file_not_after_year_wins() {
        let mut lib = Library::embedded();
        lib.add_file("tables/x-2019.toml", "a", "old".into());
        lib.add_file("tables/x-2022.toml", "b", "new".into());
        assert_eq!(lib.find("tables", "x", "toml", 2021).unwrap().1, "old");
        assert_eq!(lib.find("tables", "x", "toml", 2023).unwrap().1, "new");
        assert!(lib.find("tables", "x", "toml", 2018).is_none());
    }

    /// The minimal input of docs/input-format.md §7 with `extra` lines at the top.
    fn minimal(year: i32, extra: &str) -> String {
        format!(
            "{extra}\nyear = {year}\namount_unit = \"万元\"\n[unit]\nname = \"某单位\"\nkind = \"行政\"\n\
             [income.general_budget]\n\"2012601\" = 100\n[expenditure.basic.general_budget]\n\"2012601\" = 100\n\
             [basic_economic.general_budget]\n\"30101\" = 100\n\
             [prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n"
        )
    }

    fn input_errors(text: &str) -> Vec<InputError> {
        match Library::embedded().read_input(text, "in.toml") {
            Err(ReadError::Input(e)) => e,
            other => panic!("expected input errors, got {other:?}"),
        }
    }

    #[test]
    fn the_province_chooses_the_tables_unless_the_input_names_them() {
        let lib = Library::embedded();
        let (uy, _) = lib
            .read_input(&minimal(2024, "province = \"shanghai\""), "a")
            .unwrap();
        assert_eq!(uy.template, "shanghai");
        let (uy, _) = lib
            .read_input(
                &minimal(2024, "province = \"shanghai\"\ntemplate = \"national\""),
                "a",
            )
            .unwrap();
        assert_eq!(uy.template, "national");
        let (uy, _) = lib.read_input(&minimal(2021, ""), "a").unwrap();
        assert_eq!((uy.province, uy.template.as_str()), (None, "national"));
    }

    #[test]
    fn an_unknown_province_or_template_is_an_error_naming_the_known_ones() {
        let e = input_errors(&minimal(2021, "province = \"beijing\""));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, ErrorCode::UnknownProvince);
        assert_eq!(e[0].location.map(|l| (l.line, l.column)), Some((1, 12)));
        assert!(
            e[0].message.contains("已有：national、shanghai、sichuan"),
            "{}",
            e[0].message
        );
        // Shanghai's files start in 2024: a 2021 input cannot use them.
        let e = input_errors(&minimal(2021, "province = \"shanghai\""));
        assert!(
            e[0].message.contains("没有2021年度或更早的描述文件"),
            "{}",
            e[0].message
        );
        let e = input_errors(&minimal(2021, "# 表样\ntemplate = \"nationl\""));
        assert_eq!(e[0].code, ErrorCode::UnknownProvince);
        assert_eq!(e[0].location.map(|l| l.line), Some(2));
        assert!(
            e[0].message.contains("national、national-budget"),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn a_users_province_is_a_file_too() {
        let mut lib = Library::embedded();
        let text = lib
            .find("provinces", "national", "toml", 2021)
            .unwrap()
            .1
            .to_string();
        lib.add_file(
            "provinces/hainan-2021.toml",
            "my/provinces/hainan-2021.toml",
            text.replace("name = \"national\"", "name = \"hainan\"")
                .replace("charts = true", "charts = false"),
        );
        let (uy, _) = lib
            .read_input(&minimal(2021, "province = \"hainan\""), "a")
            .unwrap();
        let p = lib.province(uy.province.as_deref(), 2021).unwrap();
        assert!(!p.charts);
        assert_eq!(
            p.part_headings(2021)[1].heading(),
            "第二部分 2021年度部门决算情况说明"
        );
    }

    #[test]
    fn keys_outside_the_provinces_lists_are_errors() {
        let ok = minimal(2024, "province = \"shanghai\"")
            + "[assets.vehicle_uses]\nretired_cadres = 0\n";
        Library::embedded()
            .read_input(&ok, "a")
            .expect("a listed key");
        let bad = minimal(2024, "province = \"shanghai\"") + "[assets.vehicle_uses]\nretired = 0\n";
        let e = input_errors(&bad);
        assert_eq!(e[0].code, ErrorCode::UnlistedDetail);
        assert!(e[0].message.contains("retired_cadres"), "{}", e[0].message);
        // The national province lists none: any key is outside its lists.
        let e = input_errors(&(minimal(2021, "") + "[assets.equipment]\nover_1m = 1\n"));
        assert!(
            e[0].message.contains("没有列出任何一项"),
            "{}",
            e[0].message
        );
    }
}
