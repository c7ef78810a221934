//! Year-on-year changes, percentage-point changes and budget completion rates.

use crate::auditor::Auditor;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;

impl Auditor {
    /// 同比增减额、增减率、方向.
    /// The figure that changed: the last amount before the phrase, in this sentence or an
    /// earlier sentence of the same paragraph ("…总计686.54万元。与2020年相比…").
    fn changed_figure(&self, s: &Sentence, amounts: &[Amount], start: usize) -> Option<Amount> {
        amounts
            .iter()
            .rev()
            .find(|a| a.end <= start)
            .or_else(|| {
                let earlier = &self.seen[self.line_start..];
                earlier
                    .iter()
                    .rev()
                    .find(|a| a.place.line == s.line && !is_budget(&a.label))
                    .or_else(|| {
                        // In a budget (预算) the figure that changed is itself a budget:
                        // "项目支出预算数为4,200.00万元。与上年相比增加…", when the
                        // sentence before states no actual.
                        earlier
                            .iter()
                            .rfind(|a| a.place.line == s.line)
                            .filter(|a| is_budget(&a.label))
                    })
            })
            .cloned()
    }

    /// The change amount and its direction against the stated prior-year figure.
    fn against_prior(&mut self, s: &Sentence, change: &Change<'_>, p: &Amount, figures: &[Place]) {
        let diff = change
            .current
            .value
            .checked_sub(p.value)
            .unwrap_or(Ratio::ZERO);
        let slack = change
            .current
            .half
            .checked_add(p.half)
            .and_then(|h| h.checked_add(change.delta.half))
            .unwrap_or(Ratio::ZERO);
        let off = diff
            .abs()
            .checked_sub(change.delta.value)
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
            (change.delta.text.clone(), change.delta.in_unit(diff.abs())),
            format!(
                "{}与{}年{}之差应为{}{}",
                change.current.shown(),
                change.year,
                p.shown(),
                change.delta.in_unit(diff.abs()),
                change.delta.unit
            ),
            figures.to_vec(),
        );
        let wrong_way =
            (change.up && diff < Ratio::ZERO && diff.abs() > slack) || (!change.up && diff > slack);
        if wrong_way {
            self.push(
                s,
                Kind::Direction,
                Outcome::Fail,
                (
                    change.word.to_string(),
                    if diff > Ratio::ZERO {
                        "增加".into()
                    } else {
                        "减少".into()
                    },
                ),
                format!(
                    "本年{}、上年{}，增减方向与“{}”不符",
                    change.current.shown(),
                    p.shown(),
                    change.word
                ),
                figures.to_vec(),
            );
        }
    }

    pub(crate) fn changes(&mut self, s: &Sentence, amounts: &[Amount]) {
        // A change states its amount (…元) after 与/比/较 or 同比: skip the regex without them.
        if !s.has(mark::YUAN | mark::COMPARE) {
            return;
        }
        for c in change_re().captures_iter(&s.text) {
            let start = char_at(&s.text, c.get(0).expect("match").start());
            let current = self.changed_figure(s, amounts, start);
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
                let change = Change {
                    current,
                    delta,
                    word: &word,
                    year: &year,
                    up,
                };
                self.against_prior(s, &change, p, &figures);
            }
            // This year's 0 with a stated increase ("收入0万元，比上年增加120.00万元") makes
            // last year negative: no amount can be that.
            if prior.is_none() && up && current.value.is_zero() && !delta.value.is_zero() {
                self.push(
                    s,
                    Kind::ChangeAmount,
                    Outcome::Fail,
                    (delta.text.clone(), "0.00".into()),
                    format!(
                        "本年{}，比上年增加{}，上年数将为负数，增减额或本年数有误",
                        current.shown(),
                        delta.shown()
                    ),
                    figures.clone(),
                );
                continue;
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
            // Last year 0 (stated, or the whole of this year is the increase): a new item
            // has no growth rate, "增长100%" included.
            if base.0.is_zero() && number(rate.as_str()).is_some_and(|(r, _)| !r.is_zero()) {
                let mut figures = figures;
                figures.push(place_of(s, rate));
                self.push(
                    s,
                    Kind::ChangeRate,
                    Outcome::Fail,
                    (
                        format!("{}%", rate.as_str()),
                        "无法计算（上年数为0）".into(),
                    ),
                    format!(
                        "本年{}、增加{}，上年数为0，增减率无法计算，不能写作{}%",
                        current.shown(),
                        delta.shown(),
                        rate.as_str()
                    ),
                    figures,
                );
                continue;
            }
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

    /// A rate stated without its change amount (issue #11, pattern 12): "2022年执行数为A万元，
    /// 2023年预算安排B万元，比执行数增加R%" — R = |B − A| ÷ A, where A is the one figure of the
    /// sentence its label names as the comparison base (执行数, 上年…) and B the other one.
    /// Only a sentence with exactly those two figures before the phrase is checked.
    pub(crate) fn bare_rates(&mut self, s: &Sentence, amounts: &[Amount]) {
        if !s.has(mark::COMPARE | mark::PERCENT | mark::DIRECTION) {
            return;
        }
        let re = lazy_regex!(
            r"(?:比|较)(?P<base>上年(?:度)?(?:执行数|预算数|决算数|预算|决算)?|去年|上一年(?:度)?|执行数|决算数)(?:的)?(?P<dir>增加|增长|上升|下降|减少|降低)(?:了)?(?P<rate>\d+(?:\.\d+)?)%"
        );
        for c in re.captures_iter(&s.text) {
            let start = char_at(&s.text, c.get(0).expect("match").start());
            let before: Vec<&Amount> = amounts.iter().filter(|a| a.end <= start).collect();
            let [first, second] = before.as_slice() else {
                continue;
            };
            let names_base = |a: &Amount| {
                a.label.contains("执行数") || a.label.contains("上年") || a.label.contains("上一年")
            };
            let (base, now) = match (names_base(first), names_base(second)) {
                (true, false) => (*first, *second),
                (false, true) => (*second, *first),
                _ => continue,
            };
            let rate = c.name("rate").expect("group");
            let word = c.name("dir").map_or("", |m| m.as_str());
            self.rate_between(s, word, (base, now), rate, "");
        }
    }

    /// Parallel rates (issue #11, pattern 12): "2022年执行数分别为110.00万元、60.00万元，2023年
    /// 预算分别为100.00万元、48.00万元，分别下降9.09%、20.00%" — n rates, each from the i-th
    /// figure of two "、" lists of n amounts stated before them. Which list is the base is
    /// told by its label (上年, 执行数, or the earlier year); otherwise nothing is checked.
    pub(crate) fn parallel_rates(&mut self, s: &Sentence, amounts: &[Amount]) {
        if amounts.len() < 4 || !s.has(mark::PERCENT | mark::DIRECTION) {
            return;
        }
        let re = lazy_regex!(
            r"(?:分别|各)(?:比上年|较上年)?(?P<dir>增加|增长|上升|下降|减少|降低)(?:了)?(?P<rates>\d+(?:\.\d+)?%(?:、\d+(?:\.\d+)?%)+)"
        );
        let rate = lazy_regex!(r"\d+(?:\.\d+)?");
        let year_re = lazy_regex!(r"(\d{4})年");
        for c in re.captures_iter(&s.text) {
            let rates_group = c.name("rates").expect("group");
            let rates: Vec<regex::Match> = rate
                .find_iter(&s.text[..rates_group.end()])
                .filter(|m| m.start() >= rates_group.start())
                .collect();
            let n = rates.len();
            let start = char_at(&s.text, c.get(0).expect("match").start());
            // "、" lists of amounts before the rates, nearest last.
            let chars: Vec<char> = s.text.chars().collect();
            let mut groups: Vec<Vec<&Amount>> = Vec::new();
            for a in amounts.iter().filter(|a| a.end <= start) {
                let joined = groups.last().and_then(|g| g.last()).is_some_and(|p| {
                    let gap: String = chars[p.end..a.at].iter().collect();
                    matches!(gap.trim(), "、" | "和" | "与")
                });
                if joined {
                    groups.last_mut().expect("joined to one").push(a);
                } else {
                    groups.push(vec![a]);
                }
            }
            let lists: Vec<&Vec<&Amount>> = groups.iter().filter(|g| g.len() == n).collect();
            let [first, second] = lists.as_slice() else {
                continue;
            };
            let year = |g: &[&Amount]| {
                year_re
                    .captures(&g[0].label)
                    .and_then(|y| y[1].parse::<u32>().ok())
            };
            let names_base = |g: &[&Amount]| {
                let l = &g[0].label;
                l.contains("上年") || l.contains("执行数") || l.contains("上一年")
            };
            let first_is_base = match (names_base(first), names_base(second)) {
                (true, false) => true,
                (false, true) => false,
                _ => match (year(first), year(second)) {
                    (Some(a), Some(b)) if a != b => a < b,
                    _ => continue,
                },
            };
            let (base, now) = if first_is_base {
                (first, second)
            } else {
                (second, first)
            };
            let word = c.name("dir").map_or("", |m| m.as_str());
            for i in 0..n {
                let which = format!("第{}项", i + 1);
                self.rate_between(s, word, (base[i], now[i]), rates[i], &which);
            }
        }
    }

    /// A stated rate `word` (增长/下降…) `rate`% from `base` to `now`: its direction, then
    /// R = |now − base| ÷ base over the rounding of both. `which` names the pair in a list
    /// ("第2项"), empty for a single one.
    fn rate_between(
        &mut self,
        s: &Sentence,
        word: &str,
        (base, now): (&Amount, &Amount),
        rate: regex::Match,
        which: &str,
    ) {
        let up = matches!(word, "增加" | "增长" | "上升");
        let diff = now.value.checked_sub(base.value).unwrap_or(Ratio::ZERO);
        let slack = now.half.checked_add(base.half).unwrap_or(Ratio::ZERO);
        let figures = vec![base.place, now.place];
        if (up && diff < Ratio::ZERO && diff.abs() > slack) || (!up && diff > slack) {
            let actual = if diff > Ratio::ZERO {
                "增加"
            } else {
                "减少"
            };
            self.push(
                s,
                Kind::Direction,
                Outcome::Fail,
                (word.to_string(), actual.into()),
                format!("{}、{}，增减方向与“{word}”不符", base.shown(), now.shown()),
                figures,
            );
            return;
        }
        let (base_text, change_text, unit) = (base.shown(), now.in_unit(diff.abs()), now.unit);
        self.percent(
            s,
            Kind::ChangeRate,
            rate,
            (diff.abs(), slack),
            (base.value, base.half),
            figures,
            &|e| format!("{which}增减{change_text}{unit}，比较基数{base_text}，增减率应为{e}"),
            "比较基数为0，增减率无法计算",
        );
    }

    /// 百分点变化: "占37.74%，比上年的35.00%提高2.74个百分点" — the difference of the two
    /// stated rates, within their rounding, and its direction.
    pub(crate) fn point_changes(&mut self, s: &Sentence) {
        if !s.has(mark::BAI) || !s.text.contains("个百分点") {
            return;
        }
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

    /// 预算完成率 = 决算 / 预算.
    pub(crate) fn completions(&mut self, s: &Sentence, amounts: &[Amount]) {
        if !s.has(mark::PERCENT | mark::YU) || !s.text.contains("预算") {
            return;
        }
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
                // An unclosed parenthesis runs to the end of the sentence (a published
                // sentence may be cut or garbled); offsets never go past it.
                let close = rest
                    .find(['）', ')'])
                    .map_or(rest.chars().count(), |b| char_at(&rest, b));
                let stop = after.saturating_add(close);
                amounts
                    .iter()
                    .find(|a| a.at > after && a.end <= stop && is_budget(&a.label))
            };
            // A rate that names its budget (完成年初预算的…) is of that budget, not of another
            // one stated nearby ("年初预算为0万元，全年预算为250.00万元").
            let named = ["年初", "全年", "调整"]
                .into_iter()
                .find(|w| c.get(0).expect("match").as_str().contains(w));
            let budget = before
                .iter()
                .rev()
                .find(|a| is_budget(&a.label) && named.is_none_or(|w| a.label.contains(w)))
                .or_else(|| before.iter().rev().find(|a| is_budget(&a.label)))
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
            if budget.value.is_zero() && number(rate.as_str()).is_some_and(|(r, _)| !r.is_zero()) {
                self.push(
                    s,
                    Kind::Completion,
                    Outcome::Fail,
                    (
                        format!("{}%", rate.as_str()),
                        "无法计算（预算数为0）".into(),
                    ),
                    format!(
                        "所称预算{b_text}为0，决算{a_text}的完成率无法是{}%",
                        rate.as_str()
                    ),
                    vec![actual.place, budget.place, place_of(s, rate)],
                );
                continue;
            }
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

/// A stated change: the figure that changed, the change amount, and its wording.
struct Change<'a> {
    current: &'a Amount,
    delta: &'a Amount,
    /// 增加 / 减少 / …
    word: &'a str,
    /// 上 / 2020 …
    year: &'a str,
    up: bool,
}

#[cfg(test)]
mod tests {
    use crate::{audit, Kind, Outcome};

    fn rates(text: &str) -> Vec<(Kind, Outcome, String, String)> {
        audit(text)
            .checks
            .into_iter()
            .filter(|c| matches!(c.kind, Kind::ChangeRate | Kind::Direction))
            .map(|c| (c.kind, c.outcome, c.stated, c.expected))
            .collect()
    }

    #[test]
    fn parallel_rates_pair_the_two_lists_in_order() {
        let text = "基本支出、项目支出2022年执行数分别为110.00万元、60.00万元，2023年预算分别为100.00万元、48.00万元，分别下降9.09%、20.00%。";
        assert_eq!(
            rates(text),
            vec![
                (
                    Kind::ChangeRate,
                    Outcome::Pass,
                    "9.09%".into(),
                    "9.09%".into()
                ),
                (
                    Kind::ChangeRate,
                    Outcome::Pass,
                    "20.00%".into(),
                    "20.00%".into()
                ),
            ]
        );
        let wrong = text.replace("20.00%", "25.00%");
        assert_eq!(rates(&wrong)[1].1, Outcome::Fail);
        // The base named by its label, stated second.
        let named = "2023年预算分别为100.00万元、48.00万元，上年执行数分别为110.00万元、60.00万元，各下降9.09%、20.00%。";
        assert!(
            rates(named).iter().all(|r| r.1 == Outcome::Pass),
            "{:?}",
            rates(named)
        );
        assert_eq!(rates(named).len(), 2);
        let wrong_way = text.replace("分别下降", "分别增长");
        assert!(rates(&wrong_way)
            .iter()
            .all(|r| r.0 == Kind::Direction && r.1 == Outcome::Fail));
    }

    #[test]
    fn parallel_rates_without_a_base_are_not_guessed() {
        // Only this year's figures: the rates cannot be recomputed.
        assert!(rates(
            "基本支出、项目支出分别为100.00万元、48.00万元，比上年分别下降9.09%、20.00%。"
        )
        .is_empty());
        // Two lists, neither named as the base.
        assert!(rates(
            "甲分别为110.00万元、60.00万元，乙分别为100.00万元、48.00万元，分别下降9.09%、20.00%。"
        )
        .is_empty());
    }
}
