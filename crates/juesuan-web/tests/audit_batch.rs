//! 核对已公开报告: reviewers upload published reports to the page `/audit` or the API
//! `POST /api/v1/audit` and get the summary of `juesuan audit` over several files.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Client, Reply, TestApp};
use http_body_util::BodyExt;
use juesuan_web::juesuan_store::Role;
use juesuan_web::AppState;
use tower::ServiceExt;

/// A report with calculation errors and one without (the auditor's own fixtures).
const WITH_ERRORS: &[u8] =
    include_bytes!("../../juesuan-audit/tests/fixtures/liangshan-kexie-2021-published.txt");
const CLEAN: &[u8] =
    include_bytes!("../../juesuan-audit/tests/fixtures/other-province-2023-correct.txt");
/// A one-page PDF excerpt of a published report (the readers' fixture).
const PDF: &[u8] = include_bytes!("../../juesuan-readers/tests/fixtures/excerpt.pdf");

const BOUNDARY: &str = "juesuan-audit-boundary-7MA4YWxk";

fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A multipart body: text fields first (as a browser sends the form's hidden CSRF field),
/// then the files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").into_bytes());
    body
}

/// The two fixture texts and a .docx that is no Word file.
fn three_files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("凉山州科协2021.txt", WITH_ERRORS),
        ("other-province-2023.txt", CLEAN),
        ("损坏的报告.docx", b"PK\x03\x04 this is not a Word file"),
    ]
}

async fn api_audit(c: &mut Client, query: &str, files: &[(&str, &[u8])]) -> Reply {
    c.post_raw(
        &format!("/api/v1/audit{query}"),
        &content_type(),
        multipart(&[], files),
    )
    .await
}

