//! 分组表头中的相加关系: sums between the columns of a grouped header, as
//! `data/audit/national-2021.toml` lists them (`[[column_sum]]`): in a 三公 table, under 预算数
//! and under 决算数 alike, 合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费, and
//! 公务用车购置及运行费 (its 小计) = 购置费 + 运行费.

use super::checks::Out;
use super::{StatedCell, StatedTable};
use crate::concepts::{column_sums, ColumnSum};
use crate::model::Kind;

fn bare(s: &str) -> String {
    s.replace([' ', '\u{3000}'], "")
}

fn named(names: &[String], s: &str) -> bool {
    names.iter().any(|n| bare(n) == bare(s))
}

/// One relation found in a table's header: the total column and each part's column.
struct Found {
    parent: String,
    total: usize,
    parts: Vec<(String, usize)>,
}

/// The columns of `sum` under each parent of the header where all of them stand and no other
/// column does (a 会议费 beside them: the 合计 is not their sum).
fn find(sum: &ColumnSum, paths: &[String]) -> Vec<Found> {
    let split: Vec<Vec<&str>> = paths.iter().map(|p| p.split('/').collect()).collect();
    let mut parents: Vec<Vec<&str>> = Vec::new();
    for s in &split {
        for n in 0..s.len() {
            if !parents.contains(&s[..n].to_vec()) {
                parents.push(s[..n].to_vec());
            }
        }
    }
    let mut out = Vec::new();
    for parent in parents {
        let inside = parent.last().is_some_and(|p| named(&sum.within, p));
        if !sum.within.is_empty() && !inside {
            continue;
        }
        let d = parent.len();
        // The columns under this parent, by their next segment.
        let under: Vec<(usize, &Vec<&str>)> = split
            .iter()
            .enumerate()
            .filter(|(_, s)| s.len() > d && s[..d] == parent[..])
            .collect();
        let total = under
            .iter()
            .filter(|(_, s)| s.len() == d + 1 && named(&sum.total, s[d]))
            .map(|(k, _)| *k)
            .collect::<Vec<_>>();
        let [total] = total.as_slice() else { continue };
        let mut parts = Vec::new();
        for names in &sum.parts {
            let own: Vec<&(usize, &Vec<&str>)> =
                under.iter().filter(|(_, s)| named(names, s[d])).collect();
            // The part's own column, or its 小计 when it is split.
            let col = own.iter().find_map(|(k, s)| {
                (s.len() == d + 1 || (s.len() == d + 2 && named(&sum.total, s[d + 1])))
                    .then_some(*k)
            });
            match col {
                Some(k) => parts.push((bare(own[0].1[d]), k)),
                None => break,
            }
        }
        let known = under.iter().all(|(_, s)| {
            named(&sum.total, s[d]) || sum.parts.iter().any(|names| named(names, s[d]))
        });
        if parts.len() == sum.parts.len() && known {
            out.push(Found {
                parent: parent.join("/"),
                total: *total,
                parts,
            });
        }
    }
    out
}

/// The sums of grouped-header columns, row by row (rows whose amounts were placed; a blank
/// part adds nothing, a blank total beside amounts is not decided).
pub(super) fn sums(t: &StatedTable, out: &mut Out) {
    if t.paths.is_empty() {
        return;
    }
    for sum in column_sums() {
        if !sum.tables.iter().any(|w| t.title.contains(w.as_str())) {
            continue;
        }
        for f in find(sum, &t.paths) {
            for r in t.rows.iter().filter(|r| r.placed && r.more.is_empty()) {
                let at = |k: usize| r.cells.iter().find(|c| c.column == Some(k));
                let parts: Vec<&StatedCell> = f.parts.iter().filter_map(|p| at(p.1)).collect();
                let Some(stated) = at(f.total) else {
                    if !parts.is_empty() {
                        out.cov.undecided += 1;
                    }
                    continue;
                };
                let names: Vec<&str> = f.parts.iter().map(|p| p.0.as_str()).collect();
                out.sum_check(
                    t,
                    r,
                    Kind::TableColumns,
                    stated,
                    &parts,
                    &format!("“{}”栏", t.paths[f.total]),
                    &format!(
                        "应为{}各栏{}之和",
                        if f.parent.is_empty() {
                            String::new()
                        } else {
                            format!("“{}”下", f.parent)
                        },
                        names.join("、")
                    ),
                );
            }
        }
    }
}
