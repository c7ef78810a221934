//! Fonts for the PDF (字体): loaded only from explicit font files, never by scanning every
//! system font (typst in a debug build spends ~12 s on a full scan, measured on a 2-core machine).

use crate::PdfError;
use std::path::PathBuf;
use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

pub use juesuan_fonts::FONT_DIR_ENV;

/// Body text families in order of preference: the 仿宋 that government documents name when
/// the user supplies it, otherwise Noto Serif CJK SC (宋体-like).
const BODY_FAMILIES: &[&str] = &[
    "FangSong_GB2312",
    "仿宋_GB2312",
    "FangSong",
    "仿宋",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
];

/// Heading families in order of preference: 黑体 if supplied, otherwise Noto Sans CJK SC.
const HEADING_FAMILIES: &[&str] = &[
    "SimHei",
    "黑体",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
];

/// Cover title families in order of preference: 方正小标宋 (the title font of official
/// documents) if supplied, otherwise the heading family.
const TITLE_FAMILIES: &[&str] = &[
    "FZXiaoBiaoSong-B05S",
    "方正小标宋简体",
    "FZXiaoBiaoSong-B05",
    "方正小标宋_GBK",
    "方正小标宋",
];

/// The first family of `prefs` that `has` finds (case-insensitive, as typst's font book).
fn first_family(prefs: &[&str], has: impl Fn(&str) -> bool) -> Option<String> {
    prefs
        .iter()
        .find(|name| has(&name.to_lowercase()))
        .map(|s| s.to_string())
}

/// A character every usable font must have: the 决 of 决算.
const PROBE: char = '决';

/// The fonts a PDF is typeset with, loaded once and shared by every document.
pub struct PdfFonts {
    pub(crate) book: LazyHash<FontBook>,
    pub(crate) fonts: Vec<Font>,
    /// Family of body text (正文).
    pub body_family: String,
    /// Family of headings and table headers (标题).
    pub heading_family: String,
    /// Family of the cover title (封面标题): 方正小标宋 when found, else the heading family.
    pub title_family: String,
    /// Font files loaded, for messages and docs.
    pub files: Vec<PathBuf>,
}

impl std::fmt::Debug for PdfFonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfFonts")
            .field("faces", &self.fonts.len())
            .field("body_family", &self.body_family)
            .field("heading_family", &self.heading_family)
            .field("title_family", &self.title_family)
            .field("files", &self.files)
            .finish()
    }
}

impl PdfFonts {
    /// Find the fonts: every font file in the directories of `JUESUAN_FONT_DIR`, then the
    /// Noto CJK collections where Linux distributions install them.
    pub fn discover() -> Result<PdfFonts, PdfError> {
        Self::discover_in(std::env::var_os(FONT_DIR_ENV).as_deref())
    }

    /// [`discover`](Self::discover) with the value of `JUESUAN_FONT_DIR` given.
    pub fn discover_in(font_dirs: Option<&std::ffi::OsStr>) -> Result<PdfFonts, PdfError> {
        let mut files = Vec::new();
        for dir in juesuan_fonts::user_dirs(font_dirs) {
            let before = files.len();
            juesuan_fonts::collect_font_files(&dir, &mut files).map_err(|e| {
                PdfError::Fonts(format!(
                    "无法读取字体目录 {}（环境变量 {FONT_DIR_ENV}）：{e}",
                    dir.display()
                ))
            })?;
            if files.len() == before {
                return Err(PdfError::Fonts(format!(
                    "环境变量 {FONT_DIR_ENV} 指定的目录 {} 中没有字体文件（.ttf/.otf/.ttc/.otc）：请检查路径",
                    dir.display()
                )));
            }
        }
        let user_files = files.len();
        // The same file reached through a link is loaded once.
        let noto = juesuan_fonts::installed_noto(&files);
        files.extend(noto);
        Self::load(&files[..user_files], &files[user_files..])
    }

