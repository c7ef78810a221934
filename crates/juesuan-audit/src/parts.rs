//! Totals and their parts: 其中 lists, shares of a whole, named shares, counts.

use crate::auditor::Auditor;
use crate::interval::*;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;

impl Auditor {
    /// 占比 and 合计与分项.
    /// The whole and its parts: the last amount before 其中 and the amounts after it; or,
    /// without 其中, the amounts with a share and the whole named by the sentence's subject.
    fn whole_and_parts<'a>(
        &self,
        s: &Sentence,
        amounts: &'a [Amount],
        chars: &[char],
        qi: Option<usize>,
        three: Option<&Amount>,
    ) -> (Option<Amount>, Vec<&'a Amount>) {
        // The whole: the last amount before 其中; or, for "X中，A…占…" sentences, the latest
        // amount stated earlier under the subject's label.
        match qi {
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
                // A change or last year's figure stated with a part ("其中：财政拨款收入
                // 500.00万元，比上年增加30.00万元") is about that part, not another part.
                (
                    total,
                    amounts
                        .iter()
                        .filter(|a| a.at > q && a.end <= stop && !is_prior_or_change(&a.label))
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
                // A subject too short to name one figure ("支出", left by a cut sentence)
                // is not looked up: it would end the label of almost any amount.
                let total = subject
                    .filter(|sub| sub.chars().count() >= 4)
                    .and_then(|sub| self.lookup(&sub).cloned());
                // The three parts of “三公” with their shares and no whole found: the whole
                // is their sum.
                let total = total.or_else(|| {
                    three
                        .cloned()
                        .filter(|_| amounts.iter().filter(|a| a.share.is_some()).count() == 3)
                });
                (
                    total,
                    amounts.iter().filter(|a| a.share.is_some()).collect(),
                )
            }
        }
    }

    /// Each share against its named denominator, else the whole. Returns, for a list forced
    /// to 100%, the (check index, stated share) of the shares within 0.01 of their value, and
    /// the sum of the correctly rounded exact shares.
    fn shares(
        &mut self,
        s: &Sentence,
        amounts: &[Amount],
        total: Option<&Amount>,
        three: Option<&Amount>,
        forced: bool,
    ) -> (Vec<(usize, Ratio)>, Ratio) {
        let mut notes: Vec<(usize, Ratio)> = Vec::new();
        let mut rounded_sum = Ratio::ZERO;
        for a in amounts.iter().filter(|a| a.share.is_some()) {
            let p = a.share.as_ref().expect("filtered");
            let den = match &p.denominator {
                Some(name) if !name.is_empty() => self
                    .lookup(name)
                    .cloned()
                    .or_else(|| amounts.iter().find(|x| x.label == *name).cloned())
                    .or_else(|| three.cloned().filter(|_| names_three_public(name))),
                _ => total.cloned(),
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
            if let Some((r, _)) = number(&point.to_fixed(2)) {
                rounded_sum = rounded_sum.checked_add(r).unwrap_or(rounded_sum);
            }
            let outcome = if m.is_zero() {
                Outcome::Pass
            } else if forced && m <= Ratio::new(1, 100).expect("nonzero") {
                notes.push((self.checks.len(), p.value));
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
        (notes, rounded_sum)
    }

    pub(crate) fn parts(&mut self, s: &Sentence, amounts: &[Amount]) {
        // Without amounts there is neither a share nor a part to check.
        if amounts.is_empty() {
            return;
        }
        let chars: Vec<char> = s.text.chars().collect();
        let three = three_public_total(amounts);
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
        // Without 其中 the parts are the amounts with a share: none, nothing to check (and no
        // whole to look up across the document).
        if qi.is_none() && amounts.iter().all(|a| a.share.is_none()) {
            return;
        }
        let (total, parts) = self.whole_and_parts(s, amounts, &chars, qi, three.as_ref());
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
        let synthetic = (total.is_none() && full_by_shares)
            || (qi.is_none()
                && three
                    .as_ref()
                    .zip(total.as_ref())
                    .is_some_and(|(t, x)| t.label == x.label));
        let total = if synthetic {
            Some(sum_of_parts(&with_share))
        } else {
            total
        };
        let (mut notes, rounded_sum) =
            self.shares(s, amounts, total.as_ref(), three.as_ref(), forced);
        // Forcing a list to 100% takes as many 0.01 adjustments as the correctly rounded
        // shares miss 100% by, and at least one; it goes on the largest shares. Any other
        // share off by 0.01 is not explained by forcing (a truncated share is an error).
        // Only a list with more notes than the one adjustment always allowed needs the count.
        let needed = (notes.len() > 1).then(|| {
            rounded_sum
                .checked_sub(Ratio::from_int(100))
                .ok()
                .and_then(|d| d.abs().checked_mul(Ratio::from_int(100)).ok())
                .map_or(1, |k| k.to_fixed(0).parse::<usize>().unwrap_or(1).max(1))
        });
        if let Some(needed) = needed.filter(|&n| notes.len() > n) {
            notes.sort_by_key(|n| std::cmp::Reverse(n.1));
            for &(i, _) in &notes[needed..] {
                self.checks[i].outcome = Outcome::Fail;
                self.checks[i]
                    .message
                    .push_str("（凑足100%只需调整一处尾差，此处不是尾差）");
            }
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

    /// "A占B的比重为Z%" with no amount in between: both named figures must be found (stated
    /// earlier or in this sentence); otherwise nothing is said.
    pub(crate) fn label_shares(&mut self, s: &Sentence, amounts: &[Amount]) {
        if !s.has(mark::ZHAN | mark::PERCENT) {
            return;
        }
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

    /// 数量之和: "共有公务用车1辆，其中：轿车1辆、越野车0辆、载客汽车0辆" — the parts in the
    /// same unit may not exceed the whole, and a closed list ("、" only) must add up to it.
    /// Every 其中 of the sentence is read; the wholes are the counts of the clause right
    /// before it ("国内公务接待40批次、320人次，其中：…"), one per unit.
    pub(crate) fn counts(&mut self, s: &Sentence) {
        // Counts are checked against a 其中 only.
        if !s.has(mark::QI) || !s.text.contains("其中") {
            return;
        }
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
                // A "、" list that fills the first clause after 其中 is the whole breakdown:
                // "在职50人，其中高级5人、中级20人、初级25人，退休职工20人" — the retired after
                // the "，" are another group. Parts one per clause ("轿车0辆、金额0万元，越野车
                // 0辆…") go on to the end of the sentence.
                let first = found.iter().find(|f| f.0 > q && f.1 <= stop).map(|f| f.1);
                let clause = first
                    .and_then(|b| chars[b..stop].iter().position(|c| matches!(c, '，' | ',')))
                    .map(|i| first.unwrap_or(0) + i);
                let stop = match clause {
                    Some(c)
                        if found
                            .iter()
                            .filter(|f| f.0 > q && f.1 <= c && f.3 == total.3)
                            .count()
                            >= 2 =>
                    {
                        c
                    }
                    _ => stop,
                };
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
}

/// The parts of “三公”经费, which is by definition their sum.
const THREE_PUBLIC: [&str; 3] = ["因公出国", "公务用车购置及运行", "公务接待"];

/// The whole of a full breakdown found by its shares: the sum of its parts.
fn sum_of_parts(with_share: &[&&Amount]) -> Amount {
    let first = with_share[0];
    let (sum, half) = with_share
        .iter()
        .fold((Ratio::ZERO, Ratio::ZERO), |acc, a| {
            (
                acc.0.checked_add(a.value).unwrap_or(acc.0),
                acc.1.checked_add(a.half).unwrap_or(acc.1),
            )
        });
    Amount {
        label: "各项之和".into(),
        value: sum,
        half,
        text: first.in_unit(sum),
        share: None,
        ..(**first).clone()
    }
}

/// A denominator naming “三公”经费 alone (not “三公”经费、会议费、培训费 together).
fn names_three_public(name: &str) -> bool {
    name.contains("三公") && !name.contains("会议") && !name.contains("培训")
}

/// “三公”经费 is 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费 by definition: when a
/// sentence states each of the three once (this year's figures), their sum is the whole
/// that "占“三公”经费的X%" refers to, whatever the sentence calls it.
fn three_public_total(amounts: &[Amount]) -> Option<Amount> {
    let parts = THREE_PUBLIC
        .iter()
        .map(|n| {
            let mut m = amounts
                .iter()
                .filter(|a| a.label.contains(n) && !is_other(&a.label));
            match (m.next(), m.next()) {
                (Some(a), None) => Some(a),
                _ => None,
            }
        })
        .collect::<Option<Vec<&Amount>>>()?;
    let (sum, half) = parts.iter().fold((Ratio::ZERO, Ratio::ZERO), |acc, a| {
        (
            acc.0.checked_add(a.value).unwrap_or(acc.0),
            acc.1.checked_add(a.half).unwrap_or(acc.1),
        )
    });
    let first = parts[0];
    Some(Amount {
        label: "“三公”经费（三项之和）".into(),
        value: sum,
        half,
        text: first.in_unit(sum),
        share: None,
        ..first.clone()
    })
}
