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
