//! Interval arithmetic for printed (rounded) figures: a figure stands for any value within
//! half a unit of its last digit.

use crate::model::*;
use juesuan_core::ratio::Ratio;

/// [lo, hi] of a/b for a ∈ [a ± ha], b ∈ [b ± hb] (b > 0 over the whole interval), × 100.
pub(crate) fn ratio_range(a: Ratio, ha: Ratio, b: Ratio, hb: Ratio) -> Option<(Ratio, Ratio)> {
    let hundred = Ratio::from_int(100);
    let (a_lo, a_hi) = (
        (a.checked_sub(ha).ok()?).max(Ratio::ZERO),
        a.checked_add(ha).ok()?,
    );
    let (b_lo, b_hi) = (b.checked_sub(hb).ok()?, b.checked_add(hb).ok()?);
    if b_lo <= Ratio::ZERO {
        return None;
    }
    Some((
        a_lo.checked_div(b_hi).ok()?.checked_mul(hundred).ok()?,
        a_hi.checked_div(b_lo).ok()?.checked_mul(hundred).ok()?,
    ))
}

/// How far `stated ± half` misses [lo, hi] (zero when they overlap).
pub(crate) fn miss(stated: Ratio, half: Ratio, lo: Ratio, hi: Ratio) -> Ratio {
    let s_lo = stated.checked_sub(half).unwrap_or(stated);
    let s_hi = stated.checked_add(half).unwrap_or(stated);
    if s_hi < lo {
        lo.checked_sub(s_hi).unwrap_or(Ratio::ZERO)
    } else if s_lo > hi {
        s_lo.checked_sub(hi).unwrap_or(Ratio::ZERO)
    } else {
        Ratio::ZERO
    }
}

/// Pass when two printed figures can be the same value: |a − b| ≤ the sum of their halves.
pub(crate) fn agree(a: Ratio, b: Ratio, slack: Ratio) -> Outcome {
    if a.checked_sub(b).unwrap_or(Ratio::ZERO).abs() <= slack {
        Outcome::Pass
    } else {
        Outcome::Fail
    }
}

pub(crate) fn mid(lo: Ratio, hi: Ratio) -> Ratio {
    lo.checked_add(hi)
        .and_then(|s| s.checked_div(Ratio::from_int(2)))
        .unwrap_or(lo)
}
