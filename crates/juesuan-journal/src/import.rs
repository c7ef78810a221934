//! Streaming import of a journal (日记账导入): one pass over the CSV records, reusing one
//! `ByteRecord`, aggregating every posting into a map keyed by the fact dimensions. Memory
//! is O(distinct keys + the largest voucher), not O(rows).
//!
//! A voucher (凭证) is a run of adjacent rows with the same voucher number in the same month.
//! Its rows are buffered until the voucher ends, because two questions can only be answered
//! for the whole voucher: does it balance (借贷平衡), and is it a year-end closing voucher
//! (结账凭证) whose income and spending postings must not count.

use crate::error::{JournalError, Rule};
use crate::mapping::{AccountMap, ColumnMap, Field, Role, TextEncoding};
use juesuan_core::{Amount, Catalogues, Fact, FundSource, Measure, MoneyUnit, Nature, Scenario};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

/// When vouchers must balance (借贷平衡检查).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BalanceCheck {
    /// A voucher with both debit and credit postings must balance; a one-sided voucher (an
    /// export of spending lines only) is not checked.
    #[default]
    Auto,
    /// Every voucher must balance.
    Strict,
    /// No check.
    Off,
}

/// Import options (from the command line).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// 决算年度; default: the year of the first row that is not an opening balance.
    pub year: Option<i32>,
    /// Only this unit's rows (by the 单位 column).
    pub unit: Option<String>,
    /// Every unit of a journal with a 单位 column (one input file each).
    pub all_units: bool,
    /// Report and skip bad rows instead of stopping at the first.
    pub keep_going: bool,
    pub balance: BalanceCheck,
    /// Overrides the column mapping's encoding.
    pub encoding: Option<TextEncoding>,
}

/// Counts of what the import read, for the summary and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Data rows read (the header excluded, blank rows excluded).
    pub rows: u64,
    /// Rows that became part of a fact (收入、支出、年初结转和结余).
    pub fact_rows: u64,
    pub vouchers: u64,
    /// Year-end closing vouchers (结账凭证) whose income and spending rows were skipped.
    pub closing_vouchers: u64,
    pub closing_rows: u64,
    /// Rows on 资金结存、结转结余 (outside the opening voucher) and 财务会计 accounts.
    pub counterpart_rows: u64,
    /// Rows of other units (with `--unit`).
    pub other_unit_rows: u64,
    /// Rows reported and skipped (`--keep-going`), per rule.
    pub skipped: BTreeMap<Rule, u64>,
}

impl Stats {
    pub fn skipped_rows(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// A fast hasher for the small integer keys of the aggregation (FxHash's mixing step): the
/// default SipHash costs more than the rest of the per-row work.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// What an aggregated amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Income = 0,
    Expenditure = 1,
    CarryoverBegin = 2,
}

/// The dimensions every posting is summed by. Codes are kept as numbers (a 7-digit 项 code,
/// a 5-digit 款 code, 0 for none) so the key is a few machine words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    unit: u32,
    kind: Kind,
    source: u8,
    nature: u8,
    function: u32,
    economic: u32,
}

fn source_index(s: FundSource) -> u8 {
    FundSource::ALL
        .iter()
        .position(|&x| x == s)
        .expect("in ALL") as u8
}
fn nature_index(n: Nature) -> u8 {
    Nature::ALL.iter().position(|&x| x == n).expect("in ALL") as u8
}

/// The result of an import: per unit, the sums of its postings by fact dimensions.
#[derive(Debug, Clone)]
pub struct Journal {
    pub origin: String,
    pub year: i32,
    /// Unit names in order of first appearance (one `None` when the file has no unit column).
    pub units: Vec<Option<String>>,
    pub stats: Stats,
    /// Data rows of each unit (by index; bad rows included), for version notes.
    pub unit_rows: Vec<u64>,
    /// Per unit (by index), so that taking one unit's facts does not scan the others'.
    totals: Vec<FxMap<Key, i64>>,
    sangong: Vec<(String, Vec<String>)>,
}

/// The facts of one unit, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFacts {
    pub name: Option<String>,
    /// Income, Expenditure, BasicEconomic, CarryoverBegin and SanGong (Actual).
    pub facts: Vec<Fact>,
}

impl Journal {
    /// Number of distinct aggregation keys (the import's memory is proportional to it).
    pub fn distinct_keys(&self) -> usize {
        self.totals.iter().map(|t| t.len()).sum()
    }

    /// The facts of unit `index`, or the located reasons why they cannot be facts.
    pub fn unit_facts(&self, index: usize) -> Result<UnitFacts, Vec<JournalError>> {
        let totals = self.unit_totals(index);
        let name = self.units.get(index).cloned().flatten();
        let who = name
            .as_deref()
            .map(|n| format!("单位“{n}”的"))
            .unwrap_or_default();
        let mut errors = Vec::new();
        if totals.overflow {
            errors.push(JournalError::new(
                Rule::NegativeTotal,
                &self.origin,
                format!("{who}金额合计超出可表示的范围"),
                "请核对金额列和金额单位。",
            ));
        }
        let mut facts = Vec::new();
        for c in totals.candidates() {
            if c.amount < 0 {
                errors.push(JournalError::new(
                    Rule::NegativeTotal,
                    &self.origin,
                    format!("{who}{}合计为负（{}元）", c.what, Amount(c.amount).yuan()),
                    "冲销、退回的金额超过了原发生额：请核对该组合下的分录方向（借/贷）和金额。",
                ));
            } else if c.amount != 0 || c.keep_zero {
                facts.push(c.fact);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(UnitFacts { name, facts })
    }

    /// Unit `index`'s aggregation keys summed into the input's dimensions.
    fn unit_totals(&self, index: usize) -> UnitTotals<'_> {
        let mut t = UnitTotals::default();
        let empty = FxMap::default();
        for (k, &v) in self.totals.get(index).unwrap_or(&empty) {
            match k.kind {
                Kind::Income => t.add(|t| t.income.entry((k.source, k.function)).or_default(), v),
                Kind::CarryoverBegin => t.add(|t| t.carry.entry(k.source).or_default(), v),
                Kind::Expenditure => {
                    t.add(
                        |t| {
                            t.spending
                                .entry((k.source, k.nature, k.function))
                                .or_default()
                        },
                        v,
                    );
                    if Nature::ALL[k.nature as usize] == Nature::Basic {
                        t.add(|t| t.economic.entry((k.source, k.economic)).or_default(), v);
                    }
                    if k.economic != 0 && FundSource::ALL[k.source as usize].is_fiscal() {
                        let code = format!("{:05}", k.economic);
                        if let Some((item, _)) = self
                            .sangong
                            .iter()
                            .find(|(_, codes)| codes.iter().any(|c| code.starts_with(c.as_str())))
                        {
                            t.add(|t| t.sangong.entry(item.as_str()).or_default(), v);
                        }
                    }
                }
            }
        }
        t
    }
}

/// One unit's sums by the input's dimensions (source, nature, 功能/经济 code, 三公 item).
#[derive(Default)]
struct UnitTotals<'a> {
    income: BTreeMap<(u8, u32), i64>,
    spending: BTreeMap<(u8, u8, u32), i64>,
    economic: BTreeMap<(u8, u32), i64>,
    carry: BTreeMap<u8, i64>,
    sangong: BTreeMap<&'a str, i64>,
    /// A sum left the i64 range (reported, never wrapped).
    overflow: bool,
}

