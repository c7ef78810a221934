//! Exact money (金额) and ratios (比率).
//!
//! Amounts are integer 分 (0.01 元). Rendering in 万元 rounds half away from zero to
//! 0.01 万元 in exactly one place, [`Amount::wan`]; percentages are integer basis points
//! of a percent (0.01%) produced by [`Percent::of`]. No binary floating point anywhere.
//!
//! # Why sums cannot wrap (金额不会溢出)
//!
//! An `i64` of 分 holds ±9.22×10¹⁶ 元. Two bounds keep every figure juesuan computes far
//! inside that, so a sum can never wrap into a wrong number:
//! - a single amount is at most [`Amount::MAX`] = 10¹⁵ 元 (1000万亿元, E013 beyond it);
//! - the absolute values of all amounts of one unit-year add up to at most
//!   [`MAX_TOTAL_MAGNITUDE_FEN`] = 10¹⁶ 元 (E033 beyond it), checked with an `i128`
//!   accumulator ([`first_past_magnitude_bound`]) before any other sum is taken.
//!
//! Every derived figure (a table cell, a total, a carry-over, a change) is a signed sum of
//! facts of one unit-year, each fact counted at most a few times, so it stays below
//! 10 × 10¹⁶ 元 < `i64::MAX`. Sums of untrusted collections that are not one unit-year
//! (a consolidation of many units, a journal voucher, an imported sheet) use the `checked_*`
//! methods and report the rows involved. The operators below still check: should a bound
//! ever be missed, the program stops with a message instead of printing a wrapped total.

use serde::{Deserialize, Serialize};
use std::fmt;

/// 分 per 万元.
const FEN_PER_WAN: i128 = 1_000_000;
/// 分 per 0.01 万元 (the published precision).
const FEN_PER_WAN_CENT: i128 = 10_000;

/// Divide and round half away from zero (四舍五入), the only rounding juesuan uses.
pub fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    assert!(denominator != 0, "div_round_half_up: zero denominator");
    let (n, d) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// A money amount in integer 分.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Amount(pub i64);

/// The unit amounts are written in (金额单位).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoneyUnit {
    /// 元
    #[serde(rename = "元")]
    Yuan,
    /// 万元
    #[serde(rename = "万元")]
    Wan,
}

impl MoneyUnit {
    /// Decimal places allowed in this unit so that the value is a whole number of 分.
    pub fn max_decimals(self) -> u32 {
        match self {
            MoneyUnit::Yuan => 2,
            MoneyUnit::Wan => 6,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::Wan => "万元",
        }
    }
}

/// Why a decimal text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountParseError {
    /// Not a plain decimal number.
    NotANumber,
    /// More decimals than whole 分 allow in the declared unit.
    TooPrecise { max_decimals: u32 },
    /// Beyond [`Amount::MAX`] in absolute value (E013).
    TooLarge,
}

impl Amount {
    pub const ZERO: Amount = Amount(0);
    /// 单笔金额上限: 10¹⁵ 元 (1000万亿元) in 分. Real figures stay far below it (a whole
    /// province's budget is ~10¹² 元); anything larger is a typo or a unit mix-up.
    pub const MAX: Amount = Amount(100_000_000_000_000_000);

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn from_yuan(yuan: i64) -> Amount {
        Amount(yuan.checked_mul(100).expect(OVERFLOW))
    }

