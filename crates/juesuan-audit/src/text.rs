//! Reading the text: sentences, stated amounts with their labels and units, percentages.

use crate::model::*;
use juesuan_core::ratio::Ratio;
use regex::Regex;

/// A stated amount, in 万元.
#[derive(Debug, Clone)]
pub(crate) struct Amount {
    pub(crate) label: String,
    pub(crate) value: Ratio,
    /// Half a unit of the last printed digit (of the second decimal for a 万元 figure the
    /// tables print to two decimals).
    pub(crate) half: Ratio,
    pub(crate) text: String,
    /// The unit as printed (元, 万元, 亿元) and its size in 万元: messages and expected
    /// values are given in the unit the document uses.
    pub(crate) unit: &'static str,
    pub(crate) scale: Ratio,
    pub(crate) place: Place,
    /// Character offsets of the number within the sentence.
    pub(crate) at: usize,
    pub(crate) end: usize,
    /// The share stated right after it (占…X%), with its named denominator if any.
    pub(crate) share: Option<Percent>,
}

impl Amount {
    /// The figure as printed, with its unit ("1,580,000.00元").
    pub(crate) fn shown(&self) -> String {
        format!("{}{}", self.text, self.unit)
    }

    /// A value in 万元 written in this figure's unit, to 2 decimals.
    pub(crate) fn in_unit(&self, value: Ratio) -> String {
        value.checked_div(self.scale).unwrap_or(value).to_fixed(2)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Percent {
    pub(crate) value: Ratio,
    pub(crate) half: Ratio,
    pub(crate) text: String,
    pub(crate) denominator: Option<String>,
    pub(crate) place: Place,
}

/// What a document-wide check quotes.
#[derive(Debug, Clone)]
pub(crate) struct SentenceRef {
    pub(crate) line: usize,
    pub(crate) page: Option<usize>,
    pub(crate) section: String,
    pub(crate) quote: String,
}

impl Sentence {
    /// Where characters `at..end` of the sentence stand in the original text.
    pub(crate) fn place(&self, at: usize, end: usize) -> crate::model::Place {
        crate::model::Place {
            line: self.line,
            start: self.offset + at,
            end: self.offset + end,
        }
    }

    /// Whether the text holds every character of `marks` (see [`mark`]).
    pub(crate) fn has(&self, marks: u32) -> bool {
        self.marks & marks == marks
    }

    /// The page of a place in this sentence's line.
    pub(crate) fn page_at(&self, at: usize) -> Option<usize> {
        self.page
            .map(|p| p + self.breaks.iter().filter(|&&b| b < at).count())
    }

    pub(crate) fn reference(&self) -> SentenceRef {
        SentenceRef {
            line: self.line,
            page: self.page,
            section: self.section.clone(),
            quote: self.text.trim().to_string(),
        }
    }
}

pub(crate) struct Sentence {
    pub(crate) text: String,
    pub(crate) line: usize,
    /// The page where the sentence begins.
    pub(crate) page: Option<usize>,
    /// Page breaks inside the sentence (a sentence that runs over a page break keeps the
    /// break at a clause boundary), as character offsets within the line: a figure after
    /// one is printed on the next page.
    pub(crate) breaks: Vec<usize>,
    /// Character offset of the sentence within its line.
    pub(crate) offset: usize,
    pub(crate) section: String,
    /// The enumerated item ("1.", "（2）") the sentence's paragraph belongs to within its
    /// section; empty outside items. Part of a figure's subject (主体).
    pub(crate) item: String,
    /// A table row rather than running text (`auditor::is_table_row`).
    pub(crate) table: bool,
    /// Which of the [`mark`] characters the text holds.
    pub(crate) marks: u32,
}

/// Characters some check's pattern cannot match without (one bit each, or one bit for a
/// group): a sentence that lacks them skips that pattern. Most sentences are headings,
/// table rows or prose without figures, and one pass over their characters is far cheaper
/// than a dozen regex searches or substring tests.
pub(crate) mod mark {
    pub(crate) const YUAN: u32 = 1; // 元
    pub(crate) const PERCENT: u32 = 1 << 1; // %
    pub(crate) const ZHAN: u32 = 1 << 2; // 占
    pub(crate) const COMPARE: u32 = 1 << 3; // 与 比 较
    pub(crate) const PAREN: u32 = 1 << 4; // （ (
    pub(crate) const DOT: u32 = 1 << 5; // .
    pub(crate) const DIRECTION: u32 = 1 << 6; // 增 减 降 升
    pub(crate) const TIAN: u32 = 1 << 7; // 填
    pub(crate) const DAN: u32 = 1 << 8; // 单
    pub(crate) const XIANG: u32 = 1 << 9; // 项
    pub(crate) const QI: u32 = 1 << 10; // 其
    pub(crate) const BAI: u32 = 1 << 11; // 百
    pub(crate) const BU: u32 = 1 << 12; // 部
    pub(crate) const YU: u32 = 1 << 13; // 预
    pub(crate) const SLASH: u32 = 1 << 14; // /
    pub(crate) const LEI: u32 = 1 << 15; // 类
    pub(crate) const EQUALS: u32 = 1 << 16; // = ＝
    pub(crate) const DUN: u32 = 1 << 17; // 、
    pub(crate) const TOTAL: u32 = 1 << 18; // 共 合 总

    pub(crate) fn of(text: &str) -> u32 {
        text.chars().fold(0, |m, c| {
            m | match c {
                '元' => YUAN,
                '%' => PERCENT,
                '占' => ZHAN,
                '与' | '比' | '较' => COMPARE,
                '（' | '(' => PAREN,
                '.' => DOT,
                '增' | '减' | '降' | '升' => DIRECTION,
                '填' => TIAN,
                '单' => DAN,
                '项' => XIANG,
                '其' => QI,
                '百' => BAI,
                '部' => BU,
                '预' => YU,
                '/' => SLASH,
                '类' => LEI,
                '=' | '＝' => EQUALS,
                '、' => DUN,
                '共' | '合' | '总' => TOTAL,
                _ => 0,
            }
        })
    }
}

/// The subject (主体) of a figure: its section, its enumerated item and the last 类/款/项
/// named before it in the sentence ("检察（款）：预算支出合计…" and "住房改革支出（款）：预算
/// 支出合计…" are two quantities under one label).
pub(crate) fn subject_of(s: &Sentence, a: &Amount) -> String {
    let before = &s.text[..byte_at(&s.text, a.at)];
    let named = before.contains(['）', ')']) && before.contains(['类', '款', '项']);
    let level = named
        .then(|| lazy_regex!(r"[^，,；;。：:\s（）()]+[（(]\d*[类款项][）)]"))
        .and_then(|r| r.find_iter(before).last())
        .map_or("", |m| m.as_str());
    // A figure outside any item or 类/款/项 is named by its (long) label alone: a
    // document-wide total restated in another section is the same quantity.
    if s.item.is_empty() && level.is_empty() {
        return String::new();
    }
    format!("{}|{}|{}", s.section, s.item, level)
}

/// A regex compiled once, on first use.
pub(crate) fn amount_re() -> &'static Regex {
    lazy_regex!(r"(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)\s*(亿元|万元|元)")
}

pub(crate) fn share_re() -> &'static Regex {
    lazy_regex!(r"^\s*[，,]?\s*(?:分别)?占([^0-9%，,；;。]*?)(?:的)?(-?\d+(?:\.\d+)?)%")
}

