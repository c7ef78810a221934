//! Exact shares of a pool and their rounding: proportional shares bounded by a floor and a
//! cap (water-filling, solved exactly), then largest remainder so the rounded amounts add up
//! to the pool to the 分.

use juesuan_core::ratio::{Ratio, RatioError};

/// Why a pool cannot be shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// The floors alone need more than the pool: (needed).
    FloorsExceedPool(Ratio),
    /// The caps together hold less than the pool: (room).
    CapsBelowPool(Ratio),
    Overflow,
}

impl From<RatioError> for ShareError {
    fn from(_: RatioError) -> ShareError {
        ShareError::Overflow
    }
}

fn clamp(x: Ratio, floor: Option<Ratio>, cap: Option<Ratio>) -> Ratio {
    let x = floor.map_or(x, |f| x.max(f));
    cap.map_or(x, |c| x.min(c))
}

fn total_at(
    lambda: Ratio,
    w: &[Ratio],
    floor: Option<Ratio>,
    cap: Option<Ratio>,
) -> Result<Ratio, ShareError> {
    let mut s = Ratio::ZERO;
    for &wi in w {
        s = s.checked_add(clamp(lambda.checked_mul(wi)?, floor, cap))?;
    }
    Ok(s)
}

/// Shares of `pool` proportional to the weights `w` (not all zero; none negative), each
/// within [floor, cap]: q_i = clamp(λ·w_i, floor, cap) with the one λ that makes them add to
/// the pool. All-zero weights share equally.
pub fn bounded_shares(
    pool: Ratio,
    w: &[Ratio],
    floor: Option<Ratio>,
    cap: Option<Ratio>,
) -> Result<Vec<Ratio>, ShareError> {
    let n = Ratio::from_int(i64::try_from(w.len()).map_err(|_| ShareError::Overflow)?);
    if let Some(f) = floor {
        let need = f.checked_mul(n)?;
        if need > pool {
            return Err(ShareError::FloorsExceedPool(need));
        }
    }
    if let Some(c) = cap {
        let room = c.checked_mul(n)?;
        if room < pool {
            return Err(ShareError::CapsBelowPool(room));
        }
    }
    let equal = w.iter().all(|x| x.is_zero());
    let w: Vec<Ratio> = if equal {
        vec![Ratio::ONE; w.len()]
    } else {
        whole_weights(w)?
    };
    // Breakpoints of the piecewise-linear total: where a weight meets its floor or its cap.
    let mut points: Vec<Ratio> = Vec::new();
    for &wi in w.iter().filter(|x| !x.is_zero()) {
        for b in [floor, cap].into_iter().flatten() {
            points.push(b.checked_div(wi)?);
        }
    }
    points.sort();
    points.dedup();
    // The first breakpoint where the total reaches the pool (binary search: the total is
    // nondecreasing in λ); λ lies in the segment before it, where the total is linear.
    let (mut lo, mut hi) = (0usize, points.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if total_at(points[mid], &w, floor, cap)? >= pool {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let left = if lo == 0 { Ratio::ZERO } else { points[lo - 1] };
    let right = points.get(lo).copied();
    // In (left, right) each weight is either held at a bound (constant there) or
    // proportional: proportional if its floor is reached by `left` and its cap not before
    // `right`. (No midpoint: its denominator would be the product of two weights'.)
    let (mut fixed, mut slope) = (Ratio::ZERO, Ratio::ZERO);
    for &wi in &w {
        let at_left = left.checked_mul(wi)?;
        let above_floor = floor.is_none_or(|f| at_left >= f);
        let below_cap = match (cap, right) {
            (Some(c), Some(r)) => r.checked_mul(wi)? <= c,
            (Some(c), None) => at_left < c,
            (None, _) => true,
        };
        if !wi.is_zero() && above_floor && below_cap {
            slope = slope.checked_add(wi)?;
        } else {
            fixed = fixed.checked_add(clamp(at_left, floor, cap))?;
        }
    }
    let lambda = if slope.is_zero() {
        left
    } else {
        pool.checked_sub(fixed)?.checked_div(slope)?
    };
    w.iter()
        .map(|&wi| Ok(clamp(lambda.checked_mul(wi)?, floor, cap)))
        .collect()
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

/// The same proportions as whole numbers over their common denominator, divided by their
/// common factor: with 3,000 weights of different denominators, products like λ·w_i would
/// otherwise outgrow i128, while whole weights keep every step within a few digits of them.
fn whole_weights(w: &[Ratio]) -> Result<Vec<Ratio>, ShareError> {
    let mut lcm: i128 = 1;
    for x in w {
        let d = x.denom();
        lcm = (lcm / gcd(lcm, d))
            .checked_mul(d)
            .ok_or(ShareError::Overflow)?;
    }
    let whole: Vec<i128> = w
        .iter()
        .map(|x| {
            x.numer()
                .checked_mul(lcm / x.denom())
                .ok_or(ShareError::Overflow)
        })
        .collect::<Result<_, _>>()?;
    let common = whole.iter().fold(0, |g, &n| gcd(g, n)).max(1);
    whole
        .iter()
        .map(|&n| Ok(Ratio::new(n / common, 1)?))
        .collect()
}

/// Round exact amounts (in 分, adding up to `total`, a multiple of `unit`) to multiples of
/// `unit` by largest remainder: each gets its amount rounded down, and the units left over go
/// one each to the largest remainders; equal remainders go first to the earlier in
/// `priority` (a position per amount: rank order, then plan order).
pub fn largest_remainder(
    total: i64,
    exact: &[Ratio],
    unit: i64,
    priority: &[usize],
) -> Result<Vec<i64>, ShareError> {
    let u = Ratio::from_int(unit);
    let mut out = Vec::with_capacity(exact.len());
    let mut rems = Vec::with_capacity(exact.len());
    for (i, &q) in exact.iter().enumerate() {
        let units = q.checked_div(u)?;
        let whole = units.numer().div_euclid(units.denom());
        let rem = units.checked_sub(Ratio::new(whole, 1)?)?;
        let fen = i64::try_from(
            whole
                .checked_mul(i128::from(unit))
                .ok_or(ShareError::Overflow)?,
        )
        .map_err(|_| ShareError::Overflow)?;
        out.push(fen);
        rems.push((rem, i));
    }
    let given: i64 = out.iter().sum();
    let left = (total - given) / unit;
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(priority[a.1].cmp(&priority[b.1])));
    for &(_, i) in rems.iter().take(usize::try_from(left).unwrap_or(0)) {
        out[i] += unit;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64) -> Ratio {
        Ratio::from_int(n)
    }

    #[test]
    fn proportional_without_bounds() {
        let q = bounded_shares(r(100), &[r(1), r(3)], None, None).unwrap();
        assert_eq!(q, vec![r(25), r(75)]);
    }

    #[test]
    fn a_cap_moves_the_excess_to_the_others() {
        let q = bounded_shares(r(100), &[r(1), r(1), r(8)], None, Some(r(50))).unwrap();
        assert_eq!(q, vec![r(25), r(25), r(50)]);
    }

    #[test]
    fn a_floor_is_paid_by_the_others() {
        let q = bounded_shares(r(100), &[r(0), r(1), r(1)], Some(r(10)), None).unwrap();
        assert_eq!(q, vec![r(10), r(45), r(45)]);
    }

    #[test]
    fn infeasible_bounds_are_refused() {
        assert_eq!(
            bounded_shares(r(10), &[r(1), r(1)], Some(r(6)), None),
            Err(ShareError::FloorsExceedPool(r(12)))
        );
        assert_eq!(
            bounded_shares(r(10), &[r(1), r(1)], None, Some(r(4))),
            Err(ShareError::CapsBelowPool(r(8)))
        );
    }

    #[test]
    fn largest_remainder_adds_up_and_breaks_ties_by_priority() {
        let third = Ratio::new(100, 3).unwrap();
        let got = largest_remainder(100, &[third, third, third], 1, &[2, 0, 1]).unwrap();
        assert_eq!(got, vec![33, 34, 33]);
        assert_eq!(got.iter().sum::<i64>(), 100);
    }
}
