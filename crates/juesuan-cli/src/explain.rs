//! `juesuan explain <代码>`: what a code of any family means and what to do, from the registry
//! of codes (every enum implementing [`Coded`]) and the code tables of docs/ERRORS.md, embedded
//! at build time so the answer matches the binary; a check rule id is looked up in the loaded
//! rule files.

use juesuan_check::{Relation, RuleSet};
use juesuan_core::{code_infos, CodeInfo, ErrorCode, Family};
use juesuan_data::Library;

const ERRORS: &str = include_str!("../../../docs/ERRORS.md");

/// Every code of every family with a fixed code table: the one registry that `explain` and
/// the guard tests read.
pub fn registry() -> Vec<CodeInfo> {
    code_infos::<ErrorCode>()
        .chain(code_infos::<juesuan_journal::error::Rule>())
        .chain(code_infos::<juesuan_score::system::SystemCode>())
        .chain(code_infos::<juesuan_xlsx::ProblemKind>())
        .chain(code_infos::<juesuan_audit::Kind>())
        .chain(code_infos::<juesuan_alloc::AllocCode>())
        .collect()
}

/// Where a family's codes are described at length.
fn family_doc(family: Family) -> &'static str {
    match family {
        Family::Input => "docs/ERRORS.md 第4节（实际消息）",
        Family::Journal => "docs/journal.md 第6节",
        Family::System => "docs/evaluation.md 第5节",
        Family::Workbook => "docs/xlsx.md 3.4节",
        Family::Audit => "docs/audit.md“核对什么”",
        Family::Rule => "docs/ERRORS.md 3.6节",
        Family::Allocation => "docs/allocation.md“错误”",
    }
}

/// The cells of a code's row in the code tables of docs/ERRORS.md:
/// 代码 | 级别 | 含义 | 常见原因 | 怎么办.
pub fn row_of(code: &str) -> Option<Vec<&'static str>> {
    let start = format!("| {code} |");
    let row = ERRORS.lines().find(|l| l.starts_with(&start))?;
    Some(row.trim_matches('|').split(" | ").map(str::trim).collect())
}

/// The section of docs/ERRORS.md §4 with a code's real messages, if it has one.
fn messages_of(code: &str) -> Option<&'static str> {
    let heading = format!("\n### {code} ");
    let at = ERRORS.find(&heading)? + 1;
    let rest = &ERRORS[at..];
    let end = ["\n### ", "\n## "]
        .iter()
        .filter_map(|h| rest[1..].find(h).map(|e| e + 1))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end())
}

/// The explanation of `code`, or an error (Chinese) listing the families of codes.
pub fn explain(code: &str, lib: &Library) -> Result<String, String> {
    let code = code.trim();
    if let Some(info) = registry()
        .into_iter()
        .find(|i| i.code.eq_ignore_ascii_case(code))
    {
        return Ok(explain_code(&info));
    }
    let rules = explain_rule(code, lib);
    if !rules.is_empty() {
        return Ok(rules);
    }
    let families: Vec<String> = Family::ALL
        .iter()
        .map(|f| format!("  {}", f.title()))
        .collect();
    Err(format!(
        "没有代码“{code}”。可解释的代码有：\n{}\n全表见 docs/ERRORS.md 第3节；规则编号见所用的审核公式文件（juesuan data 列出 rules/ 下的文件）",
        families.join("\n")
    ))
}

fn explain_code(info: &CodeInfo) -> String {
    let row = row_of(info.code).unwrap_or_default();
    let cell = |i: usize| row.get(i).copied().unwrap_or("（见文档）");
    let mut out = format!(
        "{} {}\n  代码族：{}\n  级别：{}\n  含义：{}\n  常见原因：{}\n  怎么办：{}\n  详见：{}\n",
        info.code,
        info.title,
        info.family.title(),
        info.severity.label(),
        info.title,
        cell(3),
        cell(4),
        family_doc(info.family),
    );
    if let Some(section) = messages_of(info.code) {
        out.push('\n');
        out.push_str(section);
        out.push('\n');
    }
    out
}

