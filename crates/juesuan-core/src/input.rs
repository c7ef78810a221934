//! The input format (输入文件): one TOML file per unit-year holding base figures only.
//! Documented in docs/input-format.md. Parsing is exact (amounts are re-read from the
//! source text, never through f64) and every error is located (file:line:column).

use crate::catalogue::{Catalogues, ClassificationKind, CodeError};
use crate::details::{Grades, Score, Stage};
use crate::error::{ErrorCode, InputError, Warning};
use crate::evaluation::EvaluationSection;
use crate::facts::{Fact, FactFilter, FactTable, FundSource, Location, Measure, Nature, Scenario};
use crate::model::*;
use crate::money::{first_past_magnitude_bound, Amount, AmountParseError, MoneyUnit};
use crate::precision::{Gap, StatedPrecision};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The input schema this version reads.
pub const SCHEMA: &str = "juesuan-input/1";

/// A number (or numeric string) whose exact text is taken from the source by its span.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RawNumber;

impl<'de> Deserialize<'de> for RawNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an amount (number or numeric string)")
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawNumber, E> {
                Ok(RawNumber)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawNumber, E> {
                Ok(RawNumber)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawNumber, E> {
                Ok(RawNumber)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawNumber, E> {
                Ok(RawNumber)
            }
        }
        d.deserialize_any(V)
    }
}

