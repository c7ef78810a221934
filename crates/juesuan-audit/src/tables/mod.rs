//! 表格：the disclosure tables as printed, recognised from the text the readers give
//! (`pdftotext -layout` rows with tab-separated cells, .docx rows, Markdown tables), and
//! checked inside each table and across tables.
//!
//! A recognised table keeps its title, unit, header rows and rows (类/款/项 code, label,
//! amount cells), so that a later step can map it onto a template of `data/tables`
//! (`juesuan_core::tables::TableSpec`: columns by label, rows by code or label).

mod checks;
mod recognise;

use crate::model::{Check, Place, TableCoverage};
use juesuan_core::ratio::Ratio;

pub use recognise::read_tables;

/// One table as printed (公开表).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedTable {
    /// The title line above the table ("财政拨款支出预算表（功能科目）").
    pub title: String,
    /// Size of the table's unit in 万元 ("单位：元" is 1/10000), and its name.
    pub unit: Option<(Ratio, &'static str)>,
    /// Line (1-based, of the audited text) and page of the title.
    pub line: usize,
    pub page: Option<usize>,
    /// Header rows (表头), each as its cells; several rows when the header is grouped.
    pub header: Vec<Vec<String>>,
    /// Labels of the amount columns, when a header row names them one by one
    /// ("合计 基本支出 项目支出"); empty when the header is grouped beyond that.
    pub columns: Vec<String>,
    pub rows: Vec<StatedRow>,
    /// A note printed in the table ("注：本部门无…"): an empty table says why.
    pub note: Option<String>,
}

/// One row of a table: its 科目编码 (joined when printed over columns: "201" "01" "01"),
/// its label and its amounts; a row printed side by side (收入 | 支出 of a 收支总表) has
/// further (label, amounts) segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedRow {
    pub code: Option<String>,
    pub label: String,
    pub cells: Vec<StatedCell>,
    pub more: Vec<(String, Vec<StatedCell>)>,
    pub line: usize,
    pub page: Option<usize>,
    /// The row as printed (cells tab-separated), quoted by findings.
    pub text: String,
}

/// A printed amount: its value in the table's unit and half a unit of its last digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedCell {
    pub value: Ratio,
    pub half: Ratio,
    pub decimals: u32,
    pub text: String,
    pub place: Place,
}

impl StatedRow {
    /// The label shown in findings.
    pub fn name(&self) -> String {
        match (&self.code, self.label.is_empty()) {
            (Some(c), false) => format!("{c} {}", self.label),
            (Some(c), true) => c.clone(),
            (None, false) => self.label.clone(),
            (None, true) => "（无名称的数据行）".into(),
        }
    }
}

/// Read the tables of a (normalised) text and check them: the checks and what was read.
pub(crate) fn audit_tables(text: &str) -> (Vec<Check>, TableCoverage) {
    let (tables, mut coverage) = recognise::recognise(text);
    let checks = checks::run(&tables, &mut coverage);
    (checks, coverage)
}

#[cfg(test)]
mod tests {
    use super::recognise::title_of;
    use super::*;
    use crate::model::{Kind, Outcome, Verdict};

    fn fails(text: &str) -> Vec<Check> {
        crate::audit(text)
            .checks
            .into_iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .collect()
    }

    #[test]
    fn titles_without_table_numbers_notes_or_header_cells() {
        assert_eq!(
            title_of("收支预算总表公开表一").as_deref(),
            Some("收支预算总表")
        );
        assert_eq!(
            title_of("公开06表财政拨款基本支出预算表（经济科目）").as_deref(),
            Some("财政拨款基本支出预算表（经济科目）")
        );
        assert_eq!(
            title_of("某局一般公共预算支出表单位：万元").as_deref(),
            Some("某局一般公共预算支出表")
        );
        assert_eq!(
            title_of("注：本部门无相关收支项目一般公共预算机关运行经费支出预算表").as_deref(),
            Some("一般公共预算机关运行经费支出预算表")
        );
        // A table number alone, a reference in a sentence and a contents heading are no title.
        assert_eq!(title_of("公开03表"), None);
        assert_eq!(title_of("详见附表：收支预算总表"), None);
        assert_eq!(title_of("目录表"), None);
    }