pub(crate) fn change_re() -> &'static Regex {
    lazy_regex!(
        r"(?:(?:与|比|较)(?:(?P<year>\d{4})年(?:度)?|上年(?:度)?|去年|上一年(?:度)?)(?:同期)?(?:的)?(?:决算数?)?(?:(?P<prior>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:亿元|万元|元))?(?:相比|比较)?|同比)[，,]?[^，,；;。%]*?(?P<dir>增加|减少|增长|下降|上升|降低)(?:了)?(?P<delta>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:亿元|万元|元)(?:(?:[，,]\s*(?:同比)?(?:增长|下降|增加|减少|上升|降低)(?:了)?|[，,]\s*(?:增幅|降幅|增长率|下降率|增长幅度|下降幅度)(?:为|达|是)?)(?P<rate>\d+(?:\.\d+)?)%)?"
    )
}

pub(crate) fn completion_re() -> &'static Regex {
    lazy_regex!(
        r"(?:完成(?:了)?(?:年初|全年|调整后?)?预算(?:数)?(?:的)?|(?:决算数?)?(?:为|占)(?:年初|全年|调整后?)?预算(?:数)?的|预算完成率(?:为|达|是)?)(\d+(?:\.\d+)?)%"
    )
}

pub(crate) fn heading_re() -> &'static Regex {
    lazy_regex!(
        r"^(?:#+\s*)?(?:第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+、\s)"
    )
}

