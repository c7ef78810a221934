//! Print every check of an audit (development aid): `cargo run -p juesuan-audit --example dump -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("file");
    let text = std::fs::read_to_string(path).expect("read");
    let a = juesuan_audit::audit(&text);
    for c in &a.checks {
        println!(
            "{:?}\t{:?}\tL{}\t{}\t{}\t{}",
            c.outcome, c.kind, c.line, c.stated, c.expected, c.message
        );
    }
}
