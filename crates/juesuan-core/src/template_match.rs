//! 表样匹配: which template table a printed or exported table is, and which of its columns
//! and rows each header and row label names. Pure text logic shared by the Excel importer
//! (`juesuan-xlsx`) and the auditor of published reports (`juesuan-audit`), so both read
//! titles, column labels and row labels the same way, with the same aliases from the
//! template files (`data/tables/*.toml`).
//!
//! Nothing here guesses: a label either names a template row or column (by its label or an
//! alias, compared in a normal form), or it does not, and callers record what did not.

use crate::tables::{ColumnSpec, Depth, Layout, RowSpec, TableSpec, TreeKind};

/// Full-width ASCII forms (！…～) and the ideographic space become their ASCII equivalents,
/// so "１２３．４５" reads as "123.45" and "（" as "(".
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' | '\u{a0}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '。' => '.',
            _ => c,
        })
        .collect()
}

/// Half-width and without any whitespace: the form header and row labels are compared in.
pub fn norm(s: &str) -> String {
    half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

const CHINESE_DIGITS: &str = "一二三四五六七八九十";

/// Remove leading list numbering: "一、", "1.", "1、", "(1)", "(一)", "其中:"; "注:" is kept.
pub fn strip_numbering(s: &str) -> &str {
    let mut s = s;
    loop {
        let before = s;
        if let Some(rest) = s.strip_prefix("其中:") {
            s = rest;
        }
        let lead_cn = s
            .char_indices()
            .take_while(|(_, c)| CHINESE_DIGITS.contains(*c))
            .last()
            .map(|(i, c)| i + c.len_utf8());
        if let Some(end) = lead_cn {
            if let Some(rest) = s[end..].strip_prefix('、') {
                s = rest;
            }
        }
        let lead_digits = s
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit())
            .last()
            .map(|(i, _)| i + 1);
        if let Some(end) = lead_digits {
            let rest = &s[end..];
            if let Some(r) = rest
                .strip_prefix('.')
                .or_else(|| rest.strip_prefix('、'))
                .filter(|r| !r.starts_with(|c: char| c.is_ascii_digit()))
            {
                s = r;
            }
        }
        if let Some(inner) = s.strip_prefix('(') {
            if let Some(close) = inner.find(')') {
                let n = &inner[..close];
                if !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_digit() || CHINESE_DIGITS.contains(c))
                {
                    s = &inner[close + 1..];
                }
            }
        }
        if s == before {
            return s;
        }
    }
}

/// Remove parenthesised parts: "使用非财政拨款结余(含专用结余)" → "使用非财政拨款结余".
pub fn without_parens(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The key a row or column label is matched by: normalised, numbering removed.
pub fn label_key(s: &str) -> String {
    strip_numbering(&norm(s)).to_string()
}

/// Two labels name the same thing: equal keys, or equal once parenthesised parts (which
/// official exports add or drop: "（含专用结余）") are removed.
pub fn same_label(a: &str, b: &str) -> bool {
    let (a, b) = (label_key(a), label_key(b));
    !a.is_empty() && (a == b || without_parens(&a) == without_parens(&b))
}

/// A title as compared: normalised, without quotation marks (exports write “三公”, "三公",
/// 『三公』 or 三公).
pub fn title_key(s: &str) -> String {
    norm(s)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '“' | '”' | '‘' | '’' | '"' | '\'' | '「' | '」' | '『' | '』'
            )
        })
        .collect()
}

