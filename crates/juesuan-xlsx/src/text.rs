//! Text normalisation for reading official exports: full-width forms (全角), spaces, list
//! numbering ("一、", "1.", "（1）", "其中："), and amounts written as text.

use juesuan_core::money::{Amount, AmountParseError, MoneyUnit};

// The label and title forms are the template matcher's, shared with the auditor.
pub use juesuan_core::template_match::{
    half_width, label_key, norm, same_label, strip_numbering, without_parens,
};

/// Why a cell is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountProblem {
    NotANumber,
    TooPrecise { max_decimals: u32 },
    TooLarge,
}

impl From<AmountParseError> for AmountProblem {
    fn from(e: AmountParseError) -> Self {
        match e {
            AmountParseError::NotANumber => AmountProblem::NotANumber,
            AmountParseError::TooPrecise { max_decimals } => {
                AmountProblem::TooPrecise { max_decimals }
            }
            AmountParseError::TooLarge => AmountProblem::TooLarge,
        }
    }
}

/// An amount written as text: full-width digits, spaces and thousands separators are
/// accepted; "", "-", "—" and "－" mean zero (official exports print zero that way).
pub fn amount_from_text(s: &str, unit: MoneyUnit) -> Result<Amount, AmountProblem> {
    let t: String = half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    if t.is_empty() || t.chars().all(|c| matches!(c, '-' | '—' | '–' | '─')) {
        return Ok(Amount::ZERO);
    }
    Ok(Amount::parse(&t, unit)?)
}

/// An amount stored as a number: through the shortest decimal form that reads back as the
/// same f64 (Rust's `{}`), then exactly; more precision than 分 is an error, not a rounding.
///
/// Excel keeps 15 significant digits; a cached formula result such as 0.1 + 0.2 is saved as
/// 0.30000000000000004, which Excel itself shows as 0.3. Digits beyond the 15th are that
/// binary noise, so the value is first taken to 15 significant digits, as Excel displays it.
pub fn amount_from_f64(v: f64, unit: MoneyUnit) -> Result<Amount, AmountProblem> {
    if !v.is_finite() {
        return Err(AmountProblem::NotANumber);
    }
    let shortest = format!("{v}");
    let significant = shortest
        .trim_start_matches(['-', '0', '.'])
        .chars()
        .filter(|c| c.is_ascii_digit())
        .count();
    let text = if significant > 15 {
        let excel: f64 = format!("{v:.14e}").parse().unwrap_or(v);
        format!("{excel}")
    } else {
        shortest
    };
    Ok(Amount::parse(&text, unit)?)
}

/// The exact f64 for an amount in `unit`: the nearest double to its decimal form, whose
/// shortest form is that decimal again (for amounts below 10^15 分, far above any budget).
pub fn amount_to_f64(a: Amount, unit: MoneyUnit) -> f64 {
    a.exact(unit).parse().unwrap_or(0.0)
}

/// A classification code at the start of a text: "2060701 机构运行" → ("2060701", "机构运行").
/// Only 3, 5 or 7 digits followed by a non-digit count as a code.
pub fn split_code(s: &str) -> Option<(String, String)> {
    let t = norm(s);
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !matches!(digits.len(), 3 | 5 | 7) {
        return None;
    }
    let rest = t[digits.len()..]
        .trim_start_matches(['-', ':', '.', '、', '_'])
        .to_string();
    Some((digits, rest))
}

/// Display width for column sizing: CJK characters count double.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x2e80 { 1 } else { 2 })
        .sum()
}

/// "A1"-style name of a zero-based cell position.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut c = col + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push((b'A' + r as u8) as char);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_numbering() {
        assert_eq!(half_width("１２３．４５"), "123.45");
        assert_eq!(norm(" 本年 收入\u{3000}合计 "), "本年收入合计");
        assert_eq!(
            label_key("一、一般公共预算财政拨款收入"),
            "一般公共预算财政拨款收入"
        );
        assert_eq!(label_key("（1）公务用车购置费"), "公务用车购置费");
        assert_eq!(label_key("1.因公出国（境）费"), "因公出国(境)费");
        assert_eq!(label_key("其中：基本支出"), "基本支出");
        assert_eq!(label_key("2021年"), "2021年");
        assert!(same_label(
            "使用非财政拨款结余（含专用结余）",
            "使用非财政拨款结余"
        ));
        assert!(!same_label("", ""));
    }

    #[test]
    fn amounts() {
        let w = MoneyUnit::Wan;
        assert_eq!(
            amount_from_text("１２３．４５", w).unwrap().fen(),
            123_450_000
        );
        assert_eq!(
            amount_from_text(" 1,234.5 ", w).unwrap().fen(),
            1_234_500_000
        );
        assert_eq!(amount_from_text("-", w).unwrap(), Amount::ZERO);
        assert_eq!(amount_from_text("", w).unwrap(), Amount::ZERO);
        assert_eq!(amount_from_text("－", w).unwrap(), Amount::ZERO);
        assert_eq!(amount_from_text("abc", w), Err(AmountProblem::NotANumber));
        assert_eq!(amount_from_f64(233.934, w).unwrap().fen(), 233_934_000);
        // Float noise of a cached formula result, beyond Excel's 15 digits.
        assert_eq!(amount_from_f64(0.1 + 0.2, w).unwrap().fen(), 300_000);
        assert_eq!(
            amount_from_f64(233.9341234, w),
            Err(AmountProblem::TooPrecise { max_decimals: 6 })
        );
        assert_eq!(
            amount_from_f64(1.234, MoneyUnit::Yuan),
            Err(AmountProblem::TooPrecise { max_decimals: 2 })
        );
        for fen in [0i64, 1, 99, 2_339_340_000, 123_456_789_012, -5] {
            let a = Amount(fen);
            for u in [MoneyUnit::Wan, MoneyUnit::Yuan] {
                assert_eq!(amount_from_f64(amount_to_f64(a, u), u).unwrap(), a);
            }
        }
    }

    #[test]
    fn codes_and_cells() {
        assert_eq!(
            split_code("2060701 机构运行"),
            Some(("2060701".into(), "机构运行".into()))
        );
        assert_eq!(
            split_code("２０６科学技术支出"),
            Some(("206".into(), "科学技术支出".into()))
        );
        assert_eq!(split_code("2021年度"), None);
        assert_eq!(split_code("合计"), None);
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 1), "B7");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1048575, 16383), "XFD1048576");
    }
}
