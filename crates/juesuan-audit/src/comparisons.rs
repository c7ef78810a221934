//! 比较用语 (issue #11, pattern 10): words that compare two stated figures, checked against
//! them — "决算数大于预算数", "决算数等于预算数", "与上年6.00万元持平", "比上年3.00万元增加".
//! A word is wrong only when no values within the figures' rounding make it true.

use crate::auditor::Auditor;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Greater,
    Less,
    Equal,
}

impl Relation {
    /// Whether some values within the two figures' rounding stand in this relation.
    fn possible(self, a: &Amount, b: &Amount) -> bool {
        let lo = |x: &Amount| x.value.checked_sub(x.half).unwrap_or(x.value);
        let hi = |x: &Amount| x.value.checked_add(x.half).unwrap_or(x.value);
        match self {
            Relation::Greater => hi(a) > lo(b),
            Relation::Less => lo(a) < hi(b),
            Relation::Equal => hi(a) >= lo(b) && lo(a) <= hi(b),
        }
    }

    fn of(a: Ratio, b: Ratio) -> Relation {
        match a.cmp(&b) {
            std::cmp::Ordering::Greater => Relation::Greater,
            std::cmp::Ordering::Less => Relation::Less,
            std::cmp::Ordering::Equal => Relation::Equal,
        }
    }
}

impl Auditor {
    pub(crate) fn comparisons(&mut self, s: &Sentence, amounts: &[Amount]) {
        if amounts.len() < 2 {
            return;
        }
        self.actual_against_budget(s, amounts);
        self.against_prior_year(s, amounts);
    }

    /// "决算数大于（小于、等于）预算数", "决算数与年初预算数一致": the actual against the budget
    /// the words name, both stated before them in the sentence.
    fn actual_against_budget(&mut self, s: &Sentence, amounts: &[Amount]) {
        // The words name a budget (预): most sentences have none.
        if !s.has(mark::YU) || (!s.text.contains("决算") && !s.text.contains("执行数")) {
            return;
        }
        let re = lazy_regex!(
            r"(?:决算数?|执行数|实际支出数?)(?P<rel>大于|小于|等于|高于|低于|超过|超出|多于|少于|与)(?P<budget>年初预算|调整预算|全年预算|调整后预算|预算)数?(?P<tail>相等|一致|持平|相同)?"
        );
        for c in re.captures_iter(&s.text) {
            let rel_word = c.name("rel").expect("group").as_str();
            let relation = match rel_word {
                "大于" | "高于" | "超过" | "超出" | "多于" => Relation::Greater,
                "小于" | "低于" | "少于" => Relation::Less,
                "等于" => Relation::Equal,
                _ if c.name("tail").is_some() => Relation::Equal,
                _ => continue,
            };
            let start = char_at(&s.text, c.get(0).expect("match").start());
            let named = c.name("budget").expect("group").as_str();
            let qualifier = named.strip_suffix("预算").unwrap_or("");
            let before: Vec<&Amount> = amounts.iter().filter(|a| a.end <= start).collect();
            let budgets: Vec<&&Amount> = before
                .iter()
                .filter(|a| is_budget(&a.label) && a.label.contains(qualifier))
                .collect();
            let actuals: Vec<&&Amount> = before
                .iter()
                .filter(|a| !is_other(&a.label) && !a.label.contains("预算数"))
                .collect();
            // One budget of the named kind and one actual: otherwise which two are compared
            // is not certain.
            let ([budget], Some(actual)) = (budgets.as_slice(), actuals.last()) else {
                continue;
            };
            let words = c.get(0).expect("match");
            self.compare(s, words.as_str(), relation, actual, budget);
        }
    }

    /// "与上年6.00万元持平", "比上年3.00万元有所增加": this year's figure (the one before, in
    /// the sentence) against the prior-year figure the words follow. A change amount after
    /// the word ("增加2.00万元") is the change checks' business.
    fn against_prior_year(&mut self, s: &Sentence, amounts: &[Amount]) {
        if !s.has(mark::COMPARE) {
            return;
        }
        let after = lazy_regex!(
            r"^(?:相比|相较)?[，,]?(?:有所|略有)?(?P<word>持平|相同|一致|相等|增加|增长|上升|提高|减少|下降|降低)(?P<next>\d)?"
        );
        let prior =
            lazy_regex!(r"^(?:比|较|与)(?:上年|去年|上一年|\d{4}年)(?:度)?(?:同期)?(?:的)?$");
        for (i, p) in amounts.iter().enumerate() {
            if !prior.is_match(&p.label) {
                continue;
            }
            let rest = &s.text[byte_at(&s.text, p.end)..];
            let Some(c) = after.captures(rest) else {
                continue;
            };
            if c.name("next").is_some() {
                continue;
            }
            let Some(now) = amounts[..i].iter().rev().find(|a| !is_other(&a.label)) else {
                continue;
            };
            let word = c.name("word").expect("group");
            let relation = match word.as_str() {
                "增加" | "增长" | "上升" | "提高" => Relation::Greater,
                "减少" | "下降" | "降低" => Relation::Less,
                _ => Relation::Equal,
            };
            self.compare(s, word.as_str(), relation, now, p);
        }
    }

