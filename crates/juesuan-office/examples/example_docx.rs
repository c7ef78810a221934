//! Write the embedded example's disclosure as Word, for looking at by hand:
//! `cargo run -p juesuan-office --example example_docx -- /tmp/report.docx`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "report.docx".into());
    let (uy, report) = common::example_report();
    let bytes = juesuan_office::write_docx(&report, &uy).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    std::fs::write(&out, bytes).expect("write the file");
    println!("{out}");
}
