//! The two data files that drive an import (docs/journal.md 第3、4节):
//! - the account mapping (科目映射, `data/journal/accounts-<year>.toml`): which
//!   budget-accounting postings become which facts;
//! - the column mapping (列映射, `data/journal/columns-<name>.toml`): how one software's
//!   export names its columns, its encoding, delimiter and number format.

use juesuan_core::{FundSource, MoneyUnit, Nature};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What postings to an account mean for the final accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 预算收入: 本年收入 = 贷方 − 借方
    Income,
    /// 预算支出: 本年支出 = 借方 − 贷方
    Expenditure,
    /// 资金结存: counterpart only
    Funds,
    /// 结转结余: the opening voucher gives 年初结转和结余
    Balance,
    /// 财务会计 and other accounts that are not read
    Ignore,
}

/// One account (or account prefix) of the mapping.
#[derive(Debug, Clone)]
pub struct AccountRule {
    /// Digits of the account code (a prefix of the posted account).
    pub prefix: String,
    pub name: String,
    pub role: Role,
    /// Fund sources a posting may carry; the first is the default for an empty cell when
    /// the account fixes its source (`source = …`) or lists several (`sources = […]`).
    pub sources: Vec<FundSource>,
    /// Whether an empty source cell takes `sources[0]`.
    pub source_default: bool,
    pub natures: Vec<Nature>,
    pub nature_default: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    kind: String,
    year: i32,
    #[serde(default)]
    title: Option<String>,
    accounts: BTreeMap<String, AccountIn>,
    #[serde(default)]
    sangong: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountIn {
    name: String,
    role: Role,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    nature: Option<String>,
    #[serde(default)]
    natures: Vec<String>,
}

/// The account mapping (科目映射) of one accounting system.
#[derive(Debug, Clone)]
pub struct AccountMap {
    pub origin: String,
    pub title: String,
    pub year: i32,
    /// Longest prefix first, so the first match is the most specific one.
    pub rules: Vec<AccountRule>,
    /// “三公” item → economic-code prefixes.
    pub sangong: Vec<(String, Vec<String>)>,
}

/// The four “三公” items of the input format.
pub const SANGONG_ITEMS: [&str; 4] = [
    "abroad",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
];

impl AccountMap {
    pub fn from_toml(text: &str, origin: &str) -> Result<AccountMap, String> {
        let file: AccountsFile =
            toml::from_str(text).map_err(|e| format!("{origin}: 科目映射文件格式错误：{e}"))?;
        if file.kind != "journal-accounts" {
            return Err(format!(
                "{origin}: 科目映射文件须写明 kind = \"journal-accounts\"（现为“{}”）",
                file.kind
            ));
        }
        let mut rules = Vec::new();
        for (prefix, a) in file.accounts {
            if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{origin}: 会计科目“{prefix}”须为数字编码"));
            }
            let source = |k: &str| {
                FundSource::from_key(k).ok_or_else(|| {
                    format!("{origin}: 科目“{prefix}”的资金来源“{k}”无法识别（可用 general_budget、business 等，见 docs/journal.md）")
                })
            };
            let nature = |k: &str| {
                Nature::from_key(k).ok_or_else(|| {
                    format!("{origin}: 科目“{prefix}”的支出性质“{k}”无法识别（可用 basic、project、to_superior、operation、to_affiliates）")
                })
            };
            if a.source.is_some() && !a.sources.is_empty() {
                return Err(format!(
                    "{origin}: 科目“{prefix}”的 source 与 sources 只能写一个"
                ));
            }
            if a.nature.is_some() && !a.natures.is_empty() {
                return Err(format!(
                    "{origin}: 科目“{prefix}”的 nature 与 natures 只能写一个"
                ));
            }
            let sources = match &a.source {
                Some(s) => vec![source(s)?],
                None => a
                    .sources
                    .iter()
                    .map(|s| source(s))
                    .collect::<Result<_, _>>()?,
            };
            let natures = match &a.nature {
                Some(n) => vec![nature(n)?],
                None => a
                    .natures
                    .iter()
                    .map(|n| nature(n))
                    .collect::<Result<_, _>>()?,
            };
            match a.role {
                Role::Income | Role::Balance if sources.is_empty() => {
                    return Err(format!("{origin}: 科目“{prefix}”须写明 source 或 sources"))
                }
                Role::Expenditure if sources.is_empty() || natures.is_empty() => {
                    return Err(format!(
                        "{origin}: 支出科目“{prefix}”须写明 source(s) 和 nature(s)"
                    ))
                }
                _ => {}
            }
            if a.role == Role::Expenditure {
                for n in &natures {
                    if sources.iter().any(|s| s.is_fiscal())
                        && !matches!(n, Nature::Basic | Nature::Project)
                    {
                        return Err(format!(
                            "{origin}: 科目“{prefix}”：财政拨款支出只分基本支出和项目支出，不能列为{}",
                            n.label()
                        ));
                    }
                }
            }
            rules.push(AccountRule {
                name: a.name,
                role: a.role,
                // A fixed source is its own default; of a list, the first one is.
                source_default: !sources.is_empty(),
                nature_default: a.nature.is_some(),
                sources,
                natures,
                prefix,
            });
        }
        rules.sort_by(|a, b| {
            b.prefix
                .len()
                .cmp(&a.prefix.len())
                .then(a.prefix.cmp(&b.prefix))
        });
        let mut sangong = Vec::new();
        for (item, codes) in file.sangong {
            if !SANGONG_ITEMS.contains(&item.as_str()) {
                return Err(format!(
                    "{origin}: [sangong] 的项目“{item}”无法识别（可用 {}）",
                    SANGONG_ITEMS.join("、")
                ));
            }
            sangong.push((item, codes));
        }
        Ok(AccountMap {
            origin: origin.to_string(),
            title: file
                .title
                .unwrap_or_else(|| format!("{}年科目映射", file.year)),
            year: file.year,
            rules,
            sangong,
        })
    }

