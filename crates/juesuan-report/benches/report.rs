//! Benchmarks of juesuan-report (criterion). Not run by CI; see docs/BENCHMARKS.md.
//!
//! - `example/parse`, `example/tables`, `example/report`: the shipped example
//!   (examples/liangshan-kexie-2021/input.toml), one step at a time; and
//!   `example/templates`, the data files build_report loads on every call.
//! - `batch_10k/parse`, `batch_10k/parse_report`: 10,000 different synthetic units, made
//!   deterministically from the example by scaling every amount by a per-unit factor;
//!   each of the 10 samples times 1,000 of them, so the measurement covers the batch once.
//!
//! Run: `cargo bench -p juesuan-report --bench report`.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use juesuan_core::facts::{FactFilter, Measure};
use juesuan_core::input::parse_input;
use juesuan_core::tables::derive_tables;
use juesuan_core::Catalogues;
use juesuan_data::Library;
use juesuan_report::{build_report, parse_glossary};
use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The example input, embedded at compile time.
const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
const EXAMPLE_ORIGIN: &str = "examples/liangshan-kexie-2021/input.toml";
/// Units in the synthetic batch.
const BATCH: usize = 10_000;
/// Units timed per criterion sample (a tenth of the batch).
const CHUNK: usize = 1_000;
/// 分 per 万元 (the example's amount unit).
const FEN_PER_WAN: i64 = 1_000_000;

/// Library and catalogues, loaded once, outside every timed loop.
fn setup() -> (Library, Catalogues) {
    let library = Library::embedded();
    let catalogues = library.catalogues(2021).expect("2021 catalogues load");
    (library, catalogues)
}

fn bench_example(c: &mut Criterion) {
    let (library, catalogues) = setup();
    let uy = parse_input(EXAMPLE, EXAMPLE_ORIGIN, &catalogues).expect("the example parses");
    let table_set = library
        .table_set(&uy.template, uy.year)
        .expect("the example's table template loads");
    // Fail before timing if the report cannot be built.
    build_report(&uy, &library, &catalogues).expect("the example's report builds");

    let mut g = c.benchmark_group("example");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse", |b| {
        b.iter(|| parse_input(black_box(EXAMPLE), EXAMPLE_ORIGIN, &catalogues))
    });
    g.bench_function("tables", |b| {
        b.iter(|| derive_tables(&table_set, black_box(&uy), &catalogues))
    });
    g.bench_function("report", |b| {
        b.iter(|| build_report(black_box(&uy), &library, &catalogues))
    });
    // Diagnostic: what build_report loads from the library on every call (table template
    // parsed from TOML, narrative looked up, glossary parsed), i.e. the part of `report`
    // a caller rendering many units could hoist out of the loop.
    g.bench_function("templates", |b| {
        b.iter(|| {
            let uy = black_box(&uy);
            let province = library
                .province(uy.province.as_deref(), uy.year)
                .expect("province");
            let table_set = library.table_set(&uy.template, uy.year).expect("table set");
            let narrative = library.narrative(&province, uy.year).expect("narrative");
            let mut glossary = Vec::new();
            for (origin, text) in library.glossary(&province, uy.year).expect("glossary") {
                glossary.extend(parse_glossary(text, origin).expect("glossary parses"));
            }
            (table_set, narrative.1.len(), glossary)
        })
    });
    g.finish();
}

// Each generator of benchmark inputs keeps its own few-line LCG on purpose: a shared one
// changed for one benchmark would silently change the inputs (and the figures) of the others.
/// A small 64-bit LCG (Knuth's MMIX constants), seeded by the unit's index.
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

/// The per-unit scale factor in percent: 50..=2000 (×0.50 to ×20.00).
fn factor_percent(index: usize) -> i64 {
    let mut lcg = Lcg(index as u64);
    lcg.next();
    50 + (lcg.next() % 1951) as i64
}

/// Exact 分 of a plain decimal written in 万元 ("233.934" → 233_934_000).
fn wan_to_fen(text: &str) -> i64 {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 6, "more than 6 decimals in 万元: {text}");
    let int: i64 = int.parse().expect("integer part");
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().expect("fractional part")
    };
    int * FEN_PER_WAN + frac
}

/// Whether `key` in TOML table `section` holds an amount (as opposed to a count or text).
fn is_money(section: &str, key: &str) -> bool {
    match section.split('.').next().unwrap_or("") {
        "income" | "expenditure" | "basic_economic" | "carryover_begin" | "budget" | "prior" => {
            true
        }
        "sangong" => matches!(key, "budget" | "actual" | "prior" | "foreign_amount"),
        "operating_costs" => matches!(key, "actual" | "prior"),
        "procurement" => matches!(key, "goods" | "works" | "services" | "sme" | "small_micro"),
        _ => false,
    }
}

