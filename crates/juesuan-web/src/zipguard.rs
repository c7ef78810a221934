//! Zip-bomb protection for uploaded .xlsx files (压缩炸弹防护): the central directory is read
//! before any decompression, and the archive is refused when it declares too many entries,
//! too much uncompressed data, or an implausible compression ratio.

/// Limits for an uploaded archive.
#[derive(Debug, Clone, Copy)]
pub struct ZipLimits {
    pub max_entries: usize,
    pub max_total_uncompressed: u64,
    /// Per entry, uncompressed / compressed (XML compresses ~10–30×; bombs ~1000×).
    pub max_ratio: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: 2_000,
            max_total_uncompressed: 100 * 1024 * 1024,
            max_ratio: 200,
        }
    }
}

fn u16_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?) as u64)
}
fn u32_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?) as u64)
}

/// Check an archive against the limits; `Err` is a Chinese message for the uploader.
pub fn check(bytes: &[u8], limits: ZipLimits) -> Result<(), String> {
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
        return Err("不接受 ZIP64 格式的文件：.xlsx 公开表不会这么大".into());
    }
    if entries as usize > limits.max_entries {
        return Err(format!(
            "压缩包内文件过多（{entries}个，上限{}个），拒绝处理",
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
            return Err("不接受 ZIP64 格式的文件：.xlsx 公开表不会这么大".into());
        }
        // Small entries (a few hundred bytes of zeros) may compress well without harm.
        if uncompressed > 1024 * 1024 && uncompressed > compressed.max(1) * limits.max_ratio {
            return Err(format!(
                "压缩包内文件压缩比异常（{uncompressed}字节压缩为{compressed}字节），疑似压缩炸弹，拒绝处理"
            ));
        }
        total += uncompressed;
        if total > limits.max_total_uncompressed {
            return Err(format!(
                "压缩包解压后超过{} MB，拒绝处理",
                limits.max_total_uncompressed / 1024 / 1024
            ));
        }
        pos += 46 + (name_len + extra_len + comment_len) as usize;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored (uncompressed-flag irrelevant) archive with entries of the given declared sizes.
    pub fn archive(entries: &[(&str, u32, u32)]) -> Vec<u8> {
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
        assert_eq!(check(&a, ZipLimits::default()), Ok(()));
    }

    #[test]
    fn bombs_and_garbage_are_refused() {
        let ratio = archive(&[("a.xml", 10_000, 1_000_000_000)]);
        assert!(check(&ratio, ZipLimits::default())
            .unwrap_err()
            .contains("压缩比"));
        let many: Vec<(String, u32, u32)> = (0..60)
            .map(|i| (format!("{i}"), 1_000_000, 3_000_000))
            .collect();
        let many: Vec<(&str, u32, u32)> =
            many.iter().map(|(n, c, u)| (n.as_str(), *c, *u)).collect();
        assert!(check(&archive(&many), ZipLimits::default())
            .unwrap_err()
            .contains("超过"));
        let limits = ZipLimits {
            max_entries: 1,
            ..ZipLimits::default()
        };
        assert!(check(&archive(&[("a", 1, 1), ("b", 1, 1)]), limits)
            .unwrap_err()
            .contains("过多"));
        assert!(check(b"not a zip at all", ZipLimits::default()).is_err());
    }
}
