mod common;
use common::*;
use juesuan_xlsx::{import_workbook, table_facts, write_workbook};

#[test]
fn example_round_trips_exactly() {
    let uy = example();
    let bytes = write_workbook(&tables_of(&uy), &uy).unwrap();
    let imported = match import_workbook(&bytes, &national(), &catalogues(), 2021) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    for w in &imported.warnings {
        eprintln!("{w}");
    }
    assert_eq!(imported.facts, table_facts(&uy.facts));
    assert_eq!(imported.stated, tables_of(&uy));
    assert_eq!(imported.unit_name.as_deref(), Some("凉山州科学技术协会"));
}

/// Issue #18: names from the workbook (a sheet name with a line break, as in a crafted file)
/// and the file name go into comments of the written input; they are escaped there, so the
/// import reads its own output back instead of refusing it with E001.
#[test]
fn names_with_line_breaks_stay_inside_their_comment() {
    let uy = example();
    let bytes = write_workbook(&tables_of(&uy), &uy).unwrap();
    let mut imported = import_workbook(&bytes, &national(), &catalogues(), 2021).unwrap();
    imported.warnings.push(juesuan_xlsx::ImportWarning {
        place: juesuan_xlsx::Place {
            sheet: Some("表1\n[unit]\nname = 1".into()),
            cell: None,
        },
        message: "又一处“收入支出决算总表”，未导入".into(),
        code: None,
    });
    let text = juesuan_xlsx::input::input_text(
        &imported,
        Some((&uy, "base\r\n.toml")),
        2021,
        "national",
        &catalogues(),
        "公开表\n.xlsx",
    );
    let read = juesuan_core::input::parse_input(&text, "out.toml", &catalogues());
    assert!(read.is_ok(), "{:?}", read.err());
    assert!(text.contains("表1\\n[unit]\\nname = 1"), "{text}");
}
