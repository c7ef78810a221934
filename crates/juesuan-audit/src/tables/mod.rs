//! 表格：the disclosure tables as printed, recognised from the text the readers give
//! (`pdftotext -layout` rows with tab-separated cells, .docx rows, Markdown tables), and
//! checked inside each table and across tables.
//!
//! A recognised table keeps its title, unit, header rows and rows (类/款/项 code, label,
//! amount cells), so that a later step can map it onto a template of `data/tables`
//! (`juesuan_core::tables::TableSpec`: columns by label, rows by code or label).

mod checks;
mod contents;
mod empty;
mod grid;
mod groups;
mod recognise;
mod rules;
mod same;
mod templates;

use crate::model::{Check, Place, TableCoverage};
use juesuan_core::ratio::Ratio;

pub use recognise::read_tables;
pub use templates::{MappedCell, TemplateMatch};

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
    /// The template table it is (对应表样) and where its cells stand on it; `None` when its
    /// title names no template table.
    pub template: Option<TemplateMatch>,
    /// 表头栏位：every column of the header by position, left to right, as its path from the
    /// top header row down ("预算数/公务用车购置及运行费/公务用车购置费"); label columns
    /// ("科目编码") included. Empty when the header gives no positions.
    pub paths: Vec<String>,
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
    /// Its amounts were put under the header's columns by position (each cell's `column`):
    /// a column of the table's `paths` with no cell in this row is a known blank.
    pub placed: bool,
}

/// A printed amount: its value in the table's unit and half a unit of its last digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedCell {
    pub value: Ratio,
    pub half: Ratio,
    pub decimals: u32,
    pub text: String,
    pub place: Place,
    /// The header column it stands under (an index into `StatedTable::paths`), when placed.
    pub column: Option<usize>,
}

