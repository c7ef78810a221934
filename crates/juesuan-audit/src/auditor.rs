//! The auditor: walks the sentences, remembers figures, records checks.

use crate::interval::*;
use crate::model::*;
use crate::text::*;
use juesuan_score::Ratio;

pub(crate) struct Auditor {
    pub(crate) checks: Vec<Check>,
    /// Every amount seen so far, for named denominators and subjects.
    pub(crate) seen: Vec<Amount>,
    /// The latest amount per label (index into `seen`): lookups stay fast on long documents.
    pub(crate) by_label: std::collections::HashMap<String, usize>,
    /// Index in `seen` of the first amount on the current line.
    pub(crate) line_start: usize,
    pub(crate) line: usize,
    /// Figures stated under a specific label in running text, for 前后一致.
    pub(crate) stated: Vec<(Amount, SentenceRef)>,
    /// Every labelled figure of running text, for 正文与表格 (table labels are specific).
    pub(crate) text_figures: Vec<(Amount, SentenceRef)>,
    /// 项 amounts by 类 code, and the 类 totals, for 类与项.
    pub(crate) items: Vec<(String, Vec<Amount>, SentenceRef)>,
    pub(crate) class_totals: Vec<(String, Amount, SentenceRef)>,
    /// 类 names ("科学技术支出") → codes ("206"), learnt from 项 lines.
    pub(crate) class_names: std::collections::HashMap<String, String>,
    /// Table cells "label | amount": label → (value, half, place) of every row with it.
    pub(crate) table_values: std::collections::HashMap<String, Vec<(Ratio, Ratio, Place)>>,
    /// Scale of table numbers to 万元, from the last "单位：…" line.
    pub(crate) table_unit: Ratio,
}

impl Auditor {
    /// Record a check; `values` is (stated, expected) as printed.
    pub(crate) fn push(
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
    pub(crate) fn push_at(
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

    pub(crate) fn lookup(&self, label: &str) -> Option<&Amount> {
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

    pub(crate) fn sentence(&mut self, s: &Sentence) {
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

    /// Keep what document-wide checks need: labelled figures of running text, 项 lines and
    /// 类 totals. Table cells (lines starting with a tab) are left out: a table's target
    /// and actual columns share labels.
    pub(crate) fn remember(&mut self, s: &Sentence, amounts: &[Amount]) {
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
    pub(crate) fn class_code(&self, label: &str) -> Option<String> {
        let name = label.replace("（类）", "");
        self.class_names.get(&name).cloned()
    }

    /// Check a stated percentage against num ÷ den × 100 over the rounding intervals of all
    /// three; `message(expected)` explains the relation. A zero denominator is stated, not
    /// divided.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn percent(
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
