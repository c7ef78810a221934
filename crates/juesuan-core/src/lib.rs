//! juesuan-core: the pure core of juesuan (决算). No I/O: callers pass text in and get
//! validated facts and derived tables out.
//!
//! Flow: input text → [`input::parse_input`] → [`model::UnitYear`] (with its
//! [`facts::FactTable`]) → [`tables::derive_tables`] → tables for the narrative, charts,
//! checks and renderers.
//!
//! The number kernel sits here too, beneath checks, the auditor and scoring: [`money`]
//! (integer 分, the one display rounding of amounts), [`ratio`] (exact rationals, for shares,
//! scores and the auditor's rounding intervals) and [`expr`] (the expression language of
//! consistency rules and scoring rules).

pub mod catalogue;
pub mod details;
pub mod error;
pub mod evaluation;
pub mod expr;
pub mod facts;
pub mod import_roles;
pub mod input;
pub mod limits;
pub mod markup;
pub mod model;
pub mod money;
pub mod precision;
pub mod ratio;
pub mod tables;
pub mod template_match;
pub mod write;

pub use catalogue::{Catalogue, Catalogues};
pub use error::{code_infos, CodeInfo, Coded, ErrorCode, Family, InputError, Severity, Warning};
pub use facts::{Fact, FactFilter, FactTable, FundSource, Measure, Nature, Scenario};
pub use model::{section_changes, SectionChange, UnitYear};
pub use money::{
    Amount, Change, Completion, Direction, MoneyUnit, Percent, MAX_TOTAL_MAGNITUDE_FEN,
};
pub use precision::{Gap, StatedPrecision};
pub use tables::{Table, TableSet};
pub use write::{normalized_facts, write_input};
