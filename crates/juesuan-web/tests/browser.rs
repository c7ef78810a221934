//! Browser test in headless Debian Chromium through chromedriver (WebDriver, fantoccini):
//! log in, upload the example, see the findings, download the Word file, and a preparer of
//! unit A gets 403 for unit B. Needs `apt-get install -y chromium chromium-driver`, so it is
//! `#[ignore]`d: a plain run shows it as skipped; `--run-ignored all` (CI) runs it, and without
//! Chromium or chromedriver it fails.

mod common;

use common::{TestApp, EXAMPLE, PASSWORD};
use fantoccini::{ClientBuilder, Locator};
use juesuan_web::juesuan_store::Role;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const A: &str = "511400001";
const B: &str = "511400002";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The browser the session starts (Debian's chromium package).
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver's path; panics when it or Chromium is not installed.
fn chromedriver() -> String {
    const NEEDS: &str = "需要 Chromium（apt-get install -y chromium chromium-driver，见 README）";
    assert!(Path::new(CHROMIUM).exists(), "{NEEDS}：找不到 {CHROMIUM}");
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .map(String::from)
        .unwrap_or_else(|| panic!("{NEEDS}：找不到 chromedriver"))
}

async fn wait_for_file(dir: &Path, ext: &str) -> std::path::PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(p) = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == ext))
        {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "no .{ext} downloaded into {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The `h1` text of the page a form post leads to. The click returns before the browser has
/// navigated, so wait until it has left `from` and read the new page's heading (retrying
/// while the old page's elements go stale).
async fn heading_after_leaving(c: &fantoccini::Client, from: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(url) = c.current_url().await {
            if !url.path().ends_with(from) {
                if let Ok(h1) = c.find(Locator::Css("h1")).await {
                    if let Ok(text) = h1.text().await {
                        return text;
                    }
                }
            }
        }
        assert!(Instant::now() < deadline, "the browser stayed on {from}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "需要 Chromium 与 chromedriver（apt-get install chromium chromium-driver，见 README）"]
async fn log_in_upload_see_findings_download_word_and_403() {
    let driver_bin = chromedriver();
    // The app on a real socket.
    let app = TestApp::sqlite().await;
    app.user("admin", Role::Admin).await;
    let prep = app.user("preparer-a", Role::Preparer).await;
    for (code, name) in [(A, "甲单位"), (B, "乙单位")] {
        app.state
            .store
            .upsert_unit(code, name, None, "test")
            .await
            .unwrap();
    }
    app.state.store.grant(prep, A).await.unwrap();
    app.state
        .store
        .import(B, EXAMPLE, "test", "test", "")
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });

    let port = free_port();
    let _driver = Driver(
        Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let input = tempfile::tempdir().unwrap();
    let input_file = input.path().join("input.toml");
    std::fs::write(&input_file, EXAMPLE).unwrap();
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": {
                "download.default_directory": downloads.path().display().to_string(),
                "download.prompt_for_download": false,
            }
        }
    });
    let caps = match caps {
        serde_json::Value::Object(m) => m,
        _ => unreachable!(),
    };
    let mut client = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.is_none() {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => client = Some(c),
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "cannot start a browser session: {e}"
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    }
    let c = client.unwrap();

    // Log in.
    c.goto(&format!("{base}/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("admin")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(heading_after_leaving(&c, "/login").await, "单位与年度");

    // Upload the example for unit A.
    c.goto(&format!("{base}/upload")).await.unwrap();
    c.find(Locator::Id("unit"))
        .await
        .unwrap()
        .send_keys(A)
        .await
        .unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&input_file.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys("浏览器上传")
        .await
        .unwrap();
    c.find(Locator::Id("upload"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = c
        .wait()
        .for_element(Locator::Id("check-status"))
        .await
        .unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with(&format!("/units/{A}/2021")));
    assert!(status.text().await.unwrap().contains("结论：通过"));
    let findings = c
        .find(Locator::Id("findings"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(findings.contains("没有发现问题"), "{findings}");
    let scores = c
        .find(Locator::Id("scores"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(scores.contains("计算得分"), "{scores}");
    assert!(
        c.find(Locator::Css("#report svg")).await.is_ok(),
        "charts are shown"
    );

    // Download the Word file.
    c.find(Locator::Id("download-docx"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let docx = wait_for_file(downloads.path(), "docx").await;
    // Chromium writes .crdownload first and renames when complete.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bytes = std::fs::read(&docx).unwrap();
    assert!(
        bytes.starts_with(b"PK\x03\x04") && bytes.len() > 10_000,
        "{}",
        docx.display()
    );
    assert!(docx
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("juesuan-511400001-2021-v1"));

    // Log out; the preparer of A is refused unit B (403) but sees A.
    c.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("preparer-a")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    heading_after_leaving(&c, "/login").await;
    c.goto(&format!("{base}/units/{B}/2021")).await.unwrap();
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "无权访问"
    );
    let code = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done(r.status));",
            vec![serde_json::json!(format!("/units/{B}/2021"))],
        )
        .await
        .unwrap();
    assert_eq!(code, 403);
    c.goto(&format!("{base}/units/{A}/2021")).await.unwrap();
    assert!(c.find(Locator::Id("check-status")).await.is_ok());
    c.close().await.unwrap();
    app.finish().await;
}
