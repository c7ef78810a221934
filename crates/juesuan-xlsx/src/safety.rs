//! Limits checked before a workbook reaches calamine: a zip bomb or a sheet declaring
//! millions of cells must fail fast with a clear message and bounded memory.
//!
//! The one zip guard (压缩炸弹防护) of juesuan: [`check_directory`] reads the central
//! directory without decompressing anything (the web app runs it on every uploaded .xlsx
//! before spending a worker thread on it), and [`inspect_zip`] runs the same check and then
//! inflates every entry into a counting sink, because declared sizes can lie.

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

impl Limits {
    /// The tighter limits for a web upload (上传): an official export has a few dozen entries
    /// and a few MB; the rest as [`Limits::default`].
    pub fn upload() -> Limits {
        Limits {
            max_entries: 2_000,
            max_total_uncompressed: 100 * 1024 * 1024,
            ..Limits::default()
        }
    }
}

fn u16_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u16::from_le_bytes(b.get(i..i.checked_add(2)?)?.try_into().ok()?) as u64)
}
fn u32_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u32::from_le_bytes(b.get(i..i.checked_add(4)?)?.try_into().ok()?) as u64)
}

const ZIP64: &str = "不接受 ZIP64 格式的文件：.xlsx 公开表不会这么大";

/// Check an archive's central directory against the limits, decompressing nothing: entry
/// count, declared uncompressed total, per-entry compression ratio, no ZIP64. `Err` is a
/// Chinese message for the uploader. Pure and cheap (one pass over the directory).
pub fn check_directory(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const CENTRAL: u64 = 0x0201_4b50;
    let bad = || "文件不是有效的 .xlsx（zip）文件，请用 Excel 另存为 .xlsx 后重新上传".to_string();
    // The end-of-central-directory record is in the last 22 + 65535 bytes.
    let start = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (start..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == EOCD)
        .ok_or_else(bad)?;
    let entries = u16_at(bytes, eocd + 10).ok_or_else(bad)?;
    let cd_offset = u32_at(bytes, eocd + 16).ok_or_else(bad)?;
    if entries == 0xFFFF || cd_offset == 0xFFFF_FFFF {
        return Err(ZIP64.into());
    }
    if entries as usize > limits.max_entries {
        return Err(format!(
            "压缩包内文件过多（{entries}个压缩条目，超过上限{}个），拒绝处理",
            limits.max_entries
        ));
    }
    let mut pos = cd_offset as usize;
    let mut total: u64 = 0;
    for _ in 0..entries {
        if u32_at(bytes, pos) != Some(CENTRAL) {
            return Err(bad());
        }
        let compressed = u32_at(bytes, pos + 20).ok_or_else(bad)?;
        let uncompressed = u32_at(bytes, pos + 24).ok_or_else(bad)?;
        let name_len = u16_at(bytes, pos + 28).ok_or_else(bad)?;
        let extra_len = u16_at(bytes, pos + 30).ok_or_else(bad)?;
        let comment_len = u16_at(bytes, pos + 32).ok_or_else(bad)?;
        if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF {
            return Err(ZIP64.into());
        }
        // Small entries (a few hundred bytes of zeros) may compress well without harm.
        if uncompressed > limits.ratio_floor
            && uncompressed > compressed.max(1).saturating_mul(limits.max_ratio)
        {
            return Err(format!(
                "压缩包内文件压缩比异常（{uncompressed}字节压缩为{compressed}字节），疑似压缩炸弹，拒绝处理"
            ));
        }
        total = total.saturating_add(uncompressed);
        if total > limits.max_total_uncompressed {
            return Err(format!(
                "压缩包解压后超过{} MB，疑似压缩炸弹，拒绝处理",
                limits.max_total_uncompressed / 1024 / 1024
            ));
        }
        pos += 46 + (name_len + extra_len + comment_len) as usize;
    }
    Ok(())
}

fn too_large(message: String) -> ImportError {
    ImportError::one(Problem::file(
        message,
        "该文件超出安全读取上限，可能已损坏或不是公开表导出文件；请在 Excel 中另存为新的 .xlsx 文件，只保留公开表工作表后再导入。",
    ))
}

/// Inspect the zip container: [`check_directory`], then the actual uncompressed sizes and
/// compression ratios, inflating each entry into a counting sink (never into memory).
pub fn inspect_zip(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ImportError::one(Problem::file(
            format!("不是有效的 .xlsx 文件（无法作为 zip 读取：{e}）"),
            "请确认文件是 Excel 2007 及以后版本的 .xlsx 格式；.xls 文件请先在 Excel 或 WPS 中另存为 .xlsx。",
        ))
    })?;
    // The declared sizes first, without inflating anything.
    check_directory(bytes, limits).map_err(too_large)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A central directory (no entry data) with entries of the given declared sizes.
    fn archive(entries: &[(&str, u32, u32)]) -> Vec<u8> {
        let mut central = Vec::new();
        for (name, compressed, uncompressed) in entries {
            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            central.extend_from_slice(&[0u8; 16]);
            central.extend_from_slice(&compressed.to_le_bytes());
            central.extend_from_slice(&uncompressed.to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0u8; 16]);
            central.extend_from_slice(name.as_bytes());
        }
        let mut out = Vec::new();
        let offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn ordinary_archive_passes() {
        let a = archive(&[
            ("xl/workbook.xml", 2_000, 20_000),
            ("xl/sheet1.xml", 50_000, 900_000),
        ]);
        assert_eq!(check_directory(&a, &Limits::upload()), Ok(()));
    }

    #[test]
    fn bombs_and_garbage_are_refused() {
        let ratio = archive(&[("a.xml", 10_000, 1_000_000_000)]);
        assert!(check_directory(&ratio, &Limits::upload())
            .unwrap_err()
            .contains("压缩比"));
        let many: Vec<(String, u32, u32)> = (0..60)
            .map(|i| (format!("{i}"), 1_000_000, 3_000_000))
            .collect();
        let many: Vec<(&str, u32, u32)> =
            many.iter().map(|(n, c, u)| (n.as_str(), *c, *u)).collect();
        assert!(check_directory(&archive(&many), &Limits::upload())
            .unwrap_err()
            .contains("超过"));
        let limits = Limits {
            max_entries: 1,
            ..Limits::upload()
        };
        assert!(
            check_directory(&archive(&[("a", 1, 1), ("b", 1, 1)]), &limits)
                .unwrap_err()
                .contains("过多")
        );
        assert!(check_directory(b"not a zip at all", &Limits::upload()).is_err());
    }

    #[test]
    fn truncated_and_lying_directories_are_errors_not_panics() {
        let mut a = archive(&[("xl/workbook.xml", 2_000, 20_000)]);
        // The directory offset points past the end of the file.
        let n = a.len();
        a[n - 6..n - 2].copy_from_slice(&u32::MAX.wrapping_sub(1).to_le_bytes());
        assert!(check_directory(&a, &Limits::upload()).is_err());
        // An end record cut short.
        assert!(check_directory(&[0x50, 0x4b, 0x05, 0x06, 0, 0], &Limits::upload()).is_err());
        // A ratio check with an absurd limit does not overflow.
        let limits = Limits {
            max_ratio: u64::MAX,
            ..Limits::upload()
        };
        let big = archive(&[("a.xml", 10_000, 50_000_000)]);
        assert_eq!(check_directory(&big, &limits), Ok(()));
    }
}