/// Full-width digits and signs to ASCII; traditional 萬/億 to 万/亿; Word bookmarks and
/// Markdown escapes removed; spaces between Chinese and digits removed ("减少 48.20 万元，
/// 下降 2.35 %" reads as "减少48.20万元，下降2.35%"), and single spaces between Chinese
/// characters (letter spacing). Lines stay lines, so line numbers are those of the input.
pub fn normalize(text: &str) -> String {
    // Most texts have no bookmark: skip the regex pass over the whole text then.
    let t = if text.contains("[bookmark: ") {
        lazy_regex!(r"\[bookmark: [^\]]*\]").replace_all(text, "")
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let mut out = String::with_capacity(t.len());
    // Spaces seen but not yet written: dropped if they stand between Chinese and a digit.
    let mut spaces = String::new();
    let mut prev = '\n';
    // Characters that stay as they are, with no spaces pending, are copied as whole runs:
    // `run` is where the current run begins (a byte offset in `t`).
    let mut run = 0;
    for (i, c) in t.char_indices() {
        let plain = !matches!(
            c,
            ' ' | '\u{3000}' | '０'..='９' | '％' | '．' | '\\' | '萬' | '億'
        );
        if plain && spaces.is_empty() {
            continue;
        }
        if run < i {
            out.push_str(&t[run..i]);
            prev = t[run..i].chars().next_back().unwrap_or(prev);
        }
        run = i + c.len_utf8();
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '％' => '%',
            '．' => '.',
            '\\' => ' ',
            '萬' => '万',
            '億' => '亿',
            _ => c,
        };
        if c == ' ' || c == '\u{3000}' {
            spaces.push(c);
            continue;
        }
        if !spaces.is_empty() {
            // One space between two Chinese characters is letter spacing of a justified
            // PDF line ("收 入 预 算 合 计21,955.35万 元"); a wider gap separates cells.
            let glue = (prev.is_ascii_digit() && (is_cjk(c) || c == '%'))
                || (is_cjk(prev) && c.is_ascii_digit())
                || (spaces == " " && is_cjk(prev) && is_cjk(c));
            if !glue || prev == '\n' {
                out.push_str(&spaces);
            }
            spaces.clear();
        }
        out.push(c);
        prev = c;
    }
    // A run reaches the end only with no spaces pending.
    out.push_str(&t[run..]);
    out.push_str(&spaces);
    out
}

/// A Chinese character or full-width punctuation (“占“三公”经费的 8.75%” has “的” before
/// the space, "（ 2 ）" has "（").
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3001}'..='\u{303f}' | '\u{ff01}'..='\u{ff5e}' | '“' | '”' | '‘' | '’')
}

