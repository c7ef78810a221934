//! PNG charts (图表位图): the report's SVG charts rasterised with resvg, using only CJK font
//! files named explicitly, so Chinese text never silently disappears or turns into boxes.

use crate::OfficeError;
use resvg::usvg::fontdb;
use resvg::{tiny_skia, usvg};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use juesuan_fonts::FONT_DIR_ENV;

/// Characters every usable face must have: a face without them would draw tofu (豆腐块).
const CJK_PROBE: [char; 6] = ['决', '算', '万', '元', '支', '出'];

/// Output scale: the chart SVGs are sized in CSS pixels; twice that prints sharply at A4 width.
pub const PNG_SCALE: f32 = 2.0;

/// The CJK fonts charts are drawn with (中文字体): a font database holding only faces that
/// cover Chinese, and the family chosen for sans-serif (charts) and serif text.
#[derive(Clone)]
pub struct Fonts {
    db: Arc<fontdb::Database>,
    sans: String,
    serif: String,
    files: Vec<PathBuf>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("sans", &self.sans)
            .field("serif", &self.serif)
            .field("files", &self.files)
            .finish()
    }
}

fn covers_cjk(db: &fontdb::Database, id: fontdb::ID) -> bool {
    db.with_face_data(id, |data, index| {
        ttf_parser::Face::parse(data, index)
            .map(|face| CJK_PROBE.iter().all(|c| face.glyph_index(*c).is_some()))
            .unwrap_or(false)
    })
    .unwrap_or(false)
}

/// The English family name of a face (fontdb lists the English name first when present).
fn family_of(face: &fontdb::FaceInfo) -> Option<String> {
    face.families
        .iter()
        .find(|(_, lang)| *lang == fontdb::Language::English_UnitedStates)
        .or_else(|| face.families.first())
        .map(|(name, _)| name.clone())
}

/// Pick the family to use among `families`: the preferred names in order, then any whose name
/// contains one of `hints`, then the first.
fn choose(families: &[String], preferred: &[&str], hints: &[&str]) -> Option<String> {
    preferred
        .iter()
        .find_map(|p| families.iter().find(|f| f.as_str() == *p))
        .or_else(|| {
            families
                .iter()
                .find(|f| hints.iter().any(|h| f.to_lowercase().contains(h)))
        })
        .or_else(|| families.first())
        .cloned()
}

fn missing_font_error(searched: &[PathBuf]) -> OfficeError {
    let searched = if searched.is_empty() {
        "未给出任何字体文件".to_string()
    } else {
        searched
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("、")
    };
    OfficeError::MissingCjkFont { searched }
}

impl Fonts {
    /// Find the CJK fonts: the font files in the directories of `JUESUAN_FONT_DIR` if set,
    /// else the Noto CJK collections where distributions install them (NotoSansCJK-*.ttc,
    /// NotoSerifCJK-*.ttc): the same search as the PDF's. Never the whole system font list: a
    /// Latin-only fallback would draw the Chinese as boxes.
    pub fn discover() -> Result<Fonts, OfficeError> {
        let dirs = juesuan_fonts::user_dirs(std::env::var_os(FONT_DIR_ENV).as_deref());
        let (files, searched) = if dirs.is_empty() {
            let noto = juesuan_fonts::installed_noto(&[]);
            let searched = juesuan_fonts::NOTO_DIRS.iter().map(PathBuf::from).collect();
            (noto, searched)
        } else {
            let mut files = Vec::new();
            for dir in &dirs {
                // An unreadable directory adds nothing; no face at all is the error below.
                let _ = juesuan_fonts::collect_font_files(dir, &mut files);
            }
            (files, dirs)
        };
        Fonts::from_files(&files).map_err(|e| match e {
            OfficeError::MissingCjkFont { .. } => missing_font_error(&searched),
            other => other,
        })
    }

