//! juesuan-audit: checks the arithmetic of a published disclosure (部门决算公开) given as text.
//!
//! The text is split into sections and sentences; every stated amount (元/万元/亿元) is taken
//! with its label, and every share (占X%), change (增加/减少…，增长/下降X%) and completion rate
//! (完成预算X%) with the amounts it refers to. Each relation is checked exactly with interval
//! arithmetic: a figure printed to 2 decimals stands for any value within half a unit of its
//! last digit, so honest rounding never fails and anything beyond it does. When it cannot tell
//! which figure a percentage refers to, the auditor says so instead of guessing.

use juesuan_score::Ratio;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Holds only after forcing rounded shares to add to 100% (尾差调整): a note, not an error.
    RoundingNote,
    NotApplicable,
    InsufficientData,
    ParseError,
    ExecutionError,
}

/// What a check compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 合计与分项
    TotalOfParts,
    /// 占比
    Share,
    /// 同比增减额
    ChangeAmount,
    /// 同比增减率
    ChangeRate,
    /// 增减方向
    Direction,
    /// 预算完成率
    Completion,
    /// 同一数字前后一致
    SameFigure,
    /// 类与其项之和
    ClassOfItems,
    /// 正文与表格一致
    TextAgainstTable,
    /// 数量之和（辆、人、批次…）
    Counts,
    /// 百分点变化：“占X%，比上年的Y%提高Z个百分点”
    PointChange,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::TotalOfParts => "合计与分项",
            Kind::Share => "占比",
            Kind::ChangeAmount => "增减额",
            Kind::ChangeRate => "增减率",
            Kind::Direction => "增减方向",
            Kind::Completion => "预算完成率",
            Kind::SameFigure => "前后一致",
            Kind::ClassOfItems => "类与项",
            Kind::TextAgainstTable => "正文与表格",
            Kind::Counts => "数量之和",
            Kind::PointChange => "百分点变化",
        }
    }
}

/// Where a figure stands in the original text (line, and character range within the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// One check of one relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub kind: Kind,
    pub outcome: Outcome,
    /// Line (1-based) of the sentence.
    pub line: usize,
    /// Page (1-based), when the text has page breaks (PDF).
    pub page: Option<usize>,
    pub section: String,
    /// The sentence as printed.
    pub quote: String,
    pub stated: String,
    pub expected: String,
    pub message: String,
    /// The figures the check read, for locating and corrupting them in tests.
    pub figures: Vec<Place>,
}

/// The result of auditing one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    pub checks: Vec<Check>,
    pub figures: usize,
}

impl Audit {
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }
}

/// A stated amount, in 万元.
#[derive(Debug, Clone)]
struct Amount {
    label: String,
    value: Ratio,
    /// Half a unit of the last printed digit (at least 0.005 万元 for 万元 figures).
    half: Ratio,
    text: String,
    /// The unit as printed (元, 万元, 亿元) and its size in 万元: messages and expected
    /// values are given in the unit the document uses.
    unit: &'static str,
    scale: Ratio,
    place: Place,
    /// Character offsets of the number within the sentence.
    at: usize,
    end: usize,
    /// The share stated right after it (占…X%), with its named denominator if any.
    share: Option<Percent>,
}

impl Amount {
    /// The figure as printed, with its unit ("1,580,000.00元").
    fn shown(&self) -> String {
        format!("{}{}", self.text, self.unit)
    }

    /// A value in 万元 written in this figure's unit, to 2 decimals.
    fn in_unit(&self, value: Ratio) -> String {
        value.checked_div(self.scale).unwrap_or(value).to_fixed(2)
    }
}

#[derive(Debug, Clone)]
struct Percent {
    value: Ratio,
    half: Ratio,
    text: String,
    denominator: Option<String>,
    place: Place,
}

/// What a document-wide check quotes.
#[derive(Debug, Clone)]
struct SentenceRef {
    line: usize,
    page: Option<usize>,
    section: String,
    quote: String,
}

impl Sentence {
    fn reference(&self) -> SentenceRef {
        SentenceRef {
            line: self.line,
            page: self.page,
            section: self.section.clone(),
            quote: self.text.trim().to_string(),
        }
    }
}

struct Sentence {
    text: String,
    line: usize,
    page: Option<usize>,
    /// Character offset of the sentence within its line.
    offset: usize,
    section: String,
}

/// A regex compiled once, on first use.
macro_rules! lazy_regex {
    ($pattern:expr) => {{
        static R: OnceLock<Regex> = OnceLock::new();
        R.get_or_init(|| Regex::new($pattern).expect("valid pattern"))
    }};
}

fn amount_re() -> &'static Regex {
    lazy_regex!(r"(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)\s*(亿元|万元|元)")
}

fn share_re() -> &'static Regex {
    lazy_regex!(r"^\s*[，,]?\s*(?:分别)?占([^0-9%，,；;。]*?)(?:的)?(-?\d+(?:\.\d+)?)%")
}

fn change_re() -> &'static Regex {
    lazy_regex!(
        r"(?:(?:与|比|较)(?:(?P<year>\d{4})年(?:度)?|上年(?:度)?|去年|上一年(?:度)?)(?:同期)?(?:的)?(?:决算数?)?(?:(?P<prior>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:亿元|万元|元))?(?:相比|比较)?|同比)[，,]?[^，,；;。%]*?(?P<dir>增加|减少|增长|下降|上升|降低)(?:了)?(?P<delta>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:亿元|万元|元)(?:(?:[，,]\s*(?:同比)?(?:增长|下降|增加|减少|上升|降低)(?:了)?|[，,]\s*(?:增幅|降幅|增长率|下降率|增长幅度|下降幅度)(?:为|达|是)?)(?P<rate>\d+(?:\.\d+)?)%)?"
    )
}

fn completion_re() -> &'static Regex {
    lazy_regex!(
        r"(?:完成(?:了)?(?:年初|全年|调整后?)?预算(?:数)?(?:的)?|(?:决算数?)?(?:为|占)(?:年初|全年|调整后?)?预算(?:数)?的|预算完成率(?:为|达|是)?)(\d+(?:\.\d+)?)%"
    )
}

fn heading_re() -> &'static Regex {
    lazy_regex!(
        r"^(?:#+\s*)?(?:第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+、\s)"
    )
}

/// Full-width digits and signs to ASCII; Word bookmarks and Markdown emphasis removed.
pub fn normalize(text: &str) -> String {
    let t = lazy_regex!(r"\[bookmark: [^\]]*\]").replace_all(text, "");
    t.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '％' => '%',
            '．' => '.',
            '\\' => ' ',
            _ => c,
        })
        .collect()
}

fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut section = String::new();
    let paged = text.contains('\u{c}');
    let mut page = 1;
    for (n, line) in text.lines().enumerate() {
        page += line.matches('\u{c}').count();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if heading_re().is_match(trimmed) && trimmed.chars().count() < 60 {
            section = trimmed.trim_start_matches('#').trim().to_string();
        }
        let mut offset = 0;
        for part in line.split_inclusive('。') {
            let chars = part.chars().count();
            if part.trim().chars().count() > 1 {
                out.push(Sentence {
                    text: part.to_string(),
                    line: n + 1,
                    page: paged.then_some(page),
                    offset,
                    section: section.clone(),
                });
            }
            offset += chars;
        }
    }
    out
}

