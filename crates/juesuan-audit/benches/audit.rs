//! Audit throughput on the published seed report and on 100 copies of it, against a baseline
//! of normalising the same text (the pass every audit starts with), in the same run.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const SEED: &str = include_str!("../tests/fixtures/liangshan-kexie-2021-published.txt");

fn bench(c: &mut Criterion) {
    let big = SEED.repeat(100);
    let mut g = c.benchmark_group("audit");
    for (name, text, samples) in [("seed", SEED.to_string(), 50), ("seed_x100", big, 10)] {
        g.sample_size(samples);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("{name}/normalize"), |b| {
            b.iter(|| black_box(juesuan_audit::normalize(black_box(&text))))
        });
        g.bench_function(format!("{name}/audit"), |b| {
            b.iter(|| black_box(juesuan_audit::audit(black_box(&text))))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
