//! The written workbook, opened with calamine: structure, figures, formats, merges.
mod common;
use calamine::{Data, Reader, Xlsx};
use common::*;
use juesuan_xlsx::{write_template, write_workbook};
use std::io::{Cursor, Read};

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).unwrap()
}

fn find(range: &calamine::Range<Data>, text: &str) -> (u32, u32) {
    for (r, row) in range.rows().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if matches!(v, Data::String(s) if s == text) {
                let (r0, c0) = range.start().unwrap();
                return (r0 + r as u32, c0 + c as u32);
            }
        }
    }
    panic!("“{text}” not found");
}

#[test]
fn nine_sheets_laid_out_like_the_official_tables() {
    let uy = example();
    let bytes = write_workbook(&tables_of(&uy), &uy).unwrap();
    let mut book = open(&bytes);
    let names = book.sheet_names().to_vec();
    assert_eq!(
        names,
        (1..=9).map(|i| format!("公开{i:02}表")).collect::<Vec<_>>()
    );

    // 收入支出决算总表: title, preparer, unit, the grand total stored exactly (686.538 万元,
    // displayed 686.54 by the 0.00 format).
    let t1 = book.worksheet_range("公开01表").unwrap();
    assert_eq!(
        t1.get_value((1, 0)),
        Some(&Data::String("收入支出决算总表".into()))
    );
    assert_eq!(
        t1.get_value((2, 0)),
        Some(&Data::String("编制单位：凉山州科学技术协会".into()))
    );
    assert_eq!(
        t1.get_value((2, 3)),
        Some(&Data::String("金额单位：万元".into()))
    );
    assert_eq!(t1.get_value((0, 3)), Some(&Data::String("公开01表".into())));
    let (r, c) = find(&t1, "总计");
    assert_eq!(c, 0);
    assert_eq!(t1.get_value((r, 1)), Some(&Data::Float(686.538)));
    assert_eq!(t1.get_value((r, 3)), Some(&Data::Float(686.538)));
    assert_eq!(format!("{:.2}", 686.538f64), "686.54");
    assert_eq!(find(&t1, "收入"), (3, 0));
    assert_eq!(find(&t1, "支出"), (3, 2));

    // 收入决算表: header texts in order; 2060701 holds the exact 233.934 (prints 233.93).
    let t2 = book.worksheet_range("公开02表").unwrap();
    let header: Vec<String> = (0..9)
        .map(|c| {
            t2.get_value((3, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        header,
        [
            "科目编码",
            "科目名称",
            "本年收入合计",
            "财政拨款收入",
            "上级补助收入",
            "事业收入",
            "经营收入",
            "附属单位上缴收入",
            "其他收入"
        ]
    );
    let (r, _) = find(&t2, "2060701");
    assert_eq!(t2.get_value((r, 1)), Some(&Data::String("机构运行".into())));
    assert_eq!(t2.get_value((r, 2)), Some(&Data::Float(233.934)));
    let (r, _) = find(&t2, "合计");
    assert_eq!(t2.get_value((r, 2)), Some(&Data::Float(616.538)));

    // Amounts display with two decimals.
    let styles = book.worksheet_style("公开02表").unwrap();
    let fmt = styles
        .get((r, 2))
        .and_then(|s| s.number_format.as_ref())
        .map(|f| f.format_code.clone());
    assert_eq!(fmt.as_deref(), Some("0.00"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
    let mut styles_xml = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles_xml)
        .unwrap();
    assert!(styles_xml.contains(r#"formatCode="0.00""#), "{styles_xml}");

    // Merged cells: title across the table, side headers, grouped header of 公开08表.
    let merges = book.merge_cells_by_sheet_name("公开01表").unwrap();
    let spans: Vec<_> = merges.iter().map(|d| (d.start, d.end)).collect();
    assert!(spans.contains(&((1, 0), (1, 3))), "{spans:?}");
    assert!(spans.contains(&((3, 0), (3, 1))), "{spans:?}");
    assert!(spans.contains(&((3, 2), (3, 3))), "{spans:?}");
    let merges = book.merge_cells_by_sheet_name("公开08表").unwrap();
    let spans: Vec<_> = merges.iter().map(|d| (d.start, d.end)).collect();
    // 科目编码 spans two header rows; 本年支出 spans its three columns.
    assert!(spans.contains(&((3, 0), (4, 0))), "{spans:?}");
    assert!(spans.contains(&((3, 4), (3, 6))), "{spans:?}");
    let t8 = book.worksheet_range("公开08表").unwrap();
    assert_eq!(t8.get_value((3, 4)), Some(&Data::String("本年支出".into())));
    assert_eq!(t8.get_value((4, 5)), Some(&Data::String("基本支出".into())));
    // The empty table carries its official note.
    let (r, _) = find(&t8, "合计");
    let note = t8.get_value((r + 1, 0)).unwrap().to_string();
    assert!(note.contains("故本表无数据"), "{note}");

    // Frozen header and A4 print setup in the sheet XML.
    let mut sheet_xml = String::new();
    zip.by_name("xl/worksheets/sheet2.xml")
        .unwrap()
        .read_to_string(&mut sheet_xml)
        .unwrap();
    assert!(sheet_xml.contains(r#"state="frozen""#), "{sheet_xml}");
    assert!(sheet_xml.contains(r#"paperSize="9""#), "{sheet_xml}");
    assert!(sheet_xml.contains(r#"topLeftCell="C5""#), "{sheet_xml}");
}

#[test]
fn template_has_instructions_tables_and_codes() {
    let bytes = write_template(&national(), &catalogues(), 2021).unwrap();
    let mut book = open(&bytes);
    let names = book.sheet_names().to_vec();
    assert_eq!(names.len(), 11);
    assert_eq!(names[0], "说明");
    assert_eq!(names[10], "科目代码");
    let help = book.worksheet_range("说明").unwrap();
    let all: String = help.rows().flatten().map(|v| v.to_string()).collect();
    for needle in [
        "金额单位",
        "万元",
        "类3位、款5位、项7位",
        "公开02表《收入决算表》",
        "合计 = 各类之和",
    ] {
        assert!(all.contains(needle), "说明 lacks {needle}");
    }
    // Empty amounts, the 合计 row present, blank rows for 类/款/项.
    let t2 = book.worksheet_range("公开02表").unwrap();
    assert!(!t2.rows().flatten().any(|v| matches!(v, Data::Float(_))));
    let (r, _) = find(&t2, "合计");
    assert_eq!(r, 4);
    let codes = book.worksheet_range("科目代码").unwrap();
    let (r, c) = find(&codes, "2060701");
    assert_eq!(
        codes.get_value((r, c + 1)),
        Some(&Data::String("机构运行".into()))
    );
    find(&codes, "30101");
}
