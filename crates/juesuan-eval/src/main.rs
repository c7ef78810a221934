//! `juesuan-eval`: precision and recall of `juesuan audit` on the real corpus.
//!
//! ```text
//! juesuan-eval [--corpus ../shared/corpus] [--labels eval/corpus] [--goals eval/goals.toml]
//!              [--mutate] [--verbose]
//! ```
//! Exit 0 when the ratchet in the goals file is met (or the corpus is absent: skipped),
//! 1 when the measured narrative precision or recall falls below it, 2 on a usage error.

use juesuan_eval::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Deserialize)]
struct Goals {
    target: Pair,
    ratchet: Pair,
    #[serde(default)]
    mutation: Option<MutationGoals>,
}

#[derive(Deserialize)]
struct Pair {
    precision: String,
    recall: String,
}

#[derive(Deserialize)]
struct MutationGoals {
    target: String,
    ratchet: String,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("juesuan-eval: {e}");
            ExitCode::from(2)
        }
    }
}

fn threshold(s: &str) -> Result<Threshold, String> {
    Threshold::parse(s).ok_or_else(|| format!("目标值“{s}”不是0到1之间的小数"))
}

/// The command line: where the corpus, labels and goals are, and what else to do.
struct Options {
    corpus: PathBuf,
    labels_dir: PathBuf,
    goals_file: PathBuf,
    mutate: bool,
    verbose: bool,
    /// Development aid: write each document's text as read, and every check, to a directory
    /// outside the project (the documents' text is never committed).
    dump: Option<PathBuf>,
}

/// Sums over all documents of what the report's last lines state.
#[derive(Default)]
struct Totals {
    tallies: [Tally; 3],
    tails_noted: usize,
    tails: usize,
    planted: usize,
    caught: usize,
    table_pass: usize,
    table_fail: usize,
    /// Checks between tables: the same amount, and the same code and name (passed, failed).
    equal: (usize, usize),
    names: (usize, usize),
    /// Tables mapped onto a template / recognised; rule checks, failures, rules not run.
    mapped: (usize, usize),
    rules: (usize, usize, usize),
}