async fn page_audit(c: &mut Client, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Reply {
    // A page form: no X-CSRF-Token header, only the form's field.
    let r = Request::builder()
        .method(Method::POST)
        .uri("/audit")
        .header(header::CONTENT_TYPE, content_type())
        .body(Body::from(multipart(fields, files)))
        .unwrap();
    c.send(r).await
}

fn hidden_csrf(html: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    let i = html.find(key).expect("a csrf field") + key.len();
    html[i..i + 64].to_string()
}

fn labels(json: &serde_json::Value) -> Vec<String> {
    json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["verdict_label"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn api_returns_the_batch_summary_as_json_or_csv() {
    let app = TestApp::sqlite().await;
    let (mut c, _) = app.signed_in("reviewer", Role::Reviewer).await;
    let r = api_audit(&mut c, "", &three_files()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
    let j = r.json();
    assert_eq!(labels(&j), ["发现计算错误", "未发现计算错误", "无法读取"]);
    let docs = j["documents"].as_array().unwrap();
    assert_eq!(docs[0]["path"], "凉山州科协2021.txt");
    assert!(docs[0]["errors"].as_u64().unwrap() >= 1);
    assert!(docs[1]["checks"].as_u64().unwrap() >= 1);
    assert_eq!(docs[1]["errors"], 0);
    assert!(
        docs[2]["reason"]
            .as_str()
            .unwrap()
            .starts_with("不是有效的 Word（.docx）文件"),
        "{}",
        docs[2]
    );
    assert_eq!(j["exit_code"], 1);
    assert_eq!(j["totals"]["documents"], 3);
    let findings = j["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["path"] == "凉山州科协2021.txt"));

    // The same summary as CSV: a header, a row per document, a row per finding.
    let r = api_audit(&mut c, "?format=csv", &three_files()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(r.text().starts_with("\u{feff}类型,文件,结论"));
    let text = r.text();
    assert_eq!(text.matches("\r\n文档,").count(), 3);
    assert_eq!(text.matches("\r\n问题,").count(), findings.len());
    assert!(text.contains("无法读取：不是有效的 Word"));

    // An unknown format is refused before the files are read.
    let r = api_audit(&mut c, "?format=xls", &three_files()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("不支持的格式“xls”"));

    // Who audited what is in the audit log.
    let events = app.state.store.events(20).await.unwrap();
    let e = events
        .iter()
        .find(|e| e.action == "audit.published")
        .expect("an audit.published event");
    assert_eq!(e.actor.as_deref(), Some("reviewer"));
    assert!(e.detail.contains("共核对3份文档"), "{}", e.detail);
    app.finish().await;
}

#[tokio::test]
async fn page_embeds_the_summary_with_csv_and_json_to_save() {
    let app = TestApp::sqlite().await;
    let (mut c, _) = app.signed_in("admin", Role::Admin).await;
    let home = c.get("/").await;
    assert!(home
        .text()
        .contains("<a href=\"/audit\">核对已公开报告</a>"));
    let form = c.get("/audit").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    let t = form.text();
    assert!(t.contains("enctype=\"multipart/form-data\""));
    assert!(t.contains("name=\"files\"") && t.contains("multiple"));
    assert!(t.contains("每批不超过50个文件、合计不超过 50 MB"), "{t}");
    let csrf = hidden_csrf(&t);

    let r = page_audit(&mut c, &[("csrf", &csrf)], &three_files()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = r.text();
    assert!(t.contains("id=\"audit-summary\""));
    assert!(
        t.contains("共核对3份文档：发现计算错误1份，未发现计算错误1份，无法核对0份，无法读取1份")
    );
    // One row per document, in the order uploaded, then the findings.
    let rows: Vec<usize> = [
        "<tr class=\"Errors\">",
        "<tr class=\"Clean\">",
        "<tr class=\"Unreadable\">",
    ]
    .iter()
    .map(|row| {
        assert_eq!(t.matches(row).count(), 1, "{row}");
        t.find(row).unwrap()
    })
    .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]));
    assert!(t.contains("<td>凉山州科协2021.txt</td><td>发现计算错误</td>"));
    assert!(t.contains("<td>other-province-2023.txt</td><td>未发现计算错误</td>"));
    assert!(t.contains("<td>损坏的报告.docx</td><td>无法读取：不是有效的 Word（.docx）文件"));
    assert!(t.contains("<tr class=\"Fail\">"));
    assert!(t.contains("id=\"download-csv\" href=\"data:text/csv;charset=utf-8;base64,77u/"));
    assert!(t.contains("id=\"download-json\" href=\"data:application/json;base64,"));
    assert!(!t.contains("<script"));

    // A file name is escaped like any user data (and loses any directory).
    let r = page_audit(
        &mut c,
        &[("csrf", &csrf)],
        &[("dir/<img src=x onerror=1>.txt", CLEAN)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r
        .text()
        .contains("<td>&lt;img src=x onerror=1&gt;.txt</td>"));
    assert!(!r.text().contains("<img"));

    // The format selector: the same summary as a file to save.
    let r = page_audit(
        &mut c,
        &[("csrf", &csrf), ("format", "json")],
        &three_files(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"juesuan-audit.json\""
    );
    assert_eq!(
        labels(&r.json()),
        ["发现计算错误", "未发现计算错误", "无法读取"]
    );

    // Without the session's token the form is refused, before any file is read.
    let r = page_audit(&mut c, &[("csrf", "forged")], &three_files()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("防伪令牌"));
    let r = page_audit(&mut c, &[], &three_files()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No file chosen: the browser still sends an empty part.
    let r = page_audit(&mut c, &[("csrf", &csrf)], &[("", b"")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请选择要核对的文件"));
    app.finish().await;
}

#[tokio::test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
async fn pdfs_are_read_with_pdftotext_and_unreadable_files_are_rows() {
    let found = std::process::Command::new("pdftotext").arg("-v").output();
    assert!(
        found.is_ok(),
        "pdftotext 未安装：此测试需要它（apt-get install poppler-utils），CI 中已安装"
    );
    let app = TestApp::sqlite().await;
    let (mut c, _) = app.signed_in("reviewer", Role::Reviewer).await;
    let r = api_audit(
        &mut c,
        "",
        &[
            ("摘录.PDF", PDF),
            ("坏的.pdf", b"%PDF-1.4 broken"),
            ("旧格式.doc", b"\xd0\xcf\x11\xe0"),
            ("gbk.txt", b"\xb2\xc6\xd5\xfe"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    let docs = j["documents"].as_array().unwrap();
    assert_ne!(docs[0]["verdict"], "unreadable", "{}", docs[0]);
    assert_eq!(docs[0]["pages"], 1);
    assert!(docs[0]["sentences_with_figures"].as_u64().unwrap() >= 3);
    let reason = |i: usize| docs[i]["reason"].as_str().unwrap().to_string();
    assert_eq!(labels(&j)[1..], ["无法读取", "无法读取", "无法读取"]);
    assert!(reason(1).starts_with("读取 PDF 失败"), "{}", reason(1));
    assert!(
        reason(2).starts_with("不支持的文件类型“.doc”"),
        "{}",
        reason(2)
    );
    assert!(reason(3).contains("不是 UTF-8"), "{}", reason(3));
    app.finish().await;
}

#[tokio::test]
async fn only_reviewers_and_admins_may_audit() {
    let app = TestApp::sqlite().await;
    // Not signed in: the API answers 401, the page sends to the login page.
    let mut anon = app.client();
    let r = api_audit(&mut anon, "", &three_files()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "请先登录");
    let r = anon.get("/audit").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");

    // A preparer: 403 with the reason, and no link in the navigation.
    let (mut p, _) = app.signed_in("preparer", Role::Preparer).await;
    let r = api_audit(&mut p, "", &three_files()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json()["error"],
        "无权操作：核对已公开报告仅限审核人和管理员"
    );
    let r = p.get("/audit").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("核对已公开报告仅限审核人和管理员"));
    let csrf = hidden_csrf(&p.get("/").await.text());
    assert!(!p.get("/").await.text().contains("href=\"/audit\""));
    let r = page_audit(&mut p, &[("csrf", &csrf)], &three_files()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A reviewer without the CSRF header is refused; with it, served.
    let (mut rev, _) = app.signed_in("reviewer", Role::Reviewer).await;
    let token = std::mem::take(&mut rev.csrf);
    let r = api_audit(&mut rev, "", &three_files()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    rev.csrf = token;
    let r = api_audit(&mut rev, "", &three_files()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.finish().await;
}

/// A request to a router of the same database with other options, signed in with `c`'s
/// session cookie.
async fn send_to(
    router: &axum::Router,
    c: &Client,
    path: &str,
    body: Vec<u8>,
) -> (StatusCode, String) {
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, content_type())
        .header(header::COOKIE, cookies.join("; "))
        .header("x-csrf-token", c.csrf.clone())
        .body(Body::from(body))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn too_many_files_or_bytes_are_refused() {
    let app = TestApp::sqlite().await;
    let (mut c, _) = app.signed_in("reviewer", Role::Reviewer).await;
    // 51 files: one over the limit of 50.
    let many: Vec<(String, &[u8])> = (0..51).map(|i| (format!("{i}.txt"), CLEAN)).collect();
    let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let r = api_audit(&mut c, "", &many).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.json()["error"],
        "一次最多核对50个文件：请分批上传，每批不超过50个"
    );
    // Fifty are fine.
    let r = api_audit(&mut c, "", &many[..50]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["totals"]["documents"], 50);
    // The page says the same.
    let csrf = hidden_csrf(&c.get("/audit").await.text());
    let r = page_audit(&mut c, &[("csrf", &csrf)], &many).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("一次最多核对50个文件"));
    // No file at all.
    let r = api_audit(&mut c, "", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("请选择要核对的文件"));

    // A server allowing 3 files and 100 KB: more bytes are refused while they arrive, more
    // than the form's room beyond the limit by the body limit — both with the same message.
    let mut opts = common::options("sqlite::memory:");
    opts.audit_max_files = 3;
    opts.audit_max_bytes = 100 * 1024;
    let small = juesuan_web::router(AppState::with_store(app.state.store.clone(), opts));
    let big = vec![b'x'; 60 * 1024];
    let two: [(&str, &[u8]); 2] = [("a.txt", &big), ("b.txt", &big)];
    let (status, text) = send_to(&small, &c, "/api/v1/audit", multipart(&[], &two)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(
        text.contains(
            "上传的文件合计超过 100 KB 的上限：请分批上传（每批不超过3个文件、合计不超过 100 KB）"
        ),
        "{text}"
    );
    // A field that is no file, beyond the form's room: the body limit.
    let huge = "x".repeat(2 * 1024 * 1024);
    let body = multipart(&[("note", &huge)], &[("a.txt", CLEAN)]);
    let (status, text) = send_to(&small, &c, "/api/v1/audit", body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("请分批上传"), "{text}");
    let four: Vec<(&str, &[u8])> = vec![("1.txt", CLEAN); 4];
    let (status, text) = send_to(&small, &c, "/api/v1/audit", multipart(&[], &four)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("一次最多核对3个文件"), "{text}");
    app.finish().await;
}