/// "一、一般公共预算财政拨款收入" → "一般公共预算财政拨款收入"; "1.因公出国（境）费" → "因公出国（境）费".
fn strip_enumerator(label: &str) -> String {
    let e = lazy_regex!(
        r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\d+\s*[.、．])\s*"
    );
    e.replace(label.trim(), "")
        .trim_start_matches('　')
        .trim()
        .to_string()
}

/// Parse a printed decimal; with its count of decimals.
fn number(text: &str) -> Option<(Ratio, u32)> {
    // Thousands separators ("1,234.56") are printing, not precision.
    let text = text.replace(',', "");
    let decimals = text.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    Ratio::parse(&text).ok().map(|r| (r, decimals))
}

fn pow10(n: u32) -> Ratio {
    Ratio::new(10i128.pow(n), 1).expect("nonzero")
}

/// Half a unit of the last printed digit; 万元 figures are taken as printed to at least 2
/// decimals (trailing zeros are often dropped: "57.5万元" is 57.50).
fn half_unit(decimals: u32, floor_decimals: u32) -> Ratio {
    let d = decimals.max(floor_decimals);
    Ratio::new(1, 2)
        .expect("nonzero")
        .checked_div(pow10(d))
        .expect("nonzero")
}

/// Character index → byte index in `s`.
fn byte_at(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(b, _)| b)
}

fn char_at(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

fn normalize_label(raw: &str) -> String {
    // "本部门2022年度一般公共预算财政拨款支出" names the same figure as
    // "2022年度一般公共预算财政拨款支出": the unit and the year are not part of the name.
    let t = lazy_regex!(
        r"^\s*(?:(?:本部门|本单位|我部门|我单位|本局|我局|全年)?\s*\d{4}年(?:度)?(?:本部门|本单位|全年)?|本部门|本单位|我部门|我单位)"
    )
    .replace(raw.trim(), "");
    let t = t
        .trim_start_matches("其中")
        .trim_start_matches(['：', ':', '，', ',']);
    let t = t.trim_end_matches(['为', '是', '：', ':', ' ']);
    t.trim_end_matches("共计")
        .trim_end_matches("合计为")
        .trim()
        .to_string()
}

/// A figure that is not this year's actual: a budget, last year's figure ("与2020年…相比",
/// "比上年…"), or a change ("增加…", "同比减少…").
fn is_other(label: &str) -> bool {
    is_budget(label)
        || label.starts_with(['与', '比', '较'])
        || label.starts_with("上年")
        || is_change(label)
}

/// A change rather than a level: "比年初预算320.00万元减少", "同比增加".
fn is_change(label: &str) -> bool {
    [
        "增加",
        "减少",
        "增长",
        "下降",
        "上升",
        "降低",
        "增加了",
        "减少了",
    ]
    .iter()
    .any(|w| label.ends_with(w))
}

fn point_change_re() -> &'static Regex {
    lazy_regex!(
        r"(?P<now>\d+(?:\.\d+)?)%[，,]?\s*(?:比|较|与)(?:上年(?:度)?|去年|上一年(?:度)?|\d{4}年(?:度)?)(?:同期)?(?:的)?(?P<prev>\d+(?:\.\d+)?)%(?:相比)?[，,]?(?P<dir>提高|上升|增加|增长|下降|降低|减少)(?:了)?(?P<pp>\d+(?:\.\d+)?)个百分点"
    )
}

/// "一般公共预算财政拨款支出占本年支出合计的比重为96.17%": a share between two named figures.
fn label_share_re() -> &'static Regex {
    lazy_regex!(
        r"(?:^|[，,；;。：:])\s*(?P<num>[^，,；;。：:0-9%（）()]{2,40}?)占(?P<den>[^，,；;。：:0-9%]{2,40}?)的(?:比重|比例|份额)?(?:为|是|达)?(?P<p>\d+(?:\.\d+)?)%"
    )
}

/// A budget figure (预算数) rather than an actual one: "年初预算为", "预算数为" — but not
/// "一般公共预算财政拨款支出决算数", whose 预算 names the fund.
fn is_budget(label: &str) -> bool {
    !label.contains("决算")
        && !is_change(label)
        && (label.ends_with("预算")
            || label.ends_with("预算数")
            || label.contains("年初预算")
            || label.contains("全年预算")
            || label.contains("调整预算"))
}

fn amounts_in(s: &Sentence) -> Vec<Amount> {
    let mut out = Vec::new();
    for m in amount_re().captures_iter(&s.text) {
        let whole = m.get(0).expect("match");
        let num = m.get(1).expect("group");
        // A number glued to a letter or digit before it is part of a code, not an amount.
        if s.text[..num.start()]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let Some((value, decimals)) = number(num.as_str()) else {
            continue;
        };
        // 亿元 figures are printed to 2 decimals as a rule ("1.38亿元"), like 万元 ones.
        let (scale, floor, unit) = match &m[2] {
            "亿元" => (Ratio::new(10_000, 1).expect("nonzero"), 2, "亿元"),
            "元" => (Ratio::new(1, 10_000).expect("nonzero"), 0, "元"),
            _ => (Ratio::ONE, 2, "万元"),
        };
        let value = value.checked_mul(scale).unwrap_or(value);
        let half = half_unit(decimals, floor)
            .checked_mul(scale)
            .unwrap_or(Ratio::ZERO);
        // The label: back to the previous clause break.
        let before = &s.text[..num.start()];
        let label_start = before
            .rfind(['，', ',', '；', ';', '：', ':', '。', '、'])
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let label = normalize_label(&before[label_start..]);
        let at = char_at(&s.text, num.start());
        let end = char_at(&s.text, whole.end());
        let rest = &s.text[whole.end()..];
        let share = share_re().captures(rest).and_then(|c| {
            let p = c.get(2)?;
            let (value, d) = number(p.as_str())?;
            let den = c
                .get(1)
                .map(|d| normalize_label(d.as_str()))
                .filter(|d| !d.is_empty());
            let pstart = char_at(&s.text, whole.end() + p.start());
            Some(Percent {
                value,
                half: half_unit(d, 0),
                text: format!("{}%", p.as_str()),
                denominator: den,
                place: Place {
                    line: s.line,
                    start: s.offset + pstart,
                    end: s.offset + pstart + p.as_str().chars().count(),
                },
            })
        });
        out.push(Amount {
            label,
            value,
            half,
            text: num.as_str().to_string(),
            unit,
            scale,
            place: Place {
                line: s.line,
                start: s.offset + at,
                end: s.offset + at + num.as_str().chars().count(),
            },
            at,
            end,
            share,
        });
    }
    out
}

/// Where a regex match stands in the original line.
fn place_of(s: &Sentence, m: regex::Match) -> Place {
    let start = char_at(&s.text, m.start());
    Place {
        line: s.line,
        start: s.offset + start,
        end: s.offset + start + m.as_str().chars().count(),
    }
}