/// A fact the unit's totals would give, with what it is for an error message.
struct Candidate {
    what: String,
    amount: i64,
    fact: Fact,
    /// Kept when zero (every “三公” item has a fact, as the input parser makes them).
    keep_zero: bool,
}

impl<'a> UnitTotals<'a> {
    fn add(&mut self, slot: impl FnOnce(&mut Self) -> &mut i64, v: i64) {
        let slot = slot(self);
        match slot.checked_add(v) {
            Some(s) => *slot = s,
            None => self.overflow = true,
        }
    }

    fn candidates(self) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut push = |what: String, amount: i64, fact: Fact, keep_zero: bool| {
            out.push(Candidate {
                what,
                amount,
                fact,
                keep_zero,
            });
        };
        for ((s, f), v) in self.income {
            let source = FundSource::ALL[s as usize];
            push(
                format!("{}“{f:07}”", source.income_label()),
                v,
                Fact::new(Measure::Income, Scenario::Actual, Amount(v))
                    .source(source)
                    .function(format!("{f:07}")),
                false,
            );
        }
        for ((s, n, f), v) in self.spending {
            let (source, nature) = (FundSource::ALL[s as usize], Nature::ALL[n as usize]);
            push(
                format!(
                    "{}{}“{f:07}”",
                    source.income_label().trim_end_matches("收入"),
                    nature.label()
                ),
                v,
                Fact::new(Measure::Expenditure, Scenario::Actual, Amount(v))
                    .source(source)
                    .nature(nature)
                    .function(format!("{f:07}")),
                false,
            );
        }
        for ((s, e), v) in self.economic {
            let source = FundSource::ALL[s as usize];
            push(
                format!(
                    "{}基本支出经济分类“{e:05}”",
                    source.income_label().trim_end_matches("收入")
                ),
                v,
                Fact::new(Measure::BasicEconomic, Scenario::Actual, Amount(v))
                    .source(source)
                    .economic(format!("{e:05}")),
                false,
            );
        }
        for (s, v) in self.carry {
            let source = FundSource::ALL[s as usize];
            push(
                format!(
                    "{}年初结转和结余",
                    source.income_label().trim_end_matches("收入")
                ),
                v,
                Fact::new(Measure::CarryoverBegin, Scenario::Actual, Amount(v)).source(source),
                false,
            );
        }
        for item in crate::mapping::SANGONG_ITEMS {
            let v = self.sangong.get(item).copied().unwrap_or(0);
            push(
                format!("“三公”经费（{item}）"),
                v,
                Fact::new(Measure::SanGong, Scenario::Actual, Amount(v)).item(item),
                true,
            );
        }
        out
    }
}

/// Decode one cell's bytes in the file's encoding; `None` if they are not valid text.
fn decode(bytes: &[u8], encoding: TextEncoding) -> Option<Cow<'_, str>> {
    match encoding {
        TextEncoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
        TextEncoding::Gb18030 => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
        }
    }
}

fn encoding_error(origin: &str, bytes: &[u8], encoding: TextEncoding) -> JournalError {
    match encoding {
        TextEncoding::Utf8 => {
            let (as_gbk, _, bad) = encoding_rs::GB18030.decode(bytes);
            let guess = if bad {
                String::new()
            } else {
                format!("（按 GBK 读为“{as_gbk}”）")
            };
            JournalError::new(
                Rule::Encoding,
                origin,
                format!("内容不是有效的 UTF-8 文本{guess}"),
                "文件可能是 GBK 编码（用友、浪潮等软件的默认导出）：加 --encoding gbk（网页上传时编码选 GBK），或在列映射文件中写 encoding = \"gbk\"。",
            )
        }
        TextEncoding::Gb18030 => JournalError::new(
            Rule::Encoding,
            origin,
            "内容不是有效的 GBK 文本".to_string(),
            "请确认文件编码：UTF-8 文件去掉 --encoding gbk（或把列映射文件的 encoding 改为 \"utf-8\"）。",
        ),
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// A calendar date from "2021-03-05", "2021/3/5", "2021.03.05", "20210305", "2021年3月5日",
/// optionally followed by a time ("2021-03-05 00:00:00").
pub fn parse_date(b: &[u8]) -> Option<(i32, u32, u32)> {
    let b = trim(b);
    let b = match b.iter().position(|&c| c == b' ' || c == b'T') {
        Some(i) => &b[..i],
        None => b,
    };
    let mut groups: [(usize, usize); 3] = [(0, 0); 3];
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if n == 3 {
                return None;
            }
            groups[n] = (s, i);
            n += 1;
        } else {
            // Separators between the groups only: a date does not start with one.
            if n == 0 {
                return None;
            }
            i += 1;
        }
    }
    let num = |(s, e): (usize, usize)| -> Option<u32> {
        std::str::from_utf8(&b[s..e]).ok()?.parse().ok()
    };
    let (y, m, d) = match n {
        1 if groups[0].1 - groups[0].0 == 8 => {
            let (s, _) = groups[0];
            (num((s, s + 4))?, num((s + 4, s + 6))?, num((s + 6, s + 8))?)
        }
        3 if groups[0].1 - groups[0].0 == 4
            && groups[1].1 - groups[1].0 <= 2
            && groups[2].1 - groups[2].0 <= 2 =>
        {
            (num(groups[0])?, num(groups[1])?, num(groups[2])?)
        }
        _ => return None,
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (y >= 1900 && (1..=days).contains(&d)).then_some((y as i32, m, d))
}

/// Why a cell is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    NotANumber,
    TooPrecise,
    TooLarge,
}

