//! Across the document: table rows, narrative against tables, the same figure stated twice,
//! 类 against its 项.

use crate::auditor::Auditor;
use crate::interval::*;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;
use std::rc::Rc;

impl Auditor {
    /// Keep the "label, amount" pairs of a table row: a text cell followed by a number.
    pub(crate) fn table_row(&mut self, s: &Sentence) {
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
            cells.push((cell.trim(), offset + lead));
            offset += cell.chars().count() + 1;
        }
        // A label cell and every number cell after it (a row may have several columns:
        // 预算数, 决算数…); all are kept, the narrative may state any of them.
        for (i, (label, _)) in cells.iter().enumerate() {
            if label.is_empty() || is_number_cell(num, label) {
                continue;
            }
            let label = strip_enumerator(label);
            if label.chars().count() < 4 || ["合计", "总计", "小计"].contains(&label.as_str())
            {
                continue;
            }
            for (value, at) in cells[i + 1..]
                .iter()
                .take_while(|(v, _)| is_number_cell(num, v))
            {
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
    /// Figures already compared by concept (`done`, by place) are not compared again.
    pub(crate) fn narrative_against_tables(
        &mut self,
        done: &std::collections::HashSet<(usize, usize)>,
    ) {
        let stated = self.text_figures.clone();
        for (a, r) in &stated {
            if done.contains(&(a.place.line, a.place.start)) {
                continue;
            }
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

    /// The same labelled figure of the same subject stated twice must agree (within
    /// rounding). The same words under another section, item or 款 name another quantity
    /// ("上年当年预算执行数" of each project).
    pub(crate) fn same_figures(&mut self) {
        type Stated = (Rc<Amount>, Rc<SentenceRef>);
        let mut by: std::collections::BTreeMap<(String, String), Vec<Stated>> =
            std::collections::BTreeMap::new();
        for (subject, a, r) in &self.stated {
            by.entry((subject.clone(), a.label.clone()))
                .or_default()
                .push((a.clone(), r.clone()));
        }
        for ((_, label), list) in by {
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
    pub(crate) fn classes_of_items(&mut self) {
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
        let totals: Vec<(String, Rc<Amount>, Rc<SentenceRef>)> =
            std::mem::take(&mut self.class_totals)
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
}

/// `num.is_match(cell)` for the number pattern of `table_row`, decided without the regex
/// for an ASCII cell (almost all): "-1,234.56", "12", "0.5"; other cells ask the regex
/// (its \d is any Unicode digit).
fn is_number_cell(num: &regex::Regex, cell: &str) -> bool {
    if !cell.is_ascii() {
        return num.is_match(cell);
    }
    let digits = |b: &[u8]| !b.is_empty() && b.iter().all(u8::is_ascii_digit);
    let b = cell.as_bytes();
    let b = b.strip_prefix(b"-").unwrap_or(b);
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    if frac.is_some_and(|f| !digits(f)) {
        return false;
    }
    if digits(int) {
        return true;
    }
    // Thousands groups: 1–3 digits, then one or more ",ddd".
    let mut groups = int.split(|&c| c == b',');
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len())
        && digits(first)
        && int.contains(&b',')
        && groups.all(|g| g.len() == 3 && digits(g))
}

#[cfg(test)]
mod tests {
    #[test]
    fn number_cells_are_decided_as_the_pattern_decides() {
        let num = regex::Regex::new(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$").expect("valid");
        for cell in [
            "0",
            "12",
            "-12",
            "1.5",
            "-0.25",
            "1,234",
            "12,345.67",
            "123,456,789",
            "1234,567",
            "1,23",
            "1,2345",
            ",123",
            "1,",
            "1.",
            ".5",
            "-",
            "--1",
            "1.2.3",
            "1,234.",
            "1e3",
            "",
            "٣",
            "１２",
            "12.５",
            "1 234",
            "+1",
        ] {
            assert_eq!(
                super::is_number_cell(&num, cell),
                num.is_match(cell),
                "{cell:?}"
            );
        }
    }
}