/// The forms a table's title is found by: the template's title and its `aliases`, and for
/// the “三公” table also without “一般公共预算” (central departments and older forms print
/// “财政拨款“三公”经费支出决算表”; no other table's title contains “三公”).
pub fn title_forms(spec: &TableSpec) -> Vec<String> {
    let mut forms = Vec::new();
    for title in std::iter::once(&spec.title).chain(&spec.aliases) {
        let key = title_key(title);
        if key.contains("三公") {
            if let Some(short) = key.strip_prefix("一般公共预算").filter(|s| !s.is_empty()) {
                forms.push(short.to_string());
            }
        }
        forms.push(key);
    }
    forms.retain(|f| !f.is_empty());
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// The template table a title names: the one with the longest title form the title
/// contains ("财政拨款收入支出决算总表" also contains "收入支出决算总表"), with the length
/// of that form; `None` when no form is contained.
pub fn best_title(title: &str, specs: &[TableSpec]) -> Option<(usize, usize)> {
    let t = title_key(title);
    if t.is_empty() {
        return None;
    }
    specs
        .iter()
        .enumerate()
        .filter_map(|(i, spec)| {
            title_forms(spec)
                .iter()
                .filter(|f| t.contains(f.as_str()))
                .map(|f| f.len())
                .max()
                .map(|len| (i, len))
        })
        .max_by_key(|&(_, len)| len)
}

/// Whether a header path (its cells from the top group down to the column's own label)
/// names this column: the leaf is the column's label or an alias, and a column of a header
/// group ("本年支出") has that group above it.
pub fn column_matches(path: &[String], col: &ColumnSpec) -> bool {
    let Some(leaf) = path.last() else {
        return false;
    };
    let leaf_ok = same_label(leaf, &col.label) || col.aliases.iter().any(|s| same_label(leaf, s));
    if !leaf_ok {
        return false;
    }
    match &col.group {
        None => true,
        Some(g) => path[..path.len() - 1].iter().any(|p| same_label(p, g)),
    }
}

/// The fixed row of `rows` a label names (by its label or an alias): its id.
pub fn fixed_row<'a>(rows: impl IntoIterator<Item = &'a RowSpec>, label: &str) -> Option<String> {
    rows.into_iter().find_map(|r| {
        let id = r.id.as_deref()?;
        let own = r.label.as_deref().unwrap_or_default();
        (same_label(label, own) || r.aliases.iter().any(|s| same_label(label, s)))
            .then(|| id.to_string())
    })
}

/// One side of a table: the whole of a grid table, or the left / right of a paired one
/// (with its footer rows).
pub struct Side<'a> {
    pub columns: &'a [ColumnSpec],
    pub rows: Vec<&'a RowSpec>,
    /// The side's header ("收入", "支出"); `None` for a grid table.
    pub header: Option<&'a str>,
}

impl Side<'_> {
    /// The classification tree the side expands, and its depth.
    pub fn tree(&self) -> Option<(TreeKind, Depth)> {
        self.rows.iter().find_map(|r| r.tree.map(|k| (k, r.depth)))
    }

    /// The fixed row a label names.
    pub fn fixed_row(&self, label: &str) -> Option<String> {
        fixed_row(self.rows.iter().copied(), label)
    }

    /// The row key a classification code is on this side: the code itself when the side
    /// expands a tree deep enough for it (3 digits 类, 5 款, 7 项; economic trees stop at 款).
    pub fn code_row(&self, code: &str) -> Option<String> {
        let (kind, depth) = self.tree()?;
        let max = match (kind, depth) {
            (_, Depth::Class) => 3,
            (TreeKind::Economic, _) | (_, Depth::Section) => 5,
            (TreeKind::Function, Depth::Item) => 7,
        };
        (matches!(code.len(), 3 | 5 | 7)
            && code.len() <= max
            && code.chars().all(|c| c.is_ascii_digit()))
        .then(|| code.to_string())
    }

    /// The column a header path names: its index among the side's columns.
    pub fn column(&self, path: &[String]) -> Option<usize> {
        self.columns.iter().position(|c| column_matches(path, c))
    }
}