fn run() -> Result<ExitCode, String> {
    let Some(options) = parse_args()? else {
        return Ok(ExitCode::SUCCESS);
    };
    if !options.corpus.is_dir() {
        println!(
            "skipped：没有真实报告目录 {}（真实报告不在项目内；有该目录的机器上才评估）",
            options.corpus.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let goals = read_goals(&options.goals_file)?;
    let mut files = Vec::new();
    collect(&options.labels_dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        println!(
            "skipped：{} 中没有标注文件（*.toml）",
            options.labels_dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }

    let mut totals = Totals::default();
    println!("文档\t范围\t错误报出\t正确\t误报\t标注\t检出\t精确率\t召回率\t结论");
    for f in &files {
        evaluate_document(f, &options, &mut totals)?;
    }
    println!();
    print_totals(&totals);
    let ok = print_goals(&goals, &totals, options.mutate)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Reads the command line; `None` when it asked for help (printed here).
fn parse_args() -> Result<Option<Options>, String> {
    let mut options = Options {
        corpus: PathBuf::from("../shared/corpus"),
        labels_dir: PathBuf::from("eval/corpus"),
        goals_file: PathBuf::from("eval/goals.toml"),
        mutate: false,
        verbose: false,
        dump: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} 后缺少路径"));
        match a.as_str() {
            "--corpus" => options.corpus = value("--corpus")?.into(),
            "--labels" => options.labels_dir = value("--labels")?.into(),
            "--goals" => options.goals_file = value("--goals")?.into(),
            "--mutate" => options.mutate = true,
            "--dump" => options.dump = Some(value("--dump")?.into()),
            "--verbose" | "-v" => options.verbose = true,
            "--help" | "-h" => {
                println!("juesuan-eval [--corpus DIR] [--labels DIR] [--goals FILE] [--mutate] [--verbose]");
                return Ok(None);
            }
            other => return Err(format!("未知参数“{other}”")),
        }
    }
    Ok(Some(options))
}

/// Reads and parses the goals file.
fn read_goals(goals_file: &Path) -> Result<Goals, String> {
    toml::from_str(
        &std::fs::read_to_string(goals_file)
            .map_err(|e| format!("{}: {e}", goals_file.display()))?,
    )
    .map_err(|e| format!("{}: {e}", goals_file.display()))
}

/// Audits the document one label file names, prints its rows and adds it to the totals.
fn evaluate_document(f: &Path, options: &Options, totals: &mut Totals) -> Result<(), String> {
    let labels: Labels =
        toml::from_str(&std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?)
            .map_err(|e| format!("{}: {e}", f.display()))?;
    let pdf = options.corpus.join(&labels.document);
    let text = match juesuan_readers::read_text(&pdf) {
        Ok(t) => t,
        Err(e) => {
            println!("{}\t无法读取：{e}", labels.document);
            return Ok(());
        }
    };
    let audit = juesuan_audit::audit(&text);
    if let Some(dir) = &options.dump {
        write_dump(dir, short(&labels.document), &text, &audit)?;
    }
    let r = evaluate(&labels, &audit, &text);
    for s in Scope::ALL {
        totals.tallies[s as usize].add(&r.tallies[s as usize]);
    }
    print_document(&r);
    print_templates(&r);
    totals.table_pass += r.table_checks.0;
    totals.table_fail += r.table_checks.1;
    totals.mapped.0 += r.matched.len();
    totals.mapped.1 += r.tables;
    totals.rules.0 += r.rules.0;
    totals.rules.1 += r.rules.1;
    totals.rules.2 += r.rules.2;
    for (sum, add) in [
        (&mut totals.equal, r.equal_checks),
        (&mut totals.names, r.name_checks),
    ] {
        sum.0 += add.0;
        sum.1 += add.1;
    }
    totals.tails_noted += r.tails_noted;
    totals.tails += r.tails;
    if options.verbose {
        print_misses(&r);
    }
    if options.mutate {
        let (planted, caught_n) = plant_errors(&text);
        totals.planted += planted;
        totals.caught += caught_n;
    }
    Ok(())
}

/// Prints one document's rows: one per scope with findings or labels, then its tables.
fn print_document(r: &DocResult) {
    for s in Scope::ALL {
        let t = r.tallies[s as usize];
        if s != Scope::Narrative && t.true_pos + t.false_pos + t.labelled == 0 {
            continue;
        }
        let (p, r_) = (t.precision(), t.recall());
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}%\t{}%\t{}",
            short(&r.document),
            s.name(),
            t.true_pos + t.false_pos,
            t.true_pos,
            t.false_pos,
            t.labelled,
            t.recalled,
            percent(p.0, p.1),
            percent(r_.0, r_.1),
            if s == Scope::Narrative {
                &r.verdict
            } else {
                ""
            }
        );
    }
    // Table checks: the hand labeller recomputed every table, so a table 错误 without a
    // label is a false finding (counted above in the "table" scope).
    println!(
        "{}\t表格\t识别{}张表、{}行；表内与表间核对{}处（通过{}，错误{}）；其中表间相等{}处（通过{}，错误{}），编码与名称{}处（通过{}，错误{}）",
        short(&r.document),
        r.tables,
        r.table_rows,
        r.table_checks.0 + r.table_checks.1,
        r.table_checks.0,
        r.table_checks.1,
        r.equal_checks.0 + r.equal_checks.1,
        r.equal_checks.0,
        r.equal_checks.1,
        r.name_checks.0 + r.name_checks.1,
        r.name_checks.0,
        r.name_checks.1
    );
}

/// Prints which template each recognised table matched, and the rule checks (审核公式).
fn print_templates(r: &DocResult) {
    let matched: Vec<String> = r
        .matched
        .iter()
        .map(|(printed, template)| format!("{printed}→{template}"))
        .collect();
    println!(
        "{}	表样	识别{}张表（另有读不出数据行的{}张），对应表样{}张（{}）：{}；未对应：{}；审核公式核对{}处（错误{}），无法核对的规则{}条",
        short(&r.document),
        r.tables,
        r.unread_tables,
        r.matched.len(),
        r.template_set.as_deref().unwrap_or("无"),
        if matched.is_empty() { "无".into() } else { matched.join("、") },
        if r.unmatched.is_empty() { "无".into() } else { r.unmatched.join("、") },
        r.rules.0,
        r.rules.1,
        r.rules.2
    );
}

/// Prints a document's false findings and missed labelled errors (`--verbose`).
fn print_misses(r: &DocResult) {
    for (page, kind, stated) in &r.false_findings {
        println!(
            "    误报 第{}页 {} {stated}",
            page.map_or("?".into(), |p| p.to_string()),
            kind.label()
        );
    }
    for (page, kind, stated) in &r.missed {
        println!("    漏报 第{page}页 {kind} {stated}");
    }
}

/// Plants single errors into a document's text (`--mutate`): (planted, caught).
fn plant_errors(text: &str) -> (usize, usize) {
    let normalised = juesuan_audit::normalize(text);
    let clean = juesuan_audit::audit(&normalised);
    let (mut planted, mut caught_n) = (0, 0);
    for p in plants(&normalised, &clean) {
        planted += 1;
        if caught(&p, &juesuan_audit::audit(&p.text)) {
            caught_n += 1;
        }
    }
    (planted, caught_n)
}

/// Prints the totals over all documents: per scope, tables, tail adjustments.
fn print_totals(totals: &Totals) {
    for s in Scope::ALL {
        let t = totals.tallies[s as usize];
        let (p, r) = (t.precision(), t.recall());
        println!(
            "合计\t{}\t错误报出{}，正确{}，误报{}；标注{}，检出{}；精确率{}%（{}/{}），召回率{}%（{}/{}）",
            s.name(),
            t.true_pos + t.false_pos,
            t.true_pos,
            t.false_pos,
            t.labelled,
            t.recalled,
            percent(p.0, p.1),
            p.0,
            p.1,
            percent(r.0, r.1),
            r.0,
            r.1
        );
    }
    let (table_pass, table_fail) = (totals.table_pass, totals.table_fail);
    let (equal, names) = (totals.equal, totals.names);
    println!(
        "表格核对：共{}处，通过{table_pass}，错误{table_fail}；其中表间相等{}处（通过{}，错误{}），编码与名称{}处（通过{}，错误{}）",
        table_pass + table_fail,
        equal.0 + equal.1,
        equal.0,
        equal.1,
        names.0 + names.1,
        names.0,
        names.1
    );
    println!(
        "表样与审核公式：识别的表{}张中对应表样{}张；审核公式核对{}处，错误{}；无法核对的规则{}条（每份文档每条规则计一次）",
        totals.mapped.1, totals.mapped.0, totals.rules.0, totals.rules.1, totals.rules.2
    );
    println!(
        "尾差调整报为尾差提示：{}/{}",
        totals.tails_noted, totals.tails
    );
}

/// Prints the totals against the goals; whether every ratchet holds.
fn print_goals(goals: &Goals, totals: &Totals, mutate: bool) -> Result<bool, String> {
    let n = totals.tallies[Scope::Narrative as usize];
    let (p, r) = (n.precision(), n.recall());
    let target = (
        threshold(&goals.target.precision)?,
        threshold(&goals.target.recall)?,
    );
    let ratchet = (
        threshold(&goals.ratchet.precision)?,
        threshold(&goals.ratchet.recall)?,
    );
    let met = |t: (Threshold, Threshold)| t.0.met_by(p) && t.1.met_by(r);
    println!(
        "议题#11目标（文字说明：精确率≥{}，召回率≥{}）：{}",
        target.0,
        target.1,
        if met(target) {
            "已达到"
        } else {
            "未达到"
        }
    );
    let mut ok = met(ratchet);
    println!(
        "棘轮（CI 下限：精确率≥{}，召回率≥{}）：{}",
        ratchet.0,
        ratchet.1,
        if ok { "保持" } else { "低于下限" }
    );
    if mutate {
        ok &= print_mutation_goals(goals, totals.planted, totals.caught)?;
    }
    Ok(ok)
}

/// Prints the planted-error recall and its goals; whether the ratchet (if any) holds.
fn print_mutation_goals(goals: &Goals, planted: usize, caught_n: usize) -> Result<bool, String> {
    println!(
        "植入错误：{planted}处（每处改动一个参与核对的数字），检出{caught_n}处，召回率{}%",
        percent(caught_n, planted)
    );
    let Some(m) = &goals.mutation else {
        return Ok(true);
    };
    let (t, rt) = (threshold(&m.target)?, threshold(&m.ratchet)?);
    println!(
        "植入错误目标（≥{t}）：{}；棘轮（≥{rt}）：{}",
        if t.met_by((caught_n, planted)) {
            "已达到"
        } else {
            "未达到"
        },
        if rt.met_by((caught_n, planted)) {
            "保持"
        } else {
            "低于下限"
        }
    );
    Ok(rt.met_by((caught_n, planted)))
}

fn write_dump(
    dir: &Path,
    name: &str,
    text: &str,
    audit: &juesuan_audit::Audit,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut checks = String::new();
    for c in &audit.checks {
        checks.push_str(&format!(
            "{:?}\t{:?}\tp{}\tL{}\t{}\t{}\t{}\n",
            c.outcome,
            c.kind,
            c.page.unwrap_or(0),
            c.line,
            c.stated,
            c.expected,
            c.message
        ));
    }
    checks.push_str(&juesuan_audit::coverage_text(&audit.coverage));
    let normalised = juesuan_audit::normalize(text);
    let numbered: String = normalised
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{}\t{l}\n", i + 1))
        .collect();
    for (ext, body) in [("txt", numbered), ("checks", checks)] {
        let p = dir.join(format!("{name}.{ext}"));
        std::fs::write(&p, body).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(())
}

fn short(document: &str) -> &str {
    let name = document.rsplit('/').next().unwrap_or(document);
    name.strip_suffix(".pdf").unwrap_or(name)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for e in entries {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    Ok(())
}
