//! The auditor never panics, whatever text it is given: arbitrary strings, strings made of the
//! words and figures it looks for (so the extraction and the interval arithmetic see the odd
//! cases: huge numbers, "-0.00", full-width digits, unbalanced brackets, a share with no
//! amount…), and excerpts of the published seed with such pieces spliced in.
//!
//! Fuzzing (fuzz/, nightly, not run by CI) searches further; these run in CI on stable.

use juesuan_audit::{audit, report_text};
use proptest::prelude::*;

const SEED: &str = include_str!("fixtures/liangshan-kexie-2021-published.txt");

/// Words, punctuation and figures the auditor reacts to.
const PIECES: &[&str] = &[
    "其中",
    "占",
    "%",
    "％",
    "万元",
    "元",
    "亿元",
    "与2020年",
    "相比",
    "比上年",
    "增加",
    "减少",
    "增长",
    "下降",
    "持平",
    "完成预算",
    "完成年初预算的",
    "合计",
    "总计",
    "支出决算",
    "收入",
    "财政拨款",
    "“三公”经费",
    "为",
    "，",
    "。",
    "；",
    "：",
    "、",
    "（",
    "）",
    "(",
    ")",
    "一、",
    "（一）",
    "第二部分",
    "\n",
    "\t",
    " ",
    "0",
    "0.00",
    "-0.00",
    "-",
    ".",
    "..",
    "1.",
    ".5",
    "100",
    "100.00",
    "10.97",
    "99999999999999999999999",
    "99999999999999999999999.99",
    "0.000000000000000000001",
    "１２３.４５",
    "１０％",
    "一百",
    "\u{feff}",
    "\u{3000}",
];

/// A string made of `PIECES`, numbers of any shape and a few arbitrary characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(PIECES).prop_map(str::to_string),
        2 => "-?[0-9]{1,30}(\\.[0-9]{0,6})?",
        1 => "[０-９]{1,8}(．[０-９]{1,3})?",
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn pieces(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max).prop_map(|v| v.concat())
}

/// Run the auditor and its report: neither may panic.
fn audit_all(text: &str) {
    let a = audit(text);
    let _ = report_text(&a, "test.txt");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        audit_all(&text);
    }

    #[test]
    fn arbitrary_bytes_read_lossily(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        audit_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn strings_of_the_words_it_reads(text in pieces(80)) {
        audit_all(&text);
    }

    #[test]
    fn sentences_of_the_words_it_reads(
        sentences in prop::collection::vec(pieces(25), 0..12),
    ) {
        audit_all(&sentences.join("。\n"));
    }

    /// A window of the published seed (with all its real sentences and tables), with pieces
    /// spliced in at character positions.
    #[test]
    fn seed_excerpts_with_pieces_spliced_in(
        start in 0usize..SEED.len(),
        len in 0usize..6000,
        inserts in prop::collection::vec((any::<prop::sample::Index>(), pieces(6)), 0..8),
    ) {
        let mut text: Vec<char> = window(SEED, start, len).chars().collect();
        for (at, s) in inserts {
            let at = at.index(text.len() + 1);
            text.splice(at..at, s.chars());
        }
        audit_all(&text.into_iter().collect::<String>());
    }

    /// Figures of the seed replaced by arbitrary numbers: shares, changes and completion rates
    /// become inconsistent, zero, negative or huge.
    #[test]
    fn seed_excerpts_with_other_numbers(
        start in 0usize..SEED.len(),
        numbers in prop::collection::vec("-?[0-9]{1,25}(\\.[0-9]{0,4})?", 1..40),
    ) {
        let excerpt = window(SEED, start, 4000);
        let mut out = String::with_capacity(excerpt.len());
        let mut next = numbers.iter().cycle();
        let mut in_number = false;
        for c in excerpt.chars() {
            if c.is_ascii_digit() || (in_number && c == '.') {
                if !in_number {
                    out.push_str(next.next().unwrap());
                    in_number = true;
                }
            } else {
                in_number = false;
                out.push(c);
            }
        }
        audit_all(&out);
    }
}

/// About `len` bytes of `text` from about `start`, cut at character boundaries.
fn window(text: &str, start: usize, len: usize) -> &str {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let a = floor(start);
    let b = floor(a.saturating_add(len)).max(a);
    &text[a..b]
}

#[test]
fn edge_cases_by_hand() {
    for text in [
        "",
        "占%",
        "其中：占",
        "支出决算99999999999999999999999万元，占99999999999999999999999%。",
        "支出决算-0.00万元，其中：基本支出-0.00万元，占-0.00%。",
        "收入0万元，其中财政拨款0万元，占0%。",
        "与2020年0万元相比，增加0万元，增加0%。",
        "与2020年0.00万元相比，减少0.00万元，下降100%。",
        "完成预算0%。",
        "预算0万元，决算10万元，完成预算%。",
        "（（（（）",
        "）占（",
        "１２３.４５万元，占１０％。",
        "1.万元占.5%",
        "支出决算1万元，其中：a 1万元，b 1万元，c 1万元，占100%、占100%、占100%。",
    ] {
        audit_all(text);
    }
}