/// [lo, hi] of a/b for a ∈ [a ± ha], b ∈ [b ± hb] (b > 0 over the whole interval), × 100.
fn ratio_range(a: Ratio, ha: Ratio, b: Ratio, hb: Ratio) -> Option<(Ratio, Ratio)> {
    let hundred = Ratio::from_int(100);
    let (a_lo, a_hi) = (
        (a.checked_sub(ha).ok()?).max(Ratio::ZERO),
        a.checked_add(ha).ok()?,
    );
    let (b_lo, b_hi) = (b.checked_sub(hb).ok()?, b.checked_add(hb).ok()?);
    if b_lo <= Ratio::ZERO {
        return None;
    }
    Some((
        a_lo.checked_div(b_hi).ok()?.checked_mul(hundred).ok()?,
        a_hi.checked_div(b_lo).ok()?.checked_mul(hundred).ok()?,
    ))
}

/// How far `stated ± half` misses [lo, hi] (zero when they overlap).
fn miss(stated: Ratio, half: Ratio, lo: Ratio, hi: Ratio) -> Ratio {
    let s_lo = stated.checked_sub(half).unwrap_or(stated);
    let s_hi = stated.checked_add(half).unwrap_or(stated);
    if s_hi < lo {
        lo.checked_sub(s_hi).unwrap_or(Ratio::ZERO)
    } else if s_lo > hi {
        s_lo.checked_sub(hi).unwrap_or(Ratio::ZERO)
    } else {
        Ratio::ZERO
    }
}

/// Pass when two printed figures can be the same value: |a − b| ≤ the sum of their halves.
fn agree(a: Ratio, b: Ratio, slack: Ratio) -> Outcome {
    if a.checked_sub(b).unwrap_or(Ratio::ZERO).abs() <= slack {
        Outcome::Pass
    } else {
        Outcome::Fail
    }
}

fn mid(lo: Ratio, hi: Ratio) -> Ratio {
    lo.checked_add(hi)
        .and_then(|s| s.checked_div(Ratio::from_int(2)))
        .unwrap_or(lo)
}

struct Auditor {
    checks: Vec<Check>,
    /// Every amount seen so far, for named denominators and subjects.
    seen: Vec<Amount>,
    /// The latest amount per label (index into `seen`): lookups stay fast on long documents.
    by_label: std::collections::HashMap<String, usize>,
    /// Index in `seen` of the first amount on the current line.
    line_start: usize,
    line: usize,
    /// Figures stated under a specific label in running text, for 前后一致.
    stated: Vec<(Amount, SentenceRef)>,
    /// Every labelled figure of running text, for 正文与表格 (table labels are specific).
    text_figures: Vec<(Amount, SentenceRef)>,
    /// 项 amounts by 类 code, and the 类 totals, for 类与项.
    items: Vec<(String, Vec<Amount>, SentenceRef)>,
    class_totals: Vec<(String, Amount, SentenceRef)>,
    /// 类 names ("科学技术支出") → codes ("206"), learnt from 项 lines.
    class_names: std::collections::HashMap<String, String>,
    /// Table cells "label | amount": label → (value, half, place) of every row with it.
    table_values: std::collections::HashMap<String, Vec<(Ratio, Ratio, Place)>>,
    /// Scale of table numbers to 万元, from the last "单位：…" line.
    table_unit: Ratio,
}

impl Auditor {
    /// Record a check; `values` is (stated, expected) as printed.
    fn push(
        &mut self,
        s: &Sentence,
        kind: Kind,
        outcome: Outcome,
        values: (String, String),
        message: String,
        figures: Vec<Place>,
    ) {
        self.push_at(&s.reference(), kind, outcome, values, message, figures);
    }

    /// Record a check quoting a sentence kept for a document-wide check.
    fn push_at(
        &mut self,
        r: &SentenceRef,
        kind: Kind,
        outcome: Outcome,
        values: (String, String),
        message: String,
        figures: Vec<Place>,
    ) {
        self.checks.push(Check {
            kind,
            outcome,
            line: r.line,
            page: r.page,
            section: r.section.clone(),
            quote: r.quote.clone(),
            stated: values.0,
            expected: values.1,
            message,
            figures,
        });
    }

    fn lookup(&self, label: &str) -> Option<&Amount> {
        let want = normalize_label(label);
        if want.is_empty() {
            return None;
        }
        // The latest amount whose label is the name or ends with it ("…政府采购支出总额").
        self.by_label
            .iter()
            .filter(|(label, _)| **label == want || label.ends_with(&want))
            .map(|(_, &i)| i)
            .max()
            .map(|i| &self.seen[i])
    }

    fn sentence(&mut self, s: &Sentence) {
        let amounts = amounts_in(s);
        if s.text.contains("/") && (s.text.contains("增加/减少") || s.text.contains("增长/下降"))
        {
            self.push(
                s,
                Kind::Direction,
                Outcome::ParseError,
                (String::new(), String::new()),
                "句中保留了“增加/减少”等未选定的模板文字，无法判断".into(),
                Vec::new(),
            );
        } else {
            self.changes(s, &amounts);
        }
        self.completions(s, &amounts);
        self.point_changes(s);
        self.label_shares(s, &amounts);
        self.parts(s, &amounts);
        self.counts(s);
        self.remember(s, &amounts);
        if s.line != self.line {
            self.line = s.line;
            self.line_start = self.seen.len();
        }
        for a in amounts {
            self.by_label.insert(a.label.clone(), self.seen.len());
            self.seen.push(a);
        }
    }