    /// Record whether `words` (the relation of `a` to `b`) can hold for the two figures.
    fn compare(&mut self, s: &Sentence, words: &str, relation: Relation, a: &Amount, b: &Amount) {
        let holds = relation.possible(a, b);
        let actual = Relation::of(a.value, b.value);
        let expected = match (actual, words.contains("决算")) {
            (Relation::Greater, true) => "决算数大于预算数",
            (Relation::Less, true) => "决算数小于预算数",
            (Relation::Equal, true) => "决算数等于预算数",
            (Relation::Greater, false) => "增加",
            (Relation::Less, false) => "减少",
            (Relation::Equal, false) => "持平",
        };
        // The figures are the two numbers (the words are quoted in `stated`).
        let figures = vec![a.place, b.place];
        self.push(
            s,
            Kind::Comparison,
            if holds { Outcome::Pass } else { Outcome::Fail },
            (words.to_string(), expected.to_string()),
            format!(
                "{}与{}相比，应写作“{expected}”，原文为“{}”",
                a.shown(),
                b.shown(),
                words
            ),
            figures,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::{audit, Kind, Outcome};

    fn comparisons(text: &str) -> Vec<(Outcome, String, String)> {
        audit(text)
            .checks
            .into_iter()
            .filter(|c| c.kind == Kind::Comparison)
            .map(|c| (c.outcome, c.stated, c.expected))
            .collect()
    }

    #[test]
    fn actual_against_budget_words() {
        let ok = comparisons(
            "行政运行（项）年初预算为120.00万元，支出决算为120.00万元，决算数等于预算数。",
        );
        assert_eq!(ok[0].0, Outcome::Pass);
        let wrong = comparisons(
            "机关服务（项）年初预算为80.00万元，支出决算为70.00万元，决算数等于预算数。",
        );
        assert_eq!(
            wrong,
            vec![(
                Outcome::Fail,
                "决算数等于预算数".into(),
                "决算数小于预算数".into()
            )]
        );
        let over =
            comparisons("支出决算数为450.00万元，年初预算数为460.00万元，决算数大于年初预算数。");
        assert_eq!(over[0].0, Outcome::Fail);
        // Equal as printed: either way is possible within the rounding.
        assert_eq!(
            comparisons("年初预算为80.00万元，支出决算为80.00万元，决算数大于预算数。")[0].0,
            Outcome::Pass
        );
    }

    #[test]
    fn two_budgets_and_a_plain_budget_word_are_not_guessed() {
        assert!(comparisons(
            "年初预算为80.00万元，调整预算为90.00万元，支出决算为85.00万元，决算数大于预算数。"
        )
        .is_empty());
        // Naming one of them decides.
        assert_eq!(
            comparisons(
                "年初预算为80.00万元，调整预算为90.00万元，支出决算为85.00万元，决算数大于年初预算数。"
            )[0]
            .0,
            Outcome::Pass
        );
    }

    #[test]
    fn level_with_or_above_last_year() {
        assert_eq!(
            comparisons("公务接待费支出3.00万元，比上年3.00万元持平。")[0].0,
            Outcome::Pass
        );
        assert_eq!(
            comparisons("公务用车运行维护费支出5.00万元，与上年6.00万元持平。"),
            vec![(Outcome::Fail, "持平".into(), "减少".into())]
        );
        assert_eq!(
            comparisons("会议费支出2.00万元，比上年3.00万元有所增加。"),
            vec![(Outcome::Fail, "增加".into(), "减少".into())]
        );
        // A change amount after the word is the change checks' business.
        assert!(comparisons("会议费支出2.00万元，比上年3.00万元减少1.00万元。").is_empty());
        // No figure for last year: nothing to compare.
        assert!(comparisons("会议费支出2.00万元，与上年持平。").is_empty());
    }
}
