//! Resource bounds (#15 item 1), each attack of the issue repeated: the 7 MB file with a
//! 2.4-million-character text, a huge text field, a flood of bad lines, uploads beyond the
//! quota, half-sent requests and slowly sent bodies. In-process (SQLite); the same attacks
//! against the `juesuan-web` binary with its memory measured are in `memory.rs`.

mod common;

use axum::http::StatusCode;
use common::{TestApp, EXAMPLE};
use juesuan_web::juesuan_store::Role;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The example with `n` characters `c` added to a text field of `[unit]`.
pub fn with_long_text(c: char, n: usize) -> String {
    let long: String = std::iter::repeat_n(c, n).collect();
    EXAMPLE.replacen("key_work = \"\"\"", &format!("key_work = \"\"\"{long}"), 1)
}

/// The example with `n` lines of `[income.general_budget]`, each a bad amount.
pub fn with_bad_lines(n: usize) -> String {
    let lines: String = (0..n).map(|i| format!("\"9{i:06}\" = \"x\"\n")).collect();
    EXAMPLE.replacen(
        "[income.general_budget]\n",
        &format!("[income.general_budget]\n{lines}"),
        1,
    )
}

#[tokio::test]
async fn a_huge_file_and_a_huge_text_field_are_refused_before_reading() {
    let mut app = TestApp::sqlite().await;
    let mut o = common::options(&app.db_url());
    o.max_upload = 8 * 1024 * 1024;
    app.reopen(o).await;
    let (mut admin, _) = app.signed_in("管理员", Role::Admin).await;
    // The file: 2.4 million Chinese characters, 7 MB.
    let big = with_long_text('长', 2_400_000);
    assert!(big.len() > 7_000_000);
    let t = Instant::now();
    let r = admin.import("u1", &big, "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let j = r.json();
    let all = j.to_string();
    assert!(
        all.contains("E006") && all.contains("超过上限4194304字节"),
        "{all}"
    );
    assert!(r.body.len() < 4096, "{} bytes", r.body.len());
    // Within the file size, one text field of a million characters.
    let field = with_long_text('x', 1_000_000);
    let r = admin.import("u1", &field, "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let all = r.json().to_string();
    assert!(
        all.contains("E006") && all.contains("unit.key_work"),
        "{all}"
    );
    assert!(t.elapsed() < Duration::from_secs(60));
    // Nothing was stored.
    let r = admin.get("/api/v1/units/u1/years/2021").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn an_error_flood_gives_the_first_errors_and_the_count() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = app.signed_in("管理员", Role::Admin).await;
    let r = admin.import("u1", &with_bad_lines(15_000), "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.len() < 64 * 1024, "{} bytes", r.body.len());
    let j = r.json();
    let details = j["details"].as_array().unwrap();
    assert!(
        details.len() <= juesuan_web::limits::MAX_LISTED,
        "{}",
        details.len()
    );
    let last = details.last().unwrap().as_str().unwrap();
    assert!(last.contains("另有") && last.contains("未列出"), "{last}");
    assert!(j["error"].as_str().unwrap().contains("处错误"), "{j}");
    // The same upload as a page: the same cap.
    let r = upload_page(&mut admin, &with_bad_lines(15_000)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.len() < 128 * 1024, "{} bytes", r.body.len());
    assert!(r.text().contains("未列出"));
    app.finish().await;
}

async fn upload_page(c: &mut common::Client, text: &str) -> common::Reply {
    let b = "XBOUNDARYX";
    let mut body = String::new();
    for (k, v) in [("csrf", c.csrf.as_str()), ("unit", "u1"), ("note", "")] {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"input.toml\"\r\nContent-Type: application/toml\r\n\r\n{text}\r\n--{b}--\r\n"
    ));
    let req = c
        .request(axum::http::Method::POST, "/upload")
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn uploads_beyond_the_quota_are_refused_per_user() {
    let mut app = TestApp::sqlite().await;
    let mut o = common::options(&app.db_url());
    o.upload_quota_count = 2;
    app.reopen(o).await;
    let (mut a, _) = app.signed_in("甲", Role::Admin).await;
    let (mut b, _) = app.signed_in("乙", Role::Admin).await;
    for _ in 0..2 {
        let r = a.import("u1", EXAMPLE, "").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = a.import("u1", EXAMPLE, "").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.headers.get("retry-after").is_some());
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .starts_with("上传过于频繁"));
    // Another user's quota is their own.
    let r = b.import("u1", EXAMPLE, "").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.finish().await;
}

/// A real server on a free port with short timeouts.
async fn serve(app: &TestApp, header: Duration, request: Duration) -> String {
    let mut o = common::options(&app.db_url());
    o.header_timeout = header;
    o.request_timeout = request;
    let state = juesuan_web::AppState::with_store(app.state.store.clone(), o);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = juesuan_web::router(state);
    tokio::spawn(juesuan_web::limits::serve_connections(
        listener,
        router,
        header,
        64,
        std::future::pending(),
    ));
    addr
}

/// Whether the server closed the connection within `within` (read gives end of file or an
/// error other than a timeout).
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                )
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_and_slow_bodies_are_cut_off() {
    let app = TestApp::sqlite().await;
    let addr = serve(&app, Duration::from_secs(1), Duration::from_secs(2)).await;
    let a = addr.clone();
    tokio::task::spawn_blocking(move || {
        // 100 connections (more than the 64 served at once) each send half a header.
        let mut held: Vec<TcpStream> = (0..100)
            .map(|_| {
                let mut s = TcpStream::connect(&a).unwrap();
                s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n").unwrap();
                s
            })
            .collect();
        for (i, s) in held.iter_mut().enumerate() {
            assert!(
                closed_within(s, Duration::from_secs(5)),
                "half-sent request {i} still open"
            );
        }
        // A body announced as 100,000 bytes of which 10 arrive: 408 after the deadline.
        let mut s = TcpStream::connect(&a).unwrap();
        s.write_all(
            b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"usernam",
        )
        .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(6))).unwrap();
        let mut resp = vec![0u8; 4096];
        let n = s.read(&mut resp).expect("an answer before the read timeout");
        let head = String::from_utf8_lossy(&resp[..n]).into_owned();
        assert!(head.starts_with("HTTP/1.1 408"), "{head}");
        // The server still answers a whole request.
        let mut s = TcpStream::connect(&a).unwrap();
        s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    })
    .await
    .unwrap();
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reports_are_built_one_at_a_time_when_so_limited() {
    // Eight pages of eight versions not yet built, all at once: with a limit of 1 the builds
    // queue (memory does not grow with the number of requests); without it they overlap.
    for (limit, overlap_expected) in [(1usize, false), (8, true)] {
        let mut app = TestApp::sqlite().await;
        let mut o = common::options(&app.db_url());
        o.analysis_concurrency = limit;
        app.reopen(o).await;
        let (c, _) = app.signed_in("审核人", Role::Reviewer).await;
        for i in 0..8 {
            let code = format!("u{i}");
            app.state
                .store
                .import(&code, EXAMPLE, "t", "t", "")
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for i in 0..8 {
            let mut c = c.clone_session();
            tasks.push(tokio::spawn(async move {
                c.get(&format!("/units/u{i}/2021")).await.status
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::OK);
        }
        let peak = app.state.analyses_peak();
        if overlap_expected {
            assert!(peak > 1, "without a tight limit builds overlap ({peak})");
        } else {
            assert_eq!(peak, 1);
        }
        app.finish().await;
    }
}
