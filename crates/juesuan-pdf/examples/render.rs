//! Typeset one input file to PDF (and the typst source beside it), for looking at the layout
//! while developing: `cargo run -p juesuan-pdf --example render -- <input.toml> <out.pdf>`.

use juesuan_core::input::parse_input;
use juesuan_data::Library;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("用法：render <输入文件.toml> <输出.pdf>".into());
    };
    let text = std::fs::read_to_string(input)?;
    let lib = Library::embedded();
    // The catalogues depend on the year; parse_input needs them, so read `year = …` first.
    let year: i32 = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("year"))
        .filter_map(|rest| rest.trim().strip_prefix('='))
        .find_map(|v| v.trim().parse().ok())
        .unwrap_or(2021);
    let cats = lib.catalogues(year)?;
    let uy = parse_input(&text, input, &cats).map_err(|e| format!("{e:?}"))?;
    let scores = match juesuan_report::evaluation::compute(&lib, &uy)? {
        juesuan_report::evaluation::Scored::Scores(s) => Some(s),
        _ => None,
    };
    let report = juesuan_report::build_report_with_scores(&uy, &lib, &cats, scores.as_deref())?;

    let mut report = report;
    if let Ok(skip) = std::env::var("SKIP") {
        report
            .document
            .retain(|b| !format!("{b:?}").starts_with(skip.as_str()));
    }
    let start = Instant::now();
    let fonts = juesuan_pdf::PdfFonts::discover()?;
    eprintln!(
        "fonts: {} faces in {:.2?} (body {}, headings {})",
        fonts.face_count(),
        start.elapsed(),
        fonts.body_family,
        fonts.heading_family
    );
    let start = Instant::now();
    let t = juesuan_pdf::typeset(&report, &uy, &fonts)?;
    eprintln!("typeset: {} bytes in {:.2?}", t.pdf.len(), start.elapsed());
    for w in &t.warnings {
        eprintln!("{w}");
    }
    std::fs::write(out, &t.pdf)?;
    std::fs::write(
        format!("{out}.typ"),
        juesuan_pdf::markup::source(&report, &uy, &fonts),
    )?;
    Ok(())
}
