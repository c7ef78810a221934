//! Writing a report directory atomically: everything goes to a temporary sibling directory
//! that is renamed into place only when complete, so a failed run leaves no half-written
//! result and an existing result is replaced whole.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Marks a directory as juesuan's output, so a later run may replace it whole. A directory
/// without it is never replaced: `--out ~` must not delete someone's home directory.
pub const MARKER: &str = ".juesuan-report";

/// Write `files` (path relative to `out`, contents) as the directory `out`, replacing a
/// previous juesuan output whole.
pub fn write_report_dir(out: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let out = if out.as_os_str().is_empty() {
        Path::new(".")
    } else {
        out
    };
    if out.exists() {
        let replaceable =
            out.join(MARKER).is_file() || (out.is_dir() && fs::read_dir(out)?.next().is_none());
        if !replaceable {
            return Err(io::Error::other(format!(
                "{} 已存在且不是 juesuan 的输出目录（缺少 {MARKER}），为免删除其中文件，本次不写入；请指定新目录或空目录",
                out.display()
            )));
        }
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let tmp = sibling(out, "tmp");
    let _ = fs::remove_dir_all(&tmp);
    let result = (|| {
        fs::create_dir(&tmp)?;
        fs::write(
            tmp.join(MARKER),
            "此目录由 juesuan report 生成，再次运行时将被整体替换。\n",
        )?;
        for (rel, contents) in files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(path, contents)?;
        }
        if out.exists() {
            let old = sibling(out, "old");
            let _ = fs::remove_dir_all(&old);
            fs::rename(out, &old)?;
            if let Err(e) = fs::rename(&tmp, out) {
                let _ = fs::rename(&old, out);
                return Err(e);
            }
            let _ = fs::remove_dir_all(&old);
            Ok(())
        } else {
            fs::rename(&tmp, out)
        }
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Write one file atomically: a temporary sibling, then rename.
pub fn write_file(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let tmp = sibling(path, "tmp");
    let result = fs::write(&tmp, contents).and_then(|_| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A text file the user gives (input, catalogue, rule profile, column map, data file): UTF-8,
/// a BOM dropped; GBK/GB18030 (Notepad's default on Chinese Windows) and other encodings are
/// refused with the file's name and how to save it as UTF-8.
pub fn read_text_file(path: &Path, what: &str) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("读取{what} {}：{e}", path.display()))?;
    juesuan_readers::text_from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("读取{what} {}：{e}", path.display()))
}

/// Print warnings to stderr. A code that repeats (three or more times) is summarised in one
/// line with its count and its first occurrence, so one kind of warning does not bury the
/// others; `--verbose` lists every one.
pub fn print_warnings(warnings: &[juesuan_core::Warning], verbose: bool) {
    for line in warning_lines(warnings, verbose) {
        eprintln!("{line}");
    }
}

/// The lines `print_warnings` prints, in the order each code first appears.
pub fn warning_lines(warnings: &[juesuan_core::Warning], verbose: bool) -> Vec<String> {
    const SUMMARISE_FROM: usize = 3;
    let mut lines = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for w in warnings {
        let code = w.code.code();
        if done.contains(&code) {
            continue;
        }
        done.push(code);
        let same: Vec<_> = warnings.iter().filter(|x| x.code.code() == code).collect();
        if verbose || same.len() < SUMMARISE_FROM {
            lines.extend(same.iter().map(|x| x.to_string()));
        } else {
            lines.push(format!(
                "{w}\n{}[{code}] 同类警告共{}条，其余{}条未逐条列出；加 --verbose 逐条列出。",
                w.code.severity().label(),
                same.len(),
                same.len() - 1
            ));
        }
    }
    lines
}

#[cfg(test)]
mod warning_tests {
    use super::warning_lines;
    use juesuan_core::{ErrorCode, Warning};

    fn w(code: ErrorCode, n: usize) -> Warning {
        Warning {
            code,
            place: format!("input.toml:{n}"),
            message: format!("第{n}条"),
        }
    }

    #[test]
    fn repeated_warnings_are_summarised_unless_verbose() {
        let ws: Vec<Warning> = (1..=4)
            .map(|n| w(ErrorCode::MissingDeviationReason, n))
            .chain([
                w(ErrorCode::MissingReason, 9),
                w(ErrorCode::MissingReason, 10),
            ])
            .collect();
        let short = warning_lines(&ws, false);
        assert_eq!(short.len(), 3, "{short:?}");
        assert!(short[0].contains("input.toml:1") && short[0].contains("同类警告共4条，其余3条"));
        assert!(!short.iter().any(|l| l.contains("input.toml:2")));
        // Two of a kind are listed as they are.
        assert!(short[1].contains("input.toml:9") && short[2].contains("input.toml:10"));
        let all = warning_lines(&ws, true);
        assert_eq!(all.len(), 6);
        assert!(all.iter().all(|l| !l.contains("同类警告")));
    }
}
