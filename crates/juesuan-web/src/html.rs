//! Server-rendered HTML: escaping, the page layout and small builders. No JavaScript.

use std::fmt::Write;

/// Escape text for HTML element content and attributes (the one escaper of juesuan-core).
pub use juesuan_core::markup::escape as esc;

/// Percent-encode one URL path segment or query value (unit codes are user data).
pub fn url(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const CSS: &str = r#"
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }
header { background: #8b1a1a; color: #fff; padding: .5em 1em; display: flex; gap: 1.5em; align-items: center; flex-wrap: wrap; }
header a { color: #fff; text-decoration: none; }
header .who { margin-left: auto; }
header form { display: inline; }
main { max-width: 1100px; margin: 0 auto; padding: 1em; background: #fff; }
table.list { border-collapse: collapse; width: 100%; margin: .5em 0 1.5em; }
table.list th, table.list td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
table.list th { background: #f3f3f3; }
.ok { color: #176117; } .warn { color: #8a5a00; } .bad { color: #a11; font-weight: bold; }
.msg { padding: .5em 1em; border-left: 4px solid #8b1a1a; background: #fdf3f3; }
.note { color: #555; font-size: 90%; }
form.inline { display: inline; }
label { display: block; margin: .4em 0; }
nav.tabs a { margin-right: 1em; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .5em; }
.report { border-top: 2px solid #8b1a1a; margin-top: 1.5em; }
.report table { border-collapse: collapse; width: 100%; font-size: 13px; }
.report th, .report td { border: 1px solid #333; padding: 2px 6px; }
.report td.num { text-align: right; white-space: nowrap; }
.report figure svg { max-width: 100%; height: auto; }
.audit table { border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 1.5em; }
.audit th, .audit td { border: 1px solid #999; padding: 3px 6px; vertical-align: top; }
.audit td.num { text-align: right; white-space: nowrap; }
.audit td.quote { color: #444; }
.audit tr.Errors td, .audit tr.Fail td { background: #fde8e8; }
.audit tr.Unchecked td, .audit tr.Unreadable td, .audit tr.RoundingNote td { background: #fff6dd; }
"#;

/// The signed-in user as the layout shows them.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub role_label: &'static str,
    pub csrf: &'a str,
    pub is_reviewer: bool,
    pub is_admin: bool,
}

/// A complete page.
pub fn page(title: &str, viewer: Option<&Viewer>, body: &str) -> String {
    let mut nav = String::from("<a href=\"/\"><strong>决算 juesuan</strong></a>");
    if let Some(v) = viewer {
        nav.push_str("<a href=\"/\">单位与年度</a><a href=\"/upload\">上传</a>");
        if v.is_reviewer {
            nav.push_str("<a href=\"/review\">审核看板</a><a href=\"/audit\">核对已公开报告</a>");
        }
        if v.is_admin {
            nav.push_str("<a href=\"/admin\">管理</a>");
        }
        nav.push_str("<a href=\"/api/openapi.json\">API</a>");
        let _ = write!(
            nav,
            "<span class=\"who\">{}（{}）<form class=\"inline\" method=\"post\" action=\"/logout\">{}<button type=\"submit\">退出</button></form></span>",
            esc(v.name),
            v.role_label,
            csrf_field(v.csrf)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} - 决算 juesuan</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>{nav}</header>\n<main>\n<h1>{}</h1>\n{body}</main>\n</body>\n</html>\n",
        esc(title),
        esc(title)
    )
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(token)
    )
}

/// A table with a header row; cells are already HTML.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table class=\"list\"><thead><tr>");
    for h in headers {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>\n");
    s
}

/// The class for a check status text.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "通过" => "ok",
        "有警告" => "warn",
        _ => "bad",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert(\"x\")</script>&'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
        assert_eq!(url("a b/../科"), "a%20b%2F..%2F%E7%A7%91");
    }

    #[test]
    fn page_has_no_script_and_escapes_the_title() {
        let p = page("<b>", None, "");
        assert!(p.contains("&lt;b&gt;"));
        assert!(!p.contains("<script"));
    }
}
