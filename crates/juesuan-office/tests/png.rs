//! PNG charts: text is really drawn (not silently dropped), Chinese included, at twice the size.

mod common;

use juesuan_office::{svg_to_png, Fonts, OfficeError, PNG_SCALE};
use resvg::tiny_skia::Pixmap;

fn decode(png: &[u8]) -> Pixmap {
    Pixmap::decode_png(png).expect("valid PNG")
}

fn dark(p: &Pixmap, x: u32, y: u32) -> bool {
    let c = p.pixel(x, y).expect("in bounds");
    (c.red() as u32 + c.green() as u32 + c.blue() as u32) < 3 * 110
}

/// Remove every `<text …>…</text>` element.
fn without_text(svg: &str) -> String {
    let mut out = String::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</text>").expect("closed text") + start + "</text>".len();
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Pixels that are dark with text and not dark without it, inside the rectangle (in SVG units).
fn text_pixels(with: &Pixmap, without: &Pixmap, rect: (f32, f32, f32, f32)) -> usize {
    let (x0, y0, x1, y1) = rect;
    let s = PNG_SCALE;
    let mut n = 0;
    for y in (y0 * s) as u32..((y1 * s) as u32).min(with.height()) {
        for x in (x0 * s) as u32..((x1 * s) as u32).min(with.width()) {
            if dark(with, x, y) && !dark(without, x, y) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn chinese_text_is_drawn_in_its_region() {
    let fonts = common::fonts();
    // One Chinese label and one number, in known places; the font list names no installed
    // family until its generic end, as the chart SVGs may on another machine.
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">
<rect x="0" y="0" width="300" height="120" fill="#ffffff"/>
<g font-family="'Some Missing Font', 'Microsoft YaHei', sans-serif" fill="#222222">
<text x="20" y="50" font-size="30">收入决算</text>
<text x="20" y="100" font-size="30">686.54</text>
</g>
</svg>"##;
    let with = decode(&svg_to_png(svg, &fonts).unwrap());
    let without = decode(&svg_to_png(&without_text(svg), &fonts).unwrap());
    assert_eq!((with.width(), with.height()), (600, 240), "scaled ×2");
    let chinese = text_pixels(&with, &without, (15.0, 15.0, 160.0, 58.0));
    let digits = text_pixels(&with, &without, (15.0, 68.0, 140.0, 108.0));
    assert!(chinese > 500, "Chinese label drawn: {chinese} dark pixels");
    assert!(digits > 300, "number drawn: {digits} dark pixels");
    // Nothing is drawn outside the labels.
    assert_eq!(text_pixels(&with, &without, (200.0, 0.0, 300.0, 120.0)), 0);
    // Real glyphs, not boxes: other characters of the same length draw differently
    // (missing-glyph boxes would all look alike).
    let other = decode(&svg_to_png(&svg.replace("收入决算", "支出结构"), &fonts).unwrap());
    let differing = (0..with.height())
        .flat_map(|y| (0..with.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| dark(&with, x, y) != dark(&other, x, y))
        .count();
    assert!(
        differing > 200,
        "different characters, different pixels: {differing}"
    );
}

#[test]
fn every_report_chart_has_text_where_its_svg_puts_text() {
    let fonts = common::fonts();
    let (_, report) = common::example_report();
    assert_eq!(report.charts.len(), 7, "图1–图7");
    for chart in &report.charts {
        let png = svg_to_png(&chart.svg, &fonts).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let with = decode(&png);
        let without = decode(&svg_to_png(&without_text(&chart.svg), &fonts).unwrap());
        // The title is the first text element, centred at the top of the chart.
        let w = with.width() as f32 / PNG_SCALE;
        let title = text_pixels(&with, &without, (0.0, 0.0, w, 40.0));
        assert!(
            title > 200,
            "{}: title text drawn ({title} dark pixels)",
            chart.id
        );
        let all = text_pixels(
            &with,
            &without,
            (0.0, 0.0, w, with.height() as f32 / PNG_SCALE),
        );
        assert!(
            all > title,
            "{}: labels below the title drawn too",
            chart.id
        );
    }
}

#[test]
fn a_directory_without_chinese_fonts_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // Not a font at all, then no font: both name the package to install.
    std::fs::write(dir.path().join("readme.txt"), "no fonts here").unwrap();
    let e = Fonts::from_files(&[]).unwrap_err();
    assert!(matches!(e, OfficeError::MissingCjkFont { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("fonts-noto-cjk") && msg.contains("JUESUAN_FONT_DIR"),
        "{msg}"
    );
    let e = Fonts::from_dir(dir.path()).unwrap_err();
    assert!(
        e.to_string().contains(&dir.path().display().to_string()),
        "{e}"
    );
}

#[test]
fn the_discovered_fonts_cover_chinese() {
    let fonts = common::fonts();
    assert!(!fonts.files().is_empty());
    assert!(fonts.families().iter().any(|f| f == fonts.sans_family()));
    // Debian's fonts-noto-cjk: the Simplified Chinese faces are chosen.
    if fonts
        .files()
        .iter()
        .any(|f| f.to_string_lossy().contains("NotoSansCJK"))
    {
        assert_eq!(fonts.sans_family(), "Noto Sans CJK SC");
        assert_eq!(fonts.serif_family(), "Noto Serif CJK SC");
    }
}