    /// Load explicit font files. Every face of `all_faces` is used; of `sc_faces` (the
    /// multi-language Noto CJK collections) only the simplified-Chinese faces, so that a
    /// character is never drawn with a Japanese or Korean glyph shape.
    pub fn load(all_faces: &[PathBuf], sc_faces: &[PathBuf]) -> Result<PdfFonts, PdfError> {
        let mut fonts = Vec::new();
        let mut files = Vec::new();
        for (path, only_sc) in all_faces
            .iter()
            .map(|p| (p, false))
            .chain(sc_faces.iter().map(|p| (p, true)))
        {
            let data = std::fs::read(path).map_err(|e| {
                PdfError::Fonts(format!("无法读取字体文件 {}：{e}", path.display()))
            })?;
            let before = fonts.len();
            fonts.extend(
                Font::iter(Bytes::new(data))
                    .filter(|f| !only_sc || f.info().family.ends_with(" SC")),
            );
            if fonts.len() == before {
                return Err(PdfError::Fonts(format!(
                    "字体文件 {} 无法解析或不含可用字形：请换用 .ttf/.otf/.ttc 字体",
                    path.display()
                )));
            }
            files.push(path.clone());
        }
        let book = FontBook::from_fonts(&fonts);
        let pick = |prefs: &[&str]| first_family(prefs, |f| book.contains_family(f));
        // Any face that has Chinese glyphs will do when none of the preferred families is there.
        let any_cjk = fonts
            .iter()
            .find(|f| f.info().coverage.contains(PROBE as u32))
            .map(|f| f.info().family.clone());
        let (Some(body), Some(heading)) = (
            pick(BODY_FAMILIES).or_else(|| any_cjk.clone()),
            pick(HEADING_FAMILIES).or_else(|| any_cjk.clone()),
        ) else {
            let searched: Vec<String> = juesuan_fonts::NOTO_DIRS
                .iter()
                .map(|d| d.to_string())
                .chain(files.iter().map(|f| f.display().to_string()))
                .collect();
            return Err(PdfError::Fonts(format!(
                "找不到中文字体，无法生成 PDF：请安装 Debian/Ubuntu 软件包 fonts-noto-cjk\
                 （sudo apt-get install fonts-noto-cjk），或把含中文字形的字体文件（.ttf/.otf/.ttc）\
                 放在一个目录中并用环境变量 {FONT_DIR_ENV} 指向它。已查找：{}",
                searched.join("、")
            )));
        };
        let title_family = pick(TITLE_FAMILIES).unwrap_or_else(|| heading.clone());
        Ok(PdfFonts {
            book: LazyHash::new(book),
            fonts,
            body_family: body,
            heading_family: heading,
            title_family,
            files,
        })
    }

    /// Number of font faces loaded.
    pub fn face_count(&self) -> usize {
        self.fonts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn no_fonts_is_a_chinese_error_naming_the_package() {
        let err = PdfFonts::load(&[], &[]).unwrap_err().to_string();
        assert!(err.contains("fonts-noto-cjk"), "{err}");
        assert!(err.contains(FONT_DIR_ENV), "{err}");
    }

    #[test]
    fn unreadable_or_empty_font_sources_are_named() {
        let err = PdfFonts::load(&[PathBuf::from("/nonexistent/x.ttf")], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/x.ttf"), "{err}");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("readme.txt"), "no fonts").expect("write");
        let err = PdfFonts::discover_in(Some(dir.path().as_os_str()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("没有字体文件"), "{err}");
        std::fs::write(dir.path().join("bad.ttf"), "not a font").expect("write");
        let err = PdfFonts::discover_in(Some(dir.path().as_os_str()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.ttf"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn font_dir_fonts_are_used_with_all_their_faces() {
        let noto = Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
        if !noto.is_file() {
            eprintln!("skipped: fonts-noto-cjk not installed");
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink(noto, dir.path().join("sans.ttc")).expect("symlink");
        let fonts = PdfFonts::discover_in(Some(dir.path().as_os_str())).expect("fonts");
        // All faces of the user's collection (JP, KR, TC … too), only SC of the system ones.
        assert!(fonts.book.contains_family("noto sans cjk jp"));
        assert!(!fonts.book.contains_family("noto serif cjk jp"));
        assert_eq!(fonts.files[0], dir.path().join("sans.ttc"));
        assert_eq!(fonts.files.len(), 4, "the linked file is not loaded twice");
        assert_eq!(fonts.body_family, "Noto Serif CJK SC");
        assert_eq!(fonts.heading_family, "Noto Sans CJK SC");
        assert_eq!(
            fonts.title_family, "Noto Sans CJK SC",
            "no 方正小标宋: the heading font"
        );
    }

    #[test]
    fn the_official_fonts_are_chosen_when_present() {
        let official = ["方正小标宋简体", "黑体", "仿宋_gb2312", "noto sans cjk sc"];
        let has = |f: &str| official.contains(&f);
        assert_eq!(
            first_family(TITLE_FAMILIES, has).as_deref(),
            Some("方正小标宋简体")
        );
        assert_eq!(first_family(HEADING_FAMILIES, has).as_deref(), Some("黑体"));
        assert_eq!(
            first_family(BODY_FAMILIES, has).as_deref(),
            Some("仿宋_GB2312")
        );
        let noto_only = |f: &str| f.starts_with("noto");
        assert_eq!(first_family(TITLE_FAMILIES, noto_only), None);
        assert_eq!(
            first_family(BODY_FAMILIES, |f| f == "noto serif cjk sc").as_deref(),
            Some("Noto Serif CJK SC")
        );
    }
}
