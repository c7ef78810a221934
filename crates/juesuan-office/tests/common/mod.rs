//! Shared by the integration tests: the embedded example's report, with its evaluation.

use juesuan_core::input::parse_input;
use juesuan_core::UnitYear;
use juesuan_data::Library;
use juesuan_office::Fonts;
use juesuan_report::evaluation::{compute, Scored};
use juesuan_report::Report;

pub const EXAMPLE: &str = include_str!("../../../../examples/liangshan-kexie-2021/input.toml");

/// The example's unit-year and its full report (tables, charts, evaluation tables).
pub fn example_report() -> (UnitYear, Report) {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues 2021");
    let uy = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
    let scores = match compute(&lib, &uy).expect("data files") {
        Scored::Scores(s) => Some(*s),
        Scored::Nothing => panic!("the example has an [evaluation]"),
        Scored::InputErrors(e) => panic!("evaluation input errors: {e:?}"),
    };
    let report = juesuan_report::build_report_with_scores(&uy, &lib, &cats, scores.as_ref())
        .expect("report builds");
    (uy, report)
}

/// The CJK fonts. CI installs fonts-noto-cjk; a missing font fails loudly with the
/// package name rather than skipping.
#[allow(dead_code)] // png.rs only; the Word writer needs no font files
pub fn fonts() -> Fonts {
    Fonts::discover().unwrap_or_else(|e| panic!("{e}"))
}
