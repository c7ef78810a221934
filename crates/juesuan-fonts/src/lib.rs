//! Font files (字体文件) for the renderers that draw Chinese text themselves (PDF, PNG charts):
//! the directories a user names in `JUESUAN_FONT_DIR`, then the Noto CJK collections where
//! Linux distributions install them. One place, so `JUESUAN_FONT_DIR` means the same for
//! every output. Never a scan of every system font: a Latin-only fallback would draw the
//! Chinese as boxes, and typst in a debug build spends ~12 s on a full scan.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

/// Environment variable naming extra font directories (separated like PATH), searched first.
pub const FONT_DIR_ENV: &str = "JUESUAN_FONT_DIR";

/// Directories where distributions install Noto CJK (Debian/Ubuntu first).
pub const NOTO_DIRS: &[&str] = &[
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/local/share/fonts",
];

/// The four Noto CJK collections juesuan uses (Debian package fonts-noto-cjk).
pub const NOTO_FILES: &[&str] = &[
    "NotoSerifCJK-Regular.ttc",
    "NotoSerifCJK-Bold.ttc",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJK-Bold.ttc",
];

/// A font file by its extension (.ttf, .otf, .ttc, .otc, any case).
pub fn is_font_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "ttf" | "otf" | "ttc" | "otc"
        )
    })
}

/// The directories named by a `JUESUAN_FONT_DIR` value (empty entries skipped).
pub fn user_dirs(value: Option<&OsStr>) -> Vec<PathBuf> {
    value
        .map(|v| {
            std::env::split_paths(v)
                .filter(|d| !d.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Font files under `dir` and its subdirectories (four levels at most: font folders are
/// shallow, and the limit guards against link loops), sorted so that the font order — and
/// so the chosen family and the PDF — does not depend on directory order. A file already in
/// `out` is not added again.
pub fn collect_font_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    collect(dir, out, 0)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, depth: u8) -> io::Result<()> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if depth < 4 {
                collect(&path, out, depth + 1)?;
            }
        } else if is_font_file(&path) && !out.contains(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// The installed Noto CJK collections ([`NOTO_FILES`] in [`NOTO_DIRS`]), each file once even
/// when links reach it from two directories or it is among `already`.
pub fn installed_noto(already: &[PathBuf]) -> Vec<PathBuf> {
    let mut seen: Vec<PathBuf> = already
        .iter()
        .filter_map(|f| f.canonicalize().ok())
        .collect();
    let mut files = Vec::new();
    for dir in NOTO_DIRS {
        for name in NOTO_FILES {
            let path = Path::new(dir).join(name);
            if let Ok(real) = path.canonicalize() {
                if path.is_file() && !seen.contains(&real) {
                    seen.push(real);
                    files.push(path);
                }
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_files_are_recognised_by_extension() {
        for name in ["a.ttf", "b.OTF", "c.ttc", "d.otc"] {
            assert!(is_font_file(Path::new(name)), "{name}");
        }
        for name in ["a.txt", "ttf", "a.ttf.bak"] {
            assert!(!is_font_file(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn files_are_collected_sorted_from_subdirectories_once() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        for p in [
            dir.path().join("b.ttf"),
            dir.path().join("a.otf"),
            dir.path().join("notes.txt"),
            sub.join("c.ttc"),
        ] {
            std::fs::write(p, b"x").unwrap();
        }
        let mut out = Vec::new();
        collect_font_files(dir.path(), &mut out).unwrap();
        collect_font_files(dir.path(), &mut out).unwrap();
        let names: Vec<_> = out
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("a.otf"),
                PathBuf::from("b.ttf"),
                PathBuf::from("sub/c.ttc")
            ]
        );
        assert!(collect_font_files(&dir.path().join("missing"), &mut out).is_err());
    }

    #[test]
    fn the_font_dir_variable_lists_directories_like_path() {
        let joined = std::env::join_paths(["/a", "", "/b"]).unwrap();
        assert_eq!(
            user_dirs(Some(&joined)),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        assert!(user_dirs(None).is_empty());
    }
}