/// An amount in 分 from "1234.5", "-12", "1,234.50" (with thousands separators allowed),
/// exactly: no floating point. An empty cell is zero.
pub fn parse_amount(b: &[u8], unit: MoneyUnit, thousands: bool) -> Result<i64, AmountError> {
    let b = trim(b);
    if b.is_empty() {
        return Ok(0);
    }
    let (negative, body) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let max_decimals = unit.max_decimals() as usize;
    let mut int: i128 = 0;
    let mut int_digits = 0usize;
    let mut frac: i128 = 0;
    let mut frac_digits = 0usize;
    let mut in_frac = false;
    // Digits since the last thousands separator (None before the first one).
    let mut group: Option<usize> = None;
    for &c in body {
        match c {
            b'0'..=b'9' => {
                let d = (c - b'0') as i128;
                if in_frac {
                    frac_digits += 1;
                    if frac_digits > max_decimals {
                        if d != 0 {
                            return Err(AmountError::TooPrecise);
                        }
                        continue;
                    }
                    frac = frac * 10 + d;
                } else {
                    int_digits += 1;
                    if int_digits > 15 {
                        return Err(AmountError::TooLarge);
                    }
                    int = int * 10 + d;
                    if let Some(g) = group.as_mut() {
                        *g += 1;
                    }
                }
            }
            b',' if thousands && !in_frac && int_digits > 0 => {
                // Groups of three after the first, which has one to three digits.
                if group.is_some_and(|g| g != 3) || (group.is_none() && int_digits > 3) {
                    return Err(AmountError::NotANumber);
                }
                group = Some(0);
            }
            b'.' if !in_frac && int_digits > 0 => {
                in_frac = true;
            }
            _ => return Err(AmountError::NotANumber),
        }
    }
    if int_digits == 0 || group.is_some_and(|g| g != 3) || (in_frac && frac_digits == 0) {
        return Err(AmountError::NotANumber);
    }
    let kept = frac_digits.min(max_decimals);
    let scale = 10i128.pow(max_decimals as u32);
    let frac_scaled = frac * 10i128.pow((max_decimals - kept) as u32);
    let fen_per_unit: i128 = match unit {
        MoneyUnit::Yuan => 100,
        MoneyUnit::Wan => 1_000_000,
    };
    let fen = (int * scale + frac_scaled) * fen_per_unit / scale;
    // The bound every juesuan amount keeps (juesuan_core::money, "Why sums cannot wrap").
    if fen > i128::from(Amount::MAX.fen()) {
        return Err(AmountError::TooLarge);
    }
    Ok(if negative { -fen } else { fen } as i64)
}

/// 分 as "x.yy" 元, for sums that may exceed `i64` (a voucher's sides).
fn yuan_text(fen: i128) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// The leading digits of a code cell: "2060701", "2060701 机构运行", "[7101]行政支出",
/// "7101.01" (dots inside an account code are dropped). Empty if the cell has none.
fn code_digits(b: &[u8], allow_dots: bool) -> Option<(u32, usize, &[u8])> {
    let b = trim(b);
    let b = b.strip_prefix(b"[").unwrap_or(b);
    let mut value: u64 = 0;
    let mut len = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c @ b'0'..=b'9' => {
                value = value.saturating_mul(10).saturating_add((c - b'0') as u64);
                len += 1;
            }
            b'.' if allow_dots && i + 1 < b.len() && b[i + 1].is_ascii_digit() => {}
            _ => break,
        }
        i += 1;
    }
    let rest = &b[i..];
    if len == 0 || len > 9 {
        return None;
    }
    Some((value as u32, len, rest))
}

/// A buffered row of the current voucher.
/// An entry's aggregation key and signed amount, or why it has none.
type Target = Result<(Key, i64), Box<JournalError>>;

struct Entry {
    line: u64,
    /// The aggregation it goes to (with its sign already applied), or the error that keeps
    /// it from one; `None` for rows that are not facts.
    target: Option<Target>,
    /// Income or spending row (skipped in a closing voucher).
    flow: bool,
}

#[derive(Default)]
struct Voucher {
    started: bool,
    id: Vec<u8>,
    month: (i32, u32),
    unit: u32,
    first_line: u64,
    last_line: u64,
    entries: Vec<Entry>,
    /// Sides of the voucher in 分. `i128`: rows are bounded by `Amount::MAX` and a voucher
    /// has fewer than 2⁶⁴ rows, so neither side can overflow, however long the voucher.
    debit: i128,
    credit: i128,
    has_balance: bool,
    has_flow: bool,
    opening: bool,
    /// A row of the voucher was dropped for an error: its balance cannot be judged.
    had_bad_row: bool,
}

/// Column positions, resolved from the header (an array: looked up for every cell).
struct Columns {
    at: [Option<usize>; Field::ALL.len()],
    names: BTreeMap<Field, String>,
}

impl Columns {
    fn get(&self, f: Field) -> Option<usize> {
        self.at[f as usize]
    }
    fn name(&self, f: Field) -> &str {
        self.names.get(&f).map_or(f.label(), String::as_str)
    }
}

struct Importer<'a> {
    origin: &'a str,
    map: &'a ColumnMap,
    accounts: &'a AccountMap,
    catalogues: &'a Catalogues,
    options: &'a Options,
    encoding: TextEncoding,
    cols: Columns,
    year: Option<i32>,
    opening_vouchers: Vec<Vec<u8>>,
    // Caches keyed by the raw cell bytes: a journal repeats few distinct values.
    account_cache: FxMap<Vec<u8>, Result<usize, JournalError>>,
    function_ok: FxMap<u32, Result<(), JournalError>>,
    economic_ok: FxMap<u32, Result<(), JournalError>>,
    source_cache: FxMap<Vec<u8>, Result<FundSource, JournalError>>,
    nature_cache: FxMap<Vec<u8>, Result<Nature, JournalError>>,
    unit_cache: FxMap<Vec<u8>, Result<u32, JournalError>>,
    units: Vec<Option<String>>,
    selected_unit: Option<u32>,
    totals: Vec<FxMap<Key, i64>>,
    unit_rows: Vec<u64>,
    stats: Stats,
    voucher: Voucher,
}

