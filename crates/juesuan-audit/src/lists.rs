//! A total stated after its list, without 其中 (issue #11, pattern 14): "办公费10.00万元、
//! 印刷费5.00万元、邮电费3.00万元，合计18.00万元", "行政6人、事业4人、退休12人，共计22人", and a
//! list sentence followed by "共计12万元。". The list is closed (its items are joined by "、"
//! only), so it must add up to the total.

use crate::auditor::Auditor;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;

/// Where the words stating a total stand right before character `at` ("，合计", "。共计为",
/// "，以上共"): the index of the clause mark before them, or 0 at the start of the sentence.
/// `None` when no such words end there.
fn total_before(chars: &[char], at: usize) -> Option<usize> {
    let ends = |i: usize, w: &str| {
        let n = w.chars().count();
        i >= n && chars[i - n..i].iter().copied().eq(w.chars())
    };
    let skip_spaces = |mut i: usize| {
        while i > 0 && chars[i - 1].is_whitespace() {
            i -= 1;
        }
        i
    };
    let mut i = skip_spaces(at.min(chars.len()));
    if i > 0 && matches!(chars[i - 1], '为' | '是') {
        i -= 1;
    }
    let word = ["共计", "合计", "总计", "总共", "共"]
        .into_iter()
        .find(|w| ends(i, w))?;
    i -= word.chars().count();
    if ends(i, "以上") {
        i -= 2;
    }
    let i = skip_spaces(i);
    if i == 0 {
        return Some(0);
    }
    matches!(chars[i - 1], '，' | ',' | '；' | ';').then_some(i - 1)
}

/// A list of amounts that ends its sentence, kept for a total stated in the next sentence.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrailingList {
    pub(crate) line: usize,
    pub(crate) parts: Vec<Amount>,
}

/// Whether an amount is a term of written-out arithmetic ("2人*1万元/年=0.5万元": the 1万元
/// is a factor, the 0.5万元 after "=" is the item's amount).
fn is_operand(chars: &[char], a: &Amount) -> bool {
    let after = chars[a.end.min(chars.len())..]
        .iter()
        .take_while(|c| !matches!(c, '、' | '，' | ',' | '；' | ';' | '。'))
        .any(|c| matches!(c, '=' | '＝' | '×' | '*' | '＊' | '÷' | '+'));
    let before = chars[..a.at.min(chars.len())]
        .iter()
        .rev()
        .take_while(|c| !matches!(c, '、' | '，' | ',' | '；' | ';' | '。' | '='))
        .any(|c| matches!(c, '×' | '*' | '＊' | '÷' | '+'));
    after || before
}

/// The amounts of a "、" list that ends at character `end` of the text: walking back, each
/// item is joined to the next by "、" with no clause break between them.
fn list_before<'a>(chars: &[char], items: &[&'a Amount], end: usize) -> Vec<&'a Amount> {
    let gap = |from: usize, to: usize| -> String { chars[from.min(to)..to].iter().collect() };
    let Some(last) = items.iter().rposition(|a| a.end <= end) else {
        return Vec::new();
    };
    // Between the last item and the total word: only a clause mark and spaces.
    let tail = gap(items[last].end, end);
    if !tail
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '，' | ',' | '；' | ';' | '。' | '.'))
    {
        return Vec::new();
    }
    let mut first = last;
    while first > 0 {
        let between = without_parentheticals(&gap(items[first - 1].end, items[first].at));
        // A table cell ends a list too ("|" of Markdown, a tab).
        if !between.contains('、')
            || between.contains(['，', ',', '；', ';', '。', '：', ':', '|', '\t'])
        {
            break;
        }
        first -= 1;
    }
    // The list's first item opens its clause: an earlier "、" item with a figure or a unit
    // ("元、分会场…2万元", a figure cut by a column of a table) means the enumeration
    // begins before it, with an item not read as an amount. A "、" inside the first item's
    // name ("向学校、社区补助经费2万元") is no such item.
    let clause_start = chars[..items[first].at.min(chars.len())]
        .iter()
        .rposition(|c| matches!(c, '，' | ',' | '；' | ';' | '。' | '：' | ':' | '|' | '\t'))
        .map_or(0, |i| i + 1);
    let prefix = gap(clause_start, items[first].at);
    if let Some(at) = prefix.rfind('、') {
        let earlier = &prefix[..at];
        if earlier.contains(|c: char| c.is_ascii_digit() || c == '元') {
            return Vec::new();
        }
    }
    // An amount before the list only a "，" away may belong to it (a name with a comma in
    // it, "推广，审核等委托费25.92万元"): which items the total covers is then not certain.
    if first > 0 {
        let before = gap(items[first - 1].end, items[first].at);
        if !before.contains(['；', ';', '。', '：', ':', '|', '\t']) {
            return Vec::new();
        }
    }
    items[first..=last].to_vec()
}

