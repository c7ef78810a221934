//! Server-rendered HTML: escaping, the page layout, its stylesheet and small builders. No
//! JavaScript; the stylesheet is embedded in the binary (nothing is fetched at run time).

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

/// Undo [`url`] (and any other percent-encoding); `None` for broken escapes or non-UTF-8.
pub fn url_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Where the layout puts the one-time message (flash) of the previous action; the flash
/// layer replaces it (user data is escaped, so the marker cannot come from a user).
pub const FLASH_SLOT: &str = "<!--juesuan-flash-->";

const CSS: &str = r#"
:root { --brand: #9b1c1c; --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --bg: #f3f4f6; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --link: #0a58ca; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; color: var(--ink); background: var(--bg); overflow-wrap: break-word; }
a { color: var(--link); }
:focus-visible { outline: 3px solid #f0a020; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: .5em; background: #fff; color: var(--ink); padding: .3em .8em; z-index: 9; }
.skip:focus { left: 1em; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header.top { background: var(--brand); color: #fff; }
header.top nav { max-width: 1200px; margin: 0 auto; padding: .5em 1em; display: flex; flex-wrap: wrap; gap: .2em 1.1em; align-items: center; }
header.top a { color: #fff; text-decoration: none; padding: .15em 0; }
header.top a:hover { text-decoration: underline; }
header.top .brand { font-weight: 700; font-size: 1.1em; }
header.top .who { margin-left: auto; display: flex; flex-wrap: wrap; gap: .2em .8em; align-items: center; }
header.top button { background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.7); padding: .1em .7em; }
main { max-width: 1200px; margin: 1em auto 2em; padding: 1em 1.5em 2em; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
h1 { font-size: 1.5em; line-height: 1.3; margin: .2em 0 .6em; }
h2 { font-size: 1.2em; margin: 1.4em 0 .5em; }
h3 { font-size: 1.05em; }
.scroll { overflow-x: auto; max-width: 100%; margin: .5em 0 1.5em; position: relative; }
table.list { border-collapse: collapse; width: 100%; }
table.list th, table.list td { border: 1px solid var(--line); padding: .35em .6em; text-align: left; vertical-align: top; }
table.list th { background: #f0f3f6; white-space: nowrap; }
table.list td { min-width: 4.5em; }
table.list td.num, table.list th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); font-weight: 600; }
.flash, .msg { padding: .6em 1em; border: 1px solid; border-radius: 6px; margin: .6em 0 1em; }
.flash.ok { background: #dafbe1; border-color: #8ddb9f; color: #0f5323; }
.flash.error, .msg { background: #ffebe9; border-color: #ff8182; color: #82071e; }
.msg ul { margin: .3em 0 0; padding-left: 1.2em; }
.msg code { white-space: pre-wrap; }
.note { color: var(--muted); font-size: .9em; }
input, select, button, textarea { font: inherit; }
input:not([type]), input[type=text], input[type=password], input[type=number], input[type=file], select, textarea { padding: .35em .5em; border: 1px solid #8c959f; border-radius: 6px; background: #fff; max-width: 100%; }
textarea { box-sizing: border-box; width: 100%; }
button { background: var(--brand); color: #fff; border: 1px solid var(--brand); border-radius: 6px; padding: .35em .9em; cursor: pointer; }
button.secondary { background: #fff; color: var(--ink); border-color: #8c959f; }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
form.stack label { display: block; margin: .8em 0 .2em; font-weight: 600; }
form.stack label input, form.stack label select { display: block; margin-top: .2em; font-weight: normal; }
form.stack .check { font-weight: normal; }
form.stack .check input { display: inline; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 1em 0; }
.row-form { display: flex; flex-wrap: wrap; gap: .5em .8em; align-items: flex-end; margin: .5em 0; }
.row-form label { display: flex; flex-direction: column; font-size: .9em; }
.row-form label.check { flex-direction: row; gap: .3em; align-items: center; }
form.inline { display: inline-flex; gap: .3em; align-items: center; flex-wrap: wrap; margin: .1em 0; }
nav.tabs { display: flex; flex-wrap: wrap; gap: .2em; border-bottom: 2px solid var(--line); margin: 1em 0; }
nav.tabs a { padding: .45em .9em; text-decoration: none; color: var(--ink); border: 1px solid transparent; border-radius: 6px 6px 0 0; margin-bottom: -2px; }
nav.tabs a:hover { background: #f6f8fa; }
nav.tabs a[aria-current=page] { border-color: var(--line); border-bottom-color: #fff; background: #fff; color: var(--brand); font-weight: 700; }
nav.toc { display: flex; flex-wrap: wrap; gap: .2em 1em; font-size: .9em; margin: .5em 0 1em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: .75em; margin: 1em 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .6em .8em; }
.card .k { color: var(--muted); font-size: .85em; }
.card .v { font-size: 1.3em; font-weight: 700; font-variant-numeric: tabular-nums; }
.meta { color: var(--muted); }
.badge { display: inline-block; padding: 0 .5em; border-radius: 999px; border: 1px solid currentColor; font-size: .85em; }
details.findings summary { cursor: pointer; }
details.findings ul { margin: .3em 0; padding-left: 1.2em; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1em; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { text-align: center; font-size: .9em; color: var(--muted); }
pre { white-space: pre-wrap; background: #f6f8fa; padding: .5em; }
.report { font-size: 14px; }
.report table { border-collapse: collapse; font-size: 13px; }
.report th, .report td { border: 1px solid #555; padding: 2px 6px; }
.report th { min-width: 4.5em; }
.report td.num { text-align: right; white-space: nowrap; }
.alloc table { border-collapse: collapse; margin: .5em 0 1em; }
.alloc th, .alloc td { border: 1px solid var(--line); padding: .25em .5em; white-space: nowrap; }
.alloc td.n, .alloc th.n { text-align: right; font-variant-numeric: tabular-nums; }
.report .evaluation table, .report > table { display: block; overflow-x: auto; max-width: 100%; }
.audit table { border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 1.5em; }
.audit th, .audit td { border: 1px solid #999; padding: 3px 6px; vertical-align: top; }
.audit th { min-width: 4em; }
.audit td.num { text-align: right; white-space: nowrap; }
.audit td.quote { color: #444; }
.audit tr.Errors td, .audit tr.Fail td { background: #fde8e8; }
.audit tr.Unchecked td, .audit tr.Unreadable td, .audit tr.RoundingNote td { background: #fff6dd; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  main { margin: 0; padding: .8em .75em 1.5em; border: 0; border-radius: 0; }
  header.top nav { padding: .4em .75em; }
  header.top .who { margin-left: 0; }
  h1 { font-size: 1.3em; }
  nav.tabs a { padding: .35em .6em; }
}
"#;

/// The signed-in user as the layout shows them.
pub struct Viewer<'a> {
    pub name: &'a str,
    pub role_label: &'static str,
    pub csrf: &'a str,
    pub is_reviewer: bool,
    pub is_admin: bool,
}

/// A complete page: the navigation (for a signed-in user), the heading, the slot for the
/// previous action's message and the body.
pub fn page(title: &str, viewer: Option<&Viewer>, body: &str) -> String {
    let mut nav = String::from("<a class=\"brand\" href=\"/\">决算公开</a>");
    if let Some(v) = viewer {
        nav.push_str("<a href=\"/\">单位与年度</a><a href=\"/upload\">上传</a><a href=\"/plans\">分配计划</a>");
        if v.is_reviewer {
            nav.push_str("<a href=\"/review\">审核看板</a><a href=\"/audit\">核对已公开报告</a>");
        }
        if v.is_admin {
            nav.push_str("<a href=\"/admin\">管理</a>");
        }
        let _ = write!(
            nav,
            "<span class=\"who\"><span>{}（{}）</span><a href=\"/password\">修改口令</a><form class=\"inline\" method=\"post\" action=\"/logout\">{}<button type=\"submit\" id=\"logout\">退出</button></form></span>",
            esc(v.name),
            v.role_label,
            csrf_field(v.csrf)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} - 决算公开</title>\n<style>{CSS}</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">跳到正文</a>\n<header class=\"top\"><nav aria-label=\"主导航\">{nav}</nav></header>\n<main id=\"main\">\n<h1>{}</h1>\n{FLASH_SLOT}\n{body}</main>\n</body>\n</html>\n",
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

/// A table with a header row, in its own horizontally scrolling box (a wide table never
/// makes the page scroll sideways); cells are already HTML.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<div class=\"scroll\"><table class=\"list\"><thead><tr>");
    for h in headers {
        let _ = write!(s, "<th scope=\"col\">{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>\n");
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

/// China Standard Time (UTC+8, no daylight saving) is what every user of the app reads.
const CHINA_OFFSET_SECS: i64 = 8 * 3600;

/// A stored UTC timestamp (`2026-12-06T00:15:00Z`) as Beijing local time, `2026-12-06 08:15`;
/// text that is not a timestamp is shown as it is.
pub fn local_time(utc: &str) -> String {
    match juesuan_store::time::parse_rfc3339(utc) {
        Some(secs) => {
            let t = juesuan_store::time::format_secs(secs + CHINA_OFFSET_SECS);
            format!("{} {}", &t[..10], &t[11..16])
        }
        None => utc.to_string(),
    }
}

/// How a version came about, in Chinese (the store keeps `import`, `restore`, `consolidate`).
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "import" => "上传",
        "restore" => "恢复旧版",
        "consolidate" => "汇总下级单位",
        other => other,
    }
}

/// An operation log action (the store's stable key) in Chinese.
pub fn action_label(action: &str) -> &str {
    let key = action.strip_prefix("admin.").unwrap_or(action);
    match key {
        "login" => "登录",
        "logout" => "退出",
        "login.failed" => "登录失败",
        "login.locked" => "登录被拒（账户锁定）",
        "login.disabled" => "登录被拒（账户已停用）",
        "version.import" => "上传新版本",
        "version.restore" => "恢复旧版",
        "version.consolidate" => "汇总生成新版本",
        "user.create" => "创建用户",
        "user.password" => "设置口令",
        "user.grant" => "授权单位",
        "user.revoke" => "撤销授权",
        "user.role" => "更改角色",
        "user.disable" => "停用用户",
        "user.enable" => "启用用户",
        "user.unlock" => "解除登录锁定",
        "unit.create" => "登记单位",
        "unit.update" => "修改单位",
        "checks.batch" => "批量审核",
        "audit.published" => "核对已公开报告",
        _ => "其他操作",
    }
}

/// An error shown where it happened (above the form it belongs to): the message and its
/// details, announced to screen readers.
pub fn error_block(message: &str, details: &[String]) -> String {
    let mut s = format!(
        "<div class=\"msg\" role=\"alert\" id=\"error\"><p><strong>{}</strong></p>",
        esc(message)
    );
    if !details.is_empty() {
        s.push_str("<ul>");
        for d in details {
            let _ = write!(s, "<li><code>{}</code></li>", esc(d));
        }
        s.push_str("</ul>");
    }
    s.push_str("</div>");
    s
}

/// Tabs as links (`?tab=`): `current` is marked for the eye and for screen readers.
pub fn tabs(base: &str, tabs: &[(&str, &str)], current: &str, extra_query: &str) -> String {
    let mut s = String::from("<nav class=\"tabs\" aria-label=\"分页\">");
    for (id, label) in tabs {
        let current_attr = if *id == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<a id=\"tab-{id}\" href=\"{base}?tab={id}{extra_query}#tabs\"{current_attr}>{label}</a>"
        );
    }
    s.push_str("</nav>");
    s
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
    fn url_decode_undoes_url_and_rejects_broken_escapes() {
        for s in ["上传成功：第2版", "a_b-c.d~e", "100% ;,=\"x\""] {
            assert_eq!(url_decode(&url(s)).as_deref(), Some(s));
        }
        assert_eq!(url_decode("%E7%A7"), None, "a cut UTF-8 sequence");
        assert_eq!(url_decode("%zz"), None);
        assert_eq!(url_decode("%4"), None);
    }

    #[test]
    fn page_has_no_script_escapes_the_title_and_has_one_flash_slot() {
        let p = page("<b>", None, "");
        assert!(p.contains("&lt;b&gt;"));
        assert!(!p.contains("<script"));
        assert_eq!(p.matches(FLASH_SLOT).count(), 1);
        // A user's text cannot forge the slot: it is escaped.
        assert!(!page("x", None, &esc(FLASH_SLOT))
            .replacen(FLASH_SLOT, "", 1)
            .contains(FLASH_SLOT));
    }

    #[test]
    fn the_navigation_is_chinese_and_has_no_raw_api_link() {
        let v = Viewer {
            name: "张三",
            role_label: "管理员",
            csrf: "t",
            is_reviewer: true,
            is_admin: true,
        };
        let p = page("首页", Some(&v), "");
        assert!(p.contains("<a href=\"/audit\">核对已公开报告</a>"));
        assert!(p.contains("<a href=\"/admin\">管理</a>"));
        assert!(!p.contains("openapi") && !p.contains(">API<"));
    }

    #[test]
    fn local_time_is_beijing_time_across_midnight_and_year_end() {
        assert_eq!(local_time("2026-12-06T00:15:00Z"), "2026-12-06 08:15");
        assert_eq!(local_time("2026-12-31T16:00:59Z"), "2027-01-01 00:00");
        assert_eq!(local_time("2024-02-28T20:30:00Z"), "2024-02-29 04:30");
        assert_eq!(local_time("2026-07-01T03:04:05.123Z"), "2026-07-01 11:04");
        assert_eq!(local_time("不是时间"), "不是时间");
    }

    #[test]
    fn labels_are_chinese() {
        assert_eq!(kind_label("import"), "上传");
        assert_eq!(kind_label("restore"), "恢复旧版");
        assert_eq!(action_label("version.import"), "上传新版本");
        assert_eq!(action_label("admin.user.revoke"), "撤销授权");
        assert_eq!(action_label("user.revoke"), "撤销授权");
        assert_eq!(action_label("something.new"), "其他操作");
    }
}
