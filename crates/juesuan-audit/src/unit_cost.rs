//! 单价与数量: cost statements that multiply a unit price by a count without writing the
//! multiplication — "前5名，每县补助2万元，共计10万元", "评优建成3家工作站，5万元/站资金补助，
//! 共15万元", "投入25万元建设5个州级科技小院，每个小院投入5万元", and lists with a
//! multiplied part: "3家企业各4万元、德昌4万元、会理5万元、宁南4万元共计25万元". Written-out
//! formulas ("6位*2000元/位＝1.2万元") are the `arithmetic` kind's.
//!
//! The count is read only when it is unambiguous (one count of the priced unit in the
//! sentence) and the total only when no other amount stands between it and the price, so
//! that a sentence this reader cannot pin down is passed over, never reported as wrong.

use crate::auditor::Auditor;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;

/// A money figure: value in 万元, half a unit of its last printed digit (in 万元), its
/// printed text and its place (characters within the sentence).
#[derive(Debug, Clone)]
struct Money {
    wan: Ratio,
    half: Ratio,
    text: String,
    unit: &'static str,
    at: usize,
    end: usize,
}

fn char_at(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

fn monies(text: &str) -> Vec<Money> {
    let re = lazy_regex!(r"(\d+(?:\.\d+)?)(亿元|万元|元)");
    re.captures_iter(text)
        .filter_map(|c| {
            let (m, n, u) = (c.get(0)?, c.get(1)?, c.get(2)?);
            // Digits glued to a letter or a digit group ("2021年" is not money anyway).
            let (value, decimals) = number(n.as_str())?;
            // 万元 and 亿元 figures are read as printed to at least 2 decimals ("5万元" is
            // 5.00), as everywhere in the auditor; 元 figures as printed.
            let (scale, unit, floor): (Ratio, &'static str, u32) = match u.as_str() {
                "亿元" => (Ratio::from_int(10_000), "亿元", 2),
                "万元" => (Ratio::ONE, "万元", 2),
                _ => (Ratio::new(1, 10_000).ok()?, "元", 0),
            };
            Some(Money {
                wan: value.checked_mul(scale).ok()?,
                half: half_unit(decimals, floor).checked_mul(scale).ok()?,
                text: n.as_str().to_string(),
                unit,
                at: char_at(text, m.start()),
                end: char_at(text, m.end()),
            })
        })
        .collect()
}

/// A unit price: the priced unit ("县", "站", "小院"), the price, and for a "各" price the
/// count written with it.
struct Price {
    unit: String,
    money: Money,
    count: Option<Ratio>,
    /// Where the statement begins (characters).
    at: usize,
}

fn prices(text: &str, all: &[Money]) -> Vec<Price> {
    let money_at = |byte: usize| all.iter().find(|m| m.at == char_at(text, byte)).cloned();
    let mut out = Vec::new();
    let each = lazy_regex!(
        r"每(?:个|家|所|座|处)?([\p{Han}--[每年月天日次]]{1,3}?)(?:补助|投入|资助|奖励|安排|拨付|补贴)?(\d+(?:\.\d+)?(?:万元|元))"
    );
    for c in each.captures_iter(text) {
        if let (Some(u), Some(m)) = (c.get(1), c.get(2).and_then(|m| money_at(m.start()))) {
            out.push(Price {
                unit: u.as_str().to_string(),
                money: m,
                count: None,
                at: char_at(text, c.get(0).map_or(0, |m| m.start())),
            });
        }
    }
    // "5万元/站": not part of a written formula (no operator right before or after).
    let slash = lazy_regex!(r"(\d+(?:\.\d+)?(?:万元|元))/(\p{Han})");
    for c in slash.captures_iter(text) {
        let (Some(whole), Some(m), Some(u)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let before = text[..whole.start()].chars().next_back();
        let after: String = text[whole.end()..].chars().take(4).collect();
        let operator = |ch: char| "*×＊=＝÷/".contains(ch);
        if before.is_some_and(|b| operator(b) || b.is_ascii_digit()) || after.chars().any(operator)
        {
            continue;
        }
        if let Some(m) = money_at(m.start()) {
            out.push(Price {
                unit: u.as_str().to_string(),
                money: m,
                count: None,
                at: char_at(text, whole.start()),
            });
        }
    }
    let with_count =
        lazy_regex!(r"(\d+)(?:个|家|所|座|处|名)([\p{Han}]{1,4}?)各(\d+(?:\.\d+)?(?:万元|元))");
    for c in with_count.captures_iter(text) {
        let (Some(n), Some(u), Some(m)) = (
            c.get(1),
            c.get(2),
            c.get(3).and_then(|m| money_at(m.start())),
        ) else {
            continue;
        };
        out.push(Price {
            unit: u.as_str().to_string(),
            money: m,
            count: Ratio::parse(n.as_str()).ok(),
            at: char_at(text, n.start()),
        });
    }
    out
}

/// The one count of `unit` in the sentence ("3家工作站", "5个州级科技小院", "前5名"), if
/// exactly one value is written.
fn count_of(text: &str, unit: &str) -> Option<Ratio> {
    let counted = lazy_regex!(r"(\d+)(?:个|家|所|座|处|名)?([\p{Han}]{1,8})");
    let top = lazy_regex!(r"前(\d+)名");
    let mut found: Vec<Ratio> = Vec::new();
    for c in counted.captures_iter(text) {
        let (Some(n), Some(w)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let glued = text[..n.start()]
            .chars()
            .next_back()
            .is_some_and(|b| b.is_ascii_digit() || b == '.');
        if !glued
            && !w.as_str().starts_with('元')
            && !w.as_str().starts_with("万元")
            && w.as_str().contains(unit)
        {
            found.extend(Ratio::parse(n.as_str()).ok());
        }
    }
    for c in top.captures_iter(text) {
        found.extend(c.get(1).and_then(|n| Ratio::parse(n.as_str()).ok()));
    }
    found.sort();
    found.dedup();
    match found[..] {
        [n] if n > Ratio::ZERO => Some(n),
        _ => None,
    }
}

/// The stated total of a price: "共计/合计/总计/共 T" as the first amount after it, or
/// "投入T" as the last amount before it.
fn total_for(text: &str, all: &[Money], p: &Price) -> Option<(Money, Vec<Money>)> {
    let total = lazy_regex!(r"(?:共计|合计|总计|共)[:：]?(\d+(?:\.\d+)?(?:亿元|万元|元))");
    let after: Vec<&Money> = all.iter().filter(|m| m.at >= p.money.end).collect();
    if let Some(c) = total.captures_iter(text).find(|c| {
        c.get(1)
            .is_some_and(|m| char_at(text, m.start()) >= p.money.end)
    }) {
        let t_at = char_at(text, c.get(1)?.start());
        let t = all.iter().find(|m| m.at == t_at)?.clone();
        let between: Vec<Money> = after.into_iter().filter(|m| m.at < t_at).cloned().collect();
        return Some((t, between));
    }
    let invest = lazy_regex!(r"投入(\d+(?:\.\d+)?(?:万元|元))");
    let before: Vec<&Money> = all.iter().filter(|m| m.end <= p.at).collect();
    let last = before.last()?;
    let c = invest.captures_iter(text).find(|c| {
        c.get(1)
            .is_some_and(|m| char_at(text, m.start()) == last.at)
    })?;
    c.get(1)?;
    Some(((*last).clone(), Vec::new()))
}

impl Auditor {
    /// 单价与数量: each unit price with an unambiguous count and a stated total.
    pub(crate) fn unit_cost(&mut self, s: &Sentence) {
        if !(s.text.contains('每') || s.text.contains('/') || s.text.contains('各'))
            || !s.has(mark::YUAN)
        {
            return;
        }
        let all = monies(&s.text);
        for p in prices(&s.text, &all) {
            let Some(count) = p.count.or_else(|| count_of(&s.text, &p.unit)) else {
                continue;
            };
            let Some((total, between)) = total_for(&s.text, &all, &p) else {
                continue;
            };
            // Other amounts between the price and the total: a "各" list adds them ("、"
            // separated, one amount each); otherwise the total is of something else.
            if !between.is_empty() && p.count.is_none() {
                continue;
            }
            let segment: String = s
                .text
                .chars()
                .skip(p.money.end)
                .take(total.at.saturating_sub(p.money.end))
                .collect();
            if p.count.is_some()
                && (segment.contains(['，', '。', '；', ','])
                    || segment.split('、').skip(1).count() != between.len())
            {
                continue;
            }
            let Ok(product) = count.checked_mul(p.money.wan) else {
                continue;
            };
            let Ok(slack) = count.checked_mul(p.money.half) else {
                continue;
            };
            let mut expected = product;
            for m in &between {
                expected = expected.checked_add(m.wan).unwrap_or(expected);
            }
            let lo = total.wan.checked_sub(total.half).unwrap_or(total.wan);
            let hi = total.wan.checked_add(total.half).unwrap_or(total.wan);
            let outcome = if expected >= lo && expected <= hi {
                Outcome::Pass
            } else if expected.checked_add(slack).is_ok_and(|e| e >= lo)
                && expected.checked_sub(slack).is_ok_and(|e| e <= hi)
            {
                Outcome::RoundingNote
            } else {
                Outcome::Fail
            };
            let scale = match total.unit {
                "元" => Ratio::from_int(10_000),
                "亿元" => Ratio::new(1, 10_000).unwrap_or(Ratio::ONE),
                _ => Ratio::ONE,
            };
            let shown = expected.checked_mul(scale).unwrap_or(expected).to_fixed(2);
            let rest: String = between
                .iter()
                .map(|m| format!(" + {}{}", m.text, m.unit))
                .collect();
            let mut figures: Vec<Place> = std::iter::once(&p.money)
                .chain(&between)
                .chain(std::iter::once(&total))
                .map(|m| s.place(m.at, m.end))
                .collect();
            figures.dedup_by_key(|f| f.start);
            self.push(
                s,
                Kind::UnitCost,
                outcome,
                (total.text.clone(), shown.clone()),
                format!(
                    "{}{} × {}{}{rest} = {shown}{}，文中写{}{}",
                    p.money.text,
                    p.money.unit,
                    count.display_exact(),
                    p.unit,
                    total.unit,
                    total.text,
                    total.unit
                ),
                figures,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{audit, Kind, Outcome};

    fn unit_costs(text: &str) -> Vec<(Outcome, String, String)> {
        audit(text)
            .checks
            .into_iter()
            .filter(|c| c.kind == Kind::UnitCost)
            .map(|c| (c.outcome, c.stated, c.expected))
            .collect()
    }

    #[test]
    fn a_price_times_its_count_is_the_total_and_a_wrong_total_fails() {
        assert_eq!(
            unit_costs("据实据效对全省考核前5名，每县补助2万元，共计10万元。"),
            vec![(Outcome::Pass, "10".into(), "10.00".into())]
        );
        assert_eq!(
            unit_costs("对考核前4名的乡镇，每镇奖励1.5万元，共计7万元。"),
            vec![(Outcome::Fail, "7".into(), "6.00".into())]
        );
    }

    #[test]
    fn a_price_per_unit_and_an_investment_before_it() {
        assert_eq!(
            unit_costs("评优建成3家工作站，5万元/站资金补助，共15万元。")[0].0,
            Outcome::Pass
        );
        assert_eq!(
            unit_costs("评优建成3家工作站，5万元/站资金补助，共20万元。")[0].0,
            Outcome::Fail
        );
        assert_eq!(
            unit_costs("投入25万元建设5个州级科技小院，每个小院投入5万元的创建经费。"),
            vec![(Outcome::Pass, "25".into(), "25.00".into())]
        );
    }

    #[test]
    fn a_list_with_a_multiplied_part_adds_up() {
        let ok = "投入西昌市3家企业各4万元、德昌4万元、会理5万元、宁南4万元共计25万元建设6个州级科技小院。";
        assert_eq!(
            unit_costs(ok),
            vec![(Outcome::Pass, "25".into(), "25.00".into())]
        );
        let wrong = ok.replace("共计25万元", "共计21万元");
        assert_eq!(unit_costs(&wrong)[0].0, Outcome::Fail);
    }

    #[test]
    fn what_cannot_be_pinned_down_is_passed_over() {
        for text in [
            // Two different counts of the priced unit.
            "全县有12个村，其中5个村每村补助2万元，共计10万元。",
            // Another amount between the price and the total.
            "每县补助2万元，另安排工作经费5万元，共计15万元。",
            // No count at all.
            "每人补助1200元，共计3.6万元。",
            // A written formula is arithmetic's.
            "聘用人员2人*1万元/年人=2万元，共计2万元。",
        ] {
            assert!(
                unit_costs(text).is_empty(),
                "{text}: {:?}",
                unit_costs(text)
            );
        }
    }
}