/// The text with its closed parentheticals left out ("4.6万元（含电费、印制费）、" → "4.6万元、").
fn without_parentheticals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    // An unclosed parenthesis: its contents may hold a clause break; keep them.
    if depth > 0 {
        return text.to_string();
    }
    out
}

impl Auditor {
    /// 合计在后: a closed "、" list of amounts followed by its total.
    pub(crate) fn list_totals(&mut self, s: &Sentence, amounts: &[Amount]) {
        let trailing = std::mem::take(&mut self.trailing_list);
        if amounts.len() < 2 && trailing.is_none() {
            return;
        }
        // Parts broken down with 其中 are the 其中 check's; a total needs its word.
        let worded = s.has(mark::TOTAL) && !(s.has(mark::QI) && s.text.contains("其中"));
        // Without "、" the sentence holds no list: only a total of the previous one can be.
        let total_of_previous = worded && trailing.is_some();
        if !s.has(mark::DUN) && !total_of_previous {
            return;
        }
        let chars: Vec<char> = s.text.chars().collect();
        // Operands of written-out arithmetic are not items; neither are changes and last
        // year's figures stated with an item.
        let items: Vec<&Amount> = amounts
            .iter()
            .filter(|a| !is_operand(&chars, a) && !is_prior_or_change(&a.label))
            .collect();
        // A total is not an item of a list ("共计15万元 | 差旅费4.58万元、…").
        let pool: Vec<&Amount> = items
            .iter()
            .copied()
            .filter(|a| total_before(&chars, a.at).is_none())
            .collect();
        let mut used_previous = false;
        for total in items.iter().filter(|_| worded) {
            let Some(word_start) = total_before(&chars, total.at) else {
                continue;
            };
            let mut parts = list_before(&chars, &pool, word_start);
            // A sentence that opens with the total: the list is the previous sentence's.
            if parts.is_empty() && word_start == 0 && !used_previous {
                if let Some(prev) = trailing.as_ref().filter(|t| t.line + 1 >= s.line) {
                    parts = prev.parts.iter().collect();
                    used_previous = true;
                }
            }
            if parts.len() < 2 {
                continue;
            }
            let sum = parts.iter().fold(Ratio::ZERO, |acc, a| {
                acc.checked_add(a.value).unwrap_or(acc)
            });
            let slack = parts
                .iter()
                .fold(total.half, |acc, a| acc.checked_add(a.half).unwrap_or(acc));
            let off = sum.checked_sub(total.value).unwrap_or(Ratio::ZERO).abs();
            let mut figures: Vec<Place> = parts.iter().map(|a| a.place).collect();
            figures.push(total.place);
            self.push(
                s,
                Kind::TotalOfParts,
                if off > slack {
                    Outcome::Fail
                } else {
                    Outcome::Pass
                },
                (total.text.clone(), total.in_unit(sum)),
                format!(
                    "所列{}项之和为{}{}，合计写作{}",
                    parts.len(),
                    total.in_unit(sum),
                    total.unit,
                    total.shown()
                ),
                figures,
            );
        }
        // A list that ends this sentence, for a total opening the next one.
        let end = s.text.trim_end().chars().count();
        let list: Vec<Amount> = list_before(&chars, &pool, end)
            .into_iter()
            .cloned()
            .collect();
        // A garbled sentence's list is partial: no total is checked against it.
        if list.len() >= 2 && crate::auditor::garbled(&s.text).is_none() {
            self.trailing_list = Some(TrailingList {
                line: s.line,
                parts: list,
            });
        }
    }

