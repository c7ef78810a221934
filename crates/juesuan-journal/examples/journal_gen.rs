//! Synthetic journals for the benchmark (bench/journal/run.sh): the same postings as a
//! juesuan CSV, an hledger journal and a beancount file.
//!
//! ```console
//! cargo run --release -p juesuan-journal --example journal_gen -- 1000000 /tmp/j1m
//! ```
//!
//! Writes `journal.csv`, `journal.hledger`, `journal.beancount` and `expected.txt` (the
//! totals every tool must reproduce) into the directory. Deterministic (a fixed LCG).
//!
//! Shape: one unit per 10,000 postings (a region's units, named 合成单位NNNN). Each unit has
//! its own 12 function codes (项) — the four every unit has (养老、年金、医疗、公积金) and eight
//! drawn from the 2021 catalogue — used with Zipf weights, so a few codes carry most
//! postings, as in real journals. A voucher has 1–4 spending lines of one function, source
//! and nature (economic codes drawn by weight, separately for 基本 and 项目) and one credit line
//! to the matching income account (财政直接支付 for 财政拨款; 事业/其他预算收入 otherwise), so
//! each unit's income covers its spending and the imported input validates. Amounts are
//! log-uniform between 10.00 and 500,000.00 元, exact 分.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};

const FUNCTION_CATALOGUE: &str = include_str!("../../../data/catalogues/function-2021.toml");
const POSTINGS_PER_UNIT: u64 = 10_000;

// Each generator of benchmark inputs keeps its own few-line LCG on purpose: a shared one
// changed for one benchmark would silently change the inputs (and the figures) of the others.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() as f64) / ((1u64 << 53) as f64)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// An index drawn by cumulative weights.
    fn pick(&mut self, cumulative: &[f64]) -> usize {
        let total = *cumulative.last().unwrap();
        let x = self.unit() * total;
        cumulative
            .partition_point(|&c| c <= x)
            .min(cumulative.len() - 1)
    }
}

fn cumulative(weights: &[f64]) -> Vec<f64> {
    weights
        .iter()
        .scan(0.0, |s, w| {
            *s += w;
            Some(*s)
        })
        .collect()
}

/// (key, hledger/beancount name, income account, its beancount name, weight)
const SOURCES: [(&str, &str, &str, f64); 4] = [
    ("general_budget", "GeneralBudget", "6001", 0.85),
    ("government_fund", "GovernmentFund", "6001", 0.05),
    ("business", "Business", "6101", 0.05),
    ("other", "Other", "6609", 0.05),
];
const BASIC_ECONOMIC: [(&str, f64); 14] = [
    ("30101", 25.0),
    ("30102", 12.0),
    ("30107", 10.0),
    ("30108", 6.0),
    ("30113", 5.0),
    ("30201", 8.0),
    ("30205", 2.0),
    ("30206", 3.0),
    ("30211", 6.0),
    ("30216", 3.0),
    ("30217", 1.0),
    ("30231", 2.0),
    ("30299", 10.0),
    ("30302", 7.0),
];
const PROJECT_ECONOMIC: [(&str, f64); 7] = [
    ("30227", 30.0),
    ("30226", 20.0),
    ("30202", 10.0),
    ("30215", 10.0),
    ("30218", 10.0),
    ("31002", 8.0),
    ("30299", 12.0),
];

fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: journal_gen <postings> <out-dir>");
        std::process::exit(2);
    }
    let postings: u64 = args[1]
        .replace('_', "")
        .parse()
        .expect("postings: a number");
    assert!(postings >= 2, "at least one voucher (2 postings)");
    let dir = std::path::PathBuf::from(&args[2]);
    std::fs::create_dir_all(&dir)?;

    let catalogue: toml::Table = toml::from_str(FUNCTION_CATALOGUE).expect("catalogue");
    let items: Vec<String> = catalogue["codes"]
        .as_table()
        .unwrap()
        .keys()
        .filter(|k| k.len() == 7)
        .cloned()
        .collect();
    let units = postings.div_ceil(POSTINGS_PER_UNIT);
    let mut rng = Lcg(20_211_231);
    // Per unit: 12 function codes with Zipf weights (1/rank^1.1).
    let common = ["2080505", "2080506", "2101101", "2210201"];
    let zipf = cumulative(
        &(1..=12)
            .map(|r| 1.0 / (r as f64).powf(1.1))
            .collect::<Vec<_>>(),
    );
    let source_cum = cumulative(&SOURCES.map(|s| s.3));
    let basic_cum = cumulative(&BASIC_ECONOMIC.map(|e| e.1));
    let project_cum = cumulative(&PROJECT_ECONOMIC.map(|e| e.1));

    let mut csv = BufWriter::with_capacity(1 << 20, File::create(dir.join("journal.csv"))?);
    let mut led = BufWriter::with_capacity(1 << 20, File::create(dir.join("journal.hledger"))?);
    let mut bean = BufWriter::with_capacity(1 << 20, File::create(dir.join("journal.beancount"))?);
    writeln!(
        csv,
        "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,项目,借方,贷方,单位"
    )?;
    writeln!(bean, "option \"operating_currency\" \"CNY\"")?;
    let mut bean_accounts: BTreeSet<String> = BTreeSet::new();
    let mut total_spending: i64 = 0;
    let mut written: u64 = 0;
    let mut line = String::with_capacity(256);
    let mut tx_led = String::with_capacity(1024);
    let mut tx_bean = String::with_capacity(1024);
    let mut voucher_no = 0u64;

    for unit in 0..units {
        let unit_postings = (postings - written).min(POSTINGS_PER_UNIT);
        let name = format!("合成单位{:04}", unit + 1);
        let short = format!("U{:04}", unit + 1);
        let mut functions: Vec<String> = common.iter().map(|s| s.to_string()).collect();
        while functions.len() < 12 {
            let f = items[rng.below(items.len() as u64) as usize].clone();
            if !functions.contains(&f) {
                functions.push(f);
            }
        }
        // Rotate so that a unit's own codes, not the common ones, are the heaviest.
        functions.rotate_left(4);
        let mut left = unit_postings;
        let mut index_in_unit = 0u64;
        let vouchers_estimate = (unit_postings / 3).max(1);
        while left >= 2 {
            // 2–5 postings, never leaving a single posting over.
            let mut size = (2 + rng.below(4)).min(left);
            if left - size == 1 {
                size = if size > 2 { size - 1 } else { size + 1 };
            }
            let lines = size - 1;
            // Spread the vouchers through the year, in date order.
            let day_of_year = (index_in_unit * 365 / vouchers_estimate).min(364) as u32;
            index_in_unit += 1;
            let (month, day) = month_day(day_of_year);
            voucher_no += 1;
            let date = format!("2021-{month:02}-{day:02}");
            let voucher = format!("记-{voucher_no}");
            let function = &functions[rng.pick(&zipf)];
            let (source, source_name, income_account, _) = SOURCES[rng.pick(&source_cum)];
            let basic = rng.unit() < 0.65;
            let (nature, nature_name) = if basic {
                ("basic", "Basic")
            } else {
                ("project", "Project")
            };
            let project = if basic {
                String::new()
            } else {
                format!("项目{}", rng.below(5) + 1)
            };
            tx_led.clear();
            tx_bean.clear();
            writeln!(tx_led, "{date} {voucher}").unwrap();
            writeln!(tx_bean, "{date} * \"{voucher}\"").unwrap();
            let mut sum = 0i64;
            for _ in 0..lines {
                let economic = if basic {
                    BASIC_ECONOMIC[rng.pick(&basic_cum)].0
                } else {
                    PROJECT_ECONOMIC[rng.pick(&project_cum)].0
                };
                // log-uniform 10.00 .. 500,000.00 元
                let fen = (1000.0 * (5.0e4f64).powf(rng.unit())) as i64;
                sum += fen;
                line.clear();
                writeln!(
                    line,
                    "{date},{voucher},7101,{function},{economic},{source},{nature},{project},{},,{name}",
                    yuan(fen)
                )
                .unwrap();
                csv.write_all(line.as_bytes())?;
                let account =
                    format!("{short}:A7101:{source_name}:{nature_name}:F{function}:E{economic}");
                writeln!(tx_led, "    expenditure:{account}    {}", yuan(fen)).unwrap();
                let bean_account = format!("Expenses:{account}");
                writeln!(tx_bean, "  {bean_account}  {} CNY", yuan(fen)).unwrap();
                bean_accounts.insert(bean_account);
            }
            line.clear();
            writeln!(
                line,
                "{date},{voucher},{income_account},{function},,{source},,,,{},{name}",
                yuan(sum)
            )
            .unwrap();
            csv.write_all(line.as_bytes())?;
            let account = format!("{short}:A{income_account}:{source_name}:F{function}");
            writeln!(tx_led, "    income:{account}    {}", yuan(-sum)).unwrap();
            let bean_account = format!("Income:{account}");
            writeln!(tx_bean, "  {bean_account}  {} CNY", yuan(-sum)).unwrap();
            bean_accounts.insert(bean_account);
            tx_led.push('\n');
            tx_bean.push('\n');
            led.write_all(tx_led.as_bytes())?;
            bean.write_all(tx_bean.as_bytes())?;
            total_spending += sum;
            written += lines + 1;
            left -= lines + 1;
        }
        assert_eq!(left, 0, "voucher sizes leave no posting over");
    }
    for a in &bean_accounts {
        writeln!(bean, "2021-01-01 open {a}")?;
    }
    csv.flush()?;
    led.flush()?;
    bean.flush()?;
    let mut expected = File::create(dir.join("expected.txt"))?;
    writeln!(expected, "postings {written}")?;
    writeln!(expected, "units {units}")?;
    writeln!(expected, "spending_fen {total_spending}")?;
    writeln!(expected, "accounts {}", bean_accounts.len())?;
    eprintln!(
        "{}: {written} postings, {units} units, {} accounts, spending {} 元",
        dir.display(),
        bean_accounts.len(),
        yuan(total_spending)
    );
    Ok(())
}

fn month_day(day_of_year: u32) -> (u32, u32) {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = day_of_year;
    for (m, &len) in DAYS.iter().enumerate() {
        if d < len {
            return (m as u32 + 1, d + 1);
        }
        d -= len;
    }
    (12, 31)
}