    /// Parse a plain decimal ("233.93", "-1", "1,234.5" is rejected) given in `unit`.
    /// Exact: no floating point is involved.
    pub fn parse(text: &str, unit: MoneyUnit) -> Result<Amount, AmountParseError> {
        let t = text.trim().replace('_', "");
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(&t)),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if int_part.is_empty() || !digits_ok(int_part) || !digits_ok(frac_part) {
            return Err(AmountParseError::NotANumber);
        }
        if body.contains('.') && frac_part.is_empty() {
            return Err(AmountParseError::NotANumber);
        }
        let frac_trimmed = frac_part.trim_end_matches('0');
        let max = unit.max_decimals();
        if frac_trimmed.len() as u32 > max {
            return Err(AmountParseError::TooPrecise { max_decimals: max });
        }
        // Digits beyond any bound: rejected before the arithmetic below (keeps it in i128).
        // Sixteen digits still reach Amount::MAX itself (10¹⁵ 元 = "1000000000000000");
        // whatever of them lies beyond it is refused by the exact comparison below.
        if int_part.trim_start_matches('0').len() > 16 {
            return Err(AmountParseError::TooLarge);
        }
        let int_value: i128 = int_part.parse().map_err(|_| AmountParseError::NotANumber)?;
        let mut frac_value: i128 = 0;
        for (i, c) in frac_trimmed.chars().enumerate() {
            let digit = c.to_digit(10).expect("checked digits") as i128;
            frac_value += digit * 10i128.pow(max - 1 - i as u32);
        }
        let scale = 10i128.pow(max);
        let fen_per_unit: i128 = match unit {
            MoneyUnit::Yuan => 100,
            MoneyUnit::Wan => FEN_PER_WAN,
        };
        let fen = (int_value * scale + frac_value) * fen_per_unit / scale;
        if fen > Amount::MAX.0 as i128 {
            return Err(AmountParseError::TooLarge);
        }
        let fen = if negative { -fen } else { fen };
        Ok(Amount(fen as i64))
    }

    /// The amount rounded to the published precision, in 0.01 万元 (百元).
    pub fn wan_cents(self) -> i64 {
        div_round_half_up(self.0 as i128, FEN_PER_WAN_CENT) as i64
    }

    /// The amount in 万元 with 2 decimals, rounded half up: "686.54", "0.00", "-1.20".
    /// This is the only place amounts are rounded for display.
    pub fn wan(self) -> String {
        format_cents(self.wan_cents())
    }

    /// The amount in 元 with 2 decimals: "6865420.00".
    pub fn yuan(self) -> String {
        format_cents(self.0)
    }

    /// The exact amount in `unit`, without trailing zeros: "1000", "0.004", "-12.5".
    /// For messages about input, which must show what the user wrote, not a rounding.
    pub fn exact(self, unit: MoneyUnit) -> String {
        let (scale, decimals) = match unit {
            MoneyUnit::Yuan => (100u64, 2usize),
            MoneyUnit::Wan => (FEN_PER_WAN as u64, 6usize),
        };
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let frac = format!("{:0width$}", a % scale, width = decimals);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            format!("{sign}{}", a / scale)
        } else {
            format!("{sign}{}.{frac}", a / scale)
        }
    }

    pub fn abs(self) -> Amount {
        Amount(self.0.checked_abs().expect(OVERFLOW))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    /// The sum of `amounts`, or `None` if it leaves the `i64` range.
    pub fn checked_sum<I: IntoIterator<Item = Amount>>(amounts: I) -> Option<Amount> {
        amounts
            .into_iter()
            .try_fold(Amount::ZERO, |acc, a| acc.checked_add(a))
    }

    /// Whether the amount is within ±[`Amount::MAX`].
    pub fn within_bound(self) -> bool {
        self.0.unsigned_abs() <= Amount::MAX.0 as u64
    }
}

/// 一个单位一个年度全部金额绝对值之和的上限: 10¹⁶ 元 in 分 (see the module docs).
pub const MAX_TOTAL_MAGNITUDE_FEN: i128 = 1_000_000_000_000_000_000;

/// The index of the first amount at which the running sum of absolute values passes
/// [`MAX_TOTAL_MAGNITUDE_FEN`], or `None` when all of them stay within it. The accumulator
/// is `i128`: `i64::MAX` amounts of `i64::MAX` each cannot overflow it.
pub fn first_past_magnitude_bound<I: IntoIterator<Item = Amount>>(amounts: I) -> Option<usize> {
    let mut total: i128 = 0;
    for (i, a) in amounts.into_iter().enumerate() {
        total += i128::from(a.0.unsigned_abs());
        if total > MAX_TOTAL_MAGNITUDE_FEN {
            return Some(i);
        }
    }
    None
}

/// Message of the operators' overflow stop: reached only if a bound above was missed.
const OVERFLOW: &str = "金额运算溢出（程序错误：输入金额应已限定在上限以内）";