impl Importer<'_> {
    /// Every row of the file, voucher by voucher; `report` decides whether a bad row stops
    /// the import or is skipped.
    fn read_rows<R: Read>(
        &mut self,
        reader: &mut csv::Reader<R>,
        report: &mut dyn FnMut(JournalError, &mut Stats) -> Result<(), JournalError>,
    ) -> Result<(), JournalError> {
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let fatal = !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. });
                    let err = csv_error(self.origin, &e);
                    if fatal {
                        return Err(err);
                    }
                    report(err, &mut self.stats)?;
                    self.voucher.had_bad_row = true;
                    continue;
                }
            }
            if record.iter().all(|f| trim(f).is_empty()) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line());
            self.stats.rows += 1;
            let (ended, outcome) = self.row(&record, line);
            if let Some(v) = ended {
                self.finish_voucher(v, report)?;
            }
            if let Err(e) = outcome {
                // A dropped row leaves its voucher's balance unknowable; a row whose date or
                // unit was bad still names its voucher, and other vouchers keep their check.
                if self.voucher.started && self.voucher.id == self.cell(&record, Field::Voucher) {
                    self.voucher.had_bad_row = true;
                }
                report(e, &mut self.stats)?;
            }
        }
        let last = std::mem::take(&mut self.voucher);
        self.finish_voucher(last, report)
    }

    /// The totals read, once the selected unit and the year are known.
    fn into_journal(self) -> Result<Journal, JournalError> {
        let origin = self.origin;
        if self.selected_unit.is_none() {
            if let Some(name) = &self.options.unit {
                let known = first_unit_names(&self.units);
                return Err(JournalError::new(
                    Rule::Unit,
                    origin,
                    format!("日记账中没有单位“{name}”的分录"),
                    format!(
                        "请核对 --unit 的单位名称；文件中的单位有：{}",
                        if known.is_empty() {
                            "（无）".to_string()
                        } else {
                            known.join("、")
                        }
                    ),
                ));
            }
        }
        let year = self.year.ok_or_else(|| {
            JournalError::new(
                Rule::BadDate,
                origin,
                "日记账中没有可确定决算年度的分录",
                "请用 --year 指定决算年度，或检查文件是否只有表头。",
            )
        })?;
        Ok(Journal {
            origin: origin.to_string(),
            year,
            units: self.units,
            stats: self.stats,
            unit_rows: self.unit_rows,
            totals: self.totals,
            sangong: self.accounts.sangong.clone(),
        })
    }
}

/// The first ten unit names of a journal, for a message that lists them.
pub(crate) fn first_unit_names(units: &[Option<String>]) -> Vec<&str> {
    units
        .iter()
        .flatten()
        .map(String::as_str)
        .take(10)
        .collect()
}

/// Import a journal from `input`. Without `keep_going` the first bad row stops the import
/// with its error; with it, each bad row is passed to `on_error`, skipped and counted.
/// Errors about the whole file (header, encoding of the header, reading) always stop it.
pub fn import<R: Read>(
    input: R,
    origin: &str,
    map: &ColumnMap,
    accounts: &AccountMap,
    catalogues: &Catalogues,
    options: &Options,
    on_error: &mut dyn FnMut(&JournalError),
) -> Result<Journal, JournalError> {
    let encoding = options.encoding.unwrap_or(map.encoding);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(map.delimiter)
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let header = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(origin, &e)),
    };
    let cols = resolve_columns(origin, map, &header, encoding)?;
    let opening_vouchers = map
        .opening_vouchers
        .iter()
        .map(|v| match encoding {
            TextEncoding::Utf8 => v.as_bytes().to_vec(),
            TextEncoding::Gb18030 => encoding_rs::GB18030.encode(v).0.into_owned(),
        })
        .collect();
    let mut im = Importer {
        origin,
        map,
        accounts,
        catalogues,
        options,
        encoding,
        cols,
        year: options.year,
        opening_vouchers,
        account_cache: FxMap::default(),
        function_ok: FxMap::default(),
        economic_ok: FxMap::default(),
        source_cache: FxMap::default(),
        nature_cache: FxMap::default(),
        unit_cache: FxMap::default(),
        units: Vec::new(),
        selected_unit: None,
        totals: Vec::new(),
        unit_rows: Vec::new(),
        stats: Stats::default(),
        voucher: Voucher::default(),
    };
    if im.cols.get(Field::Unit).is_none() {
        im.units.push(None);
        im.totals.push(FxMap::default());
        im.unit_rows.push(0);
        im.selected_unit = Some(0);
    }
    let mut report = |e: JournalError, stats: &mut Stats| -> Result<(), JournalError> {
        if options.keep_going {
            *stats.skipped.entry(e.rule).or_default() += 1;
            on_error(&e);
            Ok(())
        } else {
            Err(e)
        }
    };
    im.read_rows(&mut reader, &mut report)?;
    im.into_journal()
}

fn csv_error(origin: &str, e: &csv::Error) -> JournalError {
    let line = e.position().map(|p| p.line());
    let err = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => JournalError::new(
            Rule::Csv,
            origin,
            format!("该行有{len}个字段，表头有{expected_len}个"),
            "含逗号的内容须用英文双引号括起（如 \"1,234.50\"），引号内的双引号写两遍；请检查该行的分隔符和引号。",
        ),
        csv::ErrorKind::Io(io) => JournalError::new(
            Rule::Io,
            origin,
            format!("读取失败：{io}"),
            "请确认文件存在且可读。",
        ),
        other => JournalError::new(
            Rule::Csv,
            origin,
            format!("CSV 格式错误：{other:?}"),
            "请确认文件是逗号分隔的 CSV（其他分隔符在列映射文件中设 delimiter）。",
        ),
    };
    match line {
        Some(l) => err.at(l),
        None => err,
    }
}

fn resolve_columns(
    origin: &str,
    map: &ColumnMap,
    header: &csv::ByteRecord,
    encoding: TextEncoding,
) -> Result<Columns, JournalError> {
    let mut cells = Vec::new();
    for cell in header.iter() {
        let text =
            decode(cell, encoding).ok_or_else(|| encoding_error(origin, cell, encoding).at(1))?;
        cells.push(text.trim().trim_start_matches('\u{feff}').to_string());
    }
    let mut at = BTreeMap::new();
    let mut names = BTreeMap::new();
    for (field, wanted) in &map.columns {
        let found = wanted
            .iter()
            .find_map(|w| cells.iter().position(|c| c.eq_ignore_ascii_case(w.trim())));
        if let Some(i) = found {
            at.insert(*field, i);
            names.insert(*field, cells[i].clone());
        }
    }
    let has_dc = at.contains_key(&Field::Debit) && at.contains_key(&Field::Credit);
    let mut missing: Vec<Field> = [
        Field::Date,
        Field::Voucher,
        Field::Account,
        Field::Function,
        Field::Economic,
    ]
    .into_iter()
    .filter(|f| !at.contains_key(f))
    .collect();
    if !has_dc && !at.contains_key(&Field::Amount) {
        if at.contains_key(&Field::Debit) {
            missing.push(Field::Credit);
        } else if at.contains_key(&Field::Credit) {
            missing.push(Field::Debit);
        } else {
            missing.push(Field::Amount);
        }
    }
    if let Some(&f) = missing.first() {
        let options = map
            .columns
            .get(&f)
            .map(|v| v.join("、"))
            .unwrap_or_else(|| "（列映射文件未列出）".into());
        let what = if f == Field::Amount {
            "借方和贷方列，或金额".to_string()
        } else {
            f.label().to_string()
        };
        return Err(JournalError::new(
            Rule::MissingColumn,
            origin,
            format!(
                "表头缺少“{what}”列（列映射“{}”接受的表头：{options}；文件的表头：{}）",
                map.title,
                cells.join("、")
            ),
            "在第一行加上该列，或用 --columns 指定与导出软件相符的列映射文件（docs/journal.md 第3节）。",
        )
        .at(1));
    }
    // A single amount column wins only when the debit/credit pair is incomplete.
    if has_dc {
        at.remove(&Field::Amount);
    }
    let mut positions = [None; Field::ALL.len()];
    for (f, i) in at {
        positions[f as usize] = Some(i);
    }
    Ok(Columns {
        at: positions,
        names,
    })
}