    /// The same for counts: "行政6人、事业4人、退休12人，共计22人".
    pub(crate) fn count_list_totals(&mut self, s: &Sentence) {
        if !s.has(mark::TOTAL | mark::DUN) || (s.has(mark::QI) && s.text.contains("其中")) {
            return;
        }
        let re = lazy_regex!(
            r"(?P<list>(?:[^，,；;。：:、\d]*\d+(?:人次|人|辆|批次|次|个|台|套|家|篇|项)、)+[^，,；;。：:、\d]*\d+(?:人次|人|辆|批次|次|个|台|套|家|篇|项))[，,]\s*(?:共计|合计|总计|总共|共)(?:为|有)?(?P<total>\d+)(?P<unit>人次|人|辆|批次|次|个|台|套|家|篇|项)"
        );
        let count = lazy_regex!(r"(\d+)(人次|人|辆|批次|次|个|台|套|家|篇|项)");
        for c in re.captures_iter(&s.text) {
            let list = c.name("list").expect("group");
            let unit = &c["unit"];
            let parts: Vec<(u64, regex::Match)> = count
                .captures_iter(list.as_str())
                .filter(|p| &p[2] == unit)
                .filter_map(|p| {
                    let m = p.get(1)?;
                    // A number glued to a letter, digit or point is not a count.
                    let glued = list.as_str()[..m.start()]
                        .chars()
                        .last()
                        .is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '.');
                    (!glued).then_some((m.as_str().parse().ok()?, m))
                })
                .collect();
            // Every item of the list in the total's unit: otherwise it is not its breakdown.
            if parts.len() < 2 || parts.len() != list.as_str().matches('、').count() + 1 {
                continue;
            }
            let Ok(total) = c["total"].parse::<u64>() else {
                continue;
            };
            let sum: u64 = parts.iter().map(|p| p.0).sum();
            let at = |start: usize, len: usize| {
                let begin = char_at(&s.text, start);
                Place {
                    line: s.line,
                    start: s.offset + begin,
                    end: s.offset + begin + len,
                }
            };
            let mut figures: Vec<Place> = parts
                .iter()
                .map(|(_, m)| at(list.start() + m.start(), m.as_str().len()))
                .collect();
            let t = c.name("total").expect("group");
            figures.push(at(t.start(), t.as_str().len()));
            self.push(
                s,
                Kind::Counts,
                if sum == total {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                },
                (format!("{total}{unit}"), format!("{sum}{unit}")),
                format!("合计{total}{unit}，所列各项之和为{sum}{unit}"),
                figures,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{audit, Kind, Outcome};

    fn found(text: &str, kind: Kind) -> Vec<(Outcome, String, String)> {
        audit(text)
            .checks
            .into_iter()
            .filter(|c| c.kind == kind)
            .map(|c| (c.outcome, c.stated, c.expected))
            .collect()
    }

    #[test]
    fn a_total_after_its_list() {
        assert_eq!(
            found(
                "办公费10.00万元、印刷费5.00万元、邮电费3.00万元，合计18.00万元。",
                Kind::TotalOfParts
            ),
            vec![(Outcome::Pass, "18.00".into(), "18.00".into())]
        );
        assert_eq!(
            found(
                "办公费10.00万元、印刷费5.00万元、邮电费3.00万元，合计19.00万元。",
                Kind::TotalOfParts
            ),
            vec![(Outcome::Fail, "19.00".into(), "18.00".into())]
        );
    }

    #[test]
    fn a_total_opening_the_next_sentence_and_arithmetic_inside_an_item() {
        let text = "主要用于印制费1万元、劳务费2人*0.25万元/年=0.5万元、差旅费5万元。共计6.5万元。";
        assert_eq!(
            found(text, Kind::TotalOfParts),
            vec![(Outcome::Pass, "6.5".into(), "6.50".into())]
        );
        let wrong = text.replace("共计6.5", "共计8.5");
        assert_eq!(found(&wrong, Kind::TotalOfParts)[0].0, Outcome::Fail);
    }

    #[test]
    fn a_list_broken_by_a_clause_or_a_change_is_not_a_closed_list() {
        // The second figure is a change of the first item, not an item.
        assert!(found(
            "办公费10.00万元，比上年增加2.00万元，合计10.00万元。",
            Kind::TotalOfParts
        )
        .is_empty());
    }

    #[test]
    fn a_table_cell_and_a_total_end_a_list() {
        // Two Markdown cells: planned items with their total, then actual items with theirs.
        let row = "| 差旅费2万元、租车费4万元。共计6万元（控制价） | 差旅费1.5万元、租车费4.5万元。共计6万元 |";
        let found = found(row, Kind::TotalOfParts);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|f| f.0 == Outcome::Pass), "{found:?}");
    }

    #[test]
    fn counts_with_a_total_after_them() {
        assert_eq!(
            found(
                "年末实有行政6人、事业4人、退休12人，共计22人。",
                Kind::Counts
            ),
            vec![(Outcome::Pass, "22人".into(), "22人".into())]
        );
        assert_eq!(
            found("聘用行政3人、工勤2人，合计6人。", Kind::Counts),
            vec![(Outcome::Fail, "6人".into(), "5人".into())]
        );
        // An item in another unit: not the total's breakdown.
        assert!(found("车辆2辆、司机3人，共计5人。", Kind::Counts).is_empty());
    }
}
