//! A fixed audit workload for instruction counts (bench/audit/instructions.sh): the published
//! seed report (tests/fixtures) × 20 (or `AUDIT_COPIES`), audited once after one warm-up audit of the seed (so that
//! the regexes are compiled before the measured part). Prints the bytes audited and a checksum
//! of the checks, so that the work cannot be optimised away.
fn main() {
    let seed = include_str!("../tests/fixtures/liangshan-kexie-2021-published.txt");
    let warm = juesuan_audit::audit(seed);
    // AUDIT_COPIES (default 20) copies: instructions per byte that grow with it would show
    // work growing faster than the document.
    let copies = std::env::var("AUDIT_COPIES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(20);
    let text = seed.repeat(copies);
    let a = juesuan_audit::audit(&text);
    println!(
        "bytes {} checks {} (warm-up {})",
        text.len(),
        a.checks.len(),
        warm.checks.len()
    );
}