/// The voucher a row ended (if any) and the row's own outcome.
type RowResult = (Option<Voucher>, Result<(), JournalError>);

impl Importer<'_> {
    fn cell<'r>(&self, rec: &'r csv::ByteRecord, f: Field) -> &'r [u8] {
        match self.cols.get(f) {
            Some(i) => trim(rec.get(i).unwrap_or(b"")),
            None => b"",
        }
    }

    fn err(
        &self,
        rule: Rule,
        line: u64,
        field: Field,
        message: String,
        hint: &str,
    ) -> JournalError {
        JournalError::new(rule, self.origin, message, hint)
            .at(line)
            .column(self.cols.name(field))
    }

    fn show(&self, b: &[u8]) -> String {
        match decode(b, self.encoding) {
            Some(t) => t.into_owned(),
            None => String::from_utf8_lossy(b).into_owned(),
        }
    }

    /// Read one row into the current voucher. Returns the voucher the row ended, if any.
    fn row(&mut self, rec: &csv::ByteRecord, line: u64) -> RowResult {
        // Unit first: rows of other units are not this import's business.
        let unit = match self.cols.get(Field::Unit) {
            None => 0,
            Some(_) => {
                let raw = self.cell(rec, Field::Unit);
                match self.unit_index(raw, line) {
                    Ok(u) => u,
                    Err(e) => return (None, Err(e)),
                }
            }
        };
        if self.options.unit.is_some() && Some(unit) != self.selected_unit {
            self.stats.other_unit_rows += 1;
            return (None, Ok(()));
        }
        if self.options.unit.is_none() && !self.options.all_units && unit != 0 {
            let names: Vec<String> = self.units.iter().flatten().take(3).cloned().collect();
            return (
                None,
                Err(self.err(
                    Rule::Unit,
                    line,
                    Field::Unit,
                    format!("日记账含多个单位（{}）", names.join("、")),
                    "用 --unit 选定一个单位，或用 --out-dir 为每个单位各写一个输入文件。",
                )),
            );
        }
        if let Some(n) = self.unit_rows.get_mut(unit as usize) {
            *n += 1;
        }

        let raw_date = self.cell(rec, Field::Date);
        let Some((y, m, _)) = parse_date(raw_date) else {
            return (None, Err(self.err(
                    Rule::BadDate,
                    line,
                    Field::Date,
                    format!("“{}”不是有效日期", self.show(raw_date)),
                    "日期写作 2021-03-15、2021/3/15、20210315 或 2021年3月15日，且须是真实存在的日期。",
                )));
        };
        let voucher = self.cell(rec, Field::Voucher);
        if voucher.is_empty() {
            return (
                None,
                Err(self.err(
                    Rule::MissingVoucher,
                    line,
                    Field::Voucher,
                    "凭证号为空".into(),
                    "每条分录须写明所属凭证的凭证号（同一凭证的分录相邻排列）。",
                )),
            );
        }

        // A new voucher starts when the number or the month changes (numbers restart monthly).
        let same = self.voucher.started
            && self.voucher.id == voucher
            && self.voucher.month == (y, m)
            && self.voucher.unit == unit;
        let mut ended = None;
        if !same {
            let old = std::mem::take(&mut self.voucher);
            if old.started {
                ended = Some(old);
            }
            self.voucher = Voucher {
                started: true,
                id: voucher.to_vec(),
                month: (y, m),
                unit,
                first_line: line,
                last_line: line,
                opening: self.opening_vouchers.iter().any(|v| v == voucher),
                ..Voucher::default()
            };
        }
        (ended, self.posting(rec, line, unit, y))
    }

    fn unit_index(&mut self, raw: &[u8], line: u64) -> Result<u32, JournalError> {
        if let Some(r) = self.unit_cache.get(raw) {
            return r.clone().map_err(|e| e.at(line));
        }
        let result = if raw.is_empty() {
            Err(self.err(
                Rule::Unit,
                line,
                Field::Unit,
                "单位为空".into(),
                "每条分录须写明单位名称（或删去单位列）。",
            ))
        } else {
            match decode(raw, self.encoding) {
                None => Err(encoding_error(self.origin, raw, self.encoding)
                    .at(line)
                    .column(self.cols.name(Field::Unit))),
                Some(name) => {
                    let name = name.trim().to_string();
                    let index = self.units.len() as u32;
                    if self.options.unit.as_deref() == Some(name.as_str()) {
                        self.selected_unit = Some(index);
                    }
                    self.units.push(Some(name));
                    self.totals.push(FxMap::default());
                    self.unit_rows.push(0);
                    Ok(index)
                }
            }
        };
        self.unit_cache.insert(raw.to_vec(), result.clone());
        result
    }

    fn amount(&self, rec: &csv::ByteRecord, f: Field, line: u64) -> Result<i64, JournalError> {
        let raw = self.cell(rec, f);
        parse_amount(raw, self.map.amount_unit, self.map.thousands_separator).map_err(|e| {
            let unit = self.map.amount_unit;
            let (message, hint) = match e {
                AmountError::NotANumber => (
                    format!("“{}”不是有效金额", self.show(raw)),
                    if self.map.thousands_separator {
                        "金额写作 1234.50 或 1,234.50（千分位逗号每3位一个），不带货币符号和单位。".to_string()
                    } else {
                        "金额写作 1234.50，不带千分位、货币符号和单位；带千分位的导出请用设了 thousands_separator = true 的列映射文件。".to_string()
                    },
                ),
                AmountError::TooPrecise => (
                    format!(
                        "金额“{}”超过精确到分的位数（以{}为单位最多{}位小数）",
                        self.show(raw),
                        unit.label(),
                        unit.max_decimals()
                    ),
                    "金额最多精确到分（0.01元），请核对导出设置。".to_string(),
                ),
                AmountError::TooLarge => (
                    format!(
                        "金额“{}”超出上限（单笔金额绝对值不超过1000万亿元）",
                        self.show(raw)
                    ),
                    "请核对金额列和金额单位。".to_string(),
                ),
            };
            self.err(Rule::BadAmount, line, f, message, &hint)
        })
    }

    fn posting(
        &mut self,
        rec: &csv::ByteRecord,
        line: u64,
        unit: u32,
        year: i32,
    ) -> Result<(), JournalError> {
        let raw_account = self.cell(rec, Field::Account);
        let rule_index = match self.account_cache.get(raw_account) {
            Some(r) => r.clone().map_err(|e| e.at(line))?,
            None => {
                let r = self.account_rule(raw_account, line);
                self.account_cache.insert(raw_account.to_vec(), r.clone());
                r?
            }
        };
        let signed = self.signed_amount(rec, line)?;
        self.check_year(year, line)?;
        let role = self.accounts.rules[rule_index].role;
        let target = self.target(rec, rule_index, line, unit, signed)?;
        let v = &mut self.voucher;
        v.last_line = line;
        if signed > 0 {
            v.debit += i128::from(signed);
        } else {
            v.credit -= i128::from(signed);
        }
        v.entries.push(Entry {
            line,
            target,
            flow: matches!(role, Role::Income | Role::Expenditure),
        });
        Ok(())
    }

    /// The row's amount, debit positive: one signed amount column, or debit − credit.
    fn signed_amount(&self, rec: &csv::ByteRecord, line: u64) -> Result<i64, JournalError> {
        if self.cols.get(Field::Amount).is_some() {
            return self.amount(rec, Field::Amount, line);
        }
        let debit = self.amount(rec, Field::Debit, line)?;
        let credit = self.amount(rec, Field::Credit, line)?;
        if debit != 0 && credit != 0 {
            return Err(self.err(
                Rule::BothSides,
                line,
                Field::Credit,
                format!(
                    "同一分录的借方（{}）和贷方（{}）都有金额",
                    Amount(debit).yuan(),
                    Amount(credit).yuan()
                ),
                "一条分录只记一个方向：拆成两条分录，或只保留其中一方。",
            ));
        }
        Ok(debit - credit)
    }

    /// The year: given, or that of the first row that is not an opening balance; an earlier
    /// year marks the voucher as the opening balance.
    fn check_year(&mut self, year: i32, line: u64) -> Result<(), JournalError> {
        let opening_by_name = self.voucher.opening;
        if self.year.is_none() && !opening_by_name {
            self.year = Some(year);
        }
        let opening = opening_by_name || self.year.is_some_and(|fy| year < fy);
        if let Some(fy) = self.year {
            if year > fy || (year < fy && !opening) {
                return Err(self.err(
                    Rule::OutsideYear,
                    line,
                    Field::Date,
                    format!("日期属于{year}年，不在决算年度{fy}年内"),
                    "一个输入文件只含一个年度：删去其他年度的分录，或用 --year 指定年度。年初余额请记在期初凭证中（列映射文件 opening_vouchers）。",
                ));
            }
        }
        if opening {
            self.voucher.opening = true;
        }
        Ok(())
    }

    /// The aggregation the row goes to, by its account's role (see [`Entry::target`]).
    fn target(
        &mut self,
        rec: &csv::ByteRecord,
        rule_index: usize,
        line: u64,
        unit: u32,
        signed: i64,
    ) -> Result<Option<Target>, JournalError> {
        let rule = &self.accounts.rules[rule_index];
        let role = rule.role;
        match role {
            Role::Ignore | Role::Funds => Ok(None),
            Role::Balance => {
                self.voucher.has_balance = true;
                if !self.voucher.opening {
                    return Ok(None);
                }
                Ok(Some(
                    self.source_of(rec, rule_index, line)
                        .map_err(Box::new)
                        .map(|s| {
                            (
                                Key {
                                    unit,
                                    kind: Kind::CarryoverBegin,
                                    source: source_index(s),
                                    nature: 0,
                                    function: 0,
                                    economic: 0,
                                },
                                // 结转结余 accounts carry credit balances.
                                -signed,
                            )
                        }),
                ))
            }
            Role::Income | Role::Expenditure => {
                if self.voucher.opening {
                    return Err(self.err(
                        Rule::OpeningWithFlows,
                        line,
                        Field::Account,
                        format!(
                            "年初余额凭证中有{}科目“{}”的分录",
                            if role == Role::Income {
                                "收入"
                            } else {
                                "支出"
                            },
                            rule.name
                        ),
                        "年初余额凭证只记结转结余和资金结存的期初数；本年收支请记在本年凭证中。",
                    ));
                }
                self.voucher.has_flow = true;
                let sign = if role == Role::Income {
                    -signed
                } else {
                    signed
                };
                Ok(Some(
                    self.flow_key(rec, rule_index, line, unit)
                        .map_err(Box::new)
                        .map(|k| (k, sign)),
                ))
            }
        }
    }

    fn account_rule(&self, raw: &[u8], line: u64) -> Result<usize, JournalError> {
        let digits: String = {
            let t = trim(raw);
            let t = t.strip_prefix(b"[").unwrap_or(t);
            let mut s = String::new();
            for (i, &c) in t.iter().enumerate() {
                if c.is_ascii_digit() {
                    s.push(c as char);
                } else if c == b'.' && t.get(i + 1).is_some_and(u8::is_ascii_digit) && !s.is_empty()
                {
                    continue;
                } else {
                    break;
                }
            }
            s
        };
        if digits.is_empty() {
            return Err(self.err(
                Rule::MalformedAccount,
                line,
                Field::Account,
                format!("会计科目“{}”不是科目编码", self.show(raw)),
                "科目写作编码（如 7101 或 710101），可带名称（“7101 行政支出”）。",
            ));
        }
        self.accounts.lookup(&digits).ok_or_else(|| {
            self.err(
                Rule::UnknownAccount,
                line,
                Field::Account,
                format!("会计科目“{digits}”不在科目映射“{}”中", self.accounts.title),
                "核对科目编码；本单位特有的科目请在补充数据目录（--data-dir）的 journal/accounts-<年度>.toml 中列出（docs/journal.md 第4节）。",
            )
        })
    }

    fn source_of(
        &mut self,
        rec: &csv::ByteRecord,
        rule_index: usize,
        line: u64,
    ) -> Result<FundSource, JournalError> {
        let rule = &self.accounts.rules[rule_index];
        let raw = self.cell(rec, Field::Source);
        let source = if raw.is_empty() {
            if rule.source_default {
                rule.sources[0]
            } else {
                return Err(self.err(
                    Rule::BadSource,
                    line,
                    Field::Source,
                    format!("科目“{}”的分录缺少资金来源", rule.name),
                    "填写资金来源，如 一般公共预算财政拨款 或 general_budget（docs/journal.md 第2节）。",
                ));
            }
        } else {
            match self.source_cache.get(raw) {
                Some(r) => r.clone().map_err(|e| e.at(line))?,
                None => {
                    let r = match decode(raw, self.encoding) {
                        None => Err(encoding_error(self.origin, raw, self.encoding)
                            .at(line)
                            .column(self.cols.name(Field::Source))),
                        Some(text) => self.map.source(&text).ok_or_else(|| {
                            self.err(
                                Rule::BadSource,
                                line,
                                Field::Source,
                                format!("无法识别的资金来源“{text}”"),
                                "可用：一般公共预算财政拨款、政府性基金预算财政拨款、国有资本经营预算财政拨款、上级补助、事业收入、经营收入、附属单位上缴、其他收入，或其英文键（general_budget 等）；软件特有的写法在列映射文件 [values.source] 中对应。",
                            )
                        }),
                    };
                    self.source_cache.insert(raw.to_vec(), r.clone());
                    r?
                }
            }
        };
        let rule = &self.accounts.rules[rule_index];
        if !rule.sources.contains(&source) {
            return Err(self.err(
                Rule::BadSource,
                line,
                Field::Source,
                format!(
                    "科目“{}”不能记{}资金",
                    rule.name,
                    source.income_label().trim_end_matches("收入")
                ),
                &format!(
                    "该科目可用的资金来源：{}。",
                    rule.sources
                        .iter()
                        .map(|s| s.income_label().trim_end_matches("收入"))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
        Ok(source)
    }

    fn nature_of(
        &mut self,
        rec: &csv::ByteRecord,
        rule_index: usize,
        line: u64,
    ) -> Result<Nature, JournalError> {
        let raw = self.cell(rec, Field::Nature);
        let rule = &self.accounts.rules[rule_index];
        let nature = if raw.is_empty() {
            if rule.nature_default {
                rule.natures[0]
            } else {
                return Err(self.err(
                    Rule::BadNature,
                    line,
                    Field::Nature,
                    format!("支出科目“{}”的分录缺少支出性质", rule.name),
                    "填写支出性质：基本支出 或 项目支出（basic / project）。",
                ));
            }
        } else {
            match self.nature_cache.get(raw) {
                Some(r) => r.clone().map_err(|e| e.at(line))?,
                None => {
                    let r = match decode(raw, self.encoding) {
                        None => Err(encoding_error(self.origin, raw, self.encoding)
                            .at(line)
                            .column(self.cols.name(Field::Nature))),
                        Some(text) => self.map.nature(&text).ok_or_else(|| {
                            self.err(
                                Rule::BadNature,
                                line,
                                Field::Nature,
                                format!("无法识别的支出性质“{text}”"),
                                "可用：基本支出、项目支出、上缴上级支出、经营支出、对附属单位补助支出，或 basic、project 等；软件特有的写法在列映射文件 [values.nature] 中对应。",
                            )
                        }),
                    };
                    self.nature_cache.insert(raw.to_vec(), r.clone());
                    r?
                }
            }
        };
        let rule = &self.accounts.rules[rule_index];
        if !rule.natures.contains(&nature) {
            return Err(self.err(
                Rule::BadNature,
                line,
                Field::Nature,
                format!("科目“{}”不能记为{}", rule.name, nature.label()),
                &format!(
                    "该科目可用的支出性质：{}。",
                    rule.natures
                        .iter()
                        .map(|n| n.label())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
        Ok(nature)
    }

    fn function_of(&mut self, rec: &csv::ByteRecord, line: u64) -> Result<u32, JournalError> {
        let raw = self.cell(rec, Field::Function);
        let parsed = code_digits(raw, false)
            .filter(|(_, _, rest)| rest.first().is_none_or(|c| !c.is_ascii_digit()));
        let Some((code, len, _)) = parsed.filter(|(_, len, _)| *len == 7) else {
            let level = match parsed {
                Some((_, 3, _)) => "是类级科目，",
                Some((_, 5, _)) => "是款级科目，",
                _ => "",
            };
            let shown = if raw.is_empty() {
                "（空）".to_string()
            } else {
                format!("“{}”", self.show(raw))
            };
            return Err(self.err(
                Rule::MalformedFunction,
                line,
                Field::Function,
                format!("功能分类科目{shown}{level}不是7位项级编码"),
                "收入和支出分录须填到项级功能分类科目，如 2060701（可带名称：“2060701 机构运行”）。",
            ));
        };
        debug_assert_eq!(len, 7);
        if let Some(r) = self.function_ok.get(&code) {
            return r.clone().map(|()| code).map_err(|e| e.at(line));
        }
        let text = format!("{code:07}");
        let r = self.catalogues.function.check(&text).map_err(|_| {
            self.err(
                Rule::UnknownFunction,
                line,
                Field::Function,
                format!(
                    "功能分类科目“{text}”不在{}中",
                    self.catalogues.function.title
                ),
                "请核对科目编码；编码无误的，请用 juesuan data import-catalogue 导入当年财政部《政府收支分类科目》，再用 --data-dir 或 --catalogue 提供（见 docs/data-files.md 第 3.2 节）。",
            )
        });
        self.function_ok.insert(code, r.clone());
        r.map(|()| code)
    }

    /// The economic code (0 if the cell is empty and `required` is false).
    fn economic_of(
        &mut self,
        rec: &csv::ByteRecord,
        line: u64,
        required: bool,
    ) -> Result<u32, JournalError> {
        let raw = self.cell(rec, Field::Economic);
        if raw.is_empty() {
            if required {
                return Err(self.err(
                    Rule::BadEconomic,
                    line,
                    Field::Economic,
                    "基本支出分录缺少经济分类科目".into(),
                    "基本支出须填到款级经济分类科目，如 30101（基本支出决算表按经济分类列示）。",
                ));
            }
            return Ok(0);
        }
        let parsed = code_digits(raw, false)
            .filter(|(_, _, rest)| rest.first().is_none_or(|c| !c.is_ascii_digit()));
        let Some((code, _, _)) = parsed.filter(|(_, len, _)| *len == 5) else {
            return Err(self.err(
                Rule::BadEconomic,
                line,
                Field::Economic,
                format!("经济分类科目“{}”不是5位款级编码", self.show(raw)),
                "填到款级经济分类科目，如 30101（可带名称：“30101 基本工资”）。",
            ));
        };
        if let Some(r) = self.economic_ok.get(&code) {
            return r.clone().map(|()| code).map_err(|e| e.at(line));
        }
        let text = format!("{code:05}");
        let r = self.catalogues.economic.check(&text).map_err(|_| {
            self.err(
                Rule::BadEconomic,
                line,
                Field::Economic,
                format!(
                    "经济分类科目“{text}”不在{}中",
                    self.catalogues.economic.title
                ),
                "请核对科目编码；编码无误的，请用 juesuan data import-catalogue 导入当年财政部《政府收支分类科目》，再用 --data-dir 或 --catalogue 提供（见 docs/data-files.md 第 3.2 节）。",
            )
        });
        self.economic_ok.insert(code, r.clone());
        r.map(|()| code)
    }

    fn flow_key(
        &mut self,
        rec: &csv::ByteRecord,
        rule_index: usize,
        line: u64,
        unit: u32,
    ) -> Result<Key, JournalError> {
        let role = self.accounts.rules[rule_index].role;
        let function = self.function_of(rec, line)?;
        let source = self.source_of(rec, rule_index, line)?;
        if role == Role::Income {
            return Ok(Key {
                unit,
                kind: Kind::Income,
                source: source_index(source),
                nature: 0,
                function,
                economic: 0,
            });
        }
        let nature = self.nature_of(rec, rule_index, line)?;
        let economic = self.economic_of(rec, line, nature == Nature::Basic)?;
        Ok(Key {
            unit,
            kind: Kind::Expenditure,
            source: source_index(source),
            nature: nature_index(nature),
            function,
            economic,
        })
    }

    /// Close a voucher: check its balance, skip it if it is a closing voucher, otherwise
    /// add its rows to the totals (reporting the rows that could not become facts).
    fn finish_voucher(
        &mut self,
        v: Voucher,
        report: &mut dyn FnMut(JournalError, &mut Stats) -> Result<(), JournalError>,
    ) -> Result<(), JournalError> {
        if v.entries.is_empty() {
            return Ok(());
        }
        self.stats.vouchers += 1;
        let both_sides = v.debit != 0 && v.credit != 0;
        let checked = match self.options.balance {
            BalanceCheck::Off => false,
            BalanceCheck::Auto => both_sides,
            BalanceCheck::Strict => true,
        };
        if checked && !v.had_bad_row && v.debit != v.credit {
            let lines = if v.first_line == v.last_line {
                format!("第{}行", v.first_line)
            } else {
                format!("第{}–{}行", v.first_line, v.last_line)
            };
            let e = JournalError::new(
                Rule::Unbalanced,
                self.origin,
                format!(
                    "凭证“{}”（{lines}，{}条分录）借方合计{}元，贷方合计{}元，相差{}元",
                    self.show(&v.id),
                    v.entries.len(),
                    yuan_text(v.debit),
                    yuan_text(v.credit),
                    yuan_text(v.debit - v.credit)
                ),
                "核对该凭证的分录是否完整（同一凭证的分录须相邻排列）；只导出收支一方的文件可加 --balance off。",
            )
            .at(v.first_line);
            // The whole voucher is skipped: which of its rows is wrong is unknown.
            let skipped = v.entries.len() as u64;
            report(e, &mut self.stats)?;
            if let Some(n) = self.stats.skipped.get_mut(&Rule::Unbalanced) {
                *n += skipped - 1;
            }
            return Ok(());
        }
        let closing = v.has_balance && v.has_flow && !v.opening;
        if closing {
            self.stats.closing_vouchers += 1;
        }
        for e in v.entries {
            if closing && e.flow {
                self.stats.closing_rows += 1;
                continue;
            }
            match e.target {
                None => self.stats.counterpart_rows += 1,
                Some(Ok((key, value))) => {
                    self.stats.fact_rows += 1;
                    let slot = self.totals[key.unit as usize].entry(key).or_insert(0);
                    match slot.checked_add(value) {
                        Some(s) => *slot = s,
                        None => {
                            return Err(JournalError::new(
                                Rule::BadAmount,
                                self.origin,
                                "金额合计超出可表示的范围".to_string(),
                                "请核对金额列和金额单位。",
                            )
                            .at(e.line))
                        }
                    }
                }
                Some(Err(err)) => report(*err, &mut self.stats)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// "1234567.89" → "1,234,567.89".
    fn with_separators(plain: &str) -> String {
        let (sign, rest) = plain.strip_prefix('-').map_or(("", plain), |r| ("-", r));
        let (int, frac) = rest.split_once('.').unwrap();
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{frac}")
    }

    proptest! {
        #[test]
        fn amounts_read_back_exactly(fen in -10_000_000_000_000i64..10_000_000_000_000) {
            let plain = Amount(fen).yuan();
            prop_assert_eq!(parse_amount(plain.as_bytes(), MoneyUnit::Yuan, false), Ok(fen));
            let grouped = with_separators(&plain);
            prop_assert_eq!(parse_amount(grouped.as_bytes(), MoneyUnit::Yuan, true), Ok(fen));
            if grouped.contains(',') {
                // Without the mapping's permission a separator is not a number.
                prop_assert_eq!(
                    parse_amount(grouped.as_bytes(), MoneyUnit::Yuan, false),
                    Err(AmountError::NotANumber)
                );
            }
        }

        #[test]
        fn every_real_date_reads_in_every_written_form(y in 1990i32..2100, m in 1u32..=12, d in 1u32..=31) {
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m as usize - 1];
            let want = (d <= days).then_some((y, m, d));
            for text in [
                format!("{y}-{m:02}-{d:02}"),
                format!("{y}/{m}/{d}"),
                format!("{y}{m:02}{d:02}"),
                format!("{y}年{m}月{d}日"),
                format!("{y}-{m:02}-{d:02} 00:00:00"),
            ] {
                prop_assert_eq!(parse_date(text.as_bytes()), want, "{}", text);
            }
        }
    }

    #[test]
    fn amounts_in_wan_and_malformed_amounts() {
        assert_eq!(parse_amount(b"0.000001", MoneyUnit::Wan, false), Ok(1));
        assert_eq!(parse_amount(b"1.2300", MoneyUnit::Yuan, false), Ok(123));
        assert_eq!(parse_amount(b"", MoneyUnit::Yuan, false), Ok(0));
        assert_eq!(
            parse_amount(b"1.001", MoneyUnit::Yuan, false),
            Err(AmountError::TooPrecise)
        );
        for bad in [
            &b"1."[..],
            b".5",
            b"1e3",
            b"12,34",
            b"--1",
            b"1,234.5,6",
            b"\xef\xbf\xa5100",
        ] {
            assert!(parse_amount(bad, MoneyUnit::Yuan, true).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_amount(b"9999999999999999", MoneyUnit::Yuan, false),
            Err(AmountError::TooLarge)
        );
        // The bound is 10^15 元 whatever the unit: 10^11 万元 passes, a 分 more does not.
        assert_eq!(
            parse_amount(b"100000000000", MoneyUnit::Wan, false),
            Ok(Amount::MAX.fen())
        );
        assert_eq!(
            parse_amount(b"-100000000000.000001", MoneyUnit::Wan, false),
            Err(AmountError::TooLarge)
        );
    }
}