    /// Load every font file (.ttf, .otf, .ttc, .otc) in `dir`, keeping the faces that cover Chinese.
    pub fn from_dir(dir: &Path) -> Result<Fonts, OfficeError> {
        let mut files = Vec::new();
        // An unreadable directory adds nothing; no face at all is the error below.
        let _ = juesuan_fonts::collect_font_files(dir, &mut files);
        Fonts::from_files(&files).map_err(|e| match e {
            OfficeError::MissingCjkFont { .. } => missing_font_error(&[dir.to_path_buf()]),
            other => other,
        })
    }

    /// Load the given font files and keep only the faces that cover Chinese.
    pub fn from_files(files: &[PathBuf]) -> Result<Fonts, OfficeError> {
        let mut db = fontdb::Database::new();
        for f in files {
            db.load_font_file(f).map_err(|e| OfficeError::Font {
                path: f.display().to_string(),
                message: e.to_string(),
            })?;
        }
        let ids: Vec<fontdb::ID> = db.faces().map(|f| f.id).collect();
        for id in ids {
            if !covers_cjk(&db, id) {
                db.remove_face(id);
            }
        }
        let mut families: Vec<String> = db.faces().filter_map(family_of).collect();
        families.dedup();
        let sans = choose(
            &families,
            &[
                "Noto Sans CJK SC",
                "Source Han Sans SC",
                "Source Han Sans CN",
            ],
            &["sans", "hei"],
        )
        .ok_or_else(|| missing_font_error(files))?;
        let serif = choose(
            &families,
            &[
                "Noto Serif CJK SC",
                "Source Han Serif SC",
                "Source Han Serif CN",
            ],
            &["serif", "song", "ming"],
        )
        .unwrap_or_else(|| sans.clone());
        // The chart SVGs end their font list with a generic family: map the generics to the
        // installed CJK family, or resvg would pick no face and drop the text.
        db.set_sans_serif_family(sans.clone());
        db.set_serif_family(serif.clone());
        db.set_monospace_family(sans.clone());
        db.set_cursive_family(sans.clone());
        db.set_fantasy_family(sans.clone());
        Ok(Fonts {
            db: Arc::new(db),
            sans,
            serif,
            files: files.to_vec(),
        })
    }

    /// The sans-serif CJK family charts are drawn with (e.g. "Noto Sans CJK SC").
    pub fn sans_family(&self) -> &str {
        &self.sans
    }

    /// The serif CJK family (e.g. "Noto Serif CJK SC"; the sans family when no serif face exists).
    pub fn serif_family(&self) -> &str {
        &self.serif
    }

    /// The font files loaded.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Every family name usable for Chinese text.
    pub fn families(&self) -> Vec<String> {
        let mut f: Vec<String> = self.db.faces().filter_map(family_of).collect();
        f.sort();
        f.dedup();
        f
    }
}

/// Rasterise an SVG chart to PNG at twice its size, drawing text with the CJK `fonts`.
pub fn svg_to_png(svg: &str, fonts: &Fonts) -> Result<Vec<u8>, OfficeError> {
    let opt = usvg::Options {
        font_family: fonts.sans.clone(),
        fontdb: fonts.db.clone(),
        languages: vec!["zh-CN".into(), "zh".into(), "en".into()],
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| OfficeError::Svg(e.to_string()))?;
    let size = tree.size();
    let width = (size.width() * PNG_SCALE).ceil() as u32;
    let height = (size.height() * PNG_SCALE).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| OfficeError::Svg(format!("图表尺寸无效：{width}×{height}")))?;
    // White, not transparent: Word and PDF viewers show transparency as black in some modes.
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| OfficeError::Svg(format!("PNG 编码失败：{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_prefers_listed_names_then_hints() {
        let fams = vec![
            "AR PL UMing CN".to_string(),
            "WenQuanYi Zen Hei".to_string(),
        ];
        assert_eq!(
            choose(&fams, &["Noto Sans CJK SC"], &["sans", "hei"]).as_deref(),
            Some("WenQuanYi Zen Hei")
        );
        assert_eq!(
            choose(&fams, &["Noto Serif CJK SC"], &["serif", "song", "ming"]).as_deref(),
            Some("AR PL UMing CN")
        );
        assert_eq!(choose(&[], &["x"], &["y"]), None);
    }
}
