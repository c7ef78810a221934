//! Limits checked before a workbook reaches calamine: a zip bomb or a sheet declaring
//! millions of cells must fail fast with a clear message and bounded memory.

use crate::error::{ImportError, Problem};
use std::io::{Cursor, Read};

/// Resource limits for reading a workbook.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Entries in the zip archive.
    pub max_entries: usize,
    /// Sum of uncompressed entry sizes, in bytes (declared and actually inflated).
    pub max_total_uncompressed: u64,
    /// Uncompressed / compressed size of one entry, checked for entries above
    /// `ratio_floor` bytes (small entries compress well legitimately).
    pub max_ratio: u64,
    pub ratio_floor: u64,
    /// Cells a sheet may declare in its `<dimension ref>`.
    pub max_declared_cells: u64,
    /// Non-empty cells in the whole workbook.
    pub max_cells: u64,
    /// Merged ranges in the whole workbook.
    pub max_merged: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_total_uncompressed: 200 * 1024 * 1024,
            max_ratio: 200,
            ratio_floor: 1024 * 1024,
            // Old .xls conversions declare A1:IV65536 (16.7 million); XFD1048576 is 17 billion.
            max_declared_cells: 20_000_000,
            max_cells: 1_000_000,
            max_merged: 100_000,
        }
    }
}

fn too_large(message: String) -> ImportError {
    ImportError::one(Problem::file(
        message,
        "该文件超出安全读取上限，可能已损坏或不是公开表导出文件；请在 Excel 中另存为新的 .xlsx 文件，只保留公开表工作表后再导入。",
    ))
}

/// Inspect the zip container: entry count, declared and actual uncompressed sizes, and
/// compression ratios. Inflates each entry into a counting sink (never into memory).
pub fn inspect_zip(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ImportError::one(Problem::file(
            format!("不是有效的 .xlsx 文件（无法作为 zip 读取：{e}）"),
            "请确认文件是 Excel 2007 及以后版本的 .xlsx 格式；.xls 文件请先在 Excel 或 WPS 中另存为 .xlsx。",
        ))
    })?;
    if zip.len() > limits.max_entries {
        return Err(too_large(format!(
            "文件包含{}个压缩条目，超过上限{}个",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| too_large(format!("无法读取压缩条目 {i}：{e}")))?;
        declared_total = declared_total.saturating_add(f.size());
        if declared_total > limits.max_total_uncompressed {
            return Err(too_large(format!(
                "文件解压后超过{}MB（压缩条目“{}”处），疑似压缩炸弹",
                limits.max_total_uncompressed / 1024 / 1024,
                f.name()
            )));
        }
        let compressed = f.compressed_size().max(1);
        if f.size() > limits.ratio_floor && f.size() / compressed > limits.max_ratio {
            return Err(too_large(format!(
                "压缩条目“{}”的压缩比为{}:1，超过上限{}:1，疑似压缩炸弹",
                f.name(),
                f.size() / compressed,
                limits.max_ratio
            )));
        }
    }
    // Declared sizes can lie: inflate every entry, counting, and stop at the limit.
    let mut actual_total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| too_large(format!("无法解压压缩条目 {i}：{e}")))?;
        let name = f.name().to_string();
        let compressed = f.compressed_size().max(1);
        let mut entry: u64 = 0;
        loop {
            let n = f.read(&mut buf).map_err(|e| {
                ImportError::one(Problem::file(
                    format!("压缩条目“{name}”已损坏：{e}"),
                    "请在 Excel 中打开并另存为新的 .xlsx 文件后再导入。",
                ))
            })?;
            if n == 0 {
                break;
            }
            entry += n as u64;
            actual_total += n as u64;
            if actual_total > limits.max_total_uncompressed {
                return Err(too_large(format!(
                    "文件解压后超过{}MB（压缩条目“{name}”处），疑似压缩炸弹",
                    limits.max_total_uncompressed / 1024 / 1024
                )));
            }
            if entry > limits.ratio_floor && entry / compressed > limits.max_ratio {
                return Err(too_large(format!(
                    "压缩条目“{name}”的实际压缩比超过{}:1，疑似压缩炸弹",
                    limits.max_ratio
                )));
            }
        }
    }
    Ok(())
}
