//! Journal import throughput: the example's journal (842 rows) and 100 copies of it (84,100
//! rows, each copy's vouchers renamed so they stay separate), against a baseline of only
//! splitting the same bytes into CSV records, in the same run.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use juesuan_data::Library;
use juesuan_journal::{account_map, column_map, import, Options};
use std::hint::black_box;

#[path = "shared/copies.rs"]
mod shared;
use shared::copies;

fn bench(c: &mut Criterion) {
    let lib = Library::embedded();
    let catalogues = lib.catalogues(2021).expect("catalogues");
    let accounts = account_map(&lib, 2021).expect("accounts");
    let columns = column_map(&lib, "juesuan").expect("columns");
    let options = Options::default();
    let mut g = c.benchmark_group("journal");
    for (name, text, samples) in [
        ("example", copies(1), 50),
        ("example_x100", copies(100), 10),
    ] {
        g.sample_size(samples);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("{name}/csv_records"), |b| {
            b.iter(|| {
                let mut r = csv::ReaderBuilder::new().from_reader(black_box(text.as_bytes()));
                let mut rec = csv::ByteRecord::new();
                let mut n = 0usize;
                while r.read_byte_record(&mut rec).expect("csv") {
                    n += rec.len();
                }
                black_box(n)
            })
        });
        g.bench_function(format!("{name}/import"), |b| {
            b.iter(|| {
                let j = import(
                    black_box(text.as_bytes()),
                    "bench.csv",
                    &columns,
                    &accounts,
                    &catalogues,
                    &options,
                    &mut |_| {},
                )
                .expect("the example imports");
                black_box(j.stats.fact_rows)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