pub(crate) fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut item = String::new();
    let item_re = lazy_regex!(r"^(（\d+）|\(\d+\)|\d+[.、．])\D");
    let paged = text.contains('\u{c}');
    let mut page = 1;
    for (n, line) in text.lines().enumerate() {
        // The page at the start of the line; breaks inside it count from where they stand.
        let line_page = page;
        page += line.matches('\u{c}').count();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        // A heading opens with "#", 第, a Chinese numeral, "（" or a digit: test that first.
        let opens = trimmed.starts_with(|c: char| {
            matches!(c, '#' | '第' | '（') || c.is_numeric() || "一二三四五六七八九十".contains(c)
        });
        if opens && heading_re().is_match(trimmed) && trimmed.chars().count() < 60 {
            section = trimmed.trim_start_matches('#').trim().to_string();
            item.clear();
        } else if let Some(c) = trimmed
            .starts_with(|c: char| c.is_numeric() || c == '（' || c == '(')
            .then(|| item_re.captures(trimmed))
            .flatten()
        {
            item = c[1].to_string();
        } else {
            // An item is its own paragraph (one line once the readers join wrapped lines).
            item.clear();
        }
        let breaks: Vec<usize> = if line.contains('\u{c}') {
            line.chars()
                .enumerate()
                .filter(|(_, c)| *c == '\u{c}')
                .map(|(i, _)| i)
                .collect()
        } else {
            Vec::new()
        };
        let mut offset = 0;
        for part in line.split_inclusive('。') {
            let chars = part.chars().count();
            if part.trim().chars().count() > 1 {
                // Breaks before the sentence's first visible character put it on a later page.
                let lead = part.chars().take_while(|c| c.is_whitespace()).count();
                let before = breaks.iter().filter(|&&b| b < offset + lead).count();
                out.push(Sentence {
                    text: part.to_string(),
                    line: n + 1,
                    page: paged.then_some(line_page + before),
                    breaks: breaks
                        .iter()
                        .copied()
                        .filter(|&b| b >= offset + lead && b < offset + chars)
                        .collect(),
                    offset,
                    section: section.clone(),
                    item: item.clone(),
                    table: crate::auditor::table_row_text(part),
                    marks: mark::of(part),
                });
            }
            offset += chars;
        }
    }
    out
}

/// "一、一般公共预算财政拨款收入" → "一般公共预算财政拨款收入"; "1.因公出国（境）费" → "因公出国（境）费".
pub(crate) fn strip_enumerator(label: &str) -> String {
    let e = lazy_regex!(
        r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\d+\s*[.、．])\s*"
    );
    let t = label.trim();
    // Only a label opening like an enumerator can have one: no regex for the others.
    if !t.starts_with(|c: char| c.is_numeric() || c == '（' || "一二三四五六七八九十".contains(c))
    {
        return t.trim_start_matches('　').trim().to_string();
    }
    e.replace(t, "").trim_start_matches('　').trim().to_string()
}

/// Parse a printed decimal; with its count of decimals.
pub(crate) fn number(text: &str) -> Option<(Ratio, u32)> {
    // Thousands separators ("1,234.56") are printing, not precision.
    let text = if text.contains(',') {
        std::borrow::Cow::Owned(text.replace(',', ""))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let decimals = text.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    Ratio::parse(&text).ok().map(|r| (r, decimals))
}

/// Half a unit of the last printed digit; 万元 figures are taken as printed to at least 2
/// decimals (trailing zeros are often dropped: "57.5万元" is 57.50).
///
/// Beyond 18 decimals the half unit of 18 decimals is used: no published figure has so many
/// (a fuzzed "0.000…0元" with 38 did), exact arithmetic on 10^38 would overflow, and a wider
/// interval can only let a check pass, never report a false error.
pub(crate) fn half_unit(decimals: u32, floor_decimals: u32) -> Ratio {
    const MOST: usize = 18;
    let d = (decimals.max(floor_decimals) as usize).min(MOST);
    // 1/(2·10^d), computed once.
    static HALVES: std::sync::OnceLock<Vec<Ratio>> = std::sync::OnceLock::new();
    let halves = HALVES.get_or_init(|| {
        (0..=MOST as u32)
            .map(|d| Ratio::new(1, 2 * 10i128.pow(d)).expect("nonzero"))
            .collect()
    });
    halves[d]
}

/// Character index → byte index in `s`.
pub(crate) fn byte_at(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(b, _)| b)
}

