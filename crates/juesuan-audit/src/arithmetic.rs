//! 算式: arithmetic written out in the text (issue #11, pattern 14) — "聘用3人×1.2万元/年=3.6万元",
//! "500人*4餐*25元=5万元", "办公费2万元+印刷费1万元=3万元", and the conversions that follow
//! ("=50000元=5万元"). The expression is evaluated over the rounding intervals of its
//! figures and compared with the stated result.

use crate::auditor::Auditor;
use crate::model::*;
use crate::text::*;
use juesuan_core::ratio::Ratio;

/// One piece of a sentence as the arithmetic reader sees it.
#[derive(Debug, Clone)]
enum Token {
    /// A printed number with what follows it: value, half a unit of its last digit (zero
    /// for a whole number: "3人", "150元" are exact), the unit's size in 万元 when it is
    /// money, and where it stands (characters within the sentence).
    Figure {
        value: Ratio,
        half: Ratio,
        money: Option<(Ratio, &'static str)>,
        text: String,
        decimals: u32,
        at: usize,
        end: usize,
    },
    /// × * ÷ +
    Op(char),
    Equals,
    /// Anything else: ends an expression.
    Other,
}

/// A figure's unit: money (元/万元/亿元, with an optional "/年" rate), a counting word
/// ("人", "餐", "天") or nothing. A count in 万 or 亿 other than money ("2万人") has a scale
/// this reader does not guess: `None`.
fn unit_after(rest: &[char]) -> Option<(usize, Option<(Ratio, &'static str)>)> {
    let starts = |w: &str| {
        let w: Vec<char> = w.chars().collect();
        rest.len() >= w.len() && rest[..w.len()] == w[..]
    };
    let (mut used, money) = if starts("亿元") {
        (2, Some((Ratio::from_int(10_000), "亿元")))
    } else if starts("万元") {
        (2, Some((Ratio::ONE, "万元")))
    } else if starts("元") {
        (1, Some((Ratio::new(1, 10_000).expect("nonzero"), "元")))
    } else if starts("万") || starts("亿") {
        return None;
    } else {
        // A counting word: up to three Chinese characters ("人", "人次", "平方米").
        let n = rest
            .iter()
            .take(3)
            .take_while(|c| ('\u{4e00}'..='\u{9fff}').contains(*c) && !OPERATOR_WORDS.contains(**c))
            .count();
        (n, None)
    };
    // "/年", "/人·次", "/人、餐": a rate, which the multiplication by a count uses up. A
    // "、" inside a rate joins two counting words ("25元/人、餐" is per person and meal).
    if rest.get(used) == Some(&'/') {
        let cjk = |c: &char| ('\u{4e00}'..='\u{9fff}').contains(c);
        let after = &rest[used + 1..];
        let n = after
            .iter()
            .enumerate()
            .take(3)
            .take_while(|(k, c)| {
                cjk(c) || **c == '·' || (**c == '、' && *k > 0 && after.get(k + 1).is_some_and(cjk))
            })
            .count();
        if n > 0 {
            used += 1 + n;
        }
    }
    Some((used, money))
}

/// Chinese characters that end a counting word: the words around an operator.
const OPERATOR_WORDS: &str = "乘除加等约共计合为";

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let push_other = |out: &mut Vec<Token>| {
        if !matches!(out.last(), Some(Token::Other)) {
            out.push(Token::Other);
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let glued = i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.');
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (chars[i] == ',' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
                    || (chars[i] == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let Some((value, decimals)) = number(&text).filter(|_| !glued) else {
                push_other(&mut out);
                continue;
            };
            let Some((used, money)) = unit_after(&chars[i..]) else {
                push_other(&mut out);
                continue;
            };
            let half = if decimals == 0 {
                Ratio::ZERO
            } else {
                half_unit(decimals, 0)
            };
            out.push(Token::Figure {
                value,
                half,
                money,
                text,
                decimals,
                at: start,
                end: i,
            });
            i += used;
            continue;
        }
        match c {
            '×' | '*' | '＊' | '÷' => out.push(Token::Op(if c == '÷' { '÷' } else { '×' })),
            // An x between two figures ("3x4"): a letter elsewhere.
            'x' | 'X'
                if matches!(out.last(), Some(Token::Figure { .. }))
                    && chars.get(i + 1).is_some_and(char::is_ascii_digit) =>
            {
                out.push(Token::Op('×'))
            }
            '+' | '＋' => out.push(Token::Op('+')),
            '=' | '＝' => out.push(Token::Equals),
            ' ' => {}
            // A name between an operator and its figure ("+印刷费1.2万元") names the figure.
            _ if matches!(out.last(), Some(Token::Op(_))) => {
                let name = chars[i..]
                    .iter()
                    .take(9)
                    .take_while(|c| ('\u{4e00}'..='\u{9fff}').contains(*c))
                    .count();
                if (1..=8).contains(&name) && chars.get(i + name).is_some_and(char::is_ascii_digit)
                {
                    i += name;
                    continue;
                }
                push_other(&mut out);
            }
            _ => push_other(&mut out),
        }
        i += 1;
    }
    out
}

/// An interval [lo, hi] and whether it is money (its unit's size is folded in: 万元).
type Span = (Ratio, Ratio, bool);

/// A figure's interval: exact as printed, or (`rounded`) within half its last digit.
fn figure_span(t: &Token, rounded: bool) -> Option<Span> {
    let Token::Figure {
        value, half, money, ..
    } = t
    else {
        return None;
    };
    let half = if rounded { *half } else { Ratio::ZERO };
    let scale = money.map_or(Ratio::ONE, |m| m.0);
    let lo = value.checked_sub(half).ok()?.max(Ratio::ZERO);
    let hi = value.checked_add(half).ok()?;
    Some((
        lo.checked_mul(scale).ok()?,
        hi.checked_mul(scale).ok()?,
        money.is_some(),
    ))
}

/// Evaluate figures joined by operators (× and ÷ before +), over intervals of non-negative
/// values. None when the units do not make sense (money times money, money plus a count)
/// or a divisor can be zero.
fn evaluate(items: &[Token], rounded: bool) -> Option<Span> {
    let mut sum: Option<Span> = None;
    let mut term: Option<Span> = None;
    let mut op = '+';
    for t in items {
        match t {
            Token::Op(c) => op = *c,
            Token::Figure { .. } => {
                let f = figure_span(t, rounded)?;
                match op {
                    '+' => {
                        if let Some(done) = term.take() {
                            sum = Some(add(sum, done)?);
                        }
                        term = Some(f);
                    }
                    '×' => {
                        let (lo, hi, m) = term?;
                        if m && f.2 {
                            return None;
                        }
                        term = Some((
                            lo.checked_mul(f.0).ok()?,
                            hi.checked_mul(f.1).ok()?,
                            m || f.2,
                        ));
                    }
                    _ => {
                        let (lo, hi, m) = term?;
                        if f.2 || f.0 <= Ratio::ZERO {
                            return None;
                        }
                        term = Some((lo.checked_div(f.1).ok()?, hi.checked_div(f.0).ok()?, m));
                    }
                }
            }
            _ => return None,
        }
    }
    add(sum, term?)
}

fn add(sum: Option<Span>, t: Span) -> Option<Span> {
    match sum {
        None => Some(t),
        Some((lo, hi, m)) if m == t.2 => {
            Some((lo.checked_add(t.0).ok()?, hi.checked_add(t.1).ok()?, m))
        }
        Some(_) => None,
    }
}

impl Auditor {
    /// 算式: each "=" with an expression on its left (figures joined by ×, *, ÷, +) or a
    /// money figure restated in another unit ("50000元=5万元").
    pub(crate) fn arithmetic(&mut self, s: &Sentence) {
        if !s.has(mark::EQUALS) {
            return;
        }
        let toks = tokens(&s.text);
        for (k, t) in toks.iter().enumerate() {
            if !matches!(t, Token::Equals) || k == 0 {
                continue;
            }
            let Some(result @ Token::Figure { .. }) = toks.get(k + 1) else {
                continue;
            };
            // The expression: figures and operators back to the first thing that is neither.
            let mut from = k - 1;
            if !matches!(toks[from], Token::Figure { .. }) {
                continue;
            }
            while from >= 2
                && matches!(toks[from - 1], Token::Op(_))
                && matches!(toks[from - 2], Token::Figure { .. })
            {
                from -= 2;
            }
            // An operator before the first figure read: the expression goes on into
            // something this reader does not take ("2万人×3次×…"); not checked.
            if from >= 1 && matches!(toks[from - 1], Token::Op(_)) {
                continue;
            }
            let expr = &toks[from..k];
            let has_op = expr.len() > 1;
            let Token::Figure {
                value,
                half,
                money,
                text,
                decimals,
                at,
                end,
            } = result
            else {
                continue;
            };
            // A figure "=" a figure is a unit conversion: money on both sides only.
            let money_both =
                money.is_some() && matches!(expr[0], Token::Figure { money: Some(_), .. });
            if !has_op && !money_both {
                continue;
            }
            // The factors are the expression's inputs (counts, prices, standards), taken as
            // printed; only if the result holds with them rounded is it a rounding note.
            let (Some((lo, hi, is_money)), Some((loose_lo, loose_hi, _))) =
                (evaluate(expr, false), evaluate(expr, true))
            else {
                continue;
            };
            // Money on the left and a bare number on the right is not read; a bare
            // expression with a money result is in the result's unit ("3×1.2=3.6万元").
            if is_money && money.is_none() {
                continue;
            }
            let scale = match (is_money, money) {
                (true, Some((size, _))) => *size,
                _ => Ratio::ONE,
            };
            let (Ok(lo), Ok(hi), Ok(loose_lo), Ok(loose_hi)) = (
                lo.checked_div(scale),
                hi.checked_div(scale),
                loose_lo.checked_div(scale),
                loose_hi.checked_div(scale),
            ) else {
                continue;
            };
            let r_lo = value.checked_sub(*half).unwrap_or(*value);
            let r_hi = value.checked_add(*half).unwrap_or(*value);
            let outcome = if r_hi >= lo && r_lo <= hi {
                Outcome::Pass
            } else if r_hi >= loose_lo && r_lo <= loose_hi {
                Outcome::RoundingNote
            } else {
                Outcome::Fail
            };
            let unit = money.map_or("", |m| m.1);
            let point = crate::interval::mid(lo, hi);
            let expected = point.to_fixed((*decimals).max(2));
            let written: String = s
                .text
                .chars()
                .skip(expr_start(expr))
                .take(end - expr_start(expr))
                .collect();
            let mut figures: Vec<Place> = expr
                .iter()
                .filter_map(|t| match t {
                    Token::Figure { at, end, .. } => Some(s.place(*at, *end)),
                    _ => None,
                })
                .collect();
            figures.push(s.place(*at, *end));
            self.push(
                s,
                Kind::Arithmetic,
                outcome,
                (text.clone(), expected.clone()),
                format!("算式“{}{unit}”的结果应为{expected}{unit}", written.trim()),
                figures,
            );
        }
    }
}

fn expr_start(expr: &[Token]) -> usize {
    match expr.first() {
        Some(Token::Figure { at, .. }) => *at,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use crate::{audit, Kind, Outcome};

    fn arithmetic(text: &str) -> Vec<(Outcome, String, String)> {
        audit(text)
            .checks
            .into_iter()
            .filter(|c| c.kind == Kind::Arithmetic)
            .map(|c| (c.outcome, c.stated, c.expected))
            .collect()
    }

    #[test]
    fn products_with_counts_and_a_money_rate_pass_and_a_wrong_result_fails() {
        assert_eq!(
            arithmetic("聘用人员经费：聘用3人×1.2万元/年=3.6万元。"),
            vec![(Outcome::Pass, "3.6".into(), "3.60".into())]
        );
        assert_eq!(
            arithmetic("培训费：20人×3天×400元=2.5万元。"),
            vec![(Outcome::Fail, "2.5".into(), "2.40".into())]
        );
    }

    #[test]
    fn a_chain_of_conversions_is_checked_link_by_link() {
        let found = arithmetic("食堂补助：500人*4餐*25元=50000元=5万元。");
        assert_eq!(
            found,
            vec![
                (Outcome::Pass, "50000".into(), "50000.00".into()),
                (Outcome::Pass, "5".into(), "5.00".into())
            ]
        );
        let wrong = arithmetic("食堂补助：500人*4餐*25元=50000元=6万元。");
        assert_eq!(wrong[1].0, Outcome::Fail);
    }

    #[test]
    fn a_rate_per_person_and_meal_is_one_rate() {
        assert_eq!(
            arithmetic("参赛及观摩师生餐费（500人*4餐*25元/人、餐＝5万元）"),
            vec![(Outcome::Pass, "5".into(), "5.00".into())]
        );
        assert_eq!(
            arithmetic("参赛师生餐费（500人*4餐*25元/人、餐＝6万元）")[0].0,
            Outcome::Fail
        );
    }

    #[test]
    fn sums_and_rounded_results_within_their_last_digit() {
        assert_eq!(
            arithmetic("办公费2.35万元+印刷费1.2万元=3.55万元。")[0].0,
            Outcome::Pass
        );
        // 10.00 ÷ 3 = 3.333…, printed 3.33.
        assert_eq!(arithmetic("10.00万元÷3=3.33万元。")[0].0, Outcome::Pass);
        assert_eq!(arithmetic("10.00万元÷3=3.43万元。")[0].0, Outcome::Fail);
        // Whole prices and counts are exact: 5000 × 6元 is 3万元, not "about".
        assert_eq!(arithmetic("印制5000份×6元=2.80万元。")[0].0, Outcome::Fail);
        // A factor printed with decimals may itself be rounded: a result that holds only
        // then is a rounding note (3 × 3.33 = 9.99; 3 × 3.333… = 10.00).
        assert_eq!(
            arithmetic("聘用3人×3.33万元=10.00万元。")[0].0,
            Outcome::RoundingNote
        );
    }

    #[test]
    fn what_is_not_an_expression_is_not_read() {
        // Money times money, a count in 万, a ratio without "=", a lone figure.
        for text in [
            "2万元×3万元=6万元。",
            "服务2万人×3次=6万人次。",
            "比例为1:1。",
            "合计=3万元。",
        ] {
            assert!(arithmetic(text).is_empty(), "{text}");
        }
    }
}