type Money = Spanned<RawNumber>;
type CodeMap<T> = BTreeMap<Spanned<String>, T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputFile {
    schema: Option<Spanned<String>>,
    year: Spanned<i32>,
    amount_unit: MoneyUnit,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    province: Option<String>,
    /// 填列精度: the figures were copied from tables printed to this precision
    /// ("0.01万元"), so relations between them hold up to rounding (`precision.rs`).
    #[serde(default)]
    stated_precision: Option<Spanned<String>>,
    unit: UnitSection,
    income: CodeMap<CodeMap<Money>>,
    expenditure: CodeMap<CodeMap<CodeMap<Money>>>,
    #[serde(default)]
    basic_economic: CodeMap<CodeMap<Money>>,
    #[serde(default)]
    carryover_begin: CodeMap<Money>,
    #[serde(default)]
    other_balances: OtherBalances,
    #[serde(default)]
    budget: CodeMap<Money>,
    #[serde(default)]
    budget_reasons: CodeMap<String>,
    #[serde(default)]
    item_usage: CodeMap<String>,
    prior: PriorSection,
    #[serde(default)]
    reasons: Reasons,
    #[serde(default)]
    sangong: SanGongSection,
    #[serde(default)]
    operating_costs: OperatingCostsSection,
    #[serde(default)]
    procurement: ProcurementSection,
    #[serde(default)]
    assets: Assets,
    #[serde(default)]
    performance: PerformanceSection,
    #[serde(default)]
    glossary: Vec<GlossaryEntry>,
    /// 绩效评价 inputs: read from the same text by [`EvaluationSection::read`] (their errors
    /// are E050, located, and do not stop the rest of the input from being read).
    #[serde(default)]
    evaluation: Option<de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitSection {
    name: String,
    kind: UnitKind,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    sub_units: Vec<String>,
    #[serde(default)]
    functions: String,
    #[serde(default)]
    key_work: String,
    #[serde(default)]
    organisation: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OtherBalances {
    used_non_fiscal_balance: Option<Money>,
    surplus_distribution: Option<Money>,
}

/// 上年决算数: required, because "not given" and "zero" read differently in the narrative
/// (a new unit states 0).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorSection {
    grand_total: Money,
    fiscal_grand_total: Money,
    general_budget_expenditure: Money,
}

/// Budget, actual and prior-year amounts of one 三公 item. (Not a flattened struct:
/// serde's flatten loses the spans that exact amounts are read from.)
macro_rules! sangong_money {
    ($x:expr) => {
        [
            (&$x.budget, Scenario::Budget, "预算数"),
            (&$x.actual, Scenario::Actual, "决算数"),
            (&$x.prior, Scenario::Prior, "上年决算数"),
        ]
    };
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SanGongSection {
    #[serde(default)]
    abroad: SanGongAbroadIn,
    #[serde(default)]
    vehicle_purchase: VehiclePurchaseIn,
    #[serde(default)]
    vehicle_operation: VehicleOperationIn,
    #[serde(default)]
    reception: ReceptionIn,
    #[serde(default)]
    vehicles_held: VehicleCounts,
    #[serde(default)]
    reasons: SanGongReasons,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SanGongAbroadIn {
    budget: Option<Money>,
    actual: Option<Money>,
    prior: Option<Money>,
    #[serde(default)]
    groups: u32,
    #[serde(default)]
    people: u32,
    #[serde(default)]
    content: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct VehiclePurchaseIn {
    budget: Option<Money>,
    actual: Option<Money>,
    prior: Option<Money>,
    #[serde(default)]
    bought: VehiclesBoughtIn,
    #[serde(default)]
    usage: String,
}

/// Vehicles bought, by body type (轿车 / 越野车 / 载客汽车).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct VehiclesBoughtIn {
    sedan: Option<VehicleBoughtIn>,
    suv: Option<VehicleBoughtIn>,
    bus: Option<VehicleBoughtIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VehicleBoughtIn {
    count: u32,
    amount: Money,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct VehicleOperationIn {
    budget: Option<Money>,
    actual: Option<Money>,
    prior: Option<Money>,
    #[serde(default)]
    usage: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ReceptionIn {
    budget: Option<Money>,
    actual: Option<Money>,
    prior: Option<Money>,
    #[serde(default)]
    domestic_batches: u32,
    #[serde(default)]
    domestic_people: u32,
    #[serde(default)]
    foreign_batches: u32,
    #[serde(default)]
    foreign_people: u32,
    foreign_amount: Option<Money>,
    #[serde(default)]
    main_items: String,
    #[serde(default)]
    usage: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OperatingCostsSection {
    actual: Option<Money>,
    prior: Option<Money>,
    #[serde(default)]
    change_reason: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProcurementSection {
    goods: Option<Money>,
    works: Option<Money>,
    services: Option<Money>,
    sme: Option<Money>,
    small_micro: Option<Money>,
    /// 面向中小企业预留（预留项目金额）
    sme_reserved: Option<Money>,
    /// 其中面向小微企业预留
    small_micro_reserved: Option<Money>,
    #[serde(default)]
    usage: String,
}

/// `[performance]`: the counts and text every unit states, and the optional stages, score
/// and grades (crate::details).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PerformanceSection {
    #[serde(default)]
    projects_with_targets: u32,
    #[serde(default)]
    projects_monitored: u32,
    #[serde(default)]
    projects_self_evaluated: u32,
    #[serde(default)]
    text: String,
    target_management: Option<StageIn>,
    tracking: Option<StageIn>,
    evaluated: Option<StageIn>,
    average_score: Option<Money>,
    grades: Option<Spanned<Grades>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StageIn {
    projects: u32,
    amount: Money,
}

/// Parse one input file into a validated [`UnitYear`].
///
/// `origin` is the file name used in error locations. All errors found are returned, not
/// just the first, so a preparer can fix a file in one pass.
pub fn parse_input(
    text: &str,
    origin: &str,
    catalogues: &Catalogues,
) -> Result<UnitYear, Vec<InputError>> {
    use crate::limits::{check_parsed, check_raw, LIMITS};
    // Size limits first, so no later step sees an unbounded file (E006): the raw text before
    // it is parsed, the document before it is read.
    let too_large = check_raw(text, origin, &LIMITS);
    if !too_large.is_empty() {
        return Err(too_large);
    }
    // The one parse of the text: the limits, the required sections, the input and its
    // [evaluation] are all read from this document.
    let doc = toml::de::DeTable::parse(text).map_err(|e| vec![toml_error(e, text, origin)])?;
    let too_large = check_parsed(&doc, text, origin, &LIMITS);
    if !too_large.is_empty() {
        return Err(too_large);
    }
    // Every missing required section at once (serde stops at the first).
    let missing = missing_sections(&doc, origin);
    if !missing.is_empty() {
        return Err(missing);
    }
    let file = InputFile::deserialize(toml::de::Deserializer::from(doc.clone()))
        .map_err(|e| vec![toml_error(e, text, origin)])?;
    let cx = Context {
        doc: Some(doc),
        text,
        lines: LineIndex::new(text),
        origin,
        unit: file.amount_unit,
        catalogues,
        errors: Vec::new(),
        facts: FactTable::default(),
        precision: None,
        notes: Vec::new(),
    };
    cx.read(file)
}

/// A relation between stated figures, for [`Context::relation`].
struct Relation<'r> {
    code: ErrorCode,
    span: Option<std::ops::Range<usize>>,
    /// The two sides, shown ("…合计152.44万元，与按功能分类合计152.42万元").
    what: String,
    /// What a gap is called after `what` ("不一致"), empty when `what` says it.
    verb: &'r str,
    hint: &'r str,
}

/// 单位信息 as stated.
fn unit_of(u: &UnitSection) -> Unit {
    Unit {
        name: u.name.clone(),
        kind: u.kind,
        region: u.region.clone(),
        sub_units: u.sub_units.clone(),
        functions: u.functions.clone(),
        key_work: u.key_work.clone(),
        organisation: u.organisation.clone(),
    }
}

struct Context<'a> {
    text: &'a str,
    /// The parsed document, until the `[evaluation]` section is read from it.
    doc: Option<crate::limits::Document<'a>>,
    /// Where each line starts, for locations.
    lines: LineIndex<'a>,
    origin: &'a str,
    unit: MoneyUnit,
    catalogues: &'a Catalogues,
    errors: Vec<InputError>,
    facts: FactTable,
    /// `stated_precision`, when the figures are rounded ones.
    precision: Option<StatedPrecision>,
    /// 尾差 notes (W106) of relations that hold only up to the figures' rounding.
    notes: Vec<Warning>,
}

/// Which level of an unknown code's ancestry is missing: "（其类“229”不在目录中）" etc.
fn unknown_parent(catalogue: &crate::catalogue::Catalogue, code: &str) -> String {
    let mut missing = "";
    let mut at = "";
    for (len, level) in [(3, "类"), (5, "款")] {
        if code.len() > len && catalogue.name(&code[..len]).is_none() {
            missing = &code[..len];
            at = level;
            break;
        }
    }
    if missing.is_empty() {
        String::new()
    } else {
        format!("（其{at}“{missing}”也不在目录中）")
    }
}

/// Chinese names of the input's sections and fields, for messages.
fn field_label(name: &str) -> &'static str {
    match name {
        "year" => "year（年度）",
        "amount_unit" => "amount_unit（金额单位：\"元\"或\"万元\"）",
        "unit" => "[unit]（单位信息）",
        "name" => "name（名称）",
        "kind" => "kind（单位性质：行政/参公/事业）",
        "income" => "[income]（本年收入）",
        "prior" => {
            "[prior]（上年决算数：grand_total、fiscal_grand_total、general_budget_expenditure）"
        }
        "grand_total" => "grand_total（上年收入支出总计）",
        "fiscal_grand_total" => "fiscal_grand_total（上年财政拨款收入支出总计）",
        "general_budget_expenditure" => {
            "general_budget_expenditure（上年一般公共预算财政拨款支出）"
        }
        "expenditure" => "[expenditure]（本年支出）",
        "count" => "count（辆数）",
        "amount" => "amount（金额）",
        _ => "",
    }
}

/// The required top-level keys of an input, in the order of [`InputFile`] (so that the first
/// is the one serde would name).
const REQUIRED: [&str; 6] = [
    "year",
    "amount_unit",
    "unit",
    "income",
    "expenditure",
    "prior",
];

/// E002 for each required top-level key the text lacks, all of them; none when the text is
/// not TOML (the strict parse reports that, located).
fn missing_sections(doc: &crate::limits::Document<'_>, origin: &str) -> Vec<InputError> {
    let has = |key: &str| doc.get_ref().keys().any(|k| k.get_ref() == key);
    REQUIRED
        .iter()
        .filter(|k| !has(k))
        .map(|k| InputError {
            code: ErrorCode::MissingField,
            file: origin.to_string(),
            location: Some(Location { line: 1, column: 1 }),
            message: format!("缺少必填项 {}", field_label(k)),
            hint: "请按 docs/input-format.md 补齐该项。".to_string(),
        })
        .collect()
}

fn toml_error(e: toml::de::Error, text: &str, origin: &str) -> InputError {
    let location = e.span().map(|s| location_of(text, s.start));
    let raw = e.message().to_string();
    let (code, message, hint) = if let Some(field) = between(&raw, "missing field `", "`") {
        let label = field_label(field);
        let label = if label.is_empty() { field } else { label };
        (
            ErrorCode::MissingField,
            format!("缺少必填项 {label}"),
            "请按 docs/input-format.md 补齐该项。".to_string(),
        )
    } else if let Some(field) = between(&raw, "unknown field `", "`") {
        (
            ErrorCode::UnknownField,
            format!("无法识别的字段“{field}”"),
            "请检查拼写；可用字段见 docs/input-format.md。".to_string(),
        )
    } else if let Some(v) = between(&raw, "unknown variant `", "`") {
        (
            ErrorCode::UnknownValue,
            format!("无法识别的取值“{v}”（{raw}）"),
            "请改为文档列出的取值之一。".to_string(),
        )
    } else {
        (
            ErrorCode::Syntax,
            format!("TOML 语法或类型错误：{raw}"),
            "请修正该处的 TOML 写法（字符串加引号、表头用 [..]、数值不加引号或单位）。".to_string(),
        )
    };
    InputError {
        code,
        file: origin.to_string(),
        location,
        message,
        hint,
    }
}

fn between<'s>(s: &'s str, start: &str, end: &str) -> Option<&'s str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

/// The year an input declares (`year = 2021`), read leniently so the right catalogue can be
/// chosen before the strict parse reports errors.
pub fn declared_year(text: &str) -> Option<i32> {
    text.lines().find_map(|l| {
        let rest = l
            .trim()
            .strip_prefix("year")?
            .trim_start()
            .strip_prefix('=')?;
        rest.split('#').next()?.trim().parse().ok()
    })
}

/// Where `key` is written under the table header `[section]` (`""`: before any header, at
/// the top level): the line and column of its value. Read leniently from the text, for
/// checks made after the parse (the province's names and lists).
pub fn key_location(text: &str, section: &str, key: &str) -> Option<Location> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if let Some(header) = t.strip_prefix('[') {
            current = header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            continue;
        }
        if current != section {
            continue;
        }
        let Some((k, _)) = t.split_once('=') else {
            continue;
        };
        if k.trim().trim_matches(|c| c == '"' || c == '\'') == key {
            let value_at = line.find('=').map_or(0, |j| j + 1);
            let skipped = line[value_at..].len() - line[value_at..].trim_start().len();
            return Some(Location {
                line: i + 1,
                column: line[..value_at + skipped].chars().count() + 1,
            });
        }
    }
    None
}

/// 1-based line and column (in characters) of a byte offset.
/// The starts of a text's lines, for many [`location_of`] lookups in one text: each is a
/// binary search instead of a scan from the start (a file with hundreds of located items
/// would otherwise be read again for each).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The same as [`location_of`]`(text, offset)`.
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Location { line, column }
    }
}

