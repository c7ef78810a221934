//! juesuan-score: performance evaluation (预算绩效评价). Indicator systems (指标体系) are data
//! files; every score is computed exactly (rational numbers), clamped to [0, max], rounded
//! half up to 2 decimals, and keeps a trace of its inputs and steps.
//!
//! Flow: system file → [`system::IndicatorSystem::from_toml`] (validated, located errors) →
//! [`score::evaluate`] with [`score::Inputs`] → [`score::Evaluation`] (scores, traces, grade,
//! claims the inputs do not support).

pub mod derive;
pub mod input;
pub mod project;
pub mod score;
pub mod system;

// The number kernel lives in juesuan-core, next to `Amount`; these paths stay for callers.
pub use juesuan_core::{expr, ratio};
pub use ratio::Ratio;
pub use score::{evaluate, Evaluation, Inputs};
pub use system::{IndicatorSystem, SystemError};