/// Synthetic unit `index`: the example with every amount scaled by k/100 (k from the LCG),
/// written in 元 as exact 分, and the index appended to the unit's name. Scaling keeps
/// every linear relation the input must satisfy (basic by economic = basic by function per
/// source, no source overspent, procurement awards ≤ total).
fn synthetic_input(index: usize) -> String {
    let k = factor_percent(index);
    let mut out = String::with_capacity(EXAMPLE.len() + 1024);
    let mut section = String::new();
    let mut in_multiline = false;
    for line in EXAMPLE.lines() {
        let trimmed = line.trim();
        let mut rewritten = None;
        if in_multiline || trimmed.is_empty() || trimmed.starts_with('#') {
            // text or comment: unchanged
        } else if trimmed.starts_with('[') {
            section = trimmed.trim_matches(|c| c == '[' || c == ']').to_string();
        } else if let Some((lhs, rhs)) = line.split_once('=') {
            let key = lhs.trim().trim_matches('"');
            if section.is_empty() && key == "amount_unit" {
                rewritten = Some("amount_unit = \"元\"".to_string());
            } else if section == "unit" && key == "name" {
                let name = rhs.trim().trim_matches('"');
                rewritten = Some(format!("name = \"{name}（合成样本{index:05}）\""));
            } else if is_money(&section, key) {
                let value = rhs.trim_start();
                let end = value
                    .find(|c: char| c.is_whitespace() || c == '#')
                    .unwrap_or(value.len());
                let (number, tail) = value.split_at(end);
                let scaled = wan_to_fen(number) * k;
                assert_eq!(scaled % 100, 0, "{number} × {k}/100 is not whole 分");
                let fen = scaled / 100;
                rewritten = Some(format!("{lhs}= {}.{:02}{tail}", fen / 100, fen % 100));
            }
        }
        if line.matches("\"\"\"").count() % 2 == 1 {
            in_multiline = !in_multiline;
        }
        out.push_str(rewritten.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

fn bench_batch(c: &mut Criterion) {
    let (library, catalogues) = setup();
    let inputs: Vec<String> = (0..BATCH).map(synthetic_input).collect();
    let distinct: HashSet<&str> = inputs.iter().map(String::as_str).collect();
    assert_eq!(distinct.len(), BATCH, "synthetic inputs must all differ");
    // Spot-check that scaling is exact: total income is the example's × k/100.
    let income = FactFilter::measure(Measure::Income);
    let example = parse_input(EXAMPLE, EXAMPLE_ORIGIN, &catalogues).expect("the example parses");
    let example_income = example.facts.sum(&income).fen();
    for i in (0..BATCH).step_by(997) {
        let uy = parse_input(&inputs[i], "synthetic", &catalogues).expect("synthetic unit parses");
        assert_eq!(
            uy.facts.sum(&income).fen(),
            example_income * factor_percent(i) / 100
        );
        build_report(&uy, &library, &catalogues).expect("synthetic unit's report builds");
    }

    // One whole-batch run of parse + report takes about half a minute, and criterion
    // needs at least 10 samples: timing the whole batch per sample would take over five
    // minutes. So each sample times the next tenth of the batch (1,000 units, one
    // iteration per sample): the 10 samples of the measurement together run each of the
    // 10,000 units exactly once. Throughput is in units (elements) per second.
    let chunks: Vec<&[String]> = inputs.chunks(CHUNK).collect();
    let mut g = c.benchmark_group("batch_10k");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(BATCH / CHUNK);
    g.warm_up_time(Duration::from_secs(1));
    // Shorter than 10 chunks of either benchmark, so criterion runs one chunk per sample
    // (and prints a harmless "Unable to complete 10 samples" note).
    g.measurement_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(CHUNK as u64));
    // Baseline: parse only.
    let mut next = 0;
    g.bench_function("parse", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let chunk = chunks[next % chunks.len()];
                next += 1;
                let start = Instant::now();
                for text in chunk {
                    let uy = parse_input(black_box(text), "synthetic", &catalogues)
                        .expect("synthetic unit parses");
                    black_box(uy);
                }
                elapsed += start.elapsed();
            }
            elapsed
        })
    });
    let mut next = 0;
    g.bench_function("parse_report", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let chunk = chunks[next % chunks.len()];
                next += 1;
                let start = Instant::now();
                for text in chunk {
                    let uy = parse_input(black_box(text), "synthetic", &catalogues)
                        .expect("synthetic unit parses");
                    let report =
                        build_report(&uy, &library, &catalogues).expect("synthetic report builds");
                    black_box(report);
                }
                elapsed += start.elapsed();
            }
            elapsed
        })
    });
    g.finish();
}

criterion_group!(benches, bench_example, bench_batch);
criterion_main!(benches);