impl StatedRow {
    /// The amounts of one segment: 0 the row's own, 1… those printed beside it.
    pub fn segment(&self, seg: usize) -> &[StatedCell] {
        if seg == 0 {
            &self.cells
        } else {
            &self.more[seg - 1].1
        }
    }

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
/// The tables are returned too: the narrative is compared with them by concept.
pub(crate) fn audit_tables(text: &str) -> (Vec<Check>, TableCoverage, Vec<StatedTable>) {
    let (tables, mut coverage) = recognise::recognise(text);
    let mut checks = checks::run(&tables, &mut coverage);
    checks.extend(empty::notes(&tables));
    let by_rule = rules::run(&tables, &checks, &mut coverage);
    checks.extend(by_rule);
    checks.extend(contents::listed_tables(text));
    (checks, coverage, tables)
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
        assert_eq!(
            title_of("(无政府性基金支出）一般公共预算支出预算表").as_deref(),
            Some("一般公共预算支出预算表")
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
                    政府性基金预算支出表\n单位：万元\n科目编码\t科目名称\t金额\n2010101 行政运行 5.00\n";
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

    fn of_kind(text: &str, kind: Kind) -> Vec<Check> {
        crate::audit(text)
            .checks
            .into_iter()
            .filter(|c| c.kind == kind)
            .collect()
    }

    /// Three tables of all funds (支出总表, 支出决算表, 部门支出表) list 205 and 20502.
    const ALL_FUNDS: &str = "支出总表\n单位：万元\n科目编码\t科目名称\t金额\n\
        205\t教育支出\t300.00\n20502\t普通教育\t300.00\n\n\
        支出决算表\n单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n\
        205\t教育支出\t300.00\t200.00\t100.00\n20502\t普通教育\t300.00\t200.00\t100.00\n\n\
        部门支出表\n单位：元\n科目编码\t科目名称\t金额\n\
        205\t教育支出\t3,000,000.00\n20502\t普通教育\t3,000,000.00\n";

    #[test]
    fn one_class_in_tables_of_one_fund_has_one_amount_and_the_odd_table_is_named() {
        let pass = of_kind(ALL_FUNDS, Kind::TableEqual);
        // Two codes, each in three tables: each later table against the first.
        assert_eq!(pass.len(), 4, "{pass:?}");
        assert!(pass.iter().all(|c| c.outcome == Outcome::Pass), "{pass:?}");
        // 0.01 lower in one table: within the in-table rounding of 200.00 + 100.00, but the
        // same value rounded the same way cannot print 299.99 and 300.00.
        let text = ALL_FUNDS.replacen(
            "205\t教育支出\t300.00\t200.00",
            "205\t教育支出\t299.99\t200.00",
            1,
        );
        // Its only 款 prints 300.00 too: the class fails its hierarchy as well.
        let mut f = fails(&text);
        assert_eq!(f.len(), 2, "{f:?}");
        let hierarchy = f.remove(0);
        assert_eq!(
            (hierarchy.kind, hierarchy.expected.as_str()),
            (Kind::TableHierarchy, "300.00")
        );
        assert_eq!(f[0].kind, Kind::TableEqual);
        assert_eq!(f[0].section, "支出决算表");
        assert_eq!(
            (f[0].stated.as_str(), f[0].expected.as_str()),
            ("299.99", "300.00")
        );
        assert!(
            f[0].message.contains("3张表中2张为300.00"),
            "{}",
            f[0].message
        );
        // The same figure printed to fewer digits can be the same value.
        assert!(fails(&ALL_FUNDS.replacen("\t300.00\n20502", "\t300.0\n20502", 1)).is_empty());
    }

    #[test]
    fn general_budget_tables_join_appropriation_tables_only_when_the_other_funds_are_shown_empty() {
        let text = "财政拨款支出表\n单位：万元\n科目编码\t科目名称\t金额\n合计\t80.00\n\
                    208\t社会保障和就业支出\t80.00\n20805\t行政事业单位养老支出\t80.00\n\n\
                    一般公共预算支出表\n单位：万元\n科目编码\t科目名称\t金额\n合计\t80.00\n\
                    208\t社会保障和就业支出\t80.00\n20805\t行政事业单位养老支出\t80.00\n";
        // Without a word on 政府性基金, 财政拨款 may hold more: only the bound is checked.
        assert!(of_kind(text, Kind::TableEqual).is_empty());
        let empty = format!(
            "{text}\n政府性基金预算支出表\n单位：万元\n科目编码\t科目名称\t金额\n注：本单位无政府性基金预算支出，本表为空表。\n"
        );
        let eq = of_kind(&empty, Kind::TableEqual);
        assert_eq!(eq.len(), 2, "{eq:?}");
        assert!(eq.iter().all(|c| c.outcome == Outcome::Pass));
        // 79.99 under a class of one 款 printing 80.00, and against the same figure in the
        // other table: the same amount rounded the same way, so both relations fail.
        let wrong = empty.replace(
            "208\t社会保障和就业支出\t80.00\n20805\t行政事业单位养老支出\t80.00\n\n政府性",
            "208\t社会保障和就业支出\t80.00\n20805\t行政事业单位养老支出\t79.99\n\n政府性",
        );
        let mut f = fails(&wrong);
        assert_eq!(f.len(), 2, "{f:?}");
        let hierarchy = f.remove(0);
        assert_eq!(
            (hierarchy.kind, hierarchy.expected.as_str()),
            (Kind::TableHierarchy, "79.99")
        );
        assert_eq!(
            (f[0].kind, f[0].stated.as_str(), f[0].expected.as_str()),
            (Kind::TableEqual, "79.99", "80.00")
        );
        assert!(
            f[0].message.contains("两者必有一处有误"),
            "{}",
            f[0].message
        );
        // A 国有资本经营预算 amount leaves 财政拨款 wider again.
        let capital =
            format!("{empty}\n财政拨款收入表\n单位：万元\n项目\t金额\n国有资本经营预算\t5.00\n");
        assert!(of_kind(&capital, Kind::TableEqual).is_empty());
    }

    #[test]
    fn the_basic_expenditure_table_total_is_the_basic_column_of_the_expenditure_table() {
        let text = "一般公共预算支出表\n单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n\
                    合计\t90.00\t60.00\t30.00\n205\t教育支出\t90.00\t60.00\t30.00\n\n\
                    一般公共预算基本支出表\n单位：万元\n科目编码\t科目名称\t合计\t人员经费\t公用经费\n\
                    合计\t60.00\t50.00\t10.00\n301\t工资福利支出\t50.00\t50.00\t0.00\n302\t商品和服务支出\t10.00\t0.00\t10.00\n";
        let eq = of_kind(text, Kind::TableEqual);
        assert_eq!(eq.len(), 1, "{eq:?}");
        assert_eq!(eq[0].outcome, Outcome::Pass);
        assert!(eq[0].message.contains("基本支出栏"), "{}", eq[0].message);
        let f = fails(
            &text
                .replace("合计\t60.00\t50.00\t10.00", "合计\t61.00\t50.00\t11.00")
                .replace(
                    "302\t商品和服务支出\t10.00\t0.00\t10.00",
                    "302\t商品和服务支出\t11.00\t0.00\t11.00",
                ),
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].kind, f[0].stated.as_str(), f[0].expected.as_str()),
            (Kind::TableEqual, "61.00", "60.00")
        );
    }

