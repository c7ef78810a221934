//! `juesuan allocate`: the seed's example in every format, the what-if, atomic output, and
//! golden messages for each A-code. Every fixture `tests/allocate/<name>.toml` is run (with
//! the arguments of a first line `# args: …`) and its whole standard error must equal
//! `<name>.stderr` (`UPDATE_GOLDEN=1` rewrites them); every A-code has a fixture showing it.

use juesuan_alloc::AllocCode;
use juesuan_core::{Coded, Severity};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures_dir() -> PathBuf {
    workspace().join("crates/juesuan-cli/tests/allocate")
}

fn juesuan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn every_fixture_gives_its_golden_message_and_every_code_has_one() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .strip_suffix(".toml")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    let mut differ = Vec::new();
    for name in &names {
        let file = format!("{name}.toml");
        let text = std::fs::read_to_string(fixtures_dir().join(&file)).unwrap();
        let extra: Vec<&str> = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# args: "))
            .map(|a| a.split(' ').collect())
            .unwrap_or_default();
        let mut args = vec!["allocate", file.as_str()];
        args.extend(extra);
        let o = juesuan(&fixtures_dir(), &args);
        let code = name.split('-').next().unwrap();
        // A warning (A010) leaves the allocation written; an error writes nothing.
        let warning = AllocCode::ALL
            .iter()
            .any(|c| c.code() == code && c.severity() == Severity::Warning);
        let stderr = String::from_utf8(o.stderr).unwrap();
        if warning {
            assert_eq!(o.status.code(), Some(0), "{name}: {stderr}");
            assert!(!o.stdout.is_empty(), "{name}: the allocation is written");
            assert!(
                stderr.contains(&format!("警告[{code}]")),
                "{name}: {stderr}"
            );
        } else {
            assert_eq!(o.status.code(), Some(1), "{name}");
            assert!(
                o.stdout.is_empty(),
                "{name}: nothing is written on an error"
            );
            assert!(
                stderr.contains(&format!("错误[{code}]")),
                "{name}: {stderr}"
            );
        }
        let path = fixtures_dir().join(format!("{name}.stderr"));
        if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
            std::fs::write(&path, &stderr).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(stderr.as_str()) {
            differ.push(format!("{name}:\n{stderr}"));
        }
    }
    assert!(
        differ.is_empty(),
        "messages differ from golden:\n{}",
        differ.join("\n")
    );
    for c in AllocCode::ALL {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(&format!("{}-", c.code()))),
            "no fixture shows {}",
            c.code()
        );
    }
}

