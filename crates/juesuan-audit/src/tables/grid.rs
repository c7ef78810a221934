//! 表头栏位：the columns of a table's header by position, so that each amount of a row is put
//! under its own column (a blank cell is then a known blank) and grouped, multi-row headers
//! give each column its path ("预算数/公务用车购置及运行费/公务用车购置费").
//!
//! Positions come two ways:
//! - **aligned** lines (the PDF reader keeps `pdftotext -layout`'s indent and gaps as one tab
//!   per space): a cell's position is its character offset in the layout. pdftotext prints
//!   every character in one column, but a Chinese character is about twice as wide on the
//!   page as a digit (measured on the corpus: 9.1 pt against 4.6 pt, with about 7.2 pt per
//!   layout column), so offsets drift by a few columns along a line; headers are centred and
//!   amounts right-aligned. An amount goes to the header column whose centre is nearest to
//!   its own, and only when the amounts of the row then fall in strictly increasing columns.
//! - **cell-indexed** lines (.docx rows, Markdown rows: every cell printed, empty or not): a
//!   cell's position is its index; a row is placed only when it has as many cells as the
//!   header.

/// A header cell with its position: character offsets (aligned) or the cell index.
#[derive(Debug, Clone)]
pub(super) struct HeadCell {
    pub text: String,
    pub lo: usize,
    pub hi: usize,
}

/// One header row as read, with how its positions were measured.
#[derive(Debug, Clone)]
pub(super) struct HeadRow {
    pub aligned: bool,
    pub cells: Vec<HeadCell>,
    /// Cell-indexed rows: how many cells (empty ones included) the row has.
    pub parts: usize,
}

/// The columns of a header: their paths and where they stand.
#[derive(Debug, Clone, Default)]
pub(super) struct Grid {
    pub aligned: bool,
    /// Each column's path from the top header row down, joined by "/".
    pub paths: Vec<String>,
    /// Aligned: each column's centre (twice the offset, to stay in integers).
    centres: Vec<usize>,
    /// Cell-indexed: the header's cell count.
    parts: usize,
}

fn centre(lo: usize, hi: usize) -> usize {
    lo + hi
}

impl Grid {
    /// The grid of a table's header rows; `None` when they give no positions (a header of
    /// plain lines, aligned and cell-indexed rows mixed).
    pub fn of(rows: &[HeadRow]) -> Option<Grid> {
        let rows: Vec<&HeadRow> = rows.iter().filter(|r| !r.cells.is_empty()).collect();
        if rows.is_empty() {
            return None;
        }
        if rows.iter().all(|r| r.aligned) {
            Some(aligned(&rows))
        } else if rows.iter().all(|r| !r.aligned && r.parts >= 2) {
            indexed(&rows)
        } else {
            None
        }
    }

    /// The column of each amount at `positions` ((lo, hi) offsets, or (index, index + 1)):
    /// `None` when the row cannot be placed.
    pub fn place(&self, positions: &[(usize, usize)], parts: usize) -> Option<Vec<usize>> {
        if self.paths.is_empty() {
            return None;
        }
        let cols: Vec<usize> = if self.aligned {
            positions
                .iter()
                .map(|&(lo, hi)| {
                    let c = centre(lo, hi);
                    (0..self.centres.len())
                        .min_by_key(|&k| self.centres[k].abs_diff(c))
                        .expect("columns")
                })
                .collect()
        } else {
            if parts != self.parts {
                return None;
            }
            positions.iter().map(|&(lo, _)| lo).collect()
        };
        cols.windows(2)
            .all(|w| w[0] < w[1])
            .then_some(cols)
            .filter(|c| c.iter().all(|&k| k < self.paths.len()))
    }

    /// The column nearest an aligned position.
    pub fn nearest(&self, lo: usize, hi: usize) -> Option<usize> {
        let c = centre(lo, hi);
        (0..self.centres.len()).min_by_key(|&k| self.centres[k].abs_diff(c))
    }
}