/// The sides of a table: one for a grid table, left and right for a paired one (none when
/// a paired table lacks a side, which template validation refuses).
pub fn sides(spec: &TableSpec) -> Vec<Side<'_>> {
    match spec.layout {
        Layout::Grid => vec![Side {
            columns: &spec.columns,
            rows: spec.rows.iter().collect(),
            header: None,
        }],
        Layout::Paired => {
            let (Some(l), Some(r)) = (&spec.left, &spec.right) else {
                return Vec::new();
            };
            vec![
                Side {
                    columns: &l.columns,
                    rows: l
                        .rows
                        .iter()
                        .chain(spec.footer.iter().map(|p| &p.left))
                        .collect(),
                    header: Some(&l.header),
                },
                Side {
                    columns: &r.columns,
                    rows: r
                        .rows
                        .iter()
                        .chain(spec.footer.iter().map(|p| &p.right))
                        .collect(),
                    header: Some(&r.header),
                },
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TableSet;

    const SET: &str = r#"
name = "x"
title = "x"
year = 2021
[[table]]
id = "a"
title = "收入支出决算总表"
layout = "grid"
columns = [{ id = "amount", label = "决算数", aliases = ["金额"] }]
rows = [{ id = "total", label = "合计", aliases = ["总计"] }, { tree = "function", depth = "section" }]
[[table]]
id = "b"
title = "财政拨款收入支出决算总表"
aliases = ["财政拨款收支总表"]
layout = "grid"
columns = [{ id = "total", label = "合计" }, { id = "basic", label = "基本支出", group = "本年支出" }]
rows = [{ id = "total", label = "合计" }]
[[table]]
id = "c"
title = "一般公共预算财政拨款“三公”经费支出决算表"
layout = "grid"
columns = [{ id = "amount", label = "金额" }]
rows = [{ id = "total", label = "合计" }]
"#;

    #[test]
    fn labels_compare_in_a_normal_form() {
        assert_eq!(norm(" 本年 收入\u{3000}合计 "), "本年收入合计");
        assert_eq!(
            label_key("一、一般公共预算财政拨款收入"),
            "一般公共预算财政拨款收入"
        );
        assert_eq!(label_key("（1）公务用车购置费"), "公务用车购置费");
        assert_eq!(label_key("其中：基本支出"), "基本支出");
        assert!(same_label(
            "使用非财政拨款结余（含专用结余）",
            "使用非财政拨款结余"
        ));
        assert!(!same_label("基本支出", "项目支出"));
        assert!(!same_label("", ""));
    }

    #[test]
    fn the_longest_title_form_wins_and_aliases_count() {
        let set = TableSet::from_toml(SET, "x").unwrap();
        let t = &set.tables;
        assert_eq!(
            best_title("2021年某局财政拨款收入支出决算总表", t).map(|b| b.0),
            Some(1)
        );
        assert_eq!(best_title("收入支出决算总表", t).map(|b| b.0), Some(0));
        assert_eq!(
            best_title("某部门财政拨款收支总表", t).map(|b| b.0),
            Some(1)
        );
        assert_eq!(
            best_title("财政拨款“三公”经费支出决算表", t).map(|b| b.0),
            Some(2)
        );
        assert_eq!(best_title("政府采购预算表", t), None);
    }

    #[test]
    fn columns_by_label_alias_and_group_rows_by_label_or_code() {
        let set = TableSet::from_toml(SET, "x").unwrap();
        let a = &sides(&set.tables[0])[0];
        assert_eq!(a.column(&["金额".into()]), Some(0));
        assert_eq!(a.column(&["预算数".into()]), None);
        assert_eq!(a.fixed_row("总 计").as_deref(), Some("total"));
        assert_eq!(a.fixed_row("其他"), None);
        assert_eq!(a.code_row("20101").as_deref(), Some("20101"));
        // The tree stops at 款: a 项 code is no row of this table.
        assert_eq!(a.code_row("2010101"), None);
        let b = &sides(&set.tables[1])[0];
        assert_eq!(b.column(&["本年支出".into(), "基本支出".into()]), Some(1));
        // A grouped column is not named by its leaf alone.
        assert_eq!(b.column(&["基本支出".into()]), None);
        assert_eq!(b.code_row("201"), None);
    }
}