/// Format an integer count of hundredths as "x.yy".
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

// The operators are for bounded figures (see the module docs); they stop rather than wrap,
// in every build profile.
impl std::ops::Add for Amount {
    type Output = Amount;
    fn add(self, rhs: Amount) -> Amount {
        self.checked_add(rhs).expect(OVERFLOW)
    }
}
impl std::ops::Sub for Amount {
    type Output = Amount;
    fn sub(self, rhs: Amount) -> Amount {
        self.checked_sub(rhs).expect(OVERFLOW)
    }
}
impl std::ops::AddAssign for Amount {
    fn add_assign(&mut self, rhs: Amount) {
        *self = *self + rhs;
    }
}
impl std::ops::SubAssign for Amount {
    fn sub_assign(&mut self, rhs: Amount) {
        *self = *self - rhs;
    }
}
impl std::ops::Neg for Amount {
    type Output = Amount;
    fn neg(self) -> Amount {
        Amount(self.0.checked_neg().expect(OVERFLOW))
    }
}
impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Amount {
    /// Displays in 万元 (the published unit).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wan())
    }
}

/// A percentage in hundredths of a percent (0.01%): `Percent(5916)` is 59.16%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Percent(pub i64);

impl Percent {
    /// `part / whole` as a percentage with 2 decimals, rounded half up.
    /// `None` when the whole is zero: callers must state that case in words.
    pub fn of(part: Amount, whole: Amount) -> Option<Percent> {
        if whole.0 == 0 {
            return None;
        }
        Some(Percent(
            div_round_half_up(part.0 as i128 * 10_000, whole.0 as i128) as i64,
        ))
    }

    /// "59.16"
    pub fn text(self) -> String {
        format_cents(self.0)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.text())
    }
}

/// Direction of a change (增减方向).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 增加
    Up,
    /// 减少
    Down,
    /// 持平
    Flat,
}

/// Year-on-year change (同比变动): amount and rate against last year (DOMAIN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub current: Amount,
    pub prior: Amount,
    /// current − prior
    pub delta: Amount,
    pub direction: Direction,
    /// |delta| / prior; `None` when last year was zero (上年无此项支出).
    pub rate: Option<Percent>,
}

impl Change {
    pub fn between(current: Amount, prior: Amount) -> Change {
        let delta = current - prior;
        // Direction follows the published (rounded) delta so that "增加0.00万元" never appears.
        let direction = match delta.wan_cents().signum() {
            1 => Direction::Up,
            -1 => Direction::Down,
            _ => Direction::Flat,
        };
        Change {
            current,
            prior,
            delta,
            direction,
            rate: Percent::of(delta.abs(), prior),
        }
    }
}

/// Budget completion (预算完成率 = 决算 / 预算).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub actual: Amount,
    pub budget: Amount,
    /// `None` when there was no budget (未安排预算).
    pub rate: Option<Percent>,
    /// actual compared with budget: Up = 决算数大于预算数.
    pub direction: Direction,
}

