//! KPI values from a data file (考核数据文件): a header `recipient,<列>…[,date][,source]` and
//! one row per recipient, as CSV text ([`Plan::attach_csv`]) or as the rows of a worksheet
//! the caller has read ([`Plan::attach_rows`], for .xlsx). Each value keeps its file and row.

use crate::error::{AllocCode, AllocError};
use crate::plan::{kpi_number, KpiValue, Plan, Provenance};

fn err(file: &str, row: usize, col: Option<usize>, message: String, hint: &str) -> AllocError {
    AllocError {
        code: AllocCode::KpiFile,
        file: file.to_string(),
        line: Some(row),
        column: col,
        message,
        hint: hint.to_string(),
    }
}

const NAME_COLUMNS: [&str; 3] = ["recipient", "单位", "县市"];
const DATE_COLUMNS: [&str; 2] = ["date", "日期"];
const SOURCE_COLUMNS: [&str; 2] = ["source", "来源"];

/// The header's cells, trimmed; its first column must name the recipient.
fn check_header(header: &[String], file: &str, row: usize) -> Result<Vec<String>, AllocError> {
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    if !header
        .first()
        .is_some_and(|h| NAME_COLUMNS.contains(&h.as_str()))
    {
        return Err(err(
            file,
            row,
            Some(1),
            "第一列应为单位名称（表头 recipient）".into(),
            "表头写成 recipient,指标列…,date,source",
        ));
    }
    Ok(header)
}

/// The columns of the header: (date column, source column).
struct Columns {
    header: Vec<String>,
    date: Option<usize>,
    source: Option<usize>,
}

impl Plan {
    /// Read the KPI values of a CSV file into the plan. Values stated inline in the plan
    /// for the same recipient and column are replaced (the file is the later source).
    pub fn attach_csv(&mut self, text: &str, file: &str) -> Result<(), Vec<AllocError>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            match rec {
                Ok(r) => rows.push((i + 1, r.iter().map(str::to_string).collect())),
                Err(e) => errors.push(err(
                    file,
                    i + 1,
                    None,
                    format!("CSV 格式错误：{e}"),
                    "检查该行的引号和分隔符",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.attach_rows(&rows, file)
    }

    /// Read KPI values from rows of cells, each with its 1-based row number in `file`; the
    /// first row is the header.
    pub fn attach_rows(
        &mut self,
        rows: &[(usize, Vec<String>)],
        file: &str,
    ) -> Result<(), Vec<AllocError>> {
        let Some((first, header)) = rows.first() else {
            return Err(vec![err(
                file,
                1,
                None,
                "文件是空的".into(),
                "第一行写表头：recipient,指标列…",
            )]);
        };
        let header = check_header(header, file, *first).map_err(|e| vec![e])?;
        let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
        let cols = Columns {
            date: find(&DATE_COLUMNS),
            source: find(&SOURCE_COLUMNS),
            header: header.clone(),
        };
        let mut errors = Vec::new();
        for (row, cells) in &rows[1..] {
            if let Err(e) = self.attach_row(&cols, *row, cells, file) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// One recipient's row; the first problem of the row, if any.
    fn attach_row(
        &mut self,
        cols: &Columns,
        row: usize,
        cells: &[String],
        file: &str,
    ) -> Result<(), AllocError> {
        let cell = |c: Option<usize>| {
            c.and_then(|c| cells.get(c))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(name) = cell(Some(0)) else {
            if cells.iter().all(|c| c.trim().is_empty()) {
                return Ok(());
            }
            return Err(err(
                file,
                row,
                Some(1),
                "该行没有单位名称".into(),
                "第一栏写县市名称",
            ));
        };
        let Some(idx) = self.recipient(&name) else {
            return Err(AllocError {
                code: AllocCode::UnknownRecipient,
                file: file.to_string(),
                line: Some(row),
                column: Some(1),
                message: format!("考核数据中的单位“{name}”不在受分配单位名单中"),
                hint: "改为分配计划 [[recipient]] 中的名称或简称，或把该单位加入名单".into(),
            });
        };
        if self.kpi.rows[idx].as_ref().is_some_and(|(f, _)| f == file) {
            return Err(err(
                file,
                row,
                Some(1),
                format!("单位“{name}”有两行数据"),
                "每个单位只写一行",
            ));
        }
        self.kpi.rows[idx] = Some((file.to_string(), row));
        let provenance = Provenance {
            file: file.to_string(),
            row,
            date: cell(cols.date).or_else(|| self.kpi_date.clone()),
            source: cell(cols.source).or_else(|| self.kpi_source.clone()),
        };
        let mut first_error = None;
        for (c, col) in cols.header.iter().enumerate().skip(1) {
            if Some(c) == cols.date || Some(c) == cols.source {
                continue;
            }
            let Some(text) = cell(Some(c)) else { continue };
            let Some(value) = kpi_number(&text) else {
                first_error.get_or_insert(err(
                    file,
                    row,
                    Some(c + 1),
                    format!("单位“{name}”的 {col} “{text}”不是数"),
                    "写成数字（如 92.5）；是否类写 是/否",
                ));
                continue;
            };
            let n = self.recipients.len();
            self.kpi
                .columns
                .entry(col.clone())
                .or_insert_with(|| vec![None; n])[idx] = Some(KpiValue {
                value,
                provenance: provenance.clone(),
            });
        }
        first_error.map_or(Ok(()), Err)
    }
}