    /// 占比 and 合计与分项.
    fn parts(&mut self, s: &Sentence, amounts: &[Amount]) {
        let chars: Vec<char> = s.text.chars().collect();
        // Where the parts begin: "其中", "（含", or "X万元中，" (the whole is X).
        let qi = [
            s.text.find("其中").map(|b| char_at(&s.text, b)),
            s.text.find("（含").map(|b| char_at(&s.text, b) + 1),
            amounts
                .iter()
                .find(|a| {
                    chars.get(a.end) == Some(&'中')
                        && matches!(chars.get(a.end + 1), Some('，' | ','))
                })
                .map(|a| a.end),
        ]
        .into_iter()
        .flatten()
        .min();
        // The whole: the last amount before 其中; or, for "X中，A…占…" sentences, the latest
        // amount stated earlier under the subject's label.
        let (total, parts): (Option<Amount>, Vec<&Amount>) = match qi {
            Some(q) => {
                // The whole is the amount right before 其中 ("616.54万元，其中：" or
                // "334万元（其中…）"), not one inside a parenthesis that closes before it.
                let total = amounts
                    .iter()
                    .rev()
                    .find(|a| a.end <= q)
                    .filter(|a| {
                        let between: String = chars[a.end..q].iter().collect();
                        between.chars().count() <= 2 && !between.contains(['）', ')'])
                    })
                    .cloned()
                    .or_else(|| {
                        // A sentence that opens with 其中 breaks down the figure the sentence
                        // before it ends on: "…支出决算为38.62万元，完成预算的85.82%。其中：…"
                        let opening = chars[..q]
                            .iter()
                            .all(|c| c.is_whitespace() || matches!(c, '，' | ','));
                        if !opening {
                            return None;
                        }
                        self.seen[self.line_start..]
                            .iter()
                            .rev()
                            .find(|a| a.place.line == s.line && !is_other(&a.label))
                            .cloned()
                    });
                // Inside "（其中…）" the parts end at the closing parenthesis.
                let stop = if q > 0 && matches!(chars[q - 1], '（' | '(') {
                    chars[q..]
                        .iter()
                        .position(|c| matches!(c, '）' | ')'))
                        .map_or(chars.len(), |i| q + i)
                } else {
                    chars.len()
                };
                (
                    total,
                    amounts
                        .iter()
                        .filter(|a| a.at > q && a.end <= stop)
                        .collect(),
                )
            }
            None => {
                let first = amounts.first();
                let subject = first.map(|a| {
                    let b = byte_at(&s.text, a.at);
                    let head = &s.text[..b];
                    let head = head.split(['，', ',']).next().unwrap_or(head);
                    normalize_label(head.trim_end_matches('中'))
                });
                let total = subject
                    .filter(|sub| !sub.is_empty())
                    .and_then(|sub| self.lookup(&sub).cloned());
                (
                    total,
                    amounts.iter().filter(|a| a.share.is_some()).collect(),
                )
            }
        };
        let with_share: Vec<&&Amount> = parts.iter().filter(|a| a.share.is_some()).collect();
        // Shares: each against its named denominator, else the whole.
        let shares_sum: Ratio = with_share
            .iter()
            .filter_map(|a| a.share.as_ref())
            .fold(Ratio::ZERO, |acc, p| {
                acc.checked_add(p.value).unwrap_or(acc)
            });
        let forced = !with_share.is_empty() && shares_sum == Ratio::from_int(100);
        // No whole found, but the shares of the parts add up to 100% (within their rounding):
        // a full breakdown, whose whole is the sum of its parts. This names no other figure,
        // so nothing is guessed; the total-of-parts check has nothing to compare then.
        let share_halves = with_share
            .iter()
            .filter_map(|a| a.share.as_ref())
            .fold(Ratio::ZERO, |acc, p| acc.checked_add(p.half).unwrap_or(acc));
        let full_by_shares = with_share.len() >= 2
            && with_share
                .iter()
                .all(|a| a.share.as_ref().is_some_and(|p| p.denominator.is_none()))
            && shares_sum
                .checked_sub(Ratio::from_int(100))
                .is_ok_and(|d| d.abs() <= share_halves);
        let synthetic = total.is_none() && full_by_shares;
        let total = if synthetic {
            let first = with_share[0];
            let (sum, half) = with_share
                .iter()
                .fold((Ratio::ZERO, Ratio::ZERO), |acc, a| {
                    (
                        acc.0.checked_add(a.value).unwrap_or(acc.0),
                        acc.1.checked_add(a.half).unwrap_or(acc.1),
                    )
                });
            Some(Amount {
                label: "各项之和".into(),
                value: sum,
                half,
                text: first.in_unit(sum),
                share: None,
                ..(**first).clone()
            })
        } else {
            total
        };
        for a in amounts.iter().filter(|a| a.share.is_some()) {
            let p = a.share.as_ref().expect("filtered");
            let den = match &p.denominator {
                Some(name) if !name.is_empty() => self
                    .lookup(name)
                    .cloned()
                    .or_else(|| amounts.iter().find(|x| x.label == *name).cloned()),
                _ => total.clone(),
            };
            let Some(den) = den else {
                self.push(
                    s,
                    Kind::Share,
                    Outcome::InsufficientData,
                    (p.text.clone(), String::new()),
                    format!("无法确定“{}”的占比以哪个数为分母", a.label),
                    vec![a.place, p.place],
                );
                continue;
            };
            let figures = vec![a.place, p.place, den.place];
            let Some((lo, hi)) = ratio_range(a.value, a.half, den.value, den.half) else {
                let outcome = if a.value.is_zero() && p.value.is_zero() {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                };
                self.push(
                    s,
                    Kind::Share,
                    outcome,
                    (p.text.clone(), "分母为0".into()),
                    format!(
                        "“{}”{}占“{}”{}的比例无法计算（分母为0）",
                        a.label,
                        a.shown(),
                        den.label,
                        den.shown()
                    ),
                    figures,
                );
                continue;
            };
            let m = miss(p.value, p.half, lo, hi);
            let point = a
                .value
                .checked_div(den.value)
                .and_then(|r| r.checked_mul(Ratio::from_int(100)))
                .unwrap_or_else(|_| mid(lo, hi));
            let expected = format!("{}%", point.to_fixed(2));
            let outcome = if m.is_zero() {
                Outcome::Pass
            } else if forced && m <= Ratio::new(1, 100).expect("nonzero") {
                Outcome::RoundingNote
            } else {
                Outcome::Fail
            };
            self.push(
                s,
                Kind::Share,
                outcome,
                (p.text.clone(), expected.clone()),
                format!(
                    "“{}”{}占“{}”{}应为{expected}",
                    a.label,
                    a.shown(),
                    den.label,
                    den.shown()
                ),
                figures,
            );
        }
        // Total of parts: parts may never exceed the whole; with every part's share given
        // (a full breakdown), they must add up to it.
        let Some(total) = total.filter(|_| !synthetic) else {
            return;
        };
        // Without 其中 the parts are tied to the whole only by their shares.
        if parts.len() < 2 || (qi.is_none() && with_share.len() != parts.len()) {
            return;
        }
        let sum = parts.iter().fold(Ratio::ZERO, |acc, a| {
            acc.checked_add(a.value).unwrap_or(acc)
        });
        let slack = parts
            .iter()
            .fold(total.half, |acc, a| acc.checked_add(a.half).unwrap_or(acc));
        let over = sum.checked_sub(total.value).unwrap_or(Ratio::ZERO);
        // Parts that carry shares are a full breakdown; a bare list may leave parts out.
        let full = with_share.len() == parts.len();
        let bad = over > slack || (full && over.abs() > slack);
        let mut figures: Vec<Place> = parts.iter().map(|a| a.place).collect();
        figures.push(total.place);
        self.push(
            s,
            Kind::TotalOfParts,
            if bad { Outcome::Fail } else { Outcome::Pass },
            (total.text.clone(), total.in_unit(sum)),
            format!(
                "“{}”{}，所列分项之和为{}{}",
                total.label,
                total.shown(),
                total.in_unit(sum),
                total.unit
            ),
            figures,
        );
    }

