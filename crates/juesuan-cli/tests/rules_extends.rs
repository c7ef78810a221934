//! `juesuan check` with a rule file that `extends` another (data/rules/sichuan-2021.toml extends
//! the national rules): the Sichuan example runs the national rules and the Sichuan ones, a
//! user's extension file in --data-dir extends the shipped set, and a bad `extends` is a
//! located error with exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args)
        .output()
        .expect("run juesuan")
}

/// The example with `template = "sichuan"` (its rules: rules/sichuan-2021.toml).
fn sichuan_input(dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(workspace().join("examples/liangshan-kexie-2021/input.toml"))
            .unwrap()
            .replacen("template = \"national\"", "template = \"sichuan\"", 1);
    assert!(text.contains("template = \"sichuan\""));
    let p = dir.join("input.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// The rule count of the header line "审核：…（<title>，<n>条规则）".
fn rule_count(text: &str) -> usize {
    let head = &text[..text.find("条规则）").expect("header names the rule count")];
    let digits = head.len() - head.chars().rev().take_while(char::is_ascii_digit).count();
    head[digits..].parse().unwrap()
}

#[test]
fn the_sichuan_check_runs_the_national_rules_and_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let input = sichuan_input(dir.path());
    let o = run(&["check", input.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["rules"], "sichuan");
    let ids: Vec<&str> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    // National rules first (from national-2021.toml), then the Sichuan file's own.
    assert_eq!(ids.first(), Some(&"T1-01"));
    assert_eq!(ids.last(), Some(&"N-02"));
    for id in ["T4-07", "N-01", "S05-01", "S09-02", "S14-05"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(json["errors"], 0);

    let national = run(&[
        "check",
        workspace()
            .join("examples/liangshan-kexie-2021/input.toml")
            .to_str()
            .unwrap(),
    ]);
    let national = rule_count(&String::from_utf8_lossy(&national.stdout));
    assert_eq!(ids.len(), national + 24, "24 Sichuan rules on top");
}

#[test]
fn a_users_extension_in_data_dir_extends_the_shipped_set() {
    let dir = tempfile::tempdir().unwrap();
    let input = sichuan_input(dir.path());
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("rules")).unwrap();
    // Replaces the shipped Sichuan file: extends the shipped national set, adds one rule the
    // example fails (收入总计 686.54 ≠ 本年收入合计 616.54).
    std::fs::write(
        data.join("rules/sichuan-2021.toml"),
        "name = \"sichuan\"\ntitle = \"测试\"\nyear = 2021\nextends = \"national\"\n\n[[rule]]\nid = \"X-01\"\nseverity = \"error\"\nmessage = \"收入总计应等于本年收入合计\"\nstated = \"t1.grand_total_in.amount\"\nexpected = \"t1.income_total.amount\"\n",
    )
    .unwrap();
    let args = |extra: &[&str]| {
        let mut v = vec![
            "--data-dir".to_string(),
            data.to_str().unwrap().to_string(),
            "check".to_string(),
            input.to_str().unwrap().to_string(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let o = Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args(&[]))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("错误[X-01]") && out.contains("填列数686.54，应为616.54，差额70.00"),
        "{out}"
    );
    let national = run(&[
        "check",
        workspace()
            .join("examples/liangshan-kexie-2021/input.toml")
            .to_str()
            .unwrap(),
    ]);
    let national = rule_count(&String::from_utf8_lossy(&national.stdout));
    assert_eq!(rule_count(&out), national + 1, "{out}");

    // A profile switches off a rule of either file.
    let profile = dir.path().join("p.toml");
    std::fs::write(
        &profile,
        "[rules]\n\"X-01\" = \"off\"\n\"T1-01\" = \"off\"\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args(&["--profile", profile.to_str().unwrap()]))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(
        rule_count(&String::from_utf8_lossy(&o.stdout)),
        national - 1
    );
}

#[test]
fn a_bad_extends_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = sichuan_input(dir.path());
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("rules")).unwrap();
    let file = data.join("rules/sichuan-2021.toml");
    let check = || {
        let o = run(&[
            "--data-dir",
            data.to_str().unwrap(),
            "check",
            input.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    // An unknown base, located at the `extends` line.
    std::fs::write(
        &file,
        "name = \"sichuan\"\ntitle = \"测试\"\nyear = 2021\nextends = \"nationl\"\n",
    )
    .unwrap();
    let err = check();
    assert!(err.contains("sichuan-2021.toml:4: 错误[E040]"), "{err}");
    assert!(
        err.contains("extends = \"nationl\"") && err.contains("不存在"),
        "{err}"
    );
    // A national rule repeated: both files named.
    std::fs::write(
        &file,
        "name = \"sichuan\"\ntitle = \"测试\"\nyear = 2021\nextends = \"national\"\n\n[[rule]]\nid = \"T1-01\"\nseverity = \"error\"\nmessage = \"x\"\nstated = \"1\"\nexpected = \"1\"\n",
    )
    .unwrap();
    let err = check();
    assert!(err.contains("sichuan-2021.toml:6: 错误[E040]"), "{err}");
    assert!(
        err.contains("T1-01") && err.contains("重复") && err.contains("national-2021.toml:"),
        "{err}"
    );
}