#[test]
fn the_seed_example_is_written_in_every_format() {
    let dir = workspace().join("examples/liangshan-kexie-2021");
    let o = juesuan(&dir, &["allocate", "allocation.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("成本指标：天府科技云考核奖励：考核前5名（木里县、德昌县、会东县、宁南县、甘洛县），每个2万元，共计10万元"), "{text}");
    assert!(text.contains("【示例数据，非真实统计】"));
    let tmp = tempfile::tempdir().unwrap();
    for (format, file) in [("json", "a.json"), ("html", "a.html"), ("xlsx", "a.xlsx")] {
        let out = tmp.path().join(file);
        let o = juesuan(
            &dir,
            &[
                "allocate",
                "allocation.toml",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(
            o.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let bytes = std::fs::read(&out).unwrap();
        match format {
            "json" => {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(v["total"], 70_000_000);
                assert_eq!(v["derived"]["assessed"], 17);
            }
            "html" => assert!(String::from_utf8(bytes)
                .unwrap()
                .contains("<th>天府科技云考核奖励</th>")),
            _ => assert!(bytes.starts_with(b"PK"), "an xlsx is a zip"),
        }
    }
    // xlsx needs a file; a failed run leaves an existing output untouched.
    let o = juesuan(&dir, &["allocate", "allocation.toml", "--format", "xlsx"]);
    assert_eq!(o.status.code(), Some(2));
    let kept = tmp.path().join("a.json");
    let before = std::fs::read(&kept).unwrap();
    let o = juesuan(
        &dir,
        &[
            "allocate",
            "allocation.toml",
            "--format",
            "json",
            "--what-if",
            "nothing",
            "--out",
            kept.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&kept).unwrap(), before);
}

#[test]
fn a_what_if_shows_who_moves() {
    let dir = workspace().join("examples/liangshan-kexie-2021");
    let o = juesuan(
        &dir,
        &[
            "allocate",
            "allocation.toml",
            "--what-if",
            "天府科技云考核奖励.n=6",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("总资金 70万元 → 72万元"), "{text}");
    assert!(
        text.contains("名次或金额变化的单位（1个）：") && text.contains("西昌市\t6 → 6\t12 → 14"),
        "{text}"
    );
    // A weight moved to the ranking indicator reorders the counties.
    let o = juesuan(
        &dir,
        &[
            "allocate",
            "allocation.toml",
            "--what-if",
            "push.weight=0.9",
        ],
    );
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        o.status.success() && text.contains("假设分析：push.weight=0.9"),
        "{text}"
    );
}

/// The KPI values may come from the first worksheet of an .xlsx file, with the same
/// provenance (file and row) and the same located errors.
#[test]
fn kpi_values_are_read_from_an_excel_file() {
    let dir = workspace().join("examples/liangshan-kexie-2021");
    let tmp = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(dir.join("kpi-2021.csv")).unwrap();
    let write = |rows: &str, name: &str| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, line) in rows.lines().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
                match cell.parse::<f64>() {
                    Ok(n) => ws.write_number(r, c, n).unwrap(),
                    Err(_) => ws.write_string(r, c, cell).unwrap(),
                };
            }
        }
        wb.save(tmp.path().join(name)).unwrap();
    };
    write(&csv, "kpi.xlsx");
    let plan = std::fs::read_to_string(dir.join("allocation.toml"))
        .unwrap()
        .replace("kpi-2021.csv", "kpi.xlsx");
    std::fs::write(tmp.path().join("plan.toml"), &plan).unwrap();
    let o = juesuan(tmp.path(), &["allocate", "plan.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("每个2万元，共计10万元")
            && text.contains("数据 3120（")
            && text.contains("kpi.xlsx 第4行"),
        "{text}"
    );
    write(&csv.replace("木里县,3120", "木里县,三千"), "kpi.xlsx");
    let o = juesuan(tmp.path(), &["allocate", "plan.toml"]);
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr.starts_with("kpi.xlsx:4:2: 错误[A007]：单位“木里县”的 registration “三千”不是数"),
        "{stderr}"
    );
}

/// The example's transfer-payment self-evaluation table agrees with the plan on all seven
/// figures it derives: 预算数, the units assessed and the five lines' 成本指标.
#[test]
fn the_self_evaluation_table_of_the_example_agrees_with_the_plan() {
    let dir = workspace().join("examples/liangshan-kexie-2021");
    let o = juesuan(
        &dir,
        &[
            "allocate",
            "allocation.toml",
            "--evaluation",
            "input.toml",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("A010"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let figures = v["evaluation"]["figures"].as_array().unwrap();
    assert_eq!(figures.len(), 7);
    assert!(figures.iter().all(|f| f["holds"] == true), "{figures:?}");
    assert_eq!(figures[1]["name"], "天府科技云项目考核数");
    assert_eq!(figures[1]["derived"], "17");
}

/// `juesuan report --allocation`: a cost row left out of the transfer-payment table is
/// written from the plan into 第五部分, and a figure stated wrong is kept and warned (A010).
#[test]
fn report_fills_the_transfer_payment_table_from_the_plan() {
    let example = workspace().join("examples/liangshan-kexie-2021");
    let dir = tempfile::tempdir().unwrap();
    for f in ["allocation.toml", "kpi-2021.csv"] {
        std::fs::copy(example.join(f), dir.path().join(f)).unwrap();
    }
    let input = std::fs::read_to_string(example.join("input.toml")).unwrap();
    // Drop the 科技小院建设 cost row; state the 科普振兴乡村 cost as 6 instead of 5.
    let row = "[[evaluation.projects.indicators]]\nlevel1 = \"项目完成指标\"\nlevel2 = \"成本指标\"\nname = \"科技小院建设\"\n";
    let start = input.find(row).expect("the example has the row");
    let end = start + row.len() + input[start + row.len()..].find("[[evaluation").unwrap();
    let mut edited = format!("{}{}", &input[..start], &input[end..]);
    let cost = "name = \"科普振兴乡村\"\noperator = \"≤\"\ntarget = 5\n";
    assert!(edited.contains(cost));
    edited = edited.replacen(
        cost,
        "name = \"科普振兴乡村\"\noperator = \"≤\"\ntarget = 6\n",
        1,
    );
    std::fs::write(dir.path().join("input.toml"), edited).unwrap();

    let without = juesuan(
        dir.path(),
        &["report", "input.toml", "-o", "plain", "--format", "md"],
    );
    assert!(
        without.status.success(),
        "{}",
        String::from_utf8_lossy(&without.stderr)
    );
    let plain = std::fs::read_to_string(dir.path().join("plain/report.md")).unwrap();
    let o = juesuan(
        dir.path(),
        &[
            "report",
            "input.toml",
            "-o",
            "filled",
            "--format",
            "md",
            "--allocation",
            "allocation.toml",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("由分配结果填入1项"), "{stderr}");
    assert!(
        stderr.contains("A010") && stderr.contains("科普振兴乡村") && stderr.contains("应为 5"),
        "{stderr}"
    );
    let filled = std::fs::read_to_string(dir.path().join("filled/report.md")).unwrap();
    let cost_row = |md: &str| {
        md.lines()
            .any(|l| l.contains("| 成本指标 | 科技小院建设 |") && l.contains("共计25万元"))
    };
    assert!(!cost_row(&plain), "the row is absent without the plan");
    assert!(cost_row(&filled), "the plan's row is in 第五部分");
}
