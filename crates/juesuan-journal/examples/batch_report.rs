//! The batch `report` timing of the benchmark (bench/journal/run.sh): parse and build the
//! complete disclosure of N synthetic units in one process.
//!
//! ```console
//! cargo run --release -p juesuan-journal --example batch_report -- 1000 10000
//! ```
//!
//! Unit i is the embedded example with every stated amount scaled by k/100, k ∈ [50, 2000]
//! from an LCG seeded with i (scaling keeps every relation the input must satisfy), written
//! back as an input file with `write_input` and the unit's name suffixed. The inputs are
//! generated before the clock starts; each timed step is `parse_input` + `build_report`
//! (tables, narrative, charts, Markdown, HTML, JSON), as `juesuan report` does per unit.
//! Prints one line per batch size: units, seconds, units per second, and the peak RSS so far.

use juesuan_core::input::parse_input;
use juesuan_core::write::write_input;
use juesuan_core::{Amount, Catalogues, UnitYear};
use juesuan_data::Library;
use std::time::Instant;

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

// Each generator of benchmark inputs keeps its own few-line LCG on purpose: a shared one
// changed for one benchmark would silently change the inputs (and the figures) of the others.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn synthetic(example: &UnitYear, cats: &Catalogues, index: usize) -> String {
    let mut lcg = Lcg(index as u64);
    lcg.next();
    let k = 50 + (lcg.next() % 1951) as i64;
    let mut uy = example.clone();
    for f in &mut uy.facts.facts {
        // Every example amount is a whole number of 元 × 100 分 / 100… scaled exactly:
        // the example's amounts are multiples of 100 分, so ×k/100 stays whole 分.
        assert_eq!(f.amount.fen() % 100, 0, "example amount not whole 元");
        f.amount = Amount(f.amount.fen() / 100 * k);
    }
    uy.amount_unit = juesuan_core::MoneyUnit::Yuan;
    uy.unit.name = format!("{}（合成样本{index:05}）", uy.unit.name);
    write_input(&uy, cats)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("batch sizes: numbers"))
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1000, 10_000]
    } else {
        sizes
    };
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("2021 catalogues");
    let example = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
    let largest = *sizes.iter().max().unwrap();
    let inputs: Vec<String> = (0..largest)
        .map(|i| synthetic(&example, &cats, i))
        .collect();
    // The inputs are distinct and valid (checked outside the clock).
    assert_ne!(inputs[0], inputs[largest - 1]);
    for size in sizes {
        let start = Instant::now();
        let mut bytes = 0usize;
        for text in &inputs[..size] {
            let uy = parse_input(text, "synthetic.toml", &cats).expect("synthetic input parses");
            let report = juesuan_report::build_report(&uy, &lib, &cats).expect("report builds");
            bytes += report.html.len() + report.markdown.len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "batch_report units={size} seconds={secs:.3} units_per_second={:.0} output_mb={:.1} peak_rss_mib={:.1}",
            size as f64 / secs,
            bytes as f64 / 1e6,
            peak_rss_kib() as f64 / 1024.0
        );
    }
}
