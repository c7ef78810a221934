//! 填列精度: figures copied from published tables are rounded (to 0.01 万元), so relations
//! between them hold only up to rounding. One grading for every command that checks such
//! figures (`validate`/`report`, `import`, `check`): each printed figure stands for any value
//! within half a unit of its precision, and a gap is
//! - none (the relation holds exactly),
//! - a 尾差 (tail difference) when the figures' rounding can account for it — the sum of the
//!   half units of the figures involved, the interval rule of the auditor
//!   (`juesuan_check::run_stated`), or
//! - beyond rounding, an error as for exact figures.
//!
//! Comparisons are shown at the stated precision, never below it (no "应为1520.1763").

use crate::money::{div_round_half_up, Amount, MoneyUnit};
use serde::{Deserialize, Serialize};

/// The precision figures are stated to, as a step in 分 (0.01 万元 = 10,000 分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedPrecision {
    /// One unit of the last stated digit, in 分.
    step_fen: i64,
}

/// How a gap between two sides of a relation grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// The relation holds.
    None,
    /// Within the accumulated rounding of the figures involved: a 尾差 note.
    Rounding,
    /// Beyond what rounding can explain (or any gap between exact figures): an error.
    Beyond,
}

/// The spellings `stated_precision` accepts, with their step in 分.
const KNOWN: [(&str, i64); 4] = [
    ("0.01万元", 10_000),
    ("0.1万元", 100_000),
    ("1万元", 1_000_000),
    ("1元", 100),
];

impl StatedPrecision {
    /// The published precision of 公开表 in 万元: 0.01 万元.
    pub const WAN_CENT: StatedPrecision = StatedPrecision { step_fen: 10_000 };

    /// `"0.01万元"` → the precision; `None` for anything else.
    pub fn parse(text: &str) -> Option<StatedPrecision> {
        KNOWN
            .iter()
            .find(|(k, _)| *k == text.trim())
            .map(|&(_, step_fen)| StatedPrecision { step_fen })
    }

    /// The accepted spellings, for messages ("0.01万元、0.1万元、…").
    pub fn known() -> String {
        KNOWN.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("、")
    }