    /// 同比增减额、增减率、方向.
    fn changes(&mut self, s: &Sentence, amounts: &[Amount]) {
        for c in change_re().captures_iter(&s.text) {
            let start = char_at(&s.text, c.get(0).expect("match").start());
            // The figure that changed: the last amount before the phrase, in this sentence or
            // an earlier sentence of the same paragraph ("…总计686.54万元。与2020年相比…").
            let current = amounts
                .iter()
                .rev()
                .find(|a| a.end <= start)
                .or_else(|| {
                    self.seen[self.line_start..]
                        .iter()
                        .rev()
                        .find(|a| a.place.line == s.line && !is_budget(&a.label))
                })
                .cloned();
            let Some(current) = current.as_ref() else {
                continue;
            };
            let find = |g: &str| {
                amounts.iter().find(|a| {
                    c.name(g)
                        .is_some_and(|m| char_at(&s.text, m.start()) == a.at)
                })
            };
            let prior = find("prior");
            let Some(delta) = find("delta") else { continue };
            let word = c.name("dir").map_or("", |m| m.as_str()).to_string();
            let year = c.name("year").map_or("上", |m| m.as_str()).to_string();
            let up = matches!(word.as_str(), "增加" | "增长");
            let mut figures = vec![current.place, delta.place];
            if let Some(p) = prior {
                figures.push(p.place);
                // Amount and direction against the stated prior year.
                let diff = current.value.checked_sub(p.value).unwrap_or(Ratio::ZERO);
                let slack = current
                    .half
                    .checked_add(p.half)
                    .and_then(|h| h.checked_add(delta.half))
                    .unwrap_or(Ratio::ZERO);
                let off = diff
                    .abs()
                    .checked_sub(delta.value)
                    .unwrap_or(Ratio::ZERO)
                    .abs();
                self.push(
                    s,
                    Kind::ChangeAmount,
                    if off > slack {
                        Outcome::Fail
                    } else {
                        Outcome::Pass
                    },
                    (delta.text.clone(), delta.in_unit(diff.abs())),
                    format!(
                        "{}与{year}年{}之差应为{}{}",
                        current.shown(),
                        p.shown(),
                        delta.in_unit(diff.abs()),
                        delta.unit
                    ),
                    figures.clone(),
                );
                let wrong_way =
                    (up && diff < Ratio::ZERO && diff.abs() > slack) || (!up && diff > slack);
                if wrong_way {
                    self.push(
                        s,
                        Kind::Direction,
                        Outcome::Fail,
                        (
                            word.clone(),
                            if diff > Ratio::ZERO {
                                "增加".into()
                            } else {
                                "减少".into()
                            },
                        ),
                        format!(
                            "本年{}、上年{}，增减方向与“{word}”不符",
                            current.shown(),
                            p.shown()
                        ),
                        figures.clone(),
                    );
                }
            }
            // The rate against the prior year (stated, or implied by current and change).
            let Some(rate) = c.name("rate") else { continue };
            let base = match prior {
                Some(p) => (p.value, p.half),
                None => {
                    let b = if up {
                        current.value.checked_sub(delta.value)
                    } else {
                        current.value.checked_add(delta.value)
                    };
                    (
                        b.unwrap_or(Ratio::ZERO),
                        current.half.checked_add(delta.half).unwrap_or(Ratio::ZERO),
                    )
                }
            };
            let delta_text = delta.shown();
            let base_text = format!("{}{}", delta.in_unit(base.0), delta.unit);
            self.percent(
                s,
                Kind::ChangeRate,
                rate,
                (delta.value, delta.half),
                base,
                figures,
                &|e| format!("增减{delta_text}，上年{base_text}，增减率应为{e}"),
                "上年数为0，增减率无法计算",
            );
        }
    }

