//! A province-wide allocation: 3,000 recipients scored on two indicators (linear and
//! ranking), a top-100 award line and a 因素法 line (base, need from a KPI column,
//! performance from the score) with a floor, rounded to 元. Recorded in docs/BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use juesuan_alloc::{allocate, parse_plan};
use std::hint::black_box;

const N: usize = 3_000;

fn plan_text() -> String {
    let mut t = String::from(
        "title = \"基准\"\nallocator = \"省级\"\nyear = 2021\namount_unit = \"万元\"\npool = \"100200\"\n",
    );
    for i in 0..N {
        t.push_str(&format!("[[recipient]]\nname = \"县{i:04}\"\n"));
    }
    t.push_str("[assessment]\n[[assessment.indicator]]\nid = \"a\"\nname = \"甲\"\nweight = \"0.6\"\nrule = \"linear\"\ntarget = 1000\n[[assessment.indicator]]\nid = \"b\"\nname = \"乙\"\nweight = \"0.4\"\nrule = \"rank\"\n[kpi]\n");
    // Deterministic spread of values (a linear congruential sequence), many distinct.
    let mut x: u64 = 12_345;
    for i in 0..N {
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % 1_200
        };
        let (a, b, pop) = (next(), next(), 1 + next() * 37);
        t.push_str(&format!(
            "[[kpi.row]]\nrecipient = \"县{i:04}\"\na = {a}\nb = {b}\npop = {pop}\n"
        ));
    }
    t.push_str("[[line]]\nname = \"前100名\"\nrule = \"top_n\"\nn = 100\namount = \"2\"\n");
    t.push_str(
        "[[line]]\nname = \"因素法\"\nrule = \"factor\"\npool = \"100000\"\nfloor = \"5\"\n",
    );
    t.push_str(
        "[[line.factor]]\nname = \"基础\"\nkind = \"base\"\nweight = \"0.2\"\ndata = \"equal\"\n",
    );
    t.push_str(
        "[[line.factor]]\nname = \"人口\"\nkind = \"need\"\nweight = \"0.5\"\ndata = \"pop\"\n",
    );
    t.push_str("[[line.factor]]\nname = \"绩效\"\nkind = \"performance\"\nweight = \"0.3\"\ndata = \"score\"\n");
    t
}

fn bench(c: &mut Criterion) {
    let text = plan_text();
    let plan = parse_plan(&text, "bench.toml").expect("valid plan");
    let a = allocate(&plan).expect("allocates");
    assert_eq!(a.total, a.pool);
    let mut g = c.benchmark_group("allocate");
    g.sample_size(10);
    g.bench_function("3000 recipients: parse plan", |b| {
        b.iter(|| parse_plan(black_box(&text), "bench.toml").unwrap())
    });
    g.bench_function("3000 recipients: 因素法 + top-100 + ranking", |b| {
        b.iter(|| allocate(black_box(&plan)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
