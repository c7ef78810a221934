//! The one escaper for HTML and XML (SVG, OOXML text): every page, report, chart and audit
//! table juesuan writes escapes text with [`escape`], so a unit name such as “A&B<研究所>”
//! prints as written everywhere.

/// Text safe inside HTML or XML element content and in single- or double-quoted attributes:
/// `& < > " '` become entities, and control characters that XML 1.0 forbids are dropped
/// (tab, line feed and carriage return stay).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn every_markup_character_and_forbidden_control_character() {
        assert_eq!(
            escape("A&B<研究所>\"x\" 'y'\u{1}\t\n"),
            "A&amp;B&lt;研究所&gt;&quot;x&quot; &#39;y&#39;\t\n"
        );
        assert_eq!(escape("凉山州科学技术协会"), "凉山州科学技术协会");
    }
}