pub fn location_of(text: &str, offset: usize) -> Location {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Location { line, column }
}

impl Context<'_> {
    fn err(
        &mut self,
        code: ErrorCode,
        span: Option<std::ops::Range<usize>>,
        message: String,
        hint: &str,
    ) {
        self.errors.push(InputError {
            code,
            file: self.origin.to_string(),
            location: span.map(|s| self.loc(s)),
            message,
            hint: hint.to_string(),
        });
    }

    /// An amount in the file's own unit, exact ("1000元", "0.004万元").
    fn show(&self, a: Amount) -> String {
        format!("{}{}", a.exact(self.unit), self.unit.label())
    }

    /// Line and column of a span's start, by binary search over the line starts (every
    /// fact is located, so rescanning the text each time would make parsing quadratic).
    fn loc(&self, span: std::ops::Range<usize>) -> Location {
        self.lines.location(span.start)
    }

    /// Read an amount exactly from its source text; errors are recorded and `None` returned.
    fn amount(&mut self, m: &Money, what: &str, allow_negative: bool) -> Option<Amount> {
        let span = m.span();
        let raw = self.text[span.clone()]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        match Amount::parse(raw, self.unit) {
            Ok(a) if a.fen() < 0 && !allow_negative => {
                self.err(
                    ErrorCode::NegativeAmount,
                    Some(span),
                    format!("{what}金额为负数（{raw}）"),
                    "该项金额不能为负；如属冲减，请调整对应的收入或支出数。",
                );
                None
            }
            Ok(a) => Some(a),
            Err(AmountParseError::NotANumber) => {
                self.err(
                    ErrorCode::BadAmount,
                    Some(span),
                    format!("{what}金额“{raw}”不是有效数字"),
                    "请填写不带千分位和单位的十进制数字，如 233.93。",
                );
                None
            }
            Err(AmountParseError::TooPrecise { max_decimals }) => {
                self.err(
                    ErrorCode::TooPrecise,
                    Some(span),
                    format!(
                        "{what}金额“{raw}”超过精确到分的位数（以{}为单位最多{}位小数）",
                        self.unit.label(),
                        max_decimals
                    ),
                    "金额最多精确到分（0.01元），请核对原始数据。",
                );
                None
            }
            Err(AmountParseError::TooLarge) => {
                self.err(
                    ErrorCode::AmountBeyondBound,
                    Some(span),
                    format!("{what}金额“{raw}”超出上限（单笔金额绝对值不超过1000万亿元）"),
                    "请核对金额及金额单位（amount_unit 是“元”还是“万元”）。",
                );
                None
            }
        }
    }

    fn opt_amount(&mut self, m: &Option<Money>, what: &str) -> (Amount, Option<Location>) {
        match m {
            Some(m) => (
                self.amount(m, what, false).unwrap_or_default(),
                Some(self.loc(m.span())),
            ),
            None => (Amount::ZERO, None),
        }
    }

    /// Check a code against its catalogue at the level the input requires (项 for function
    /// codes, 款 for economic codes); record a located error and return false if unusable.
    fn code(&mut self, kind: ClassificationKind, code: &Spanned<String>, what: &str) -> bool {
        let c = code.get_ref();
        let (catalogue, len, level, example, unknown) = match kind {
            ClassificationKind::Function => (
                &self.catalogues.function,
                7,
                "项",
                "2060701",
                ErrorCode::UnknownFunctionCode,
            ),
            ClassificationKind::Economic => (
                &self.catalogues.economic,
                5,
                "款",
                "30101",
                ErrorCode::UnknownEconomicCode,
            ),
        };
        let label = kind.label();
        // A 项 missing under a listed 款 may be the catalogue's gap, not the input's error:
        // read it; the warning (W105) comes with the catalogues' warnings.
        if catalogue.is_unlisted_item(c) {
            return true;
        }
        let (error, message, hint) = match catalogue.check(c) {
            Ok(()) if c.len() == len => return true,
            Ok(()) => (
                ErrorCode::NotItemLevel,
                format!("{what}的{label}科目“{c}”不是{level}级科目（应为{len}位）"),
                format!("须填到{level}级科目，如 {example}。"),
            ),
            Err(CodeError::Malformed) => (
                ErrorCode::MalformedCode,
                format!("{what}的{label}科目编码“{c}”格式错误"),
                format!("{label}科目编码为{len}位数字，如 {example}。"),
            ),
            Err(CodeError::Unknown) => (
                unknown,
                format!(
                    "{what}的{label}科目“{c}”不在{}中{}",
                    catalogue.title,
                    unknown_parent(catalogue, c)
                ),
                format!(
                    "请核对科目编码。编码无误的（如当年新设的类、款），请从财政部《{year}年政府收支分类科目》导入当年目录：\
juesuan data import-catalogue 文件 --year {year} --kind {kind}，再用 --data-dir 或 --catalogue 提供。",
                    year = catalogue.year,
                    kind = match kind {
                        ClassificationKind::Function => "function",
                        ClassificationKind::Economic => "economic",
                    }
                ),
            ),
        };
        self.err(error, Some(code.span()), message, &hint);
        false
    }

    fn function_code(&mut self, code: &Spanned<String>, what: &str) -> bool {
        self.code(ClassificationKind::Function, code, what)
    }

    fn economic_code(&mut self, code: &Spanned<String>) -> bool {
        self.code(ClassificationKind::Economic, code, "基本支出")
    }

    fn source_key(&mut self, key: &Spanned<String>) -> Option<FundSource> {
        let s = FundSource::from_key(key.get_ref());
        if s.is_none() {
            self.err(
                ErrorCode::UnknownValue,
                Some(key.span()),
                format!("无法识别的资金来源“{}”", key.get_ref()),
                "可用：general_budget, government_fund, state_capital, superior_subsidy, business, operation, affiliate, other。",
            );
        }
        s
    }

    fn read(mut self, file: InputFile) -> Result<UnitYear, Vec<InputError>> {
        self.read_header(&file);
        // A year without its own catalogue uses the newest earlier one (chosen by the
        // caller), so the year itself is not checked against the catalogue here.
        let year = *file.year.get_ref();

        self.read_amounts(&file);

        let budget_reasons = self.read_budget_and_prior(&file);

        let (bought, reception_foreign_amount) = self.read_sangong(&file);
        let sg = &file.sangong;

        // 机关运行经费
        let (oc_actual, oc_actual_loc) =
            self.opt_amount(&file.operating_costs.actual, "机关运行经费");
        let (oc_prior, oc_prior_loc) =
            self.opt_amount(&file.operating_costs.prior, "上年机关运行经费");
        if oc_prior_loc.is_some() {
            self.facts.push(
                Fact::new(Measure::OperatingCosts, Scenario::Prior, oc_prior).at(oc_prior_loc),
            );
        }

        self.read_procurement(&file);
        let performance = self.performance(&file.performance);
        let item_usage = self.item_usage(&file.item_usage);

        let unit = unit_of(&file.unit);

        // Before any sum is taken: all amounts together stay within the bound that makes
        // every derived figure fit (money.rs, "Why sums cannot wrap").
        if let Some(i) = first_past_magnitude_bound(self.facts.facts.iter().map(|f| f.amount)) {
            let at = self.facts.facts[i].location;
            self.errors.push(InputError {
                code: ErrorCode::TotalBeyondBound,
                file: self.origin.to_string(),
                location: at,
                message: "全部金额的绝对值之和到此行超过上限（1亿亿元），合计会超出精确计算的范围".into(),
                hint: "请核对金额及金额单位（amount_unit 是“元”还是“万元”）；真实单位的金额远低于此上限。"
                    .into(),
            });
            return Err(self.errors);
        }

        // 机关运行经费 defaults to 公用经费 of 基本支出 for 行政/参公 units.
        if oc_actual_loc.is_some() {
            self.facts.push(
                Fact::new(Measure::OperatingCosts, Scenario::Actual, oc_actual).at(oc_actual_loc),
            );
        } else if unit.kind != UnitKind::Institution {
            let public = FactFilter {
                measure: vec![Measure::BasicEconomic],
                source: vec![FundSource::GeneralBudget],
                economic: self
                    .catalogues
                    .economic
                    .group("public")
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
                ..FactFilter::default()
            };
            let a = self.facts.sum(&public);
            self.facts
                .push(Fact::new(Measure::OperatingCosts, Scenario::Actual, a));
        }

        // Relations between figures are checked only once every figure is readable: a
        // dropped line would otherwise show up again as a spurious imbalance.
        if self.errors.is_empty() {
            self.cross_checks(&file);
            self.derive_carryover_end(&file);
        }

        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(UnitYear {
            year,
            amount_unit: file.amount_unit,
            template: file.template.unwrap_or_else(|| "national".into()),
            province: file.province,
            unit,
            facts: self.facts,
            budget_reasons,
            item_usage,
            reasons: file.reasons,
            sangong: SanGongDetails {
                abroad_groups: sg.abroad.groups,
                abroad_people: sg.abroad.people,
                abroad_content: sg.abroad.content.clone(),
                vehicles_bought: bought,
                vehicle_purchase_usage: sg.vehicle_purchase.usage.clone(),
                vehicle_operation_usage: sg.vehicle_operation.usage.clone(),
                vehicles_held: sg.vehicles_held.clone(),
                reception_domestic_batches: sg.reception.domestic_batches,
                reception_domestic_people: sg.reception.domestic_people,
                reception_foreign_batches: sg.reception.foreign_batches,
                reception_foreign_people: sg.reception.foreign_people,
                reception_foreign_amount,
                reception_main_items: sg.reception.main_items.clone(),
                reception_usage: sg.reception.usage.clone(),
                reasons: sg.reasons.clone(),
            },
            operating_costs_reason: file.operating_costs.change_reason.clone(),
            procurement_usage: file.procurement.usage.clone(),
            assets: file.assets,
            performance,
            glossary: file.glossary,
            evaluation: match (file.evaluation, self.doc.take()) {
                (Some(_), Some(doc)) => EvaluationSection::read_parsed(doc, self.text, self.origin),
                _ => None,
            },
            stated_precision: self.precision,
            rounding_notes: self.notes,
        })
    }

    /// 年初预算 per 项 with its reasons, and the 上年决算数 the input states.
    fn read_budget_and_prior(&mut self, file: &InputFile) -> BTreeMap<String, String> {
        // 年初预算 per 项 (一般公共预算财政拨款)
        for (code, money) in &file.budget {
            let ok = self.function_code(code, "年初预算");
            let a = self.amount(money, &format!("年初预算“{}”", code.get_ref()), false);
            if let (true, Some(a)) = (ok, a) {
                let loc = self.loc(money.span());
                self.facts.push(
                    Fact::new(Measure::Expenditure, Scenario::Budget, a)
                        .source(FundSource::GeneralBudget)
                        .function(code.get_ref())
                        .at(Some(loc)),
                );
            }
        }
        let mut budget_reasons = BTreeMap::new();
        for (code, reason) in &file.budget_reasons {
            if self.function_code(code, "预算差异原因") {
                budget_reasons.insert(code.get_ref().clone(), reason.clone());
            }
        }

        // 上年决算数
        for (m, measure, source, what) in [
            (
                &file.prior.grand_total,
                Measure::GrandTotal,
                None,
                "上年收支总计",
            ),
            (
                &file.prior.fiscal_grand_total,
                Measure::FiscalGrandTotal,
                None,
                "上年财政拨款收支总计",
            ),
            (
                &file.prior.general_budget_expenditure,
                Measure::Expenditure,
                Some(FundSource::GeneralBudget),
                "上年一般公共预算财政拨款支出",
            ),
        ] {
            if let Some(a) = self.amount(m, what, false) {
                let mut f = Fact::new(measure, Scenario::Prior, a).at(Some(self.loc(m.span())));
                f.source = source;
                self.facts.push(f);
            }
        }
        budget_reasons
    }

    /// `schema` and `stated_precision`.
    fn read_header(&mut self, file: &InputFile) {
        if let Some(schema) = &file.schema {
            if schema.get_ref() != SCHEMA {
                self.err(
                    ErrorCode::UnsupportedSchema,
                    Some(schema.span()),
                    format!("不支持的输入格式版本“{}”", schema.get_ref()),
                    "本版本读取 schema = \"juesuan-input/1\"。",
                );
            }
        }
        if let Some(p) = &file.stated_precision {
            self.precision = StatedPrecision::parse(p.get_ref());
            if self.precision.is_none() {
                self.err(
                    ErrorCode::UnknownValue,
                    Some(p.span()),
                    format!("无法识别的填列精度“{}”", p.get_ref()),
                    &format!(
                        "stated_precision 可写 {}（如公开表以万元印到两位小数，写 \"0.01万元\"）；金额是精确数的，删去该行。",
                        StatedPrecision::known()
                    ),
                );
            }
        }
    }

    /// 本年支出 by nature and source; fiscal money only as 基本支出 or 项目支出.
    fn read_expenditure(&mut self, file: &InputFile) {
        // 本年支出: [expenditure.<nature>.<source>] code = amount
        for (nature_key, by_source) in &file.expenditure {
            let Some(nature) = Nature::from_key(nature_key.get_ref()) else {
                self.err(
                    ErrorCode::UnknownValue,
                    Some(nature_key.span()),
                    format!("无法识别的支出性质“{}”", nature_key.get_ref()),
                    "可用：basic（基本支出）, project（项目支出）, to_superior（上缴上级支出）, operation（经营支出）, to_affiliates（对附属单位补助支出）。",
                );
                continue;
            };
            for (source_key, lines) in by_source {
                let Some(source) = self.source_key(source_key) else {
                    continue;
                };
                if source.is_fiscal() && !matches!(nature, Nature::Basic | Nature::Project) {
                    self.err(
                        ErrorCode::InconsistentInput,
                        Some(source_key.span()),
                        format!(
                            "{}不能列为{}",
                            source.income_label().trim_end_matches("收入"),
                            nature.label()
                        ),
                        "财政拨款支出只分基本支出和项目支出；请改列到 [expenditure.basic] 或 [expenditure.project]。",
                    );
                    continue;
                }
                for (code, money) in lines {
                    let ok = self.function_code(code, nature.label());
                    let a = self.amount(
                        money,
                        &format!("{}“{}”", nature.label(), code.get_ref()),
                        false,
                    );
                    if let (true, Some(a)) = (ok, a) {
                        let loc = self.loc(money.span());
                        self.facts.push(
                            Fact::new(Measure::Expenditure, Scenario::Actual, a)
                                .source(source)
                                .nature(nature)
                                .function(code.get_ref())
                                .at(Some(loc)),
                        );
                    }
                }
            }
        }
    }

    /// 本年收入, 本年支出, 基本支出按经济分类, 年初结转和结余 and the other balances.
    fn read_amounts(&mut self, file: &InputFile) {
        // 本年收入: [income.<source>] code = amount
        for (source_key, lines) in &file.income {
            let Some(source) = self.source_key(source_key) else {
                continue;
            };
            for (code, money) in lines {
                let ok = self.function_code(code, "收入");
                let a = self.amount(money, &format!("收入“{}”", code.get_ref()), false);
                if let (true, Some(a)) = (ok, a) {
                    let loc = self.loc(money.span());
                    self.facts.push(
                        Fact::new(Measure::Income, Scenario::Actual, a)
                            .source(source)
                            .function(code.get_ref())
                            .at(Some(loc)),
                    );
                }
            }
        }

        self.read_expenditure(file);

        // 基本支出按经济分类: [basic_economic.<source>] code = amount
        for (source_key, lines) in &file.basic_economic {
            let Some(source) = self.source_key(source_key) else {
                continue;
            };
            for (code, money) in lines {
                let ok = self.economic_code(code);
                let a = self.amount(money, &format!("经济分类“{}”", code.get_ref()), false);
                if let (true, Some(a)) = (ok, a) {
                    let loc = self.loc(money.span());
                    self.facts.push(
                        Fact::new(Measure::BasicEconomic, Scenario::Actual, a)
                            .source(source)
                            .economic(code.get_ref())
                            .at(Some(loc)),
                    );
                }
            }
        }

        // 年初结转和结余 by source
        for (source_key, money) in &file.carryover_begin {
            let Some(source) = self.source_key(source_key) else {
                continue;
            };
            if let Some(a) = self.amount(money, "年初结转和结余", false) {
                let loc = self.loc(money.span());
                self.facts.push(
                    Fact::new(Measure::CarryoverBegin, Scenario::Actual, a)
                        .source(source)
                        .at(Some(loc)),
                );
            }
        }
        for (m, measure, what) in [
            (
                &file.other_balances.used_non_fiscal_balance,
                Measure::UsedNonFiscalBalance,
                "使用非财政拨款结余",
            ),
            (
                &file.other_balances.surplus_distribution,
                Measure::SurplusDistribution,
                "结余分配",
            ),
        ] {
            let (a, loc) = self.opt_amount(m, what);
            if loc.is_some() {
                self.facts
                    .push(Fact::new(measure, Scenario::Actual, a).at(loc));
            }
        }
    }

    /// 三公经费 facts; the vehicles bought and the 外事接待费 amount, kept on the unit-year.
    fn read_sangong(&mut self, file: &InputFile) -> (Vec<VehiclesBought>, Amount) {
        // 三公经费
        let sg = &file.sangong;
        for (item, money, label) in [
            ("abroad", sangong_money!(sg.abroad), "因公出国（境）费"),
            (
                "vehicle_purchase",
                sangong_money!(sg.vehicle_purchase),
                "公务用车购置费",
            ),
            (
                "vehicle_operation",
                sangong_money!(sg.vehicle_operation),
                "公务用车运行维护费",
            ),
            ("reception", sangong_money!(sg.reception), "公务接待费"),
        ] {
            for (m, scenario, what) in money {
                let (a, loc) = self.opt_amount(m, &format!("{label}{what}"));
                self.facts
                    .push(Fact::new(Measure::SanGong, scenario, a).item(item).at(loc));
            }
        }
        let mut bought = Vec::new();
        let vb = &sg.vehicle_purchase.bought;
        for (kind, b) in [("sedan", &vb.sedan), ("suv", &vb.suv), ("bus", &vb.bus)] {
            let Some(b) = b else { continue };
            let (amount, _) = self.opt_amount(&Some(b.amount.clone()), "购置车辆");
            bought.push(VehiclesBought {
                kind: kind.to_string(),
                count: b.count,
                amount,
            });
        }
        let (reception_foreign_amount, _) =
            self.opt_amount(&sg.reception.foreign_amount, "外事接待费");
        (bought, reception_foreign_amount)
    }

    /// 政府采购 facts; reservations only when stated.
    fn read_procurement(&mut self, file: &InputFile) {
        // 政府采购
        let p = &file.procurement;
        for (item, m, what) in [
            ("goods", &p.goods, "政府采购货物支出"),
            ("works", &p.works, "政府采购工程支出"),
            ("services", &p.services, "政府采购服务支出"),
            ("sme", &p.sme, "授予中小企业合同金额"),
            ("small_micro", &p.small_micro, "授予小微企业合同金额"),
        ] {
            let (a, loc) = self.opt_amount(m, what);
            self.facts.push(
                Fact::new(Measure::Procurement, Scenario::Actual, a)
                    .item(item)
                    .at(loc),
            );
        }
        // Reservations are stated only by the units that report them: no fact otherwise,
        // so the narrative can tell "not given" from 0.
        for (item, m, what) in [
            ("sme_reserved", &p.sme_reserved, "面向中小企业预留金额"),
            (
                "small_micro_reserved",
                &p.small_micro_reserved,
                "面向小微企业预留金额",
            ),
        ] {
            if m.is_some() {
                let (a, loc) = self.opt_amount(m, what);
                self.facts.push(
                    Fact::new(Measure::Procurement, Scenario::Actual, a)
                        .item(item)
                        .at(loc),
                );
            }
        }
    }

    /// Relations between base figures that the input itself must satisfy.
    fn cross_checks(&mut self, file: &InputFile) {
        self.basic_by_economic(file);
        // Procurement awards cannot exceed the procurement total.
        let proc = |cx: &Self, items: &[&str]| {
            cx.facts.sum(&FactFilter {
                measure: vec![Measure::Procurement],
                item: items.iter().map(|s| s.to_string()).collect(),
                ..FactFilter::default()
            })
        };
        let total = proc(self, &["goods", "works", "services"]);
        let sme = proc(self, &["sme"]);
        let small = proc(self, &["small_micro"]);
        let sme_span = file.procurement.sme.as_ref().map(|m| m.span());
        let small_span = file.procurement.small_micro.as_ref().map(|m| m.span());
        if sme > total {
            self.err(
                ErrorCode::InconsistentInput,
                sme_span,
                format!(
                    "授予中小企业合同金额{}超过政府采购总额{}",
                    self.show(sme),
                    self.show(total)
                ),
                "政府采购总额 = 货物 + 工程 + 服务；请核对 [procurement]。",
            );
        }
        if small > sme {
            self.err(
                ErrorCode::InconsistentInput,
                small_span,
                format!(
                    "授予小微企业合同金额{}超过授予中小企业合同金额{}",
                    self.show(small),
                    self.show(sme)
                ),
                "小微企业是中小企业的一部分；请核对 [procurement]。",
            );
        }
        self.detail_checks(file);
        // 公务接待: the foreign part cannot exceed the whole.
        let reception = self.facts.sum(&FactFilter {
            measure: vec![Measure::SanGong],
            item: vec!["reception".into()],
            ..FactFilter::default()
        });
        if let Some(m) = &file.sangong.reception.foreign_amount {
            let foreign = Amount::parse(self.text[m.span()].trim().trim_matches('"'), self.unit)
                .unwrap_or_default();
            if foreign > reception {
                self.err(
                    ErrorCode::InconsistentInput,
                    Some(m.span()),
                    format!(
                        "外事接待费{}超过公务接待费决算数{}",
                        self.show(foreign),
                        self.show(reception)
                    ),
                    "外事接待费是公务接待费的一部分；请核对 [sangong.reception]。",
                );
            }
        }
        self.sangong_economic(file);
        // Vehicles held: by body type and by use must agree when both are given.
        let by_kind = file.sangong.vehicles_held.total();
        // By use: the national keys ([assets.vehicles]) or the province's ([assets.vehicle_uses]).
        let by_use = file.assets.vehicles.total() + file.assets.vehicle_uses.values().sum::<u32>();
        if by_kind != by_use && by_kind + by_use > 0 {
            self.err(
                ErrorCode::InconsistentInput,
                None,
                format!(
                    "[sangong.vehicles_held] 按车型合计{by_kind}辆，与 [assets.vehicles] 按用途合计{by_use}辆不一致"
                ),
                "两处均为年末实有公务用车数，请核对。",
            );
        }
    }

    /// 基本支出 by function and by economic classification agree per source (E030; with a
    /// stated precision, a gap within rounding is a 尾差 note, W106).
    fn basic_by_economic(&mut self, file: &InputFile) {
        for source in FundSource::ALL {
            let function = FactFilter {
                measure: vec![Measure::Expenditure],
                source: vec![source],
                nature: vec![Nature::Basic],
                ..FactFilter::default()
            };
            let economic = FactFilter {
                measure: vec![Measure::BasicEconomic],
                source: vec![source],
                ..FactFilter::default()
            };
            let stated_economic = file
                .basic_economic
                .keys()
                .find(|k| k.get_ref() == source.key())
                .map(|k| k.span());
            if source != FundSource::GeneralBudget && stated_economic.is_none() {
                continue;
            }
            let (by_function, by_economic) = (self.facts.sum(&function), self.facts.sum(&economic));
            let figures = self.figures(&function) + self.figures(&economic);
            let what = format!(
                "{}基本支出按经济分类合计{}，与按功能分类合计{}",
                source.income_label().trim_end_matches("收入"),
                self.show_stated(by_economic),
                self.show_stated(by_function),
            );
            self.relation(
                Relation {
                    code: ErrorCode::BasicMismatch,
                    span: stated_economic,
                    what,
                    verb: "不一致",
                    hint: "[basic_economic] 各经济科目之和须等于 [expenditure.basic] 同一资金来源各科目之和。",
                },
                by_economic - by_function,
                figures,
            );
        }
    }

    /// 三公 economic items of 基本支出 cannot exceed the 三公 figures (DOMAIN §4; E032, or a
    /// W106 note within the figures' rounding).
    fn sangong_economic(&mut self, file: &InputFile) {
        for (code, item, label) in [
            ("30212", "abroad", "因公出国（境）费"),
            ("30217", "reception", "公务接待费"),
            ("30231", "vehicle_operation", "公务用车运行维护费"),
            ("31013", "vehicle_purchase", "公务用车购置费"),
        ] {
            let economic = FactFilter {
                measure: vec![Measure::BasicEconomic],
                source: vec![FundSource::GeneralBudget],
                economic: vec![code.into()],
                ..FactFilter::default()
            };
            let sangong = FactFilter {
                measure: vec![Measure::SanGong],
                item: vec![item.into()],
                ..FactFilter::default()
            };
            let (e, g) = (self.facts.sum(&economic), self.facts.sum(&sangong));
            if e <= g {
                continue;
            }
            let span = file
                .basic_economic
                .values()
                .flat_map(|m| m.keys())
                .find(|k| k.get_ref() == code)
                .map(|k| k.span());
            let figures = self.figures(&economic) + self.figures(&sangong);
            let what = format!(
                "基本支出经济分类“{code}”{}超过“三公”经费中{label}决算数{}",
                self.show_stated(e),
                self.show_stated(g)
            );
            self.relation(
                Relation {
                    code: ErrorCode::InconsistentInput,
                    span,
                    what,
                    verb: "",
                    hint: "基本支出中的该项支出属于“三公”经费，须不超过 [sangong] 中对应的决算数；请核对两处。",
                },
                e - g,
                figures,
            );
        }
    }

    /// How many stated figures a filter sums (each may carry rounding).
    fn figures(&self, filter: &FactFilter) -> usize {
        self.facts.select(filter).count()
    }

    /// An amount as messages about relations show it: at the stated precision when there is
    /// one (never below it), else exact in the file's unit.
    fn show_stated(&self, a: Amount) -> String {
        match self.precision {
            Some(p) => p.show(a),
            None => self.show(a),
        }
    }

    /// Grade a relation's `gap` over `figures` stated figures: nothing, a 尾差 note (W106),
    /// or the relation's error. The error's text for exact figures is unchanged.
    fn relation(&mut self, r: Relation, gap: Amount, figures: usize) -> Gap {
        let grade = StatedPrecision::grade(self.precision, gap, figures);
        let diff = if r.verb.is_empty() {
            String::new()
        } else {
            format!("{}（差{}）", r.verb, self.show_stated(gap))
        };
        match (grade, self.precision) {
            (Gap::None, _) => {}
            (Gap::Rounding, Some(p)) => {
                let place = match r.span {
                    Some(s) => format!("{}:{}", self.origin, self.loc(s).line),
                    None => self.origin.to_string(),
                };
                // A relation named by its gap ("超出可用资金0.01万元") says it already.
                let gap_text = if r.verb.is_empty() {
                    String::new()
                } else {
                    format!("（差{}）", self.show_stated(gap))
                };
                self.notes.push(Warning {
                    code: ErrorCode::RoundingGap,
                    place,
                    message: format!("{}{gap_text}，{}", r.what, p.within_phrase(figures)),
                });
            }
            (_, p) => {
                let beyond = p.map_or(String::new(), |p| format!("，{}", p.beyond_phrase(figures)));
                self.err(r.code, r.span, format!("{}{diff}{beyond}", r.what), r.hint);
            }
        }
        grade
    }

    /// 年末结转和结余 per source = 年初 + 收入 − 支出 (and, for the non-fiscal remainder,
    /// + 使用非财政拨款结余 − 结余分配). A negative result means spending exceeds funds.
    fn derive_carryover_end(&mut self, file: &InputFile) {
        let used = self
            .facts
            .sum(&FactFilter::measure(Measure::UsedNonFiscalBalance));
        let distributed = self
            .facts
            .sum(&FactFilter::measure(Measure::SurplusDistribution));
        let mut non_fiscal_end = used - distributed;
        let mut non_fiscal_figures = self
            .figures(&FactFilter::measure(Measure::UsedNonFiscalBalance))
            + self.figures(&FactFilter::measure(Measure::SurplusDistribution));
        let mut ends = Vec::new();
        for source in FundSource::ALL {
            let of = |m: Measure| FactFilter {
                measure: vec![m],
                source: vec![source],
                ..FactFilter::default()
            };
            let end = self.facts.sum(&of(Measure::CarryoverBegin))
                + self.facts.sum(&of(Measure::Income))
                - self.facts.sum(&of(Measure::Expenditure));
            let figures = [
                Measure::CarryoverBegin,
                Measure::Income,
                Measure::Expenditure,
            ]
            .into_iter()
            .map(|m| self.figures(&of(m)))
            .sum::<usize>();
            if source.is_fiscal() {
                let mut end = end;
                if end.fen() < 0 {
                    let span = file
                        .expenditure
                        .values()
                        .flat_map(|by_source| by_source.keys())
                        .find(|k| k.get_ref() == source.key())
                        .map(|k| k.span());
                    let what = format!(
                        "{}支出超出可用资金（年初结转和结余＋本年收入）{}",
                        source.income_label().trim_end_matches("收入"),
                        self.show_stated(-end)
                    );
                    let r = Relation {
                        code: ErrorCode::Overspent,
                        span,
                        what,
                        verb: "",
                        hint: "请核对该资金来源的收入、支出和 [carryover_begin]。",
                    };
                    // Within rounding the balance is nil, not a negative 年末结转和结余.
                    if self.relation(r, -end, figures) == Gap::Rounding {
                        end = Amount::ZERO;
                    }
                }
                ends.push((Some(source), end));
            } else {
                non_fiscal_end += end;
                non_fiscal_figures += figures;
            }
        }
        if non_fiscal_end.fen() < 0 {
            let what = format!(
                "非财政拨款资金支出超出可用资金（年初结转和结余＋本年收入＋使用非财政拨款结余－结余分配）{}",
                self.show_stated(-non_fiscal_end)
            );
            let r = Relation {
                code: ErrorCode::Overspent,
                span: None,
                what,
                verb: "",
                hint: "请核对非财政拨款收入、支出、年初结转和结余、使用非财政拨款结余与结余分配。",
            };
            if self.relation(r, -non_fiscal_end, non_fiscal_figures) == Gap::Rounding {
                non_fiscal_end = Amount::ZERO;
            }
        }
        for (source, end) in ends {
            if !end.is_zero() {
                let mut f = Fact::new(Measure::CarryoverEnd, Scenario::Actual, end);
                f.source = source;
                self.facts.push(f);
            }
        }
        if !non_fiscal_end.is_zero() {
            // Non-fiscal balances are not split by source in the disclosure tables.
            self.facts.push(
                Fact::new(Measure::CarryoverEnd, Scenario::Actual, non_fiscal_end)
                    .source(FundSource::Other),
            );
        }
    }
}

