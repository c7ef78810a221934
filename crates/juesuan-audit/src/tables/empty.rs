//! 空表说明：a table printed with no data rows says why, in its official note ("注：本单位无…",
//! "…故本表无数据。"). The official wording, where a template of `data/tables` has one, is
//! quoted in the finding.

use super::StatedTable;
use crate::model::{Check, Kind, Outcome};
use juesuan_core::tables::TableSet;

/// The national templates, embedded so that the auditor stays pure (no file I/O).
const NATIONAL: &str = include_str!("../../../../data/tables/national-2021.toml");

fn templates() -> Option<&'static TableSet> {
    static T: std::sync::OnceLock<Option<TableSet>> = std::sync::OnceLock::new();
    T.get_or_init(|| TableSet::from_toml(NATIONAL, "tables/national-2021.toml").ok())
        .as_ref()
}

/// The official empty-table note of the template whose title the printed title ends with
/// (a year or unit name may stand before it); of several, the longest title ("支出决算表"
/// also ends "…收入支出决算表").
pub(super) fn official_note(title: &str) -> Option<&'static str> {
    let bare = |s: &str| s.replace(['“', '”', '"', ' '], "");
    let printed = bare(title);
    templates()?
        .tables
        .iter()
        .filter(|t| printed.ends_with(&bare(&t.title)))
        .max_by_key(|t| t.title.chars().count())
        .and_then(|t| t.empty_note.as_deref())
}

/// One check per table without data rows: its note printed (pass) or missing (fail).
pub(super) fn notes(tables: &[StatedTable]) -> Vec<Check> {
    let mut out = Vec::new();
    for t in tables.iter().filter(|t| t.rows.is_empty()) {
        let official = official_note(&t.title);
        let (outcome, stated, message) = match &t.note {
            Some(note) => (
                Outcome::Pass,
                note.clone(),
                format!("表“{}”没有数据行，注明了空表说明：{}", t.title, note),
            ),
            None => (
                Outcome::Fail,
                "（无说明）".to_string(),
                format!(
                    "表“{}”没有数据行，却没有空表说明：公开的空表应在表下注明为何无数据{}；请补上说明，或填写表中数据",
                    t.title,
                    official.map_or("（如“注：本单位无…，故本表无数据。”）".to_string(), |n| {
                        format!("（官方表样的说明为“{n}”）")
                    })
                ),
            ),
        };
        out.push(Check {
            kind: Kind::TableEmptyNote,
            outcome,
            line: t.line,
            page: t.page,
            section: t.title.clone(),
            quote: t.title.clone(),
            stated,
            expected: official.unwrap_or("空表说明").to_string(),
            message,
            figures: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_national_templates_give_their_official_notes() {
        assert!(
            super::templates().is_some(),
            "data/tables/national-2021.toml parses"
        );
        let note = super::official_note("2023年度某局政府性基金预算财政拨款收入支出决算表");
        assert!(
            note.is_some_and(|n| n.contains("政府性基金预算财政拨款安排的支出")),
            "{note:?}"
        );
        assert_eq!(super::official_note("收入支出决算总表"), None);
    }
}