    /// Keep the "label, amount" pairs of a table row: a text cell followed by a number.
    fn table_row(&mut self, s: &Sentence) {
        let num = lazy_regex!(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$");
        let sep = if s.text.trim_start().starts_with('|') {
            '|'
        } else {
            '\t'
        };
        // (cell text, char offset of the cell in the sentence)
        let mut cells = Vec::new();
        let mut offset = 0;
        for cell in s.text.split(sep) {
            let lead = cell.chars().take_while(|c| c.is_whitespace()).count();
            cells.push((cell.trim().to_string(), offset + lead));
            offset += cell.chars().count() + 1;
        }
        // A label cell and every number cell after it (a row may have several columns:
        // 预算数, 决算数…); all are kept, the narrative may state any of them.
        for (i, (label, _)) in cells.iter().enumerate() {
            if label.is_empty() || num.is_match(label) {
                continue;
            }
            let label = strip_enumerator(label);
            if label.chars().count() < 4 || ["合计", "总计", "小计"].contains(&label.as_str())
            {
                continue;
            }
            for (value, at) in cells[i + 1..].iter().take_while(|(v, _)| num.is_match(v)) {
                let Some((v, d)) = number(value) else {
                    continue;
                };
                let scale = self.table_unit;
                let place = Place {
                    line: s.line,
                    start: s.offset + at,
                    end: s.offset + at + value.chars().count(),
                };
                self.table_values.entry(label.clone()).or_default().push((
                    v.checked_mul(scale).unwrap_or(v),
                    half_unit(d, 2).checked_mul(scale).unwrap_or(Ratio::ZERO),
                    place,
                ));
            }
        }
    }

    /// A figure stated in the text under the same name as a table row must agree with it.
    /// Names that tables give different values (several rows) are skipped: ambiguous.
    fn narrative_against_tables(&mut self) {
        let stated = self.text_figures.clone();
        for (a, r) in &stated {
            let Some(rows) = self.table_values.get(&strip_enumerator(&a.label)) else {
                continue;
            };
            // Several rows under one label: ambiguous unless they state the same figures.
            let first_line = rows[0].2.line;
            let one_row: Vec<&(Ratio, Ratio, Place)> = rows
                .iter()
                .filter(|(_, _, p)| p.line == first_line)
                .collect();
            let same = rows
                .iter()
                .all(|(x, _, p)| p.line == first_line || one_row.iter().any(|(y, _, _)| y == x));
            if !same {
                continue;
            }
            let single = rows.iter().all(|(_, _, p)| p.line == first_line);
            let slack = |h: Ratio| h.checked_add(a.half).unwrap_or(h);
            let matched = one_row
                .iter()
                .find(|(v, h, _)| agree(a.value, *v, slack(*h)) == Outcome::Pass);
            let (outcome, (v, _, place)) = match matched {
                Some(m) => (Outcome::Pass, **m),
                None => (Outcome::Fail, *one_row[0]),
            };
            let values: Vec<String> = one_row.iter().map(|(x, _, _)| a.in_unit(*x)).collect();
            let message = format!(
                "正文“{}”{}，表中（第{}行）为{}{}",
                a.label,
                a.shown(),
                place.line,
                values.join("、"),
                a.unit
            );
            // A cell repeated in several rows is not claimed: changing one of them makes
            // the rows disagree, which is skipped as ambiguous rather than failed.
            let figures = if single {
                vec![a.place, place]
            } else {
                vec![a.place]
            };
            self.push_at(
                r,
                Kind::TextAgainstTable,
                outcome,
                (a.text.clone(), a.in_unit(v)),
                message,
                figures,
            );
        }
    }

    /// Keep what document-wide checks need: labelled figures of running text, 项 lines and
    /// 类 totals. Table cells (lines starting with a tab) are left out: a table's target
    /// and actual columns share labels.
    fn remember(&mut self, s: &Sentence, amounts: &[Amount]) {
        // Table rows (tab-separated cells, Markdown "| … |") compare columns, not
        // restatements; their "label | amount" pairs are kept for 正文与表格.
        let tab_cells = s.text.split('\t').filter(|c| !c.trim().is_empty()).count();
        if s.text.starts_with('\t') || tab_cells >= 2 || s.text.trim_start().starts_with('|') {
            self.table_row(s);
            return;
        }
        if let Some(unit) = s
            .text
            .trim()
            .strip_prefix("单位：")
            .or_else(|| s.text.trim().strip_prefix("单位:"))
        {
            self.table_unit = if unit.starts_with("万元") {
                Ratio::ONE
            } else if unit.starts_with('元') {
                Ratio::new(1, 10_000).expect("nonzero")
            } else {
                self.table_unit
            };
        }

        let item = lazy_regex!(
            r"^\s*(?:[（(]?\d+[）)]?\s*[.、．]?\s*)?([^（(\d]+?)（(?:(\d{3})类|类)）[^：:]*（(?:\d{2})?项）\s*[:：]"
        );
        if let Some(c) = item.captures(&s.text) {
            let name = c[1].trim().replace("（类）", "");
            // Lines without codes ("一般公共服务支出（类）人大事务（款）行政运行（项）：") are
            // grouped by the 类 name.
            let code = c
                .get(2)
                .map_or_else(|| name.clone(), |m| m.as_str().to_string());
            self.class_names.insert(name, code.clone());
            // The item's own figures: before its completion rate, reasons and comparisons.
            let stop = ["完成", "原因", "为预算", "为年初预算", "比上年", "较上年"]
                .iter()
                .filter_map(|w| s.text.find(w).map(|b| char_at(&s.text, b)))
                .min()
                .unwrap_or(usize::MAX);
            let own: Vec<Amount> = amounts
                .iter()
                .filter(|a| a.end <= stop && !is_other(&a.label))
                .cloned()
                .collect();
            if !own.is_empty() {
                self.items.push((code, own, s.reference()));
            }
            return;
        }
        let class = lazy_regex!(r"（(\d{3})类）$");
        for a in amounts {
            // Budgets and last year's figures ("与2020年629.95万元相比") are other quantities.
            if is_other(&a.label) {
                continue;
            }
            let code = class.captures(&a.label).map(|c| c[1].to_string());
            self.class_totals
                .push((code.unwrap_or_default(), a.clone(), s.reference()));
            self.text_figures.push((a.clone(), s.reference()));
            if a.label.chars().count() >= 6 && !a.label.starts_with("支出决算") {
                self.stated.push((a.clone(), s.reference()));
            }
        }
    }

    /// A 类 named as in the structure sentence: "科学技术（类）支出", "卫生健康支出".
    fn class_code(&self, label: &str) -> Option<String> {
        let name = label.replace("（类）", "");
        self.class_names.get(&name).cloned()
    }

    /// The same labelled figure stated twice must agree (within rounding).
    fn same_figures(&mut self) {
        let mut by: std::collections::BTreeMap<String, Vec<(Amount, SentenceRef)>> =
            std::collections::BTreeMap::new();
        for (a, r) in &self.stated {
            by.entry(a.label.clone())
                .or_default()
                .push((a.clone(), r.clone()));
        }
        for (label, list) in by {
            let (first, first_ref) = &list[0];
            for (a, r) in &list[1..] {
                let outcome = agree(
                    a.value,
                    first.value,
                    first.half.checked_add(a.half).unwrap_or(Ratio::ZERO),
                );
                let message = format!(
                    "“{label}”第{}行为{}，此处为{}",
                    first_ref.line,
                    first.shown(),
                    a.shown()
                );
                self.push_at(
                    r,
                    Kind::SameFigure,
                    outcome,
                    (a.text.clone(), first.text.clone()),
                    message,
                    vec![first.place, a.place],
                );
            }
        }
    }

    /// Each 类 total equals the sum of its 项 (within rounding of every part).
    fn classes_of_items(&mut self) {
        let mut sums: std::collections::BTreeMap<String, (Ratio, Ratio, Vec<Place>)> =
            std::collections::BTreeMap::new();
        for (code, own, _) in &self.items {
            let e = sums
                .entry(code.clone())
                .or_insert((Ratio::ZERO, Ratio::ZERO, Vec::new()));
            for a in own {
                e.0 = e.0.checked_add(a.value).unwrap_or(e.0);
                e.1 = e.1.checked_add(a.half).unwrap_or(e.1);
                e.2.push(a.place);
            }
        }
        // 类 totals named without a code ("科学技术（类）支出") take the code their 项 lines
        // give the same name; anything else is not a 类 total.
        let totals: Vec<(String, Amount, SentenceRef)> = std::mem::take(&mut self.class_totals)
            .into_iter()
            .filter_map(|(code, a, r)| {
                let code = if code.is_empty() {
                    self.class_code(&a.label)?
                } else {
                    code
                };
                Some((code, a, r))
            })
            .collect();
        for (code, total, r) in &totals {
            let Some((sum, halves, places)) = sums.get(code) else {
                continue;
            };
            let outcome = agree(
                total.value,
                *sum,
                halves.checked_add(total.half).unwrap_or(*halves),
            );
            let mut figures = places.clone();
            figures.push(total.place);
            let class = if code.chars().all(|c| c.is_ascii_digit()) {
                format!("{code}类")
            } else {
                String::new()
            };
            let message = format!(
                "{class}“{}”{}，其下各项之和为{}{}",
                total.label,
                total.shown(),
                total.in_unit(*sum),
                total.unit
            );
            self.push_at(
                r,
                Kind::ClassOfItems,
                outcome,
                (total.text.clone(), total.in_unit(*sum)),
                message,
                figures,
            );
        }
    }

    /// 数量之和: "共有公务用车1辆，其中：轿车1辆、越野车0辆、载客汽车0辆" — the parts in the
    /// same unit may not exceed the whole, and a closed list ("、" only) must add up to it.
    /// Every 其中 of the sentence is read; the wholes are the counts of the clause right
    /// before it ("国内公务接待40批次、320人次，其中：…"), one per unit.
    fn counts(&mut self, s: &Sentence) {
        let count = lazy_regex!(r"(\d+)(辆|人次|人|批次|次|个|台|套|项|家|篇)");
        let found: Vec<(usize, usize, u64, String)> = count
            .captures_iter(&s.text)
            .filter_map(|c| {
                let m = c.get(1)?;
                // A number glued to a letter, digit or decimal point is not a count.
                if s.text[..m.start()]
                    .chars()
                    .last()
                    .is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '.')
                {
                    return None;
                }
                let end = char_at(&s.text, c.get(0)?.end());
                Some((
                    char_at(&s.text, m.start()),
                    end,
                    m.as_str().parse().ok()?,
                    c[2].to_string(),
                ))
            })
            .collect();
        let chars: Vec<char> = s.text.chars().collect();
        let marks: Vec<usize> = s
            .text
            .match_indices("其中")
            .map(|(b, _)| char_at(&s.text, b))
            .collect();
        for (k, &q) in marks.iter().enumerate() {
            // The clause before 其中: back to the previous "，" "；" "。" "：" (the one right
            // before 其中 aside); a whole further away is not the one broken down.
            let head_end = chars[..q]
                .iter()
                .rposition(|c| !matches!(c, '，' | ',' | ' ' | '（' | '('))
                .map_or(0, |i| i + 1);
            let head_start = chars[..head_end]
                .iter()
                .rposition(|c| matches!(c, '，' | ',' | '；' | ';' | '。' | '：' | ':'))
                .map_or(0, |i| i + 1);
            let next = marks.get(k + 1).copied().unwrap_or(chars.len());
            let stop = chars[q..next]
                .iter()
                .position(|c| *c == '。')
                .map_or(next, |i| q + i);
            let wholes: Vec<&(usize, usize, u64, String)> = found
                .iter()
                .filter(|f| f.0 >= head_start && f.1 <= head_end)
                .collect();
            // The clause must end on its counts ("…40批次、320人次，其中"), not on words
            // after them ("遴选出180个项目参加大会，其中3个…").
            if wholes.last().is_none_or(|w| head_end - w.1 > 1) {
                continue;
            }
            for total in &wholes {
                if wholes.iter().filter(|w| w.3 == total.3).count() > 1 {
                    continue;
                }
                let parts: Vec<&(usize, usize, u64, String)> = found
                    .iter()
                    .filter(|f| f.0 > q && f.1 <= stop && f.3 == total.3)
                    .collect();
                if parts.len() < 2 {
                    continue;
                }
                // A closed list: the parts are separated by "、" only (amounts in between aside).
                let between: String = chars[parts[0].1..parts[parts.len() - 1].0].iter().collect();
                let closed = !between.contains(['；', ';', '。']);
                let sum: u64 = parts.iter().map(|p| p.2).sum();
                let bad = sum > total.2 || (closed && sum != total.2);
                let place = |f: &(usize, usize, u64, String)| Place {
                    line: s.line,
                    start: s.offset + f.0,
                    end: s.offset + f.0 + f.2.to_string().len(),
                };
                let mut figures: Vec<Place> = parts.iter().map(|p| place(p)).collect();
                figures.push(place(total));
                self.push(
                    s,
                    Kind::Counts,
                    if bad { Outcome::Fail } else { Outcome::Pass },
                    (
                        format!("{}{}", total.2, total.3),
                        format!("{sum}{}", total.3),
                    ),
                    format!("合计{}{}，其中各项之和为{sum}{}", total.2, total.3, total.3),
                    figures,
                );
            }
        }
    }