/// The optional details (crate::details): read exactly, located, checked against each other.
impl Context<'_> {
    /// `[performance]`: the counts and text, the stages with exact amounts, the score.
    fn performance(&mut self, p: &PerformanceSection) -> PerformanceInfo {
        let stage = |cx: &mut Self, s: &Option<StageIn>, what: &str| {
            s.as_ref().map(|s| Stage {
                projects: s.projects,
                amount: cx.amount(&s.amount, what, false).unwrap_or_default(),
            })
        };
        let target_management = stage(self, &p.target_management, "目标管理项目");
        let tracking = stage(self, &p.tracking, "绩效跟踪项目");
        let evaluated = stage(self, &p.evaluated, "绩效评价项目");
        PerformanceInfo {
            projects_with_targets: p.projects_with_targets,
            projects_monitored: p.projects_monitored,
            projects_self_evaluated: p.projects_self_evaluated,
            text: p.text.clone(),
            target_management,
            tracking,
            evaluated,
            average_score: p.average_score.as_ref().and_then(|m| self.score(m)),
            grades: p.grades.as_ref().map(|g| *g.get_ref()),
        }
    }

    /// A score from 0 to 100 with at most two decimals, exactly (E009 otherwise).
    fn score(&mut self, m: &Money) -> Option<Score> {
        let span = m.span();
        let raw = self.text[span.clone()]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string();
        // A score has the form of an amount in 元 (two decimals), read the same exact way.
        match Amount::parse(&raw, MoneyUnit::Yuan) {
            Ok(a) if (0..=10_000).contains(&a.fen()) => {
                Some(Score(u32::try_from(a.fen()).unwrap_or_default()))
            }
            _ => {
                self.err(
                    ErrorCode::InconsistentDetail,
                    Some(span),
                    format!("绩效评价平均分“{raw}”不是0到100之间、最多两位小数的数"),
                    "请填写百分制平均分，如 91.5。",
                );
                None
            }
        }
    }

    /// `[item_usage]`: each code a 项 the input spends on (E020–E023 for the code, E009
    /// when the 项 has no 本年支出).
    fn item_usage(&mut self, given: &CodeMap<String>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (code, usage) in given {
            if !self.function_code(code, "主要用途") {
                continue;
            }
            let spent = self.facts.facts.iter().any(|f| {
                f.measure == Measure::Expenditure
                    && f.scenario == Scenario::Actual
                    && f.function.as_deref() == Some(code.get_ref().as_str())
                    && !f.amount.is_zero()
            });
            if spent {
                out.insert(code.get_ref().clone(), usage.clone());
            } else {
                self.err(
                    ErrorCode::InconsistentDetail,
                    Some(code.span()),
                    format!(
                        "[item_usage] 写了科目“{}”的用途，但 [expenditure] 中没有该科目的本年支出",
                        code.get_ref()
                    ),
                    "请核对科目编码，或删去这一行。",
                );
            }
        }
        out
    }

    /// Relations among the details: 小微 is part of 中小企业 (reservations), graded projects
    /// are evaluated projects.
    fn detail_checks(&mut self, file: &InputFile) {
        let p = &file.procurement;
        if let Some(small_m) = &p.small_micro_reserved {
            let small = self
                .amount(small_m, "面向小微企业预留", false)
                .unwrap_or_default();
            let sme = p
                .sme_reserved
                .as_ref()
                .and_then(|m| self.amount(m, "面向中小企业预留", false));
            if sme.is_none_or(|sme| small > sme) {
                let sme_text = sme.map_or_else(|| "未填写".to_string(), |a| self.show(a));
                self.err(
                    ErrorCode::InconsistentDetail,
                    Some(small_m.span()),
                    format!(
                        "面向小微企业预留金额{}超过面向中小企业预留金额（{sme_text}）",
                        self.show(small)
                    ),
                    "面向小微企业预留是面向中小企业预留的一部分；请核对 [procurement] 的 sme_reserved 和 small_micro_reserved。",
                );
            }
        }
        let perf = &file.performance;
        if let (Some(grades), Some(evaluated)) = (&perf.grades, &perf.evaluated) {
            let graded = grades.get_ref().total();
            if graded > u64::from(evaluated.projects) {
                self.err(
                    ErrorCode::InconsistentDetail,
                    Some(grades.span()),
                    format!(
                        "评为优、良、合格、不合格的项目共{graded}个，超过绩效评价项目{}个",
                        evaluated.projects
                    ),
                    "每个评定等级的项目都是绩效评价的项目；请核对 [performance.grades] 和 [performance.evaluated]。",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    fn catalogues() -> Catalogues {
        Catalogues {
            function: Catalogue::from_toml(
                "kind = \"function\"\nyear = 2021\n[codes]\n\"201\" = \"一般公共服务支出\"\n\"20101\" = \"人大事务\"\n\"2010101\" = \"行政运行\"\n",
                "f",
            )
            .unwrap(),
            economic: Catalogue::from_toml(
                "kind = \"economic\"\nyear = 2021\n[codes]\n\"301\" = \"工资福利支出\"\n\"30101\" = \"基本工资\"\n\"302\" = \"商品和服务支出\"\n\"30201\" = \"办公费\"\n[groups]\npersonnel = [\"301\"]\npublic = [\"302\"]\n",
                "e",
            )
            .unwrap(),
        }
    }

    const INPUT: &str = r#"year = 2021
amount_unit = "万元"
[unit]
name = "测试单位"
kind = "行政"
[prior]
grand_total = 0
fiscal_grand_total = 0
general_budget_expenditure = 0
[income.general_budget]
"2010101" = 0.1
[expenditure.basic.general_budget]
"2010101" = "0.07"
[basic_economic.general_budget]
"30101" = 0.05
"30201" = 0.02
"#;

    /// Issue #14: every missing required section in one run, in the file's order.
    #[test]
    fn every_missing_section_is_listed_at_once() {
        let text =
            "year = 2021\namount_unit = \"万元\"\n[unit]\nname = \"测试单位\"\nkind = \"行政\"\n";
        let errors = parse_input(text, "t.toml", &catalogues()).unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "缺少必填项 [income]（本年收入）",
                "缺少必填项 [expenditure]（本年支出）",
                "缺少必填项 [prior]（上年决算数：grand_total、fiscal_grand_total、general_budget_expenditure）"
            ]
        );
        assert!(errors.iter().all(|e| e.code == ErrorCode::MissingField));
        // Not TOML at all: the syntax error, located, as before.
        let bad = parse_input("year = \n", "t.toml", &catalogues()).unwrap_err();
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].code, ErrorCode::Syntax);
    }

    #[test]
    fn amounts_are_exact_and_located() {
        let uy = parse_input(INPUT, "t.toml", &catalogues()).unwrap();
        let income_filter = FactFilter::measure(Measure::Income);
        let income = uy.facts.select(&income_filter).next().unwrap();
        // 0.1 万元 is exactly 1000 元, although 0.1 has no exact binary float.
        assert_eq!(income.amount, Amount(100_000));
        assert_eq!(
            income.location,
            Some(Location {
                line: 11,
                column: 13
            })
        );
        // 年末结转和结余 is derived: 0.1 − 0.07 = 0.03 万元.
        assert_eq!(
            uy.facts.sum(&FactFilter::measure(Measure::CarryoverEnd)),
            Amount(30_000)
        );
        // 机关运行经费 defaults to 公用经费 (group `public`) for a 行政 unit.
        assert_eq!(
            uy.facts.sum(&FactFilter::measure(Measure::OperatingCosts)),
            Amount(20_000)
        );
    }

    #[test]
    fn all_line_errors_are_reported_at_once_without_follow_on_errors() {
        let bad = INPUT
            .replace("\"2010101\" = 0.1", "\"2019901\" = 0.1")
            .replace("\"30201\" = 0.02", "\"30201\" = -0.02");
        let errors = parse_input(&bad, "t.toml", &catalogues()).unwrap_err();
        let codes: Vec<&str> = errors.iter().map(|e| e.code.code()).collect();
        assert_eq!(codes, ["E021", "E012"], "{errors:?}");
        assert_eq!(errors[0].location.unwrap().line, 11);
        assert!(errors[0].to_string().starts_with("t.toml:11:1: 错误[E021]"));
    }

    /// Issue #14: a 项 our catalogue lacks, under a 款 it has, is read with a warning (W105)
    /// that tells how to import the official list; an unknown 款 or 类 stays an error (E021),
    /// whose hint no longer calls it a "新增科目".
    #[test]
    fn an_unlisted_item_under_a_known_section_warns_and_an_unknown_section_is_an_error() {
        let cats = catalogues();
        let unlisted = INPUT.replace("\"2010101\" = 0.1", "\"2010108\" = 0.1");
        let uy = parse_input(&unlisted, "t.toml", &cats).unwrap();
        let warnings = cats.warnings(&uy);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].code, ErrorCode::UnknownFunctionItem);
        let text = warnings[0].to_string();
        assert!(
            text.starts_with("警告[W105] 支出功能分类科目“2010108”"),
            "{text}"
        );
        assert!(text.contains("所属款“20101 人大事务”在目录中"), "{text}");
        assert!(text.contains("import-catalogue"), "{text}");
        // The same code used twice (income and spending) warns once.
        let twice = unlisted.replace("\"2010101\" = \"0.07\"", "\"2010108\" = \"0.07\"");
        let uy = parse_input(&twice, "t.toml", &cats).unwrap();
        assert_eq!(cats.warnings(&uy).len(), 1);
        // A listed code warns nothing.
        let uy = parse_input(INPUT, "t.toml", &cats).unwrap();
        assert!(cats.warnings(&uy).is_empty());

        for (code, missing) in [("2019901", "其款“20199”"), ("2990101", "其类“299”")] {
            let bad = INPUT.replace("\"2010101\" = 0.1", &format!("\"{code}\" = 0.1"));
            let errors = parse_input(&bad, "t.toml", &cats).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].code, ErrorCode::UnknownFunctionCode);
            assert!(errors[0].message.contains(missing), "{}", errors[0].message);
            assert!(
                errors[0].hint.contains("import-catalogue"),
                "{}",
                errors[0].hint
            );
            assert!(!errors[0].hint.contains("新增科目"), "{}", errors[0].hint);
        }
        // Economic codes have no 项: an unknown 款 is an error (E022) even under a known 类.
        let bad = INPUT.replace("\"30201\" = 0.02", "\"30299\" = 0.02");
        let errors = parse_input(&bad, "t.toml", &cats).unwrap_err();
        assert_eq!(errors[0].code, ErrorCode::UnknownEconomicCode, "{errors:?}");
    }

    #[test]
    fn location_counts_characters_not_bytes() {
        let text = "名称 = 1\n\"代码\" = x";
        assert_eq!(
            location_of(text, text.find('x').unwrap()),
            Location { line: 2, column: 8 }
        );
    }
}