    #[test]
    fn a_code_carries_one_name_and_a_name_under_one_parent_one_code() {
        let table = |title: &str, code: &str, name: &str| {
            format!(
                "{title}\n单位：万元\n科目编码\t科目名称\t金额\n\
                 208\t社会保障和就业支出\t80.00\n20805\t行政事业单位养老支出\t80.00\n\
                 {code}\t{name}\t55.00\n2080506\t机关事业单位职业年金缴费支出\t25.00\n\n"
            )
        };
        let good = "机关事业单位基本养老保险缴费支出";
        let text = [
            table("支出总表", "2080505", good),
            table("财政拨款支出表", "2080505", good),
            table("一般公共预算支出表", "2080505", good),
        ]
        .concat();
        let ok = of_kind(&text, Kind::TableCodeName);
        // Four codes in three tables: two later tables each.
        assert_eq!(ok.len(), 8, "{ok:?}");
        assert!(ok.iter().all(|c| c.outcome == Outcome::Pass));
        // Full-width letters and spaces are the same name.
        assert!(
            fails(&text.replacen("行政事业单位养老支出", "行政事业单位 养老支出", 1)).is_empty()
        );
        // A misprinted code in one table: the name under 20805 has 2080505 in the other two.
        let code = [
            table("支出总表", "2080505", good),
            table("财政拨款支出表", "2080550", good),
            table("一般公共预算支出表", "2080505", good),
        ]
        .concat();
        let f = fails(&code);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::TableCodeName);
        assert_eq!(f[0].section, "财政拨款支出表");
        assert_eq!(
            (f[0].stated.as_str(), f[0].expected.as_str()),
            ("2080550", "2080505")
        );
        // A wrong name for a code: reported once, not again as a name with two codes.
        let name = [
            table("支出总表", "2080505", good),
            table("财政拨款支出表", "2080505", good),
            table(
                "一般公共预算支出表",
                "2080505",
                "机关事业单位职业年金缴费支出",
            ),
        ]
        .concat();
        let f = fails(&name);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].section, "一般公共预算支出表");
        assert_eq!(f[0].stated, "机关事业单位职业年金缴费支出");
        assert_eq!(f[0].expected, good);
        // 行政运行 under two 款 is two 科目, not one name with two codes.
        let two = "支出表\n单位：万元\n科目编码\t科目名称\t金额\n2010101\t行政运行\t1.00\n\n\
                   财政拨款支出表\n单位：万元\n科目编码\t科目名称\t金额\n2010301\t行政运行\t1.00\n";
        assert!(fails(two).is_empty());
    }

    /// Text as the PDF reader gives a `pdftotext -layout` table: every space of a column gap
    /// (two or more) a tab, so cells keep their offsets.
    pub(crate) fn layout(text: &str) -> String {
        let gaps = lazy_regex!(r"(?m)^ +| {2,}");
        gaps.replace_all(text, |c: &regex::Captures| "\t".repeat(c[0].len()))
            .into_owned()
    }

    #[test]
    fn blank_cells_of_a_layout_are_placed_under_their_columns() {
        let text = layout(
            "部门支出表\n单位：万元\n\
             科目编码     科目名称          合计     基本支出     项目支出\n\
             205          教育支出      9.00            9.00\n\
             20502        普通教育      9.00            9.00\n",
        );
        let t = &read_tables(&text)[0];
        assert!(t.rows.iter().all(|r| r.placed), "{t:?}");
        assert_eq!(t.rows[0].cells[1].column, Some(4));
        assert_eq!(t.paths[4], "项目支出");
        assert_eq!(t.columns, ["合计", "基本支出", "项目支出"], "{t:?}");
        let a = crate::audit(&text);
        assert_eq!(a.failures().count(), 0);
        let columns = of_kind(&text, Kind::TableColumns);
        assert_eq!(columns.len(), 2, "{columns:?}");
        // 合计 8.00 beside a blank 基本支出 and 9.00 项目支出 is wrong.
        let f = fails(&text.replacen("教育支出\t\t\t\t\t\t9.00", "教育支出\t\t\t\t\t\t8.00", 1));
        let kinds: Vec<_> = f.iter().map(|c| (c.kind, c.expected.as_str())).collect();
        assert!(kinds.contains(&(Kind::TableColumns, "9.00")), "{f:?}");
    }

    #[test]
    fn an_amount_glued_to_the_next_label_is_split_at_the_header_column() {
        let head = "收支总表\n单位：万元\n\
             项目            金额    项目               金额\n";
        let text = layout(&format!(
            "{head}一般公共预算拨款      10.00 一、教育支出          10.00\n\
             政府性基金          二、科学技术支出       5.00\n\
             政府性基金拨款    5.00 三、其他\n\
             收入合计              10.00  支出合计              10.00\n"
        ));
        let t = &read_tables(&text)[0];
        assert_eq!(t.rows[0].label, "一般公共预算拨款");
        assert_eq!(t.rows[0].more[0].0, "一、教育支出");
        assert_eq!(t.rows[0].cells.len(), 1);
        // A side whose amount is blank: its label and the other side's are two labels.
        assert_eq!(t.rows[1].label, "政府性基金");
        assert!(t.rows[1].cells.is_empty());
        assert_eq!(t.rows[1].more[0].0, "二、科学技术支出");
        // A short label after an amount, nearer the amount's column than its own (the
        // layout's drift): still the next cell, the amount's column having one after it.
        assert_eq!(t.rows[2].label, "政府性基金拨款");
        assert_eq!(t.rows[2].cells[0].text, "5.00");
        let a = crate::audit(&text);
        assert!(a
            .checks
            .iter()
            .any(|c| c.kind == Kind::TableBalance && c.outcome == Outcome::Pass));
        // Without a header there is no column to split at: the glued text stays one label.
        let bare = layout(
            "收支总表\n单位：万元\n一般公共预算拨款      10.00 一、教育支出          10.00\n",
        );
        assert_eq!(read_tables(&bare)[0].rows[0].more.len(), 0);
    }

    /// 收入合计 and 支出合计 printed side by side in a 收支总表 must be equal: equal passes,
    /// a 支出合计 one cent off is a failure naming the income side's figure.
    #[test]
    fn a_summary_table_whose_two_sides_differ_fails_the_balance() {
        let table = |spent: &str| {
            layout(&format!(
                "收入支出决算总表\n单位：万元\n\
                 项目            金额    项目               金额\n\
                 一般公共预算拨款      10.00 一、教育支出          10.00\n\
                 收入合计              10.00  支出合计              {spent}\n"
            ))
        };
        let balanced = of_kind(&table("10.00"), Kind::TableBalance);
        assert_eq!(balanced.len(), 1, "{balanced:?}");
        assert_eq!(balanced[0].outcome, Outcome::Pass);
        let off = of_kind(&table("10.01"), Kind::TableBalance);
        assert_eq!(off.len(), 1, "{off:?}");
        assert_eq!(off[0].outcome, Outcome::Fail, "{off:?}");
        assert_eq!(off[0].stated, "10.01");
        assert_eq!(off[0].expected, "10.00");
    }

    /// Each side's total of a 收支总表 is the sum of its numbered rows above it; a blank
    /// amount adds nothing; a second list restarting at 一 is not decided.
    #[test]
    fn each_side_of_a_summary_table_adds_its_numbered_rows_up_to_its_total() {
        let head = "财政拨款收支总表\n单位：万元\n\
             收入                              支出\n\
             项目名称          金额            项目名称          金额\n";
        let table = |income: &str, spent: &str| {
            layout(&format!(
                "{head}一、一般公共预算  90.00           一、基本支出      60.00\n\
                 二、政府性基金预算                二、项目支出      {spent}\n\
                 三、国有资本经营预算  10.00\n\
                 收入合计          {income}          支出合计          100.00\n"
            ))
        };
        let sides = |text: &str| {
            of_kind(text, Kind::TableTotal)
                .into_iter()
                .map(|c| (c.outcome, c.stated, c.expected))
                .collect::<Vec<_>>()
        };
        let pass = (Outcome::Pass, "100.00".to_string(), "100.00".to_string());
        assert_eq!(
            sides(&table("100.00", "40.00")),
            [pass.clone(), pass.clone()]
        );
        assert_eq!(
            sides(&table("100.10", "40.00")),
            [
                (Outcome::Fail, "100.10".into(), "100.00".into()),
                pass.clone()
            ]
        );
        assert_eq!(
            sides(&table("100.00", "40.10")),
            [pass, (Outcome::Fail, "100.00".into(), "100.10".into())]
        );
        // The spending side lists 功能分类 classes, then 基本支出/项目支出 again from 一:
        // its total is not the sum of both lists, and is not decided.
        let twice = layout(&format!(
            "{head}一、一般公共预算  100.00          一、教育支出      100.00\n\
             二、政府性基金预算                一、基本支出      60.00\n\
             \u{20}                                 二、项目支出      40.00\n\
             收入合计          100.00          支出合计          100.00\n"
        ));
        let checks = of_kind(&twice, Kind::TableTotal);
        assert_eq!(checks.len(), 1, "{checks:?}");
        assert_eq!(checks[0].outcome, Outcome::Pass);
        assert!(checks[0].message.contains("“收入合计”"), "{checks:?}");
    }

    /// A layout line with each cell at its character offset (a Chinese character one
    /// position, as pdftotext prints it).
    fn at(cells: &[(&str, usize)]) -> String {
        let mut line = String::new();
        for (text, col) in cells {
            let n = line.chars().count();
            line.push_str(&" ".repeat(col.saturating_sub(n).max(2 * usize::from(n > 0))));
            line.push_str(text);
        }
        line
    }

    /// A 三公 决算 table with grouped headers (预算数, 决算数; 公务用车购置及运行费 split into
    /// 小计, 购置费, 运行费), its amounts at the offsets pdftotext would print them; `budget`
    /// false leaves the 预算数 group blank. Own words and numbers.
    fn san_gong(budget: bool, actual_total: &str) -> String {
        let head = [
            at(&[("预算数", 19), ("决算数", 64)]),
            at(&[
                ("合计", 0),
                ("因公出国（境）费", 6),
                ("公务用车购置及运行费", 19),
                ("公务接待费", 37),
                ("合计", 45),
                ("因公出国（境）费", 51),
                ("公务用车购置及运行费", 64),
                ("公务接待费", 82),
            ]),
            at(&[
                ("小计", 17),
                ("购置费", 22),
                ("运行费", 28),
                ("小计", 62),
                ("购置费", 67),
                ("运行费", 73),
            ]),
        ];
        let mut cells = vec![];
        if budget {
            cells.extend([
                ("12.00", 0),
                ("2.00", 10),
                ("8.00", 16),
                ("3.00", 22),
                ("5.00", 28),
                ("2.00", 38),
            ]);
        }
        cells.extend([
            (actual_total, 45),
            ("1.50", 55),
            ("7.50", 61),
            ("3.00", 67),
            ("4.50", 73),
            ("2.00", 83),
        ]);
        layout(&format!(
            "七、“三公”经费财政拨款支出决算情况说明\n\
             2023年度“三公”经费财政拨款支出决算为11.00万元。因公出国（境）费年初预算为2.00万元，\
             支出决算为1.50万元。公务用车购置及运行费支出决算为7.50万元，其中：公务用车购置费3.00万元，\
             公务用车运行费4.50万元。公务接待费预算数为2.00万元，支出决算为2.00万元。\n\n\
             一般公共预算财政拨款“三公”经费支出决算表\n单位：万元\n{}\n{}\n",
            head.join("\n"),
            at(&cells)
        ))
    }

    #[test]
    fn grouped_san_gong_columns_add_up_in_each_group_and_match_the_narrative() {
        let text = san_gong(true, "11.00");
        let t = &read_tables(&text)[0];
        assert_eq!(t.paths.len(), 12, "{:?}", t.paths);
        assert_eq!(t.paths[3], "预算数/公务用车购置及运行费/购置费");
        assert_eq!(t.paths[6], "决算数/合计");
        let a = crate::audit(&text);
        assert_eq!(
            a.failures().count(),
            0,
            "{:?}",
            a.failures().collect::<Vec<_>>()
        );
        let sums = of_kind(&text, Kind::TableColumns);
        // 合计 and 公务用车 in each group.
        assert_eq!(sums.len(), 4, "{sums:?}");
        let narrative = of_kind(&text, Kind::TextAgainstTable);
        let passed: Vec<&str> = narrative.iter().map(|c| c.stated.as_str()).collect();
        // 11.00 total, budget 2.00 of 因公出国, 7.50, 3.00, 4.50, budget 2.00 of 公务接待费.
        assert_eq!(
            passed,
            ["11.00", "2.00", "7.50", "3.00", "4.50", "2.00"],
            "{narrative:?}"
        );
        assert!(
            narrative[1].message.contains("预算数/因公出国（境）费"),
            "{}",
            narrative[1].message
        );
        // A 决算数 合计 that is not the sum of its group.
        let f = fails(&san_gong(true, "11.50"));
        let sum = f
            .iter()
            .find(|c| c.kind == Kind::TableColumns)
            .expect("sum");
        assert_eq!(
            (sum.stated.as_str(), sum.expected.as_str()),
            ("11.50", "11.00")
        );
        assert!(sum.message.contains("“决算数”下"), "{}", sum.message);
    }

    #[test]
    fn a_budget_the_text_states_and_the_table_leaves_blank_is_an_error() {
        let text = san_gong(false, "11.00");
        let f = fails(&text);
        let blank: Vec<&Check> = f.iter().filter(|c| c.expected == "（表中空白）").collect();
        // 因公出国（境）费 and 公务接待费: the text states their 预算数, the table leaves it blank.
        assert_eq!(blank.len(), 2, "{f:?}");
        assert!(blank[0].message.contains("空白"), "{}", blank[0].message);
        assert!(
            blank[0].message.contains("预算数/因公出国（境）费"),
            "{}",
            blank[0].message
        );
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn an_empty_table_carries_its_official_note() {
        let empty = "政府性基金预算财政拨款收入支出决算表\n单位：万元\n\
                     项目\t年初结转和结余\t本年收入\t本年支出\n";
        let f = fails(empty);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::TableEmptyNote);
        assert_eq!(f[0].section, "政府性基金预算财政拨款收入支出决算表");
        // The template's official note is quoted.
        assert!(
            f[0].message
                .contains("官方表样的说明为“本单位本年度没有政府性基金"),
            "{}",
            f[0].message
        );
        // With its note, in either form, it passes.
        for note in [
            "注：本单位本年度没有政府性基金预算财政拨款收入，也没有使用政府性基金预算财政拨款安排的支出，故本表无数据。",
            "本单位无政府性基金预算财政拨款收支，本表为空表。",
            "（无政府性基金预算财政拨款支出）",
        ] {
            let a = crate::audit(&format!("{empty}{note}\n"));
            assert_eq!(a.failures().count(), 0, "{note}");
            let c = a.checks.iter().find(|c| c.kind == Kind::TableEmptyNote).expect("check");
            assert_eq!(c.outcome, Outcome::Pass);
        }
        // A bracketed note the reader joined with the next title over a page break.
        let glued = format!("{empty}\u{c}（无政府性基金支出）一般公共预算支出表\n单位：万元\n项目\t金额\n合计\t5.00\n");
        assert_eq!(crate::audit(&glued).failures().count(), 0);
        // A table whose figures could not be read is not called empty.
        let unread = format!("{empty}合计 1 2 3 4\n");
        assert!(of_kind(&unread, Kind::TableEmptyNote).is_empty());
        assert_eq!(crate::audit(&unread).coverage.tables.unrecognised.len(), 1);
        // A table of another name: the message gives an example note.
        let f = fails("其他经费情况表\n单位：万元\n项目\t金额\n");
        assert!(f[0].message.contains("本单位无"), "{}", f[0].message);
    }

    #[test]
    fn a_part_heading_ends_the_table_before_it() {
        // An empty table, then another part whose score table has no title ending in 表:
        // its rows are not the empty table's.
        let text = "国有资本经营预算财政拨款收入支出决算表\n单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n\t合计\t0.00\t0.00\t0.00\n第五部分 附件：绩效自评\n总分\t100\t85\t61.90\n";
        assert!(fails(text).is_empty(), "{:?}", fails(text));
        let tables = read_tables(text);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].rows.len(), 1);
    }
}