    /// How the input file writes it (`"0.01万元"`).
    pub fn label(self) -> &'static str {
        KNOWN
            .iter()
            .find(|(_, s)| *s == self.step_fen)
            .map_or("0.01万元", |(k, _)| k)
    }

    /// One unit of the last stated digit, in 分.
    pub fn step_fen(self) -> i64 {
        self.step_fen
    }

    /// The most `figures` stated figures' rounding can move a sum or difference of them:
    /// `figures` × half a unit, in 分 (rounded down to whole 分, so never loosened).
    pub fn tolerance(self, figures: usize) -> Amount {
        let figures = i64::try_from(figures).unwrap_or(i64::MAX / self.step_fen);
        Amount(figures.saturating_mul(self.step_fen) / 2)
    }

    /// Grade `gap` (stated − expected for `=`, or the excess for `≤`) between relations over
    /// `figures` stated figures. `None` precision means exact figures: any gap is beyond.
    pub fn grade(precision: Option<StatedPrecision>, gap: Amount, figures: usize) -> Gap {
        if gap.is_zero() {
            return Gap::None;
        }
        match precision {
            // 2·|gap| ≤ figures × step, in whole 分 without rounding the half units.
            Some(p)
                if i128::from(gap.fen()).abs() * 2
                    <= i128::try_from(figures).unwrap_or(i128::MAX / 2)
                        * i128::from(p.step_fen) =>
            {
                Gap::Rounding
            }
            _ => Gap::Beyond,
        }
    }

    /// `amount` at this precision with its unit: "152.44万元", "1520元".
    pub fn show(self, amount: Amount) -> String {
        let (unit, per_unit) = if self.step_fen >= 10_000 {
            ("万元", 1_000_000i128)
        } else {
            ("元", 100i128)
        };
        let steps = div_round_half_up(i128::from(amount.fen()), i128::from(self.step_fen));
        let value = steps * i128::from(self.step_fen);
        // Decimals of the step in its unit: 0.01万元 → 2, 0.1万元 → 1, 1万元 → 0.
        let mut decimals = 0usize;
        let mut step = i128::from(self.step_fen);
        while step < per_unit {
            step *= 10;
            decimals += 1;
        }
        let sign = if value < 0 { "-" } else { "" };
        let a = value.unsigned_abs();
        let whole = a / per_unit.unsigned_abs();
        if decimals == 0 {
            return format!("{sign}{whole}{unit}");
        }
        let frac =
            (a % per_unit.unsigned_abs()) / (per_unit.unsigned_abs() / 10u128.pow(decimals as u32));
        format!("{sign}{whole}.{frac:0decimals$}{unit}")
    }

    /// The wording of a 尾差 note, the same in every command: "在3个填列数的四舍五入误差（±0.02万元）以内，按尾差处理".
    pub fn within_phrase(self, figures: usize) -> String {
        format!(
            "在{figures}个填列数的四舍五入误差（±{}）以内，按尾差处理",
            self.show_tolerance(figures)
        )
    }

    /// The wording of a gap beyond rounding: "超出12个填列数的四舍五入误差（±0.06万元）".
    pub fn beyond_phrase(self, figures: usize) -> String {
        format!(
            "超出{figures}个填列数的四舍五入误差（±{}）",
            self.show_tolerance(figures)
        )
    }

    /// The tolerance shown exactly (it may be a half step: ±0.005万元 for one figure).
    fn show_tolerance(self, figures: usize) -> String {
        let t = self.tolerance(figures);
        if self.step_fen >= 10_000 {
            format!("{}万元", t.exact(MoneyUnit::Wan))
        } else {
            format!("{}元", t.exact(MoneyUnit::Yuan))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wan(s: &str) -> Amount {
        Amount::parse(s, MoneyUnit::Wan).unwrap()
    }

    #[test]
    fn parses_the_documented_spellings_only() {
        assert_eq!(
            StatedPrecision::parse("0.01万元"),
            Some(StatedPrecision::WAN_CENT)
        );
        assert_eq!(
            StatedPrecision::parse("0.01万元").unwrap().label(),
            "0.01万元"
        );
        assert_eq!(StatedPrecision::parse("1元").unwrap().step_fen(), 100);
        assert_eq!(StatedPrecision::parse("0.01"), None);
        assert_eq!(StatedPrecision::parse("两位小数"), None);
    }

    #[test]
    fn grades_by_the_accumulated_half_units() {
        let p = Some(StatedPrecision::WAN_CENT);
        // Four figures: ±0.02 万元.
        assert_eq!(StatedPrecision::grade(p, wan("0"), 4), Gap::None);
        assert_eq!(StatedPrecision::grade(p, wan("0.02"), 4), Gap::Rounding);
        assert_eq!(StatedPrecision::grade(p, wan("-0.02"), 4), Gap::Rounding);
        assert_eq!(StatedPrecision::grade(p, wan("0.03"), 4), Gap::Beyond);
        // One figure: ±0.005 万元, so a printed 0.01 gap is beyond.
        assert_eq!(StatedPrecision::grade(p, wan("0.01"), 1), Gap::Beyond);
        assert_eq!(StatedPrecision::grade(p, wan("0.01"), 2), Gap::Rounding);
        // Exact figures: any gap is an error.
        assert_eq!(
            StatedPrecision::grade(None, wan("0.000001"), 100),
            Gap::Beyond
        );
    }

    #[test]
    fn shows_at_the_stated_precision_never_below() {
        let p = StatedPrecision::WAN_CENT;
        assert_eq!(p.show(wan("1520.1763")), "1520.18万元");
        assert_eq!(p.show(wan("-0.005")), "-0.01万元");
        assert_eq!(p.show(wan("0")), "0.00万元");
        assert_eq!(
            StatedPrecision::parse("1万元").unwrap().show(wan("2.5")),
            "3万元"
        );
        assert_eq!(
            StatedPrecision::parse("0.1万元").unwrap().show(wan("2.04")),
            "2.0万元"
        );
        assert_eq!(
            StatedPrecision::parse("1元").unwrap().show(wan("0.012345")),
            "123元"
        );
        assert_eq!(
            p.within_phrase(3),
            "在3个填列数的四舍五入误差（±0.015万元）以内，按尾差处理"
        );
    }
}
