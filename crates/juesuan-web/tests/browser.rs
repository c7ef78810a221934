//! Browser tests in headless Debian Chromium through chromedriver (WebDriver, fantoccini):
//! the flows of #15 as a user clicks them — the first login with its forced password change,
//! an upload with its success message, every tab of the unit-year page, a refused upload
//! that keeps the form, revoking a grant (the preparer then gets 403), and the phone width
//! (390 px) without sideways scrolling. Screenshots of every step are written to
//! `<target>/browser-screenshots/` (CI keeps them as artifacts).
//!
//! Needs `apt-get install -y chromium chromium-driver`, so the tests are `#[ignore]`d: a
//! plain run shows them as skipped; `--run-ignored all` (CI) runs them, and without Chromium
//! or chromedriver they fail — they never pass without a browser.

mod common;

use common::{TestApp, EXAMPLE, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use juesuan_web::juesuan_store::Role;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const A: &str = "511400001";
const B: &str = "511400002";
const NEW_ADMIN_PASSWORD: &str = "新的管理员口令-2026";

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

/// `<target>/browser-screenshots`, next to the tests' own temporary directory.
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A browser on a running app; screenshots are numbered in the order taken.
struct Browser {
    c: Client,
    base: String,
    shots: PathBuf,
    taken: usize,
    _driver: Driver,
    _profile: tempfile::TempDir,
    downloads: tempfile::TempDir,
}

impl Browser {
    async fn start(base: String, prefix: &str) -> Browser {
        let driver_bin = chromedriver();
        let port = free_port();
        let driver = Driver(
            Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900", "--hide-scrollbars", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path().display().to_string(),
                    "download.prompt_for_download": false,
                }
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let c = loop {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) => {
                    assert!(
                        Instant::now() < deadline,
                        "cannot start a browser session: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            }
        };
        let shots = screenshot_dir().join(prefix);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            c,
            base,
            shots,
            taken: 0,
            _driver: driver,
            _profile: profile,
            downloads,
        }
    }

    async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn shot(&mut self, name: &str) {
        self.taken += 1;
        let png = self.c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let path = self.shots.join(format!("{:02}-{name}.png", self.taken));
        std::fs::write(&path, png).unwrap();
    }

    /// A screenshot of one element (e.g. a chart).
    async fn shot_of(&mut self, css: &str, name: &str) {
        self.taken += 1;
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        let png = e.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(
            self.shots.join(format!("{:02}-{name}.png", self.taken)),
            png,
        )
        .unwrap();
    }

    async fn text(&self, css: &str) -> String {
        self.c
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn value(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self
            .c
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Click and wait for the next page: the clicked element goes stale when it is loaded.
    async fn submit(&self, css: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        e.click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        // A stale element errors on any command: then the next page is there.
        while e.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "{css}: no new page");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.c
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("h1"))
            .await
            .unwrap();
    }

    async fn path(&self) -> String {
        let u = self.c.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    async fn log_in(&self, name: &str, password: &str) {
        self.goto("/login").await;
        self.fill("#username", name).await;
        self.fill("#password", password).await;
        self.submit("#login").await;
    }

    /// The page fits the window: no sideways scrolling of the page itself, and no table
    /// header or cell squeezed to one character per line (wide tables scroll in their box).
    async fn assert_fits(&self, what: &str) {
        let r = self
            .c
            .execute(
                "const d = document.documentElement;\
                 const narrow = [...document.querySelectorAll('th, td')].filter(th => {\
                   const t = th.textContent.trim(); if ([...t].length < 2 || th.offsetParent === null) return false;\
                   return th.clientWidth < 2 * parseFloat(getComputedStyle(th).fontSize); }).map(th => th.textContent.trim());\
                 const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.closest('.scroll'))).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + e.textContent.trim().slice(0, 30));\
                 return [d.scrollWidth, window.innerWidth, narrow, wide];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, inner) = (r[0].as_u64().unwrap(), r[1].as_u64().unwrap());
        assert!(
            scroll <= inner,
            "{what}: the page scrolls sideways ({scroll} px wide in a {inner} px window): {}",
            r[3]
        );
        assert!(
            r[2].as_array().unwrap().is_empty(),
            "{what}: table cells squeezed to one character per line: {}",
            r[2]
        );
    }
}

/// The app on a real socket: the first administrator with a one-time password, a preparer
/// of unit A, unit B with the example stored.
async fn serve() -> (TestApp, String, String, i64) {
    let app = TestApp::sqlite().await;
    let one_time = juesuan_web::ensure_user(&app.state, "admin", Role::Admin)
        .await
        .unwrap()
        .expect("a new database gets a first administrator");
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
    (app, base, one_time, prep)
}

async fn wait_for_file(dir: &Path, ext: &str) -> PathBuf {
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

/// First login: the one-time password leads to 修改口令, the new one signs in.
async fn first_login(b: &mut Browser, one_time: &str) {
    b.goto("/").await;
    assert!(b.path().await.ends_with("/login"));
    b.shot("login").await;
    // A wrong password: the message in place, the user name kept.
    b.log_in("admin", "not the password").await;
    assert!(b.text("#error").await.contains("不正确"));
    assert_eq!(b.value("#username").await, "admin");
    b.log_in("admin", one_time).await;
    assert_eq!(b.path().await, "/password");
    assert!(b.text("#must-change").await.contains("请先设置新口令"));
    b.shot("forced-password-change").await;
    // Every other page sends the user back here until the password is changed.
    b.goto("/upload").await;
    assert_eq!(b.path().await, "/password");
    b.fill("#current_password", one_time).await;
    b.fill("#new_password", NEW_ADMIN_PASSWORD).await;
    b.submit("#save-password").await;
    assert_eq!(b.path().await, "/login");
    assert!(b.text("#flash").await.contains("口令已修改"));
    b.shot("password-changed").await;
    b.log_in("admin", NEW_ADMIN_PASSWORD).await;
    assert_eq!(b.text("h1").await, "单位与年度");
}

/// Upload the example for unit A: the unit-year page with a success message.
async fn upload(b: &mut Browser, input: &Path) {
    b.goto("/upload").await;
    b.fill("#unit", A).await;
    b.c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&input.display().to_string())
        .await
        .unwrap();
    b.fill("#note", "浏览器上传").await;
    b.submit("#upload").await;
    assert_eq!(b.path().await, format!("/units/{A}/2021"));
    let flash = b.text("#flash").await;
    assert!(
        flash.contains("已上传") && flash.contains("第1版"),
        "{flash}"
    );
    assert!(b.text("#check-status").await.contains("结论：通过"));
    assert!(b.text("#version").await.contains("第1版"));
    b.shot("uploaded").await;
    // The message is shown once.
    b.goto(&format!("/units/{A}/2021")).await;
    assert!(b.c.find(Locator::Id("flash")).await.is_err());
}

/// An allocation plan uploaded with its KPI file through the form, its ranking, and a what-if
/// through its form.
async fn allocation_plan(b: &mut Browser, dir: &Path) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/liangshan-kexie-2021");
    let (plan, kpi) = (dir.join("allocation.toml"), dir.join("kpi-2021.csv"));
    std::fs::copy(example.join("allocation.toml"), &plan).unwrap();
    std::fs::copy(example.join("kpi-2021.csv"), &kpi).unwrap();
    b.goto("/plans").await;
    b.fill("#unit", A).await;
    for (id, file) in [("plan", &plan), ("kpi", &kpi)] {
        b.c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
    }
    b.fill("#note", "浏览器上传的分配计划").await;
    b.submit("#upload-plan").await;
    assert_eq!(b.path().await, "/plans/1");
    assert!(b.text("#flash").await.contains("第1版"));
    let table = b.text("#allocation").await;
    assert!(
        table
            .contains("考核前5名（木里县、德昌县、会东县、宁南县、甘洛县），每个2万元，共计10万元"),
        "{table}"
    );
    b.shot("plan").await;
    b.fill("#what_if", "天府科技云考核奖励.n=6").await;
    b.submit("#run-what-if").await;
    let moved = b.text("#what-if-result").await;
    assert!(moved.contains("西昌市"), "{moved}");
    b.shot("plan-what-if").await;
}

/// Each tab of the unit-year page, by clicking it.
async fn tabs(b: &mut Browser) {
    let checks: [(&str, &str, &str); 6] = [
        ("overview", "#key-figures", "收支总计"),
        ("tables", "#report-tables", "收入支出决算总表"),
        ("narrative", "#report", "部门决算"),
        ("checks", "#findings", "没有发现问题"),
        ("scores", "#scores", "计算得分"),
        ("versions", "#versions", "浏览器上传"),
    ];
    for (tab, panel, text) in checks {
        b.submit(&format!("#tab-{tab}")).await;
        assert!(b.path().await.contains(&format!("tab={tab}")));
        let t = b.text(panel).await;
        assert!(t.contains(text), "{tab}: {t}");
        let current =
            b.c.find(Locator::Css("nav.tabs [aria-current=page]"))
                .await
                .unwrap()
                .attr("id")
                .await
                .unwrap();
        assert_eq!(current.as_deref(), Some(format!("tab-{tab}").as_str()));
        b.shot(&format!("tab-{tab}")).await;
    }
    b.goto(&format!("/units/{A}/2021")).await;
    assert!(
        b.c.find(Locator::Css("#charts svg .tick")).await.is_ok(),
        "bar charts print their axis values"
    );
    b.shot_of("#charts figure:has(.tick)", "bar-chart-with-axis-values")
        .await;
}

/// A file with an error: nothing is stored, the error is shown above the form, the form
/// keeps what was entered, the navigation stays.
async fn refused_upload_keeps_the_form(b: &mut Browser, dir: &Path) {
    let bad = dir.join("有错误的输入.toml");
    std::fs::write(&bad, EXAMPLE.replacen("schema", "schemaa", 1)).unwrap();
    b.goto("/upload").await;
    b.fill("#unit", A).await;
    b.c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&bad.display().to_string())
        .await
        .unwrap();
    b.fill("#note", "第二次上传").await;
    b.click("#keep_prior").await;
    b.submit("#upload").await;
    assert_eq!(b.path().await, "/upload");
    let error = b.text("#error").await;
    assert!(error.contains("未保存任何数据"), "{error}");
    assert_eq!(b.value("#unit").await, A);
    assert_eq!(b.value("#note").await, "第二次上传");
    assert_eq!(
        b.c.find(Locator::Id("keep_prior"))
            .await
            .unwrap()
            .prop("checked")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    assert!(b
        .c
        .find(Locator::Css("header nav a[href='/review']"))
        .await
        .is_ok());
    b.shot("upload-error-keeps-form").await;
}

/// The Word file downloads from the overview.
async fn download_word(b: &mut Browser) {
    b.goto(&format!("/units/{A}/2021")).await;
    b.click("#download-docx").await;
    let docx = wait_for_file(b.downloads.path(), "docx").await;
    // Chromium writes .crdownload first and renames when complete.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bytes = std::fs::read(&docx).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04") && bytes.len() > 10_000);
    assert!(docx
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("juesuan-511400001-2021-v1"));
}

/// The phone width: every main page without sideways scrolling.
async fn phone_width(b: &mut Browser) {
    b.c.set_window_size(390, 844).await.unwrap();
    b.goto("/").await;
    let inner =
        b.c.execute("return window.innerWidth;", vec![])
            .await
            .unwrap();
    assert!(
        inner.as_u64().unwrap() <= 390,
        "a phone-wide window: {inner}"
    );
    let pages = [
        ("/".to_string(), "home"),
        (format!("/units/{A}/2021"), "overview"),
        (format!("/units/{A}/2021?tab=tables"), "tables"),
        (format!("/units/{A}/2021?tab=narrative"), "narrative"),
        (format!("/units/{A}/2021?tab=checks"), "checks"),
        (format!("/units/{B}/2021?tab=versions"), "versions"),
        ("/upload".to_string(), "upload"),
        ("/review".to_string(), "review"),
        ("/audit".to_string(), "audit"),
        ("/admin".to_string(), "admin"),
        ("/plans".to_string(), "plans"),
        ("/plans/1?what_if=pool%3D80".to_string(), "plan"),
    ];
    for (path, name) in pages {
        b.goto(&path).await;
        b.text("h1").await;
        b.assert_fits(&format!("{path} at 390 px")).await;
        b.shot(&format!("390px-{name}")).await;
    }
    b.c.set_window_size(1280, 900).await.unwrap();
}

/// The administrator revokes the preparer's grant with the button on the admin page; the
/// preparer is then refused the unit (403), with the navigation kept.
async fn revoke_grant(b: &mut Browser, prep: i64) {
    b.goto("/admin").await;
    b.submit(&format!("#revoke-{prep}-{A}")).await;
    let flash = b.text("#flash").await;
    assert!(flash.contains("已撤销") && flash.contains(A), "{flash}");
    b.shot("grant-revoked").await;
    b.submit("#logout").await;
    assert!(b.text("#flash").await.contains("已退出"));
    b.log_in("preparer-a", PASSWORD).await;
    b.goto(&format!("/units/{A}/2021")).await;
    assert_eq!(b.text("h1").await, "无权访问");
    assert!(b.text("#error").await.contains("没有单位"));
    assert!(b
        .c
        .find(Locator::Css("header nav a[href='/upload']"))
        .await
        .is_ok());
    b.shot("preparer-403").await;
    let code = b
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done(r.status));",
            vec![serde_json::json!(format!("/units/{A}/2021"))],
        )
        .await
        .unwrap();
    assert_eq!(code, 403);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "需要 Chromium 与 chromedriver（apt-get install chromium chromium-driver，见 README）"]
async fn the_flows_of_a_bureau_in_a_browser() {
    let (app, base, one_time, prep) = serve().await;
    let mut b = Browser::start(base, "flows").await;
    let input = tempfile::tempdir().unwrap();
    let input_file = input.path().join("input.toml");
    std::fs::write(&input_file, EXAMPLE).unwrap();

    first_login(&mut b, &one_time).await;
    upload(&mut b, &input_file).await;
    tabs(&mut b).await;
    refused_upload_keeps_the_form(&mut b, input.path()).await;
    download_word(&mut b).await;
    allocation_plan(&mut b, input.path()).await;
    phone_width(&mut b).await;
    revoke_grant(&mut b, prep).await;
    assert!(b.taken >= 20, "{} screenshots", b.taken);
    b.c.close().await.unwrap();
    app.finish().await;
}