pub(crate) fn char_at(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

pub(crate) fn normalize_label(raw: &str) -> String {
    // "本部门2022年度一般公共预算财政拨款支出" names the same figure as
    // "2022年度一般公共预算财政拨款支出": the unit and the year are not part of the name.
    // The pattern can only match a label opening with 本/我/全 or a digit: skip it otherwise.
    let raw = raw.trim();
    if !raw.starts_with(|c: char| matches!(c, '本' | '我' | '全') || c.is_numeric()) {
        return label_tail(raw);
    }
    let t = lazy_regex!(
        r"^\s*(?:(?:本部门|本单位|我部门|我单位|本局|我局|全年)?\s*\d{4}年(?:度)?(?:本部门|本单位|全年)?|本部门|本单位|我部门|我单位)"
    )
    .replace(raw, "");
    label_tail(&t)
}

/// The rest of [`normalize_label`]: 其中 and punctuation before, 为/是/共计 after.
fn label_tail(t: &str) -> String {
    // The same as `trim_start_matches("其中")` etc., without building a substring searcher
    // for each of these short labels.
    let t = strip_all_prefix(t, "其中").trim_start_matches(['：', ':', '，', ',']);
    let t = t.trim_end_matches(['为', '是', '：', ':', ' ']);
    strip_all_suffix(strip_all_suffix(t, "共计"), "合计为")
        .trim()
        .to_string()
}

/// `t.trim_start_matches(p)` for a string `p`.
fn strip_all_prefix<'a>(mut t: &'a str, p: &str) -> &'a str {
    while let Some(rest) = t.strip_prefix(p) {
        t = rest;
    }
    t
}

/// `t.trim_end_matches(p)` for a string `p`.
fn strip_all_suffix<'a>(mut t: &'a str, p: &str) -> &'a str {
    while let Some(rest) = t.strip_suffix(p) {
        t = rest;
    }
    t
}

/// A figure that is not this year's actual: a budget, last year's figure ("与2020年…相比",
/// "比上年…"), or a change ("增加…", "同比减少…").
pub(crate) fn is_other(label: &str) -> bool {
    is_budget(label)
        || label.starts_with(['与', '比', '较'])
        || label.starts_with("上年")
        || is_change(label)
}

/// Last year's figure or a change: "与上年相比增加", "比上年预算减少", "上年".
pub(crate) fn is_prior_or_change(label: &str) -> bool {
    label.starts_with(['与', '比', '较']) || label.starts_with("上年") || is_change(label)
}

/// A change rather than a level: "比年初预算320.00万元减少", "同比增加".
pub(crate) fn is_change(label: &str) -> bool {
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

pub(crate) fn point_change_re() -> &'static Regex {
    lazy_regex!(
        r"(?P<now>\d+(?:\.\d+)?)%[，,]?\s*(?:比|较|与)(?:上年(?:度)?|去年|上一年(?:度)?|\d{4}年(?:度)?)(?:同期)?(?:的)?(?P<prev>\d+(?:\.\d+)?)%(?:相比)?[，,]?(?P<dir>提高|上升|增加|增长|下降|降低|减少)(?:了)?(?P<pp>\d+(?:\.\d+)?)个百分点"
    )
}

/// "一般公共预算财政拨款支出占本年支出合计的比重为96.17%": a share between two named figures.
pub(crate) fn label_share_re() -> &'static Regex {
    lazy_regex!(
        r"(?:^|[，,；;。：:])\s*(?P<num>[^，,；;。：:0-9%（）()]{2,40}?)占(?P<den>[^，,；;。：:0-9%]{2,40}?)的(?:比重|比例|份额)?(?:为|是|达)?(?P<p>\d+(?:\.\d+)?)%"
    )
}

