//! One rounding rule (四舍五入, half away from zero) for every exact type: amounts shown in
//! 万元 (`Amount::wan`), percentages of two amounts (`Percent::of`) and rationals
//! (`Ratio::to_fixed`) print the same digits for the same value, including at the halfway
//! points and for negative values.

use juesuan_core::money::{Amount, Percent};
use juesuan_core::ratio::Ratio;
use proptest::prelude::*;

fn fen() -> impl Strategy<Value = i64> {
    let max = Amount::MAX.0;
    prop_oneof![
        -max..=max,
        // Around halfway points of 0.01 万元 (5,000 分 past a multiple of 10,000).
        (-1_000_000i64..1_000_000).prop_map(|k| k * 10_000 + 5_000),
        (-1_000_000i64..1_000_000).prop_map(|k| k * 10_000 + 4_999),
    ]
}

proptest! {
    #[test]
    fn amounts_in_wan_round_like_rationals(f in fen()) {
        let r = Ratio::new(i128::from(f), 1_000_000).unwrap();
        prop_assert_eq!(Amount(f).wan(), r.to_fixed(2));
    }

    #[test]
    fn percentages_round_like_rationals(part in fen(), whole in fen()) {
        prop_assume!(whole != 0);
        let p = Percent::of(Amount(part), Amount(whole)).unwrap();
        let r = Ratio::new(i128::from(part) * 100, i128::from(whole)).unwrap();
        prop_assert_eq!(p.text(), r.to_fixed(2));
    }
}

#[test]
fn halfway_points_go_away_from_zero() {
    assert_eq!(Amount(5_000).wan(), "0.01");
    assert_eq!(Amount(-5_000).wan(), "-0.01");
    assert_eq!(Ratio::new(1, 200).unwrap().to_fixed(2), "0.01");
    assert_eq!(Ratio::new(-1, 200).unwrap().to_fixed(2), "-0.01");
    assert_eq!(
        Percent::of(Amount(1), Amount(20_000)).unwrap().text(),
        "0.01"
    );
}
