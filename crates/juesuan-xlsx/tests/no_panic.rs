//! Stable counterpart of the fuzz target: damaged workbooks and random sheets give errors
//! or imports, never panics.
mod common;
use common::*;
use juesuan_xlsx::{import_workbook, write_workbook};
use proptest::prelude::*;

fn example_bytes() -> Vec<u8> {
    let uy = example();
    write_workbook(&tables_of(&uy), &uy).unwrap()
}

const WORDS: &[&str] = &[
    "收入决算表",
    "支出决算表",
    "收入支出决算总表",
    "公开07表",
    "科目编码",
    "科目名称",
    "项目",
    "本年收入合计",
    "财政拨款收入",
    "合计",
    "总计",
    "基本支出",
    "本年支出",
    "类",
    "款",
    "项",
    "栏次",
    "金额单位：元",
    "2060701 机构运行",
    "206",
    "07",
    "01",
    "-",
    "１２３．４５",
    "注：",
    "决算数",
    "预算数",
    "收入",
    "支出",
    "30101",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn damaged_bytes(cuts in prop::collection::vec((0usize..20_000, any::<u8>()), 1..8), truncate in 0usize..30_000) {
        let mut bytes = example_bytes();
        for (i, b) in cuts {
            let n = bytes.len();
            bytes[i % n] = b;
        }
        bytes.truncate(truncate.max(1));
        let _ = import_workbook(&bytes, &national(), &catalogues(), 2021);
    }

    #[test]
    fn random_sheets(cells in prop::collection::vec((0u32..40, 0u16..12, 0usize..WORDS.len(), prop::option::of(-1e9f64..1e9)), 0..200)) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c, w, n) in cells {
            match n {
                Some(v) => { ws.write_number(r, c, v).unwrap(); }
                None => { ws.write_string(r, c, WORDS[w]).unwrap(); }
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        let _ = import_workbook(&bytes, &national(), &catalogues(), 2021);
    }
}
