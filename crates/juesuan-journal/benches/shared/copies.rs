//! The example journal repeated, shared by the import bench and the instruction-count workload
//! (examples/journal_workload.rs), so both measure the same input.

const JOURNAL: &str = include_str!("../../../../examples/liangshan-kexie-2021/journal.csv");

/// The journal with its body repeated `n` times, voucher numbers prefixed by the copy.
pub fn copies(n: usize) -> String {
    let (header, body) = JOURNAL.split_once('\n').expect("header line");
    let mut out = format!("{header}\n");
    for i in 0..n {
        for line in body.lines() {
            let mut cells = line.splitn(3, ',');
            let (date, voucher, rest) = (
                cells.next().unwrap_or(""),
                cells.next().unwrap_or(""),
                cells.next().unwrap_or(""),
            );
            out.push_str(&format!("{date},{i}-{voucher},{rest}\n"));
        }
    }
    out
}
