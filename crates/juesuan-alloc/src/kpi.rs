//! KPI values from a CSV file (考核数据文件): a header `recipient,<列>…[,date][,source]` and
//! one row per recipient. Each value keeps its file and row.

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
fn check_header(header: &csv::StringRecord, file: &str) -> Result<Vec<String>, Vec<AllocError>> {
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    if !header
        .first()
        .is_some_and(|h| NAME_COLUMNS.contains(&h.as_str()))
    {
        return Err(vec![err(
            file,
            1,
            Some(1),
            "第一列应为单位名称（表头 recipient）".into(),
            "表头写成 recipient,指标列…,date,source",
        )]);
    }
    Ok(header)
}

impl Plan {
    /// Read the KPI values of a CSV file into the plan. Values stated inline in the plan
    /// for the same recipient and column are replaced (the file is the later source).
    pub fn attach_csv(&mut self, text: &str, file: &str) -> Result<(), Vec<AllocError>> {
        let mut errors = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => {
                return Err(vec![err(
                    file,
                    1,
                    None,
                    format!("CSV 格式错误：{e}"),
                    "检查引号和分隔符",
                )])
            }
            None => {
                return Err(vec![err(
                    file,
                    1,
                    None,
                    "文件是空的".into(),
                    "第一行写表头：recipient,指标列…",
                )])
            }
        };
        let header = check_header(&header, file)?;
        let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
        let (date_col, source_col) = (find(&DATE_COLUMNS), find(&SOURCE_COLUMNS));
        for (i, rec) in records.enumerate() {
            let row = i + 2;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    errors.push(err(
                        file,
                        row,
                        None,
                        format!("CSV 格式错误：{e}"),
                        "检查该行的引号和分隔符",
                    ));
                    continue;
                }
            };
            let name = rec.get(0).unwrap_or("").trim();
            if name.is_empty() && rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let Some(idx) = self.recipient(name) else {
                errors.push(AllocError {
                    code: AllocCode::UnknownRecipient,
                    file: file.to_string(),
                    line: Some(row),
                    column: Some(1),
                    message: format!("考核数据中的单位“{name}”不在受分配单位名单中"),
                    hint: "改为分配计划 [[recipient]] 中的名称或简称，或把该单位加入名单".into(),
                });
                continue;
            };
            if self.kpi.rows[idx].as_ref().is_some_and(|(f, _)| f == file) {
                errors.push(err(
                    file,
                    row,
                    Some(1),
                    format!("单位“{name}”有两行数据"),
                    "每个单位只写一行",
                ));
                continue;
            }
            self.kpi.rows[idx] = Some((file.to_string(), row));
            let cell = |c: Option<usize>| {
                c.and_then(|c| rec.get(c))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let provenance = Provenance {
                file: file.to_string(),
                row,
                date: cell(date_col).or_else(|| self.kpi_date.clone()),
                source: cell(source_col).or_else(|| self.kpi_source.clone()),
            };
            for (c, col) in header.iter().enumerate().skip(1) {
                if Some(c) == date_col || Some(c) == source_col {
                    continue;
                }
                let Some(text) = cell(Some(c)) else { continue };
                let Some(value) = kpi_number(&text) else {
                    errors.push(err(
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
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