    /// Check a stated percentage against num ÷ den × 100 over the rounding intervals of all
    /// three; `message(expected)` explains the relation. A zero denominator is stated, not
    /// divided.
    #[allow(clippy::too_many_arguments)]
    fn percent(
        &mut self,
        s: &Sentence,
        kind: Kind,
        rate: regex::Match,
        num: (Ratio, Ratio),
        den: (Ratio, Ratio),
        mut figures: Vec<Place>,
        message: &dyn Fn(&str) -> String,
        zero_den: &str,
    ) {
        let Some((r, d)) = number(rate.as_str()) else {
            return;
        };
        figures.push(place_of(s, rate));
        let stated = format!("{}%", rate.as_str());
        let Some((lo, hi)) = ratio_range(num.0, num.1, den.0, den.1) else {
            let outcome = if r.is_zero() {
                Outcome::Pass
            } else {
                Outcome::NotApplicable
            };
            self.push(
                s,
                kind,
                outcome,
                (stated, String::new()),
                zero_den.into(),
                figures,
            );
            return;
        };
        let point = num
            .0
            .checked_div(den.0)
            .and_then(|q| q.checked_mul(Ratio::from_int(100)))
            .unwrap_or_else(|_| mid(lo, hi));
        let expected = format!("{}%", point.to_fixed(2));
        let outcome = if miss(r, half_unit(d, 0), lo, hi).is_zero() {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        let msg = message(&expected);
        self.push(s, kind, outcome, (stated, expected), msg, figures);
    }

    /// 百分点变化: "占37.74%，比上年的35.00%提高2.74个百分点" — the difference of the two
    /// stated rates, within their rounding, and its direction.
    fn point_changes(&mut self, s: &Sentence) {
        for c in point_change_re().captures_iter(&s.text) {
            let (Some((now, dn)), Some((prev, dp)), Some((pp, dd))) =
                (number(&c["now"]), number(&c["prev"]), number(&c["pp"]))
            else {
                continue;
            };
            let diff = now.checked_sub(prev).unwrap_or(Ratio::ZERO);
            let slack = half_unit(dn, 0)
                .checked_add(half_unit(dp, 0))
                .and_then(|h| h.checked_add(half_unit(dd, 0)))
                .unwrap_or(Ratio::ZERO);
            let off = diff.abs().checked_sub(pp).unwrap_or(Ratio::ZERO).abs();
            let word = c["dir"].to_string();
            let up = matches!(word.as_str(), "提高" | "上升" | "增加" | "增长");
            let figures = vec![
                place_of(s, c.name("now").expect("group")),
                place_of(s, c.name("prev").expect("group")),
                place_of(s, c.name("pp").expect("group")),
            ];
            let expected = diff.abs().to_fixed(2);
            self.push(
                s,
                Kind::PointChange,
                if off > slack {
                    Outcome::Fail
                } else {
                    Outcome::Pass
                },
                (c["pp"].to_string(), expected.clone()),
                format!("{}%与上年{}%相差{expected}个百分点", &c["now"], &c["prev"]),
                figures.clone(),
            );
            let wrong_way = diff.abs() > slack && (up != (diff > Ratio::ZERO));
            if wrong_way {
                self.push(
                    s,
                    Kind::Direction,
                    Outcome::Fail,
                    (
                        word.clone(),
                        if diff > Ratio::ZERO {
                            "提高"
                        } else {
                            "下降"
                        }
                        .into(),
                    ),
                    format!(
                        "本年{}%、上年{}%，变化方向与“{word}”不符",
                        &c["now"], &c["prev"]
                    ),
                    figures,
                );
            }
        }
    }

    /// "A占B的比重为Z%" with no amount in between: both named figures must be found (stated
    /// earlier or in this sentence); otherwise nothing is said.
    fn label_shares(&mut self, s: &Sentence, amounts: &[Amount]) {
        for c in label_share_re().captures_iter(&s.text) {
            let find = |name: &str| {
                let name = normalize_label(name);
                amounts
                    .iter()
                    .rev()
                    .find(|a| a.label == name || a.label.ends_with(&name))
                    .or_else(|| self.lookup(&name))
                    .cloned()
            };
            let (Some(num), Some(den)) = (find(&c["num"]), find(&c["den"])) else {
                continue;
            };
            let (n_text, d_text) = (num.shown(), den.shown());
            let (n_label, d_label) = (num.label.clone(), den.label.clone());
            self.percent(
                s,
                Kind::Share,
                c.name("p").expect("group"),
                (num.value, num.half),
                (den.value, den.half),
                vec![num.place, den.place],
                &|e| format!("“{n_label}”{n_text}占“{d_label}”{d_text}应为{e}"),
                "分母为0，占比无法计算",
            );
        }
    }

    /// 预算完成率 = 决算 / 预算.
    fn completions(&mut self, s: &Sentence, amounts: &[Amount]) {
        for c in completion_re().captures_iter(&s.text) {
            let start = char_at(&s.text, c.get(0).expect("match").start());
            let before: Vec<&Amount> = amounts.iter().filter(|a| a.end <= start).collect();
            let rate = c.get(1).expect("group");
            // The budget is stated before the rate, or in a parenthesis right after it:
            // "完成年初预算的104.35%（年初预算为1,150.00万元）".
            let after = char_at(&s.text, c.get(0).expect("match").end());
            let in_parenthesis = || {
                let rest: String = s.text.chars().skip(after).collect();
                if !rest.starts_with(['（', '(']) {
                    return None;
                }
                let close = rest
                    .find(['）', ')'])
                    .map_or(usize::MAX, |b| char_at(&rest, b));
                amounts
                    .iter()
                    .find(|a| a.at > after && a.end <= after + close && is_budget(&a.label))
            };
            let budget = before
                .iter()
                .rev()
                .find(|a| is_budget(&a.label))
                .copied()
                .or_else(in_parenthesis);
            let actual = before.iter().rev().find(|a| !is_other(&a.label)).copied();
            let (Some(actual), Some(budget)) = (actual, budget) else {
                self.push(
                    s,
                    Kind::Completion,
                    Outcome::InsufficientData,
                    (format!("{}%", rate.as_str()), String::new()),
                    "句中没有同时写明决算数和预算数，无法核对完成率".into(),
                    vec![place_of(s, rate)],
                );
                continue;
            };
            let (a_text, b_text) = (actual.shown(), budget.shown());
            self.percent(
                s,
                Kind::Completion,
                rate,
                (actual.value, actual.half),
                (budget.value, budget.half),
                vec![actual.place, budget.place],
                &|e| format!("决算{a_text}÷预算{b_text}应为{e}"),
                "预算数为0，完成率无法计算",
            );
        }
    }
}

/// Audit a disclosure given as text.
pub fn audit(text: &str) -> Audit {
    let text = normalize(text);
    let mut a = Auditor {
        checks: Vec::new(),
        seen: Vec::new(),
        by_label: std::collections::HashMap::new(),
        line_start: 0,
        line: 0,
        stated: Vec::new(),
        text_figures: Vec::new(),
        items: Vec::new(),
        class_totals: Vec::new(),
        class_names: std::collections::HashMap::new(),
        table_values: std::collections::HashMap::new(),
        table_unit: Ratio::ONE,
    };
    let sentences = sentences(&text);
    for s in &sentences {
        a.sentence(s);
    }
    a.narrative_against_tables();
    a.same_figures();
    a.classes_of_items();
    Audit {
        figures: a.seen.len(),
        checks: a.checks,
    }
}

/// The audit as a Chinese text report: failures with their quote, stated and expected value,
/// rounding notes, what could not be checked, and a one-line verdict.
pub fn report_text(a: &Audit, source: &str) -> String {
    use std::fmt::Write;
    let mut s = format!("核对：{source}\n");
    let count = |o: Outcome| a.checks.iter().filter(|c| c.outcome == o).count();
    for (outcome, title) in [
        (Outcome::Fail, "错误"),
        (Outcome::RoundingNote, "尾差提示"),
        (Outcome::ParseError, "无法解析"),
    ] {
        for c in a.checks.iter().filter(|c| c.outcome == outcome) {
            let page = c.page.map(|p| format!("第{p}页")).unwrap_or_default();
            let _ = writeln!(
                s,
                "\n{title}［{}］{page}第{}行（{}）：{}",
                c.kind.label(),
                c.line,
                if c.section.is_empty() {
                    "—"
                } else {
                    &c.section
                },
                c.message
            );
            if !c.stated.is_empty() || !c.expected.is_empty() {
                let _ = writeln!(s, "  填写：{}　应为：{}", c.stated, c.expected);
            }
            let _ = writeln!(s, "  原文：{}", c.quote);
        }
    }
    let _ = writeln!(
        s,
        "\n结论：{}。共核对{}处（通过{}，错误{}，尾差提示{}，数据不足{}，无法解析{}），识别金额{}个。",
        if count(Outcome::Fail) == 0 { "未发现计算错误" } else { "发现计算错误" },
        a.checks.len(),
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::RoundingNote),
        count(Outcome::InsufficientData),
        count(Outcome::ParseError),
        a.figures
    );
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The audit as a self-contained HTML page: the verdict, then every check that did not pass
/// (errors first) with its quote, then the passes.
pub fn report_html(a: &Audit, source: &str) -> String {
    use std::fmt::Write;
    let label = |o: Outcome| match o {
        Outcome::Pass => "通过",
        Outcome::Fail => "错误",
        Outcome::RoundingNote => "尾差提示",
        Outcome::NotApplicable => "不适用",
        Outcome::InsufficientData => "数据不足",
        Outcome::ParseError => "无法解析",
        Outcome::ExecutionError => "执行错误",
    };
    let order = [
        Outcome::Fail,
        Outcome::RoundingNote,
        Outcome::ParseError,
        Outcome::InsufficientData,
        Outcome::NotApplicable,
        Outcome::Pass,
    ];
    let fails = a.failures().count();
    let mut rows = String::new();
    for o in order {
        for c in a.checks.iter().filter(|c| c.outcome == o) {
            let _ = writeln!(
                rows,
                "<tr class=\"{:?}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"quote\">{}</td></tr>",
                o,
                label(o),
                c.kind.label(),
                c.line,
                esc(&c.section),
                esc(&c.stated),
                esc(&c.expected),
                esc(&c.message),
                esc(&c.quote)
            );
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>核对：{src}</title>\n<style>\nbody {{ font-family: \"Noto Sans CJK SC\", \"Microsoft YaHei\", sans-serif; margin: 1.5em; }}\ntable {{ border-collapse: collapse; width: 100%; font-size: 13px; }}\nth, td {{ border: 1px solid #999; padding: 3px 6px; vertical-align: top; }}\ntd.num {{ text-align: right; white-space: nowrap; }}\ntd.quote {{ color: #444; }}\ntr.Fail td {{ background: #fde8e8; }}\ntr.RoundingNote td {{ background: #fff6dd; }}\n</style>\n</head>\n<body>\n<h1>核对：{src}</h1>\n<p class=\"verdict\">{verdict}：共核对{n}处，错误{fails}处。</p>\n<table>\n<thead><tr><th>结果</th><th>核对</th><th>行</th><th>所在部分</th><th>填写</th><th>应为</th><th>说明</th><th>原文</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</body>\n</html>\n",
        src = esc(source),
        verdict = if fails == 0 { "未发现计算错误" } else { "发现计算错误" },
        n = a.checks.len(),
    )
}