/// Aligned header rows: a cell is a column of its own (a leaf) when no cell of a lower row
/// stands under it; a cell stands under the cell of a higher row whose stretch (from the
/// midpoint with its left neighbour to the midpoint with its right one; as far out as in at
/// either end of the row, a header being centred over its columns) holds its centre.
fn aligned(rows: &[&HeadRow]) -> Grid {
    // (row, cell) of every header cell, and the stretch each covers in its row.
    let stretch = |r: &HeadRow, i: usize| -> (usize, usize) {
        let c = |j: usize| centre(r.cells[j].lo, r.cells[j].hi);
        let n = r.cells.len();
        if n == 1 {
            return (0, usize::MAX);
        }
        let left = (i > 0).then(|| (c(i - 1) + c(i)) / 2);
        let right = (i + 1 < n).then(|| (c(i) + c(i + 1)) / 2);
        // A cell at either end is centred over what it spans: as far out as in.
        match (left, right) {
            (Some(l), Some(r)) => (l, r),
            (None, Some(r)) => (c(i).saturating_sub(r - c(i)), r),
            (Some(l), None) => (l, c(i) + (c(i) - l)),
            (None, None) => (0, usize::MAX),
        }
    };
    let under = |upper: usize, i: usize, lower: usize, j: usize| {
        let (l, r) = stretch(rows[upper], i);
        let c = centre(rows[lower].cells[j].lo, rows[lower].cells[j].hi);
        l <= c && c < r
    };
    let mut leaves: Vec<(usize, usize)> = Vec::new();
    for (ri, row) in rows.iter().enumerate() {
        for i in 0..row.cells.len() {
            let has_child = (ri + 1..rows.len())
                .any(|lr| (0..rows[lr].cells.len()).any(|j| under(ri, i, lr, j)));
            if !has_child {
                leaves.push((ri, i));
            }
        }
    }
    leaves.sort_by_key(|&(r, i)| centre(rows[r].cells[i].lo, rows[r].cells[i].hi));
    let mut paths = Vec::new();
    let mut centres = Vec::new();
    let children = |ur: usize, i: usize| {
        (ur + 1..rows.len())
            .map(|lr| {
                (0..rows[lr].cells.len())
                    .filter(|&j| under(ur, i, lr, j))
                    .count()
            })
            .sum::<usize>()
    };
    for &(lr, j) in &leaves {
        let mut path: Vec<(usize, usize)> = Vec::new();
        for (ur, row) in rows.iter().enumerate().take(lr) {
            if let Some(i) = (0..row.cells.len()).find(|&i| under(ur, i, lr, j)) {
                path.push((ur, i));
            }
        }
        let leaf = &rows[lr].cells[j];
        let mut names: Vec<String> = path
            .iter()
            .map(|&(r, i)| rows[r].cells[i].text.clone())
            .collect();
        // A label wrapped over two lines ("因公出国" over "（境）费"): one name, when the
        // lower part starts where the upper does and is all that stands under it.
        match path.last() {
            Some(&(ur, i))
                if rows[ur].cells[i].lo.abs_diff(leaf.lo) <= 1 && children(ur, i) == 1 =>
            {
                names.last_mut().expect("one").push_str(&leaf.text);
            }
            _ => names.push(leaf.text.clone()),
        }
        paths.push(names.join("/"));
        centres.push(centre(leaf.lo, leaf.hi));
    }
    Grid {
        aligned: true,
        paths,
        centres,
        parts: 0,
    }
}

