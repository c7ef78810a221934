//! `juesuan explain <代码>`: what an error or warning code means and what to do, from the same
//! documents users read (docs/ERRORS.md for E/W, docs/evaluation.md for S, docs/journal.md for
//! J), embedded at build time so the answer matches the binary.

const DOCS: [&str; 3] = [
    include_str!("../../../docs/ERRORS.md"),
    include_str!("../../../docs/evaluation.md"),
    include_str!("../../../docs/journal.md"),
];

/// The code's row of its code table and, where the document has one, its section with real
/// messages. `None` for a code no document lists.
pub fn explain(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let valid = code.len() == 4
        && code.starts_with(['E', 'W', 'S', 'J'])
        && code[1..].bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return None;
    }
    let row_start = format!("| {code} |");
    let heading = format!("### {code} ");
    let mut out = String::new();
    for doc in DOCS {
        if let Some(row) = doc.lines().find(|l| l.starts_with(&row_start)) {
            let cells: Vec<&str> = row
                .trim_matches('|')
                .split(" | ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            out.push_str(&cells.join("\n  "));
            out.push('\n');
        }
        if let Some(at) = doc.find(&heading) {
            let section = &doc[at..];
            let end = section[heading.len()..]
                .find("\n## ")
                .into_iter()
                .chain(section[heading.len()..].find("\n### "))
                .min()
                .map_or(section.len(), |e| e + heading.len());
            out.push('\n');
            out.push_str(section[..end].trim_end());
            out.push('\n');
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn every_kind_of_code_is_explained() {
        let e = explain("e013").expect("E013");
        assert!(e.starts_with("E013\n  错误\n  金额超出上限"), "{e}");
        assert!(
            e.contains("### E013 金额超出上限")
                && e.contains("E013-amount-beyond-bound.toml:16:13")
        );
        assert!(!e.contains("### E020"), "only its own section: {e}");
        assert!(explain("W101").unwrap().contains("缺少变动或差异原因"));
        assert!(explain("S004").unwrap().contains("上级关系成环"));
        assert!(explain("J001").unwrap().contains("CSV 格式错误"));
        assert_eq!(explain("E999"), None);
        assert_eq!(explain("rm -rf"), None);
    }

    /// Every input error code the program can report is explained.
    #[test]
    fn every_input_error_code_has_an_explanation() {
        for c in juesuan_core::ErrorCode::ALL {
            assert!(explain(c.code()).is_some(), "{}", c.code());
        }
    }
}