impl Completion {
    pub fn of(actual: Amount, budget: Amount) -> Completion {
        let direction = match (actual - budget).wan_cents().signum() {
            1 => Direction::Up,
            -1 => Direction::Down,
            _ => Direction::Flat,
        };
        Completion {
            actual,
            budget,
            rate: Percent::of(actual, budget),
            direction,
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_largest_amount_itself_parses_and_one_fen_more_does_not() {
        let max = Amount::parse("1000000000000000", MoneyUnit::Yuan).unwrap();
        assert_eq!(max, Amount::MAX);
        assert_eq!(
            Amount::parse("-1000000000000000.00", MoneyUnit::Yuan).unwrap(),
            -Amount::MAX
        );
        assert_eq!(
            Amount::parse("1000000000000000.01", MoneyUnit::Yuan),
            Err(AmountParseError::TooLarge)
        );
        assert_eq!(
            Amount::parse("100000000000", MoneyUnit::Wan).unwrap(),
            Amount::MAX
        );
        assert_eq!(
            Amount::parse("99999999999999999", MoneyUnit::Yuan),
            Err(AmountParseError::TooLarge)
        );
    }

    use super::*;

    fn wan(s: &str) -> Amount {
        Amount::parse(s, MoneyUnit::Wan).unwrap()
    }

    #[test]
    fn parses_exactly_without_floats() {
        assert_eq!(wan("233.93"), Amount(233_930_000));
        assert_eq!(wan("0.1").fen(), 100_000);
        assert_eq!(wan("11.113").fen(), 11_113_000);
        assert_eq!(Amount::parse("12.34", MoneyUnit::Yuan).unwrap().fen(), 1234);
        assert_eq!(wan("-1.5").fen(), -1_500_000);
        assert_eq!(wan("1_000").fen(), 1_000_000_000);
    }

    #[test]
    fn rejects_bad_text() {
        for bad in ["", "abc", "1.", ".5", "1e3", "1,000", "1.2.3", "--1"] {
            assert_eq!(
                Amount::parse(bad, MoneyUnit::Wan),
                Err(AmountParseError::NotANumber),
                "{bad}"
            );
        }
        assert_eq!(
            Amount::parse("1.234", MoneyUnit::Yuan),
            Err(AmountParseError::TooPrecise { max_decimals: 2 })
        );
        assert_eq!(
            Amount::parse("1.0000001", MoneyUnit::Wan),
            Err(AmountParseError::TooPrecise { max_decimals: 6 })
        );
        // trailing zeros are not extra precision
        assert!(Amount::parse("1.2300", MoneyUnit::Yuan).is_ok());
    }

    #[test]
    fn rounds_half_up_to_wan_cents() {
        assert_eq!(Amount(686_542_000).wan(), "686.54");
        assert_eq!(Amount(5_000).wan(), "0.01"); // 50 元 = 0.005 万元 → 0.01
        assert_eq!(Amount(4_999).wan(), "0.00");
        assert_eq!(Amount(-5_000).wan(), "-0.01");
        assert_eq!(Amount(0).wan(), "0.00");
        assert_eq!(wan("22.542").wan(), "22.54");
        assert_eq!(Amount(123).yuan(), "1.23");
        assert_eq!(Amount(100_000).exact(MoneyUnit::Yuan), "1000");
        assert_eq!(wan("0.004").exact(MoneyUnit::Wan), "0.004");
        assert_eq!(wan("-12.5").exact(MoneyUnit::Wan), "-12.5");
        assert_eq!(Amount(5).exact(MoneyUnit::Yuan), "0.05");
    }

    #[test]
    fn seed_percentages() {
        let p = |a: &str, b: &str| Percent::of(wan(a), wan(b)).unwrap().to_string();
        assert_eq!(p("406.17", "686.54"), "59.16%");
        assert_eq!(p("131.02", "686.54"), "19.08%");
        assert_eq!(p("0.94", "0.19"), "494.74%");
        assert_eq!(Percent::of(wan("1"), Amount::ZERO), None);
    }

    #[test]
    fn changes_and_completion() {
        let c = Change::between(wan("686.54"), wan("631.36"));
        assert_eq!(c.delta.wan(), "55.18");
        assert_eq!(c.direction, Direction::Up);
        assert_eq!(c.rate.unwrap().to_string(), "8.74%");
        let flat = Change::between(Amount::ZERO, Amount::ZERO);
        assert_eq!(flat.direction, Direction::Flat);
        assert_eq!(flat.rate, None);
        let down = Change::between(wan("1"), wan("4"));
        assert_eq!(down.direction, Direction::Down);
        assert_eq!(down.rate.unwrap().to_string(), "75.00%");
        let done = Completion::of(wan("12"), wan("12"));
        assert_eq!(done.direction, Direction::Flat);
        assert_eq!(done.rate.unwrap().to_string(), "100.00%");
        assert_eq!(Completion::of(wan("1"), Amount::ZERO).rate, None);
    }

    #[test]
    fn div_rounding_signs() {
        assert_eq!(div_round_half_up(5, 2), 3);
        assert_eq!(div_round_half_up(-5, 2), -3);
        assert_eq!(div_round_half_up(5, -2), -3);
        assert_eq!(div_round_half_up(4, 3), 1);
        assert_eq!(div_round_half_up(-4, 3), -1);
    }
}