    #[test]
    fn split_codes_join_and_a_class_is_checked_against_its_items() {
        let text = "一般公共预算支出表\n\t单位：万元\n科目编码\t科目名称\t金额\n\
                    合计\t30.00\n201\t一般公共服务支出\t30.00\n201\t03\t政府办公厅事务\t30.00\n\
                    201\t03\t01\t行政运行\t20.00\n201\t03\t02\t一般行政管理事务\t11.00\n";
        let tables = read_tables(text);
        assert_eq!(tables.len(), 1);
        let codes: Vec<_> = tables[0].rows.iter().map(|r| r.code.clone()).collect();
        assert_eq!(
            codes,
            [
                None,
                Some("201".into()),
                Some("20103".into()),
                Some("2010301".into()),
                Some("2010302".into())
            ]
        );
        let f = fails(text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::TableHierarchy);
        assert_eq!(
            (f[0].stated.as_str(), f[0].expected.as_str()),
            ("30.00", "31.00")
        );
        assert_eq!(f[0].section, "一般公共预算支出表");
        assert!(
            f[0].message.contains("20103 政府办公厅事务"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn the_unit_at_the_right_of_a_header_line_scales_tables_compared_across() {
        // 一般公共预算 is part of 财政拨款: 120,000 元 (12.00 万元) cannot exceed 10.00 万元.
        let text = "财政拨款支出表\n编制单位：某单位\t单位：万元\n科目编码\t科目名称\t金额\n\
                    205\t教育支出\t10.00\n\n一般公共预算支出表\n编制单位：某单位\t单位：元\n\
                    科目编码\t科目名称\t金额\n205\t教育支出\t120,000.00\n";
        let tables = read_tables(text);
        assert_eq!(tables[1].unit.map(|u| u.1), Some("元"));
        let f = fails(text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::TableAcross);
        // The same amount in both units is within the bound.
        assert!(fails(&text.replace("120,000.00", "100,000.00")).is_empty());
    }

    #[test]
    fn a_grouped_header_names_the_columns_of_its_last_row() {
        let text = "| 支出决算表 |\n\n| 单位：万元 | | | | |\n| 项目 | | 本年支出 | | |\n\
                    | 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出 |\n|---|---|---|---|---|\n\
                    | | 合计 | 50.00 | 30.00 | 20.00 |\n| 205 | 教育支出 | 50.00 | 30.00 | 21.00 |\n";
        let tables = read_tables(text);
        assert_eq!(tables[0].header.len(), 3, "{:?}", tables[0].header);
        assert_eq!(tables[0].columns, ["合计", "基本支出", "项目支出"]);
        let f = fails(text);
        // The class row's 合计 column is not 30 + 21; and 合计 ≠ the class in 项目支出.
        let kinds: Vec<_> = f.iter().map(|c| (c.kind, c.stated.as_str())).collect();
        assert_eq!(
            kinds,
            [(Kind::TableTotal, "20.00"), (Kind::TableColumns, "50.00")],
            "{f:?}"
        );
    }

    #[test]
    fn rows_continue_over_a_page_and_stand_on_their_own_page() {
        let text = "财政拨款支出表\n单位：万元\n科目编码\t科目名称\t金额\n合计\t8.00\n\
                    208\t社会保障和就业支出\t5.00\n\u{c}\n科目编码\t科目名称\t金额\n221\t住房保障支出\t3.00\n";
        let t = &read_tables(text)[0];
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[2].page, Some(2));
        let a = crate::audit(text);
        assert_eq!(a.failures().count(), 0);
        assert!(a
            .checks
            .iter()
            .any(|c| c.kind == Kind::TableTotal && c.outcome == Outcome::Pass));
        let f = fails(&text.replace("3.00", "4.00"));
        assert_eq!((f.len(), f[0].expected.as_str()), (1, "9.00"));
    }

    #[test]
    fn a_table_only_document_is_judged_by_its_tables_and_says_what_it_could_not_read() {
        let text = "收支总表\n单位：万元\n收入合计\t10.00\t支出合计\t10.00\n\n\
                    政府性基金预算支出表\n单位：万元\n科目编码\t科目名称\t金额\n";
        let a = crate::audit(text);
        assert_eq!(a.verdict(), Verdict::Clean);
        assert_eq!(a.coverage.tables.tables, 1);
        assert_eq!(a.coverage.tables.unrecognised, ["政府性基金预算支出表"]);
        assert!(crate::report_text(&a, "x").contains("未能读取的表1张：政府性基金预算支出表"));
        assert_eq!(
            crate::audit(&text.replace("支出合计\t10.00", "支出合计\t10.10")).verdict(),
            Verdict::Errors
        );
    }

    #[test]
    fn blank_cells_leave_columns_unknown_and_are_counted_not_guessed() {
        let text = "部门支出表\n单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n\
                    205\t教育支出\t9.00\t9.00\n20502\t普通教育\t9.00\t9.00\n";
        let a = crate::audit(text);
        assert_eq!(a.failures().count(), 0);
        assert!(a.coverage.tables.undecided >= 2, "{:?}", a.coverage.tables);
    }
}