/// A budget figure (预算数) rather than an actual one: "年初预算为", "预算数为" — but not
/// "一般公共预算财政拨款支出决算数", whose 预算 names the fund.
pub(crate) fn is_budget(label: &str) -> bool {
    !label.contains("决算")
        && !is_change(label)
        && (label.ends_with("预算")
            || label.ends_with("预算数")
            || label.contains("年初预算")
            || label.contains("全年预算")
            || label.contains("调整预算"))
}

/// A 万元 or 亿元 figure stands for any value within half a unit of its last printed digit
/// ("28.1万元" is 28.05 to 28.15); but when the document's tables print the same value to
/// two decimals ("110万元" in the text, "110.00" in a table), the text dropped trailing
/// zeros of that exact figure, and it is taken to two decimals. `precise` holds the values
/// (in the table's own unit) that tables print with two or more decimals.
pub(crate) fn amounts_in(s: &Sentence, precise: &std::collections::HashSet<Ratio>) -> Vec<Amount> {
    let mut out = Vec::new();
    // Every amount ends in 元: most sentences (headings, table rows, prose) have none.
    if !s.has(mark::YUAN) {
        return out;
    }
    // Matches without captures (the capture engine costs more than the search): the unit is
    // the match's end (the character before 万元/亿元 can only be a digit or a space, so the
    // longest unit is the one matched) and the number is the rest before the spaces.
    for whole in amount_re().find_iter(&s.text) {
        let unit_text = ["亿元", "万元", "元"]
            .into_iter()
            .find(|u| whole.as_str().ends_with(u))
            .expect("a match ends with its unit");
        let num_text = whole.as_str()[..whole.len() - unit_text.len()].trim_end();
        let num = Span {
            start: whole.start(),
            text: num_text,
        };
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
        let floor = if decimals < 2 && precise.contains(&value) {
            2
        } else {
            0
        };
        let (scale, floor, unit) = match unit_text {
            "亿元" => (Ratio::new(10_000, 1).expect("nonzero"), floor, "亿元"),
            "元" => (Ratio::new(1, 10_000).expect("nonzero"), 0, "元"),
            _ => (Ratio::ONE, floor, "万元"),
        };
        // × 1 (万元, the usual unit) is the value itself.
        let value = if scale == Ratio::ONE {
            value
        } else {
            value.checked_mul(scale).unwrap_or(value)
        };
        let half = half_unit(decimals, floor);
        let half = if scale == Ratio::ONE {
            half
        } else {
            half.checked_mul(scale).unwrap_or(Ratio::ZERO)
        };
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
        let share = opens_share(rest)
            .then(|| share_re().captures(rest))
            .flatten()
            .and_then(|c| {
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

/// Where the number of an amount stands in the sentence (byte offset) and its text.
struct Span<'a> {
    start: usize,
    text: &'a str,
}

impl<'a> Span<'a> {
    fn start(&self) -> usize {
        self.start
    }

    fn as_str(&self) -> &'a str {
        self.text
    }
}

/// Whether `rest` can open with what `share_re` reads ("，占…%", "分别占…%"): whitespace,
/// a comma, whitespace, "分别", then 占 — checked without running the regex.
fn opens_share(rest: &str) -> bool {
    let r = rest.trim_start();
    let r = r.strip_prefix(['，', ',']).unwrap_or(r).trim_start();
    let r = r.strip_prefix("分别").unwrap_or(r);
    r.starts_with('占') && r.contains('%')
}

/// Where a regex match stands in the original line.
pub(crate) fn place_of(s: &Sentence, m: regex::Match) -> Place {
    let start = char_at(&s.text, m.start());
    Place {
        line: s.line,
        start: s.offset + start,
        end: s.offset + start + m.as_str().chars().count(),
    }
}
