//! Exact rational numbers for scoring. No floating point anywhere: every amount, weight and
//! score is a reduced fraction of two `i128`s, and every operation either gives the exact
//! result or reports [`RatioError::Overflow`] — it never panics and never rounds silently.

use std::cmp::Ordering;
use std::fmt;

/// An exact rational number num/den, always reduced, den > 0.
///
/// Invariant (kept by every constructor): `gcd(num, den) == 1`, `den > 0`, and
/// `num != i128::MIN`, so negation and `abs` can never overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

/// Why a [`Ratio`] operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatioError {
    /// Division (or a fraction with denominator) by zero.
    DivisionByZero,
    /// The exact result does not fit in `i128` numerator/denominator.
    Overflow,
    /// The text is not a valid number; holds the offending text.
    Parse(String),
}

impl fmt::Display for RatioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RatioError::DivisionByZero => f.write_str("除数为零"),
            RatioError::Overflow => f.write_str("数值溢出"),
            RatioError::Parse(text) => write!(f, "不是有效数字：{text}"),
        }
    }
}

impl std::error::Error for RatioError {}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Ratio {
    /// Zero (0/1).
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    /// One (1/1).
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`, reduced. `den == 0` gives [`RatioError::DivisionByZero`]; a value whose
    /// reduced numerator is `i128::MIN` gives [`RatioError::Overflow`].
    pub fn new(num: i128, den: i128) -> Result<Ratio, RatioError> {
        if den == 0 {
            return Err(RatioError::DivisionByZero);
        }
        let (nu, du) = (num.unsigned_abs(), den.unsigned_abs());
        let g = gcd(nu, du); // > 0 because du > 0
        let (nu, du) = (nu / g, du / g);
        let max = i128::MAX as u128;
        if nu > max || du > max {
            return Err(RatioError::Overflow);
        }
        let (nu, du) = (nu as i128, du as i128);
        if nu == 0 {
            return Ok(Ratio::ZERO);
        }
        let negative = (num < 0) != (den < 0);
        Ok(Ratio {
            num: if negative { -nu } else { nu },
            den: du,
        })
    }

    /// The integer `n`.
    pub fn from_int(n: i64) -> Ratio {
        Ratio {
            num: i128::from(n),
            den: 1,
        }
    }

    /// Parse "8", "-0.5", "67.5%", "1_000", "0.125" exactly. "%" (or full-width "％") divides
    /// by 100. Surrounding whitespace is ignored; an optional leading `+` or `-` is allowed;
    /// `_` may separate digits. Rejects "1e3", "", "1.", ".5", "1,0".
    pub fn parse(text: &str) -> Result<Ratio, RatioError> {
        let bad = || RatioError::Parse(text.to_string());
        let s = text.trim();
        let (s, percent) = match s.strip_suffix('%').or_else(|| s.strip_suffix('％')) {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        let (s, negative) = if let Some(rest) = s.strip_prefix('-') {
            (rest, true)
        } else if let Some(rest) = s.strip_prefix('+') {
            (rest, false)
        } else {
            (s, false)
        };
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if !valid_digit_groups(int_part) {
            return Err(bad());
        }
        if let Some(f) = frac_part {
            if !valid_digit_groups(f) {
                return Err(bad());
            }
        }
        // Trailing zeros of the fraction do not change the value; drop them so that long
        // but harmless inputs like "1.50000000000000000000000000000000000000000" still fit.
        let frac_digits: Vec<u8> = frac_part
            .unwrap_or("")
            .bytes()
            .filter(|b| b.is_ascii_digit())
            .collect();
        let frac_len = frac_digits
            .iter()
            .rposition(|&b| b != b'0')
            .map_or(0, |p| p + 1);
        let mut num: i128 = 0;
        for b in int_part
            .bytes()
            .filter(|b| b.is_ascii_digit())
            .chain(frac_digits[..frac_len].iter().copied())
        {
            num = num
                .checked_mul(10)
                .and_then(|n| n.checked_add(i128::from(b - b'0')))
                .ok_or(RatioError::Overflow)?;
        }
        let exp = u32::try_from(frac_len).map_err(|_| RatioError::Overflow)?;
        let mut den = 10i128.checked_pow(exp).ok_or(RatioError::Overflow)?;
        if percent {
            den = den.checked_mul(100).ok_or(RatioError::Overflow)?;
        }
        Ratio::new(if negative { -num } else { num }, den)
    }

    /// The numerator (carries the sign).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// The denominator (always > 0).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// Exact `self + other`.
    pub fn checked_add(self, other: Ratio) -> Result<Ratio, RatioError> {
        let g = gcd(self.den as u128, other.den as u128) as i128;
        let (bd, dd) = (self.den / g, other.den / g);
        let num = self
            .num
            .checked_mul(dd)
            .and_then(|l| other.num.checked_mul(bd).and_then(|r| l.checked_add(r)))
            .ok_or(RatioError::Overflow)?;
        let den = bd.checked_mul(other.den).ok_or(RatioError::Overflow)?;
        Ratio::new(num, den)
    }

    /// Exact `self - other`.
    pub fn checked_sub(self, other: Ratio) -> Result<Ratio, RatioError> {
        self.checked_add(-other)
    }

    /// Exact `self × other`.
    pub fn checked_mul(self, other: Ratio) -> Result<Ratio, RatioError> {
        let g1 = gcd(self.num.unsigned_abs(), other.den as u128) as i128;
        let g2 = gcd(other.num.unsigned_abs(), self.den as u128) as i128;
        let num = (self.num / g1)
            .checked_mul(other.num / g2)
            .ok_or(RatioError::Overflow)?;
        let den = (self.den / g2)
            .checked_mul(other.den / g1)
            .ok_or(RatioError::Overflow)?;
        Ratio::new(num, den)
    }

    /// Exact `self ÷ other`; [`RatioError::DivisionByZero`] if `other` is zero.
    pub fn checked_div(self, other: Ratio) -> Result<Ratio, RatioError> {
        if other.num == 0 {
            return Err(RatioError::DivisionByZero);
        }
        // |other.num| <= i128::MAX by the invariant, so the reciprocal is representable.
        let recip = if other.num < 0 {
            Ratio {
                num: -other.den,
                den: -other.num,
            }
        } else {
            Ratio {
                num: other.den,
                den: other.num,
            }
        };
        self.checked_mul(recip)
    }

    /// Absolute value (never overflows).
    pub fn abs(self) -> Ratio {
        Ratio {
            num: self.num.abs(),
            den: self.den,
        }
    }

    /// `self == 0`.
    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// `self < 0`.
    pub fn is_negative(self) -> bool {
        self.num < 0
    }

    /// The smaller of the two.
    pub fn min(self, o: Ratio) -> Ratio {
        if o < self {
            o
        } else {
            self
        }
    }

    /// The larger of the two.
    pub fn max(self, o: Ratio) -> Ratio {
        if o > self {
            o
        } else {
            self
        }
    }

    /// `self.max(lo).min(hi)`. Never panics: if `lo > hi` the result is `hi`.
    pub fn clamp(self, lo: Ratio, hi: Ratio) -> Ratio {
        self.max(lo).min(hi)
    }

    /// Round half away from zero to `dp` decimals, as an integer count of 10^-dp units:
    /// round_to(2) of 2/3 is 67. Saturates at `i128::MAX` / `i128::MIN` if the count does
    /// not fit (only for huge values or huge `dp`).
    pub fn round_to(self, dp: u32) -> i128 {
        if self.num == 0 {
            return 0;
        }
        let saturated = if self.num < 0 { i128::MIN } else { i128::MAX };
        // A nonzero value has |v| >= 1/i128::MAX > 10^-39, so with dp > 80 the count is
        // certainly above 10^39 > i128::MAX.
        if dp > 80 {
            return saturated;
        }
        let (negative, int_part, frac) = self.rounded_digits(dp);
        let mut acc = int_part;
        for d in frac {
            match acc
                .checked_mul(10)
                .and_then(|a| a.checked_add(u128::from(d)))
            {
                Some(a) => acc = a,
                None => return saturated,
            }
        }
        if acc > i128::MAX as u128 {
            return saturated;
        }
        if negative {
            -(acc as i128)
        } else {
            acc as i128
        }
    }

    /// "66.67" for 2/3 with dp = 2 (half away from zero; "-0.50"; never "-0.00").
    pub fn to_fixed(self, dp: u32) -> String {
        let (negative, int_part, frac) = self.rounded_digits(dp);
        let mut s = String::with_capacity(frac.len() + 42);
        if negative {
            s.push('-');
        }
        s.push_str(&int_part.to_string());
        if dp > 0 {
            s.push('.');
            s.extend(frac.iter().map(|&d| char::from(b'0' + d)));
        }
        s
    }

    /// Shortest exact decimal if finite (e.g. "0.125", "8", "-2.5"), else to_fixed(6)
    /// followed by "…".
    pub fn display_exact(self) -> String {
        match self.terminating_decimals() {
            Some(dp) => self.to_fixed(dp),
            None => format!("{}…", self.to_fixed(6)),
        }
    }

    /// Number of decimals of the exact decimal expansion, if it terminates (the denominator
    /// has no prime factors other than 2 and 5).
    fn terminating_decimals(self) -> Option<u32> {
        let mut d = self.den;
        let (mut twos, mut fives) = (0u32, 0u32);
        while d % 2 == 0 {
            d /= 2;
            twos += 1;
        }
        while d % 5 == 0 {
            d /= 5;
            fives += 1;
        }
        (d == 1).then_some(twos.max(fives))
    }

    /// (negative, integer part, `dp` fractional digits) of |self| rounded half away from zero
    /// to `dp` decimals. `negative` is false when the rounded value is zero.
    fn rounded_digits(self, dp: u32) -> (bool, u128, Vec<u8>) {
        let n = self.num.unsigned_abs();
        let d = self.den as u128;
        let mut int_part = n / d;
        let mut r = n % d;
        let mut frac: Vec<u8> = Vec::with_capacity(dp as usize);
        for _ in 0..dp {
            // digit = floor(10r / d), r = 10r mod d, without forming 10r (which could
            // overflow): add r ten times, keeping the running sum below d.
            let (mut acc, mut digit) = (0u128, 0u8);
            for _ in 0..10 {
                acc += r; // acc < d and r < d, so acc + r < 2d < 2^128
                if acc >= d {
                    acc -= d;
                    digit += 1;
                }
            }
            frac.push(digit);
            r = acc;
        }
        // Half away from zero on the magnitude: round up when r/d >= 1/2.
        if r >= d - r && r != 0 {
            let mut carry = true;
            for digit in frac.iter_mut().rev() {
                if *digit == 9 {
                    *digit = 0;
                } else {
                    *digit += 1;
                    carry = false;
                    break;
                }
            }
            if carry {
                int_part += 1; // int_part <= 2^127 - 1, cannot overflow u128
            }
        }
        let nonzero = int_part != 0 || frac.iter().any(|&x| x != 0);
        (self.num < 0 && nonzero, int_part, frac)
    }
}

/// `true` if `s` is one or more ASCII digits, optionally separated by single underscores.
fn valid_digit_groups(s: &str) -> bool {
    !s.is_empty()
        && s.split('_')
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()))
}

impl std::ops::Neg for Ratio {
    type Output = Ratio;
    /// Exact negation (never overflows, since the numerator is never `i128::MIN`).
    fn neg(self) -> Ratio {
        Ratio {
            num: -self.num,
            den: self.den,
        }
    }
}

impl From<i64> for Ratio {
    fn from(n: i64) -> Ratio {
        Ratio::from_int(n)
    }
}

impl Default for Ratio {
    fn default() -> Ratio {
        Ratio::ZERO
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Ratio) -> Ordering {
        let (a, b, c, d) = (self.num, self.den, other.num, other.den);
        if let (Some(l), Some(r)) = (a.checked_mul(d), c.checked_mul(b)) {
            return l.cmp(&r);
        }
        cmp_fractions(a, b, c, d)
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Exact comparison of a/b and c/d (b, d > 0) without multiplication, by comparing the
/// continued-fraction expansions (Euclid's algorithm). Never overflows.
fn cmp_fractions(mut a: i128, mut b: i128, mut c: i128, mut d: i128) -> Ordering {
    loop {
        let (q1, r1) = (a.div_euclid(b), a.rem_euclid(b));
        let (q2, r2) = (c.div_euclid(d), c.rem_euclid(d));
        if q1 != q2 {
            return q1.cmp(&q2);
        }
        match (r1 == 0, r2 == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            // r1/b vs r2/d, both in (0, 1): x < y  <=>  1/y < 1/x, i.e. d/r2 vs b/r1.
            (false, false) => (a, b, c, d) = (d, r2, b, r1),
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_exact())
    }
}

impl serde::Serialize for Ratio {
    /// As the `display_exact` string when the decimal expansion terminates (e.g. "0.125");
    /// otherwise as the exact fraction "num/den" (e.g. "2/3"), so that the value always
    /// deserializes back unchanged.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.terminating_decimals().is_some() {
            serializer.serialize_str(&self.display_exact())
        } else {
            serializer.serialize_str(&format!("{}/{}", self.num, self.den))
        }
    }
}

impl<'de> serde::Deserialize<'de> for Ratio {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ratio, D::Error> {
        deserializer.deserialize_any(RatioVisitor)
    }
}

/// Serde visitor for [`Ratio`] (shared with `expr::Value`).
pub(crate) struct RatioVisitor;

/// Parse the string forms accepted on deserialization: a decimal (see [`Ratio::parse`]) or an
/// exact fraction "num/den" of two integers (the form non-terminating values serialize to).
fn parse_serialized(text: &str) -> Result<Ratio, RatioError> {
    match text.split_once('/') {
        Some((n, d)) => {
            let n = Ratio::parse(n)?;
            let d = Ratio::parse(d)?;
            if n.den != 1 || d.den != 1 {
                return Err(RatioError::Parse(text.to_string()));
            }
            Ratio::new(n.num, d.num)
        }
        None => Ratio::parse(text),
    }
}

impl serde::de::Visitor<'_> for RatioVisitor {
    type Value = Ratio;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string holding an exact decimal such as \"0.5\" or \"67.5%\"")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Ratio, E> {
        Ok(Ratio::from_int(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Ratio, E> {
        Ok(Ratio {
            num: i128::from(v),
            den: 1,
        })
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Ratio, E> {
        Ratio::new(v, 1).map_err(E::custom)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Ratio, E> {
        let v = i128::try_from(v).map_err(|_| E::custom(RatioError::Overflow))?;
        Ratio::new(v, 1).map_err(E::custom)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Ratio, E> {
        Err(E::custom(format!(
            "不接受浮点数 {v}（浮点数无法精确表示）：use a string such as \"0.5\" for exact decimals"
        )))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Ratio, E> {
        parse_serialized(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    fn p(s: &str) -> Ratio {
        Ratio::parse(s).unwrap()
    }

    #[test]
    fn new_reduces_and_normalises_sign() {
        assert_eq!(r(6, 8), r(3, 4));
        assert_eq!(r(6, -8).numer(), -3);
        assert_eq!(r(6, -8).denom(), 4);
        assert_eq!(r(-6, -8), r(3, 4));
        assert_eq!(r(0, -5), Ratio::ZERO);
        assert_eq!(r(0, -5).denom(), 1);
        assert_eq!(Ratio::new(1, 0), Err(RatioError::DivisionByZero));
        assert_eq!(Ratio::new(i128::MIN, 1), Err(RatioError::Overflow));
        assert_eq!(Ratio::new(i128::MIN, i128::MIN), Ok(Ratio::ONE));
        assert_eq!(Ratio::new(i128::MIN, 2), Ok(r(i128::MIN / 2, 1)));
        assert_eq!(Ratio::new(1, i128::MIN), Err(RatioError::Overflow));
        assert_eq!(Ratio::default(), Ratio::ZERO);
        assert_eq!(Ratio::from_int(-7), r(-7, 1));
        assert_eq!(Ratio::from(3i64), r(3, 1));
    }

    #[test]
    fn parse_valid() {
        assert_eq!(p("8"), r(8, 1));
        assert_eq!(p("-0.5"), r(-1, 2));
        assert_eq!(p("67.5%"), r(27, 40));
        assert_eq!(p("40%"), r(2, 5));
        assert_eq!(p("82.5%"), r(33, 40));
        assert_eq!(p("1_000"), r(1000, 1));
        assert_eq!(p("0.125"), r(1, 8));
        assert_eq!(p("+3"), r(3, 1));
        assert_eq!(p(" 2.50 "), r(5, 2));
        assert_eq!(p("-0"), Ratio::ZERO);
        assert_eq!(p("0.000_1"), r(1, 10_000));
        assert_eq!(p("5％"), r(1, 20));
        assert_eq!(p("1.50000000000000000000000000000000000000000000"), r(3, 2));
    }

    #[test]
    fn parse_invalid() {
        for bad in [
            "1e3", "", "1.", ".5", "1,0", "%", "-", "abc", "1.2.3", "_1", "1_", "1__0", "--1",
            "1 0", "5%%", "0x10", "1._5", "NaN", "inf", "-.5",
        ] {
            assert_eq!(
                Ratio::parse(bad),
                Err(RatioError::Parse(bad.to_string())),
                "{bad:?} should be rejected"
            );
        }
        assert_eq!(
            Ratio::parse("1000000000000000000000000000000000000000000"),
            Err(RatioError::Overflow)
        );
        assert_eq!(
            Ratio::parse("0.0000000000000000000000000000000000000000001"),
            Err(RatioError::Overflow)
        );
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(p("0.1").checked_add(p("0.2")).unwrap(), p("0.3"));
        assert_eq!(p("0.3").checked_sub(p("0.1")).unwrap(), p("0.2"));
        assert_eq!(r(1, 3).checked_mul(r(3, 1)).unwrap(), Ratio::ONE);
        assert_eq!(r(2, 3).checked_div(r(4, 9)).unwrap(), r(3, 2));
        assert_eq!(r(2, 3).checked_div(r(-4, 9)).unwrap(), r(-3, 2));
        assert_eq!(
            Ratio::ONE.checked_div(Ratio::ZERO),
            Err(RatioError::DivisionByZero)
        );
        let third = r(1, 3);
        let sum = third
            .checked_add(third)
            .and_then(|s| s.checked_add(third))
            .unwrap();
        assert_eq!(sum, Ratio::ONE);
        assert_eq!(r(-5, 2).abs(), r(5, 2));
        assert!(r(-5, 2).is_negative());
        assert!(!Ratio::ZERO.is_negative());
        assert!(Ratio::ZERO.is_zero());
        assert_eq!(-r(1, 2), r(-1, 2));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let big = r(i128::MAX, 1);
        assert_eq!(big.checked_add(Ratio::ONE), Err(RatioError::Overflow));
        assert_eq!(
            (-big).checked_sub(Ratio::from_int(2)),
            Err(RatioError::Overflow)
        );
        assert_eq!(big.checked_mul(r(2, 1)), Err(RatioError::Overflow));
        assert_eq!(big.checked_div(r(1, 2)), Err(RatioError::Overflow));
        let tiny = r(1, i128::MAX);
        assert_eq!(tiny.checked_mul(r(1, 2)), Err(RatioError::Overflow));
        assert_eq!(
            tiny.checked_add(r(1, i128::MAX - 1)),
            Err(RatioError::Overflow)
        );
        // Results that fit after reduction are still computed.
        assert_eq!(big.checked_mul(r(1, i128::MAX)).unwrap(), Ratio::ONE);
        assert_eq!(big.checked_sub(big).unwrap(), Ratio::ZERO);
        assert_eq!((-big).abs(), big);
        // Rounding saturates rather than panicking.
        assert_eq!(big.round_to(2), i128::MAX);
        assert_eq!((-big).round_to(2), i128::MIN);
        assert_eq!(tiny.round_to(100), i128::MAX);
        assert_eq!(Ratio::ZERO.round_to(u32::MAX), 0);
        assert_eq!(big.to_fixed(1), format!("{}.0", i128::MAX));
    }

    #[test]
    fn ordering() {
        assert!(r(1, 3) < r(1, 2));
        assert!(r(-1, 2) < r(-1, 3));
        assert!(r(-1, 2) < Ratio::ZERO);
        assert!(p("67.5%") > p("0.67"));
        assert_eq!(r(2, 4).cmp(&r(1, 2)), Ordering::Equal);
        assert_eq!(r(1, 3).min(r(1, 2)), r(1, 3));
        assert_eq!(r(1, 3).max(r(1, 2)), r(1, 2));
        assert_eq!(r(15, 1).clamp(Ratio::ZERO, r(8, 1)), r(8, 1));
        assert_eq!(r(-3, 1).clamp(Ratio::ZERO, r(8, 1)), Ratio::ZERO);
        assert_eq!(r(3, 1).clamp(Ratio::ZERO, r(8, 1)), r(3, 1));
        assert_eq!(r(3, 1).clamp(r(8, 1), Ratio::ZERO), Ratio::ZERO);
        // Cross products overflow i128 here; the fallback must still be exact.
        let a = r(i128::MAX, i128::MAX - 1);
        let b = r(i128::MAX - 1, i128::MAX - 2);
        assert!(a < b); // 1 + 1/(M-1) < 1 + 1/(M-2)
        assert!(-a > -b);
        assert_eq!(a.cmp(&a), Ordering::Equal);
        assert!(r(i128::MAX, 3) > r(i128::MAX - 1, 3));
        assert!(r(-i128::MAX, 7) < r(i128::MAX, 11));
        assert_eq!(
            cmp_fractions(i128::MAX, i128::MAX - 1, i128::MAX - 1, i128::MAX - 2),
            Ordering::Less
        );
        assert_eq!(cmp_fractions(6, 4, 3, 2), Ordering::Equal);
        assert_eq!(cmp_fractions(-7, 3, -5, 2), Ordering::Greater);
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(r(2, 3).round_to(2), 67);
        assert_eq!(r(-2, 3).round_to(2), -67);
        assert_eq!(r(2, 3).to_fixed(2), "0.67");
        assert_eq!(r(200, 3).to_fixed(2), "66.67");
        assert_eq!(p("0.005").to_fixed(2), "0.01");
        assert_eq!(p("-0.005").to_fixed(2), "-0.01");
        assert_eq!(p("0.0049").to_fixed(2), "0.00");
        assert_eq!(p("-0.0049").to_fixed(2), "0.00");
        assert_eq!(p("-0.0001").to_fixed(2), "0.00");
        assert_eq!(p("-0.5").to_fixed(2), "-0.50");
        assert_eq!(p("0.005").round_to(2), 1);
        assert_eq!(p("-0.005").round_to(2), -1);
        assert_eq!(p("-0.0001").round_to(2), 0);
        assert_eq!(p("2.5").round_to(0), 3);
        assert_eq!(p("-2.5").round_to(0), -3);
        assert_eq!(p("2.5").to_fixed(0), "3");
        assert_eq!(p("9.995").to_fixed(2), "10.00");
        assert_eq!(p("-9.995").to_fixed(2), "-10.00");
        assert_eq!(p("99.9949").to_fixed(2), "99.99");
        assert_eq!(r(1, 8).to_fixed(5), "0.12500");
        assert_eq!(Ratio::ZERO.to_fixed(2), "0.00");
        assert_eq!(r(85, 1).to_fixed(2), "85.00");
        assert_eq!(r(85, 1).round_to(2), 8500);
    }

    #[test]
    fn display_exact() {
        assert_eq!(r(1, 8).display_exact(), "0.125");
        assert_eq!(r(8, 1).display_exact(), "8");
        assert_eq!(r(-5, 2).display_exact(), "-2.5");
        assert_eq!(p("67.5%").display_exact(), "0.675");
        assert_eq!(r(2, 3).display_exact(), "0.666667…");
        assert_eq!(r(-1, 3).display_exact(), "-0.333333…");
        assert_eq!(r(1, 1 << 20).display_exact().len(), 22);
        assert_eq!(r(-5, 2).to_string(), "-2.5");
        assert_eq!(format!("{}", Ratio::ZERO), "0");
    }

    #[test]
    fn error_messages_are_chinese() {
        assert_eq!(RatioError::DivisionByZero.to_string(), "除数为零");
        assert_eq!(RatioError::Overflow.to_string(), "数值溢出");
        assert_eq!(
            Ratio::parse("1e3").unwrap_err().to_string(),
            "不是有效数字：1e3"
        );
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Doc {
        x: Ratio,
    }

    #[test]
    fn serde_toml() {
        let d: Doc = toml::from_str("x = \"0.5\"").unwrap();
        assert_eq!(d.x, r(1, 2));
        let d: Doc = toml::from_str("x = 3").unwrap();
        assert_eq!(d.x, r(3, 1));
        let d: Doc = toml::from_str("x = -3").unwrap();
        assert_eq!(d.x, r(-3, 1));
        let d: Doc = toml::from_str("x = \"67.5%\"").unwrap();
        assert_eq!(d.x, r(27, 40));
        let err = toml::from_str::<Doc>("x = 0.5").unwrap_err().to_string();
        assert!(
            err.contains("use a string such as \"0.5\" for exact decimals"),
            "{err}"
        );
        let err = toml::from_str::<Doc>("x = \"1e3\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("不是有效数字：1e3"), "{err}");
        let err = toml::from_str::<Doc>("x = true").unwrap_err().to_string();
        assert!(err.contains("exact decimal"), "{err}");

        for value in [r(1, 2), r(-5, 2), r(3, 1), r(2, 3), r(-1, 7), Ratio::ZERO] {
            let text = toml::to_string(&Doc { x: value }).unwrap();
            let back: Doc = toml::from_str(&text).unwrap();
            assert_eq!(back.x, value, "{text}");
        }
        assert_eq!(
            toml::to_string(&Doc { x: r(1, 8) }).unwrap(),
            "x = \"0.125\"\n"
        );
        assert_eq!(
            toml::to_string(&Doc { x: r(2, 3) }).unwrap(),
            "x = \"2/3\"\n"
        );
        assert!(toml::from_str::<Doc>("x = \"1/0\"").is_err());
        assert!(toml::from_str::<Doc>("x = \"1.5/2\"").is_err());
    }

    fn arb_ratio() -> impl Strategy<Value = Ratio> {
        (-1_000_000_000_000i128..1_000_000_000_000, 1i128..1_000_000)
            .prop_map(|(n, d)| Ratio::new(n, d).unwrap())
    }

    proptest! {
        #[test]
        fn prop_add_sub_roundtrip(a in arb_ratio(), b in arb_ratio()) {
            prop_assert_eq!(a.checked_add(b).unwrap().checked_sub(b).unwrap(), a);
        }

        #[test]
        fn prop_mul_div_roundtrip(a in arb_ratio(), b in arb_ratio()) {
            prop_assume!(!b.is_zero());
            prop_assert_eq!(a.checked_mul(b).unwrap().checked_div(b).unwrap(), a);
        }

        #[test]
        fn prop_order_matches_difference_sign(a in arb_ratio(), b in arb_ratio()) {
            let diff = a.checked_sub(b).unwrap();
            let expected = if diff.is_zero() {
                Ordering::Equal
            } else if diff.is_negative() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            prop_assert_eq!(a.cmp(&b), expected);
            prop_assert_eq!(cmp_fractions(a.numer(), a.denom(), b.numer(), b.denom()), expected);
        }

        #[test]
        fn prop_to_fixed_parses_back_within_half_unit(a in arb_ratio()) {
            let text = a.to_fixed(2);
            let back = Ratio::parse(&text).unwrap();
            let err = back.checked_sub(a).unwrap().abs();
            prop_assert!(err <= Ratio::new(5, 1000).unwrap(), "{} vs {}", text, a);
            prop_assert_eq!(back, Ratio::new(a.round_to(2), 100).unwrap());
            prop_assert!(text != "-0.00");
        }

        #[test]
        fn prop_parse_never_panics(s in "\\PC*") {
            let _ = Ratio::parse(&s);
        }

        #[test]
        fn prop_serde_roundtrip(a in arb_ratio()) {
            let text = toml::to_string(&Doc { x: a }).unwrap();
            let back: Doc = toml::from_str(&text).unwrap();
            prop_assert_eq!(back.x, a);
        }
    }
}
