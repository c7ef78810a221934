//! A fixed audit workload for instruction counts (bench/audit/instructions.sh): the published
//! seed report (tests/fixtures) × 20, audited once after one warm-up audit of the seed (so that
//! the regexes are compiled before the measured part). Prints the bytes audited and a checksum
//! of the checks, so that the work cannot be optimised away.
fn main() {
    let seed = include_str!("../tests/fixtures/liangshan-kexie-2021-published.txt");
    let warm = juesuan_audit::audit(seed);
    let text = seed.repeat(20);
    let a = juesuan_audit::audit(&text);
    println!(
        "bytes {} checks {} (warm-up {})",
        text.len(),
        a.checks.len(),
        warm.checks.len()
    );
}