/// Cell-indexed header rows (every cell printed, a merged cell followed by empty ones):
/// each column's path takes, row by row, the cell at its index or, when that is empty, the
/// nearest cell before it that is not left of the column's ancestor found so far.
fn indexed(rows: &[&HeadRow]) -> Option<Grid> {
    let parts = rows.last()?.parts;
    if rows.iter().any(|r| r.parts != parts) {
        return None;
    }
    let mut paths = Vec::new();
    for p in 0..parts {
        let mut from = 0;
        let mut names: Vec<&str> = Vec::new();
        for row in rows {
            let at = |k: usize| row.cells.iter().find(|c| c.lo == k);
            let found = (from..=p).rev().find_map(at);
            if let Some(c) = found {
                names.push(&c.text);
                from = c.lo;
            }
        }
        paths.push(names.join("/"));
    }
    Some(Grid {
        aligned: false,
        paths,
        centres: Vec::new(),
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(aligned: bool, cells: &[(&str, usize)], parts: usize) -> HeadRow {
        HeadRow {
            aligned,
            cells: cells
                .iter()
                .map(|&(t, lo)| HeadCell {
                    text: t.into(),
                    lo,
                    hi: if aligned {
                        lo + t.chars().count()
                    } else {
                        lo + 1
                    },
                })
                .collect(),
            parts,
        }
    }

    #[test]
    fn grouped_aligned_headers_give_paths_and_amounts_their_columns() {
        let rows = [
            row(true, &[("预算数", 20), ("决算数", 80)], 0),
            row(
                true,
                &[
                    ("合计", 2),
                    ("因公出国（境）费", 8),
                    ("公务用车购置及运行费", 24),
                    ("公务接待费", 40),
                ],
                0,
            ),
            row(true, &[("小计", 22), ("购置费", 27), ("运行费", 32)], 0),
        ];
        let g = Grid::of(&rows).unwrap();
        assert_eq!(
            g.paths,
            [
                "预算数/合计",
                "预算数/因公出国（境）费",
                "预算数/公务用车购置及运行费/小计",
                "预算数/公务用车购置及运行费/购置费",
                "预算数/公务用车购置及运行费/运行费",
                "预算数/公务接待费",
                "决算数",
            ]
        );
        // Right-aligned amounts under 合计, 因公出国, 运行费: 小计 and 购置费 are blank.
        assert_eq!(
            g.place(&[(0, 5), (10, 14), (31, 35)], 0),
            Some(vec![0, 1, 4])
        );
        // Two amounts nearest one column: not placed.
        assert_eq!(g.place(&[(0, 5), (1, 6)], 0), None);
    }

    #[test]
    fn a_row_of_left_side_labels_does_not_cover_the_right_side() {
        // A 收支总表 prints the income side's labels a line above the expenditure side's.
        let rows = [
            row(true, &[("项目名称", 5), ("金额", 18)], 0),
            row(true, &[("功能科目名称", 40), ("金额", 60)], 0),
        ];
        let g = Grid::of(&rows).unwrap();
        assert_eq!(g.paths, ["项目名称", "金额", "功能科目名称", "金额"]);
        // An amount printed right-aligned after the first 金额 is still its.
        assert_eq!(g.place(&[(23, 32), (56, 65)], 0), Some(vec![1, 3]));
    }

    #[test]
    fn a_label_wrapped_over_two_lines_is_one_name() {
        let rows = [
            row(true, &[("合计", 2), ("因公出国", 12), ("会议费", 24)], 0),
            row(true, &[("（境）费", 12)], 0),
        ];
        let g = Grid::of(&rows).unwrap();
        assert_eq!(g.paths, ["合计", "因公出国（境）费", "会议费"]);
    }

    #[test]
    fn indexed_headers_follow_merged_cells_and_need_every_cell() {
        let rows = [
            row(false, &[("项目", 0), ("本年支出", 2)], 5),
            row(
                false,
                &[
                    ("科目编码", 0),
                    ("科目名称", 1),
                    ("合计", 2),
                    ("基本支出", 3),
                    ("项目支出", 4),
                ],
                5,
            ),
        ];
        let g = Grid::of(&rows).unwrap();
        assert_eq!(
            g.paths,
            [
                "项目/科目编码",
                "项目/科目名称",
                "本年支出/合计",
                "本年支出/基本支出",
                "本年支出/项目支出"
            ]
        );
        assert_eq!(g.place(&[(2, 3), (4, 5)], 5), Some(vec![2, 4]));
        assert_eq!(g.place(&[(2, 3), (4, 5)], 4), None);
        // Aligned and indexed rows mixed: no grid.
        let mixed = [rows[0].clone(), row(true, &[("合计", 3)], 0)];
        assert!(Grid::of(&mixed).is_none());
    }
}