    /// The most specific rule for an account code (digits only).
    pub fn lookup(&self, digits: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| digits.starts_with(&r.prefix))
    }

    /// The “三公” item an economic code belongs to.
    pub fn sangong_item(&self, economic: &str) -> Option<&str> {
        self.sangong
            .iter()
            .find(|(_, codes)| codes.iter().any(|c| economic.starts_with(c.as_str())))
            .map(|(item, _)| item.as_str())
    }
}

/// A field of a journal row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Date,
    Voucher,
    Account,
    Function,
    Economic,
    Source,
    Nature,
    Project,
    Debit,
    Credit,
    Amount,
    Unit,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Date,
        Field::Voucher,
        Field::Account,
        Field::Function,
        Field::Economic,
        Field::Source,
        Field::Nature,
        Field::Project,
        Field::Debit,
        Field::Credit,
        Field::Amount,
        Field::Unit,
    ];

    /// The name of the field in juesuan's own format.
    pub fn label(self) -> &'static str {
        match self {
            Field::Date => "日期",
            Field::Voucher => "凭证号",
            Field::Account => "科目",
            Field::Function => "功能分类",
            Field::Economic => "经济分类",
            Field::Source => "资金来源",
            Field::Nature => "支出性质",
            Field::Project => "项目",
            Field::Debit => "借方",
            Field::Credit => "贷方",
            Field::Amount => "金额",
            Field::Unit => "单位",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsFile {
    kind: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default = "default_encoding")]
    encoding: String,
    #[serde(default = "default_delimiter")]
    delimiter: String,
    #[serde(default = "default_unit")]
    amount_unit: MoneyUnit,
    #[serde(default)]
    thousands_separator: bool,
    #[serde(default)]
    opening_vouchers: Vec<String>,
    columns: BTreeMap<Field, Vec<String>>,
    #[serde(default)]
    values: ValuesIn,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ValuesIn {
    #[serde(default)]
    source: BTreeMap<String, String>,
    #[serde(default)]
    nature: BTreeMap<String, String>,
}

fn default_encoding() -> String {
    "utf-8".into()
}
fn default_delimiter() -> String {
    ",".into()
}
fn default_unit() -> MoneyUnit {
    MoneyUnit::Yuan
}

/// Text encodings a journal may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// GBK, read as its superset GB18030 (every GBK file is valid GB18030).
    Gb18030,
}

impl TextEncoding {
    pub fn parse(name: &str) -> Option<TextEncoding> {
        match name.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Some(TextEncoding::Gb18030),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GBK/GB18030",
        }
    }
}

/// How one export names and formats its columns.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    pub origin: String,
    pub title: String,
    pub encoding: TextEncoding,
    pub delimiter: u8,
    pub amount_unit: MoneyUnit,
    /// Accept "1,234.50" (the separator is then never a decimal point).
    pub thousands_separator: bool,
    /// Voucher numbers that mark the opening balances (年初余额).
    pub opening_vouchers: Vec<String>,
    pub columns: BTreeMap<Field, Vec<String>>,
    /// Extra spellings of fund sources and natures (besides the keys and the standard labels).
    pub source_values: BTreeMap<String, FundSource>,
    pub nature_values: BTreeMap<String, Nature>,
}

