//! juesuan-audit: checks the arithmetic of a published disclosure (部门决算公开) given as text.
//!
//! The text is split into sections and sentences; every stated amount (元/万元/亿元) is taken
//! with its label, and every share (占X%), change (增加/减少…，增长/下降X%) and completion rate
//! (完成预算X%) with the amounts it refers to. Each relation is checked exactly with interval
//! arithmetic: a figure printed to 2 decimals stands for any value within half a unit of its
//! last digit, so honest rounding never fails and anything beyond it does. When it cannot tell
//! which figure a percentage refers to, the auditor says so instead of guessing.

/// A regular expression compiled once, on first use.
macro_rules! lazy_regex {
    ($pattern:expr) => {{
        static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        R.get_or_init(|| regex::Regex::new($pattern).expect("valid pattern"))
    }};
}

mod arithmetic;
mod auditor;
mod changes;
mod codes;
mod comparisons;
mod concepts;
mod consistency;
mod interval;
mod levels;
mod lists;
mod model;
mod parts;
mod report;
mod tables;
mod text;
mod unit_cost;

pub use auditor::audit;
pub use model::{
    verdict, Audit, Check, Coverage, Kind, Outcome, Place, TableCoverage, Unread, Verdict,
};
pub use report::{coverage_text, report_html, report_text};
pub use tables::{read_tables, MappedCell, StatedCell, StatedRow, StatedTable, TemplateMatch};
pub use text::normalize;