/// Every rule with this id in the loaded rule files (built-in and `--data-dir`).
fn explain_rule(id: &str, lib: &Library) -> String {
    let mut out = String::new();
    for (path, origin, text) in lib.files() {
        if !(path.starts_with("rules/") && path.ends_with(".toml")) {
            continue;
        }
        // A broken rule file is reported (E040) by the commands that use it, not here.
        let Ok(set) = RuleSet::from_toml(text, origin) else {
            continue;
        };
        for rule in set.rules.iter().filter(|r| r.id.eq_ignore_ascii_case(id)) {
            let relation = match rule.relation {
                Relation::Equal => "=",
                Relation::AtMost => "≤",
                Relation::AtLeast => "≥",
            };
            let formula = match (&rule.stated, &rule.expected, &rule.hierarchy) {
                (Some(s), Some(e), _) => format!("{s} {relation} {e}"),
                (_, _, Some(table)) => format!("表“{table}”的类 = 各款之和，款 = 各项之和"),
                _ => "（见规则文件）".to_string(),
            };
            out.push_str(&format!(
                "{} {}\n  代码族：{}\n  级别：{}\n  含义：{}\n  公式：{formula}\n  所在文件：{origin}（{}）\n  怎么办：核对公开表中公式所涉的各格，改正填错的数后重新运行 juesuan check\n",
                rule.id,
                rule.message,
                Family::Rule.title(),
                rule.severity.severity().label(),
                rule.message,
                set.title,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use juesuan_core::Severity;

    fn lib() -> Library {
        Library::embedded()
    }

    #[test]
    fn a_code_of_every_family_is_explained() {
        let e = explain("e013", &lib()).expect("E013");
        assert!(
            e.starts_with("E013 金额超出上限\n  代码族：输入文件错误和警告"),
            "{e}"
        );
        assert!(e.contains("  级别：错误\n") && e.contains("怎么办：核对金额和 `amount_unit`"));
        assert!(
            e.contains("### E013 金额超出上限")
                && e.contains("E013-amount-beyond-bound.toml:16:13")
        );
        assert!(!e.contains("### E020"), "only its own section: {e}");
        let w = explain("W101", &lib()).unwrap();
        assert!(
            w.contains("级别：警告") && w.contains("缺少变动或差异原因"),
            "{w}"
        );
        assert!(explain("S004", &lib()).unwrap().contains("上级关系成环"));
        assert!(explain("J001", &lib()).unwrap().contains("CSV 格式错误"));
        let x = explain("x005", &lib()).unwrap();
        assert!(
            x.contains("单元格不是有效金额") && x.contains("docs/xlsx.md"),
            "{x}"
        );
        let al = explain("a003", &lib()).unwrap();
        assert!(
            al.starts_with("A003 缺少考核数据\n  代码族：转移支付分配计划错误和警告")
                && al.contains("docs/allocation.md"),
            "{al}"
        );
        let a = explain("total_of_parts", &lib()).unwrap();
        assert!(
            a.contains("合计与分项") && a.contains("怎么办：核对合计和各分项"),
            "{a}"
        );
    }

    #[test]
    fn a_rule_id_is_explained_from_the_loaded_rule_files() {
        let r = explain("t1-01", &lib()).expect("T1-01");
        assert!(r.starts_with("T1-01 收入总计应等于"), "{r}");
        assert!(
            r.contains("公式：t1.grand_total_in.amount = t1.income_total.amount"),
            "{r}"
        );
        assert!(
            r.contains("所在文件：(内置)data/rules/national-2021.toml"),
            "{r}"
        );
        // A rule file from --data-dir is read as well.
        let mut lib = lib();
        lib.add_file(
            "rules/mine-2021.toml",
            "my/rules/mine-2021.toml",
            "name = \"mine\"\ntitle = \"本单位补充公式\"\nyear = 2021\n[[rule]]\nid = \"MY-1\"\nseverity = \"warning\"\nmessage = \"本年收入应为正\"\nstated = \"t1.income_total.amount\"\nexpected = \"0\"\nrelation = \">=\"\n".into(),
        );
        let m = explain("my-1", &lib).expect("MY-1");
        assert!(
            m.contains("级别：警告") && m.contains("≥ 0") && m.contains("my/rules/mine-2021.toml"),
            "{m}"
        );
    }

    #[test]
    fn an_unknown_code_lists_the_families() {
        for unknown in ["E999", "rm -rf", "", "T9-99"] {
            let e = explain(unknown, &lib()).unwrap_err();
            assert!(e.starts_with(&format!("没有代码“{unknown}”")), "{e}");
            for f in Family::ALL {
                assert!(e.contains(f.title()), "{e}");
            }
        }
    }

    /// Every code of the registry is explained with its severity, meaning and what to do,
    /// taken from its row of docs/ERRORS.md.
    #[test]
    fn every_registered_code_is_explained_in_full() {
        for info in registry() {
            let e = explain(info.code, &lib()).unwrap();
            assert!(
                e.contains(&format!("级别：{}", info.severity.label())),
                "{e}"
            );
            assert!(
                !e.contains("（见文档）"),
                "{}: row incomplete\n{e}",
                info.code
            );
        }
        assert!(registry().iter().any(|i| i.severity == Severity::Warning));
    }

    /// The registry and the code tables of docs/ERRORS.md agree both ways: every code has
    /// exactly one row, with its severity and its title as 含义; every row of a code table
    /// names a registered code; no code is registered twice.
    #[test]
    fn every_code_is_documented_and_every_documented_code_exists() {
        let registry = registry();
        let mut seen = std::collections::BTreeSet::new();
        for info in &registry {
            assert!(seen.insert(info.code), "{} registered twice", info.code);
            let start = format!("| {} |", info.code);
            let rows = ERRORS.lines().filter(|l| l.starts_with(&start)).count();
            assert_eq!(rows, 1, "docs/ERRORS.md rows for {}", info.code);
            let row = row_of(info.code).unwrap();
            assert_eq!(
                row.len(),
                5,
                "{}: 代码 | 级别 | 含义 | 常见原因 | 怎么办",
                info.code
            );
            assert_eq!(row[1], info.severity.label(), "{}: 级别", info.code);
            assert_eq!(
                row[2], info.title,
                "{}: 含义 must be the title()",
                info.code
            );
        }
        let documented: Vec<&str> = ERRORS
            .lines()
            .filter_map(|l| l.strip_prefix("| ")?.split(" | ").next())
            .filter(|c| looks_like_code(c))
            .collect();
        for code in &documented {
            assert!(
                seen.contains(code),
                "docs/ERRORS.md documents {code}, which no enum has"
            );
        }
        assert_eq!(documented.len(), registry.len());
        assert!(looks_like_code("E040") && looks_like_code("table_listed"));
        assert!(!looks_like_code("`0`") && !looks_like_code("代码"));
    }

    /// A first cell that is a code: a letter and three digits, or an audit kind's name.
    fn looks_like_code(cell: &str) -> bool {
        let b = cell.as_bytes();
        let lettered =
            b.len() == 4 && b"EWJSXA".contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit);
        let named = !cell.is_empty()
            && b[0].is_ascii_lowercase()
            && b.iter().all(|c| c.is_ascii_lowercase() || *c == b'_');
        lettered || named
    }
}