impl ColumnMap {
    pub fn from_toml(text: &str, origin: &str) -> Result<ColumnMap, String> {
        let file: ColumnsFile =
            toml::from_str(text).map_err(|e| format!("{origin}: 列映射文件格式错误：{e}"))?;
        if file.kind != "journal-columns" {
            return Err(format!(
                "{origin}: 列映射文件须写明 kind = \"journal-columns\"（现为“{}”）",
                file.kind
            ));
        }
        let encoding = TextEncoding::parse(&file.encoding).ok_or_else(|| {
            format!(
                "{origin}: 不支持的编码“{}”（可用 utf-8、gbk、gb18030）",
                file.encoding
            )
        })?;
        let delimiter = match file.delimiter.as_str() {
            "\\t" | "\t" | "tab" => b'\t',
            d if d.len() == 1 && d.is_ascii() => d.as_bytes()[0],
            d => {
                return Err(format!(
                    "{origin}: 分隔符“{d}”须为一个 ASCII 字符（如 \",\"、\";\"、\"\\t\"）"
                ))
            }
        };
        for required in [Field::Date, Field::Voucher, Field::Account] {
            if !file.columns.contains_key(&required) {
                return Err(format!(
                    "{origin}: [columns] 须列出 {} 列的表头名称",
                    required.label()
                ));
            }
        }
        let has_dc =
            file.columns.contains_key(&Field::Debit) || file.columns.contains_key(&Field::Credit);
        if !has_dc && !file.columns.contains_key(&Field::Amount) {
            return Err(format!(
                "{origin}: [columns] 须列出借方和贷方列，或单一金额列"
            ));
        }
        let mut source_values = BTreeMap::new();
        for (text, key) in &file.values.source {
            let s = FundSource::from_key(key).ok_or_else(|| {
                format!("{origin}: [values.source] “{text}”对应的资金来源“{key}”无法识别")
            })?;
            source_values.insert(text.trim().to_string(), s);
        }
        let mut nature_values = BTreeMap::new();
        for (text, key) in &file.values.nature {
            let n = Nature::from_key(key).ok_or_else(|| {
                format!("{origin}: [values.nature] “{text}”对应的支出性质“{key}”无法识别")
            })?;
            nature_values.insert(text.trim().to_string(), n);
        }
        Ok(ColumnMap {
            origin: origin.to_string(),
            title: file.title.unwrap_or_else(|| origin.to_string()),
            encoding,
            delimiter,
            amount_unit: file.amount_unit,
            thousands_separator: file.thousands_separator,
            opening_vouchers: file.opening_vouchers,
            columns: file.columns,
            source_values,
            nature_values,
        })
    }

    /// A fund source written as its key, its label (with or without 收入), or a mapped spelling.
    pub fn source(&self, text: &str) -> Option<FundSource> {
        let t = text.trim();
        FundSource::from_key(t)
            .or_else(|| {
                FundSource::ALL.into_iter().find(|s| {
                    let label = s.income_label();
                    t == label || t == label.trim_end_matches("收入")
                })
            })
            .or_else(|| self.source_values.get(t).copied())
    }

    /// A nature written as its key, its label, or a mapped spelling.
    pub fn nature(&self, text: &str) -> Option<Nature> {
        let t = text.trim();
        Nature::from_key(t)
            .or_else(|| Nature::ALL.into_iter().find(|n| t == n.label()))
            .or_else(|| self.nature_values.get(t).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_mapping_files_load() {
        let lib = juesuan_data::Library::embedded();
        let mut columns = 0;
        for (path, origin, text) in lib.files() {
            if path.starts_with("journal/columns-") {
                ColumnMap::from_toml(text, origin).unwrap();
                columns += 1;
            } else if path.starts_with("journal/accounts-") {
                let map = AccountMap::from_toml(text, origin).unwrap();
                assert_eq!(map.rules[map.lookup("710101").unwrap()].name, "行政支出");
                assert_eq!(map.rules[map.lookup("1001").unwrap()].role, Role::Ignore);
                assert_eq!(map.sangong_item("30217"), Some("reception"));
            }
        }
        assert!(columns >= 3);
    }

    #[test]
    fn longest_prefix_wins_and_bad_files_are_rejected() {
        let text = "kind = \"journal-accounts\"\nyear = 2019\n[accounts.\"7\"]\nname = \"支出\"\nrole = \"ignore\"\n[accounts.\"7101\"]\nname = \"行政支出\"\nrole = \"expenditure\"\nnatures = [\"basic\"]\nsource = \"general_budget\"\n";
        let map = AccountMap::from_toml(text, "a.toml").unwrap();
        assert_eq!(
            map.rules[map.lookup("7101").unwrap()].role,
            Role::Expenditure
        );
        assert_eq!(map.rules[map.lookup("7201").unwrap()].role, Role::Ignore);
        assert!(map.lookup("9").is_none());
        let bad = text.replace("natures = [\"basic\"]", "nature = \"operation\"");
        let e = AccountMap::from_toml(&bad, "a.toml").unwrap_err();
        assert!(e.contains("财政拨款支出只分基本支出和项目支出"), "{e}");
        let e = ColumnMap::from_toml(
            "kind = \"journal-columns\"\n[columns]\ndate = [\"日期\"]\n",
            "c.toml",
        )
        .unwrap_err();
        assert!(e.contains("凭证号"), "{e}");
    }
}
