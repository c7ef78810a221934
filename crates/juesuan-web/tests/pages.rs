//! The reviewer's interface without a browser (SQLite): messages after actions (shown once,
//! not forgeable), error pages with the navigation, refused forms kept, the admin buttons,
//! the review board's filters with counts and rule names, Beijing time, Chinese labels.

mod common;

use axum::http::{header, StatusCode};
use common::{Client, TestApp, EXAMPLE};
use juesuan_web::juesuan_store::Role;

const A: &str = "511400001";
const B: &str = "511400002";

/// The example without one reason: rule R-02 warns.
fn without_a_reason() -> String {
    let line = "\"2101199\" = \"增加事业单位医疗缴费支出\"\n";
    assert!(EXAMPLE.contains(line));
    EXAMPLE.replacen(line, "", 1)
}

/// Follow a redirect the way a browser does (a GET of its Location).
async fn follow(c: &mut Client, r: &common::Reply) -> common::Reply {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    c.get(&to).await
}

fn flash_of(html: &str) -> Option<String> {
    let i = html.find("id=\"flash\">")? + "id=\"flash\">".len();
    let j = html[i..].find("</div>")?;
    Some(html[i..i + j].to_string())
}

fn upload_body(csrf: &str, unit: &str, note: &str, file: &str) -> (String, Vec<u8>) {
    let boundary = "XyZzY";
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf", csrf),
        ("unit", unit),
        ("note", note),
        ("columns", "yonyou"),
        ("keep_prior", "true"),
    ] {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").into_bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"input.toml\"\r\nContent-Type: application/toml\r\n\r\n").into_bytes());
    body.extend(file.as_bytes());
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_upload_says_so_once_and_a_refused_one_keeps_the_form() {
    let app = TestApp::sqlite().await;
    let (mut c, _) = app.signed_in("admin", Role::Admin).await;
    let csrf = c.csrf.clone();
    let (ct, body) = upload_body(&csrf, A, "第一次", EXAMPLE);
    let r = c.post_raw("/upload", &ct, body).await;
    let page = follow(&mut c, &r).await;
    let t = page.text();
    let flash = flash_of(&t).expect("a message after the upload");
    assert!(
        flash.contains("已上传“input.toml”") && flash.contains("第1版"),
        "{flash}"
    );
    assert!(t.contains("role=\"status\""));
    // Once only: the next page has none, and the cookie was deleted.
    assert!(page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("juesuan_flash=;")));
    assert_eq!(
        flash_of(&c.get(&format!("/units/{A}/2021")).await.text()),
        None
    );

    // A broken file: 400, the error above the form, every entered value kept, the menu too.
    let bad = EXAMPLE.replacen("schema", "schemaa", 1);
    let (ct, body) = upload_body(&csrf, A, "第二次 <b>", &bad);
    let r = c.post_raw("/upload", &ct, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let t = r.text();
    assert!(
        t.contains("id=\"error\"") && t.contains("未保存任何数据"),
        "{t}"
    );
    assert!(
        t.contains("value=\"第二次 &lt;b&gt;\""),
        "note kept, escaped"
    );
    assert!(t.contains(&format!("id=\"unit\" list=\"units\" value=\"{A}\"")));
    assert!(t.contains("<option value=\"yonyou\" selected>"));
    assert!(t.contains("id=\"keep_prior\" value=\"true\" checked"));
    assert!(
        t.contains("<a href=\"/review\">审核看板</a>"),
        "navigation kept"
    );
    assert_eq!(app.state.store.versions(A, 2021).await.unwrap().len(), 1);
    app.finish().await;
}

#[tokio::test]
async fn a_forged_or_foreign_message_is_not_shown() {
    let app = TestApp::sqlite().await;
    let (mut c, _) = app.signed_in("admin", Role::Admin).await;
    let r = c.post_form("/logout", &[("csrf", &c.csrf.clone())]).await;
    let real = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("juesuan_flash="))
        .expect("a message cookie");
    assert!(real.contains("HttpOnly") && real.contains("SameSite=Strict"));
    assert!(flash_of(&follow(&mut c, &r).await.text())
        .unwrap()
        .contains("已退出"));
    // A message someone planted (a sibling domain can set cookies) is dropped unseen.
    let planted = format!(
        "0123456789abcdef0123456789abcdef_o_{}",
        juesuan_web::html::url("请到某网站重新登录")
    );
    c.cookies.push(("juesuan_flash".into(), planted));
    let t = c.get("/login").await.text();
    assert_eq!(flash_of(&t), None);
    assert!(!t.contains("某网站"));
    app.finish().await;
}

#[tokio::test]
async fn an_error_page_keeps_the_navigation_of_the_user() {
    let app = TestApp::sqlite().await;
    app.state
        .store
        .upsert_unit(B, "乙单位", None, "t")
        .await
        .unwrap();
    app.state
        .store
        .import(B, EXAMPLE, "t", "t", "")
        .await
        .unwrap();
    let (mut p, _) = app.signed_in("填报人", Role::Preparer).await;
    let r = p.get(&format!("/units/{B}/2021")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let t = r.text();
    assert!(t.contains("<h1>无权访问</h1>") && t.contains("id=\"error\""));
    assert!(
        t.contains("<a href=\"/upload\">上传</a>") && t.contains("填报人（填报人）"),
        "{t}"
    );
    assert!(!t.contains("href=\"/admin\""), "only the user's own menu");
    // Not signed in: still the login page, not an error with a menu.
    let mut anon = app.client();
    assert_eq!(
        anon.get(&format!("/units/{B}/2021")).await.status,
        StatusCode::SEE_OTHER
    );
    app.finish().await;
}

#[tokio::test]
async fn the_admin_buttons_act_and_say_what_they_did() {
    let app = TestApp::sqlite().await;
    let (mut a, _) = app.signed_in("admin", Role::Admin).await;
    let (mut p, pid) = app.signed_in("prep", Role::Preparer).await;
    app.state
        .store
        .upsert_unit(A, "甲单位", None, "t")
        .await
        .unwrap();
    app.state.store.grant(pid, A).await.unwrap();
    app.state
        .store
        .import(A, EXAMPLE, "t", "t", "")
        .await
        .unwrap();
    assert_eq!(
        p.get(&format!("/units/{A}/2021")).await.status,
        StatusCode::OK
    );
    let csrf = a.csrf.clone();
    let admin = a.get("/admin").await.text();
    for action in ["role", "disabled", "unlock", "password"] {
        assert!(
            admin.contains(&format!("action=\"/admin/users/{pid}/{action}\"")),
            "{action}"
        );
    }
    assert!(admin.contains(&format!("id=\"revoke-{pid}-{A}\"")));
    assert!(
        admin.contains("上传新版本") && !admin.contains(">version.import<"),
        "log in Chinese"
    );

    // Revoke: a message, and the preparer is refused at once.
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/grants/{A}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    let t = follow(&mut a, &r).await.text();
    assert!(flash_of(&t)
        .unwrap()
        .contains(&format!("已撤销用户“prep”对单位“{A}”的授权")));
    assert_eq!(
        p.get(&format!("/units/{A}/2021")).await.status,
        StatusCode::FORBIDDEN
    );
    // Revoking it again: an error message, nothing else changes.
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/grants/{A}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    let t = follow(&mut a, &r).await.text();
    assert!(t.contains("class=\"flash error\""), "{t}");

    // Role, disable/enable, unlock, reset password.
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/role"),
            &[("csrf", &csrf), ("role", "reviewer")],
        )
        .await;
    assert!(flash_of(&follow(&mut a, &r).await.text())
        .unwrap()
        .contains("审核人"));
    assert_eq!(
        app.state.store.user(pid).await.unwrap().unwrap().role,
        Role::Reviewer
    );
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/disabled"),
            &[("csrf", &csrf), ("disabled", "true")],
        )
        .await;
    assert!(flash_of(&follow(&mut a, &r).await.text())
        .unwrap()
        .contains("已停用"));
    assert_eq!(
        p.get("/").await.status,
        StatusCode::SEE_OTHER,
        "its session ended"
    );
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/disabled"),
            &[("csrf", &csrf), ("disabled", "false")],
        )
        .await;
    assert!(flash_of(&follow(&mut a, &r).await.text())
        .unwrap()
        .contains("已启用"));
    let r = a
        .post_form(&format!("/admin/users/{pid}/unlock"), &[("csrf", &csrf)])
        .await;
    assert!(flash_of(&follow(&mut a, &r).await.text())
        .unwrap()
        .contains("解除"));
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/password"),
            &[("csrf", &csrf), ("password", "short")],
        )
        .await;
    assert!(flash_of(&follow(&mut a, &r).await.text())
        .unwrap()
        .contains("口令太短"));
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/password"),
            &[("csrf", &csrf), ("password", "Reset-pass-2026")],
        )
        .await;
    assert!(flash_of(&follow(&mut a, &r).await.text())
        .unwrap()
        .contains("须先修改口令"));
    assert!(
        app.state
            .store
            .user(pid)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    // Without the token nothing happens.
    let r = a
        .post_form(
            &format!("/admin/users/{pid}/role"),
            &[("csrf", "x"), ("role", "admin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.state.store.user(pid).await.unwrap().unwrap().role,
        Role::Reviewer
    );

    // A refused form comes back filled in, with the error above it.
    let r = a
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "新人"),
                ("role", "reviewer"),
                ("password", "123"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let t = r.text();
    assert!(t.contains("口令太短") && t.contains("value=\"新人\""));
    assert!(t.contains("<option value=\"reviewer\" selected>审核人</option>"));
    let r = a
        .post_form(
            "/admin/units",
            &[
                ("csrf", &csrf),
                ("code", "坏 编码"),
                ("name", "某单位"),
                ("parent", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("value=\"坏 编码\"") && r.text().contains("value=\"某单位\""));
    app.finish().await;
}

#[tokio::test]
async fn the_review_board_filters_with_counts_and_names_the_rules() {
    let app = TestApp::sqlite().await;
    let (mut r, _) = app.signed_in("reviewer", Role::Reviewer).await;
    let store = &app.state.store;
    store
        .upsert_unit("dept", "主管部门甲", None, "t")
        .await
        .unwrap();
    store
        .upsert_unit(A, "甲单位", Some("dept"), "t")
        .await
        .unwrap();
    store.upsert_unit(B, "乙单位", None, "t").await.unwrap();
    store.import(A, EXAMPLE, "t", "t", "").await.unwrap();
    // B is in another region and lacks a reason: R-02 warns.
    let other = without_a_reason().replacen(
        "region = \"四川省凉山彝族自治州\"",
        "region = \"成都市\"",
        1,
    );
    assert_ne!(other, without_a_reason(), "the example states a region");
    store.import(B, &other, "t", "t", "").await.unwrap();
    let t = r.get("/review").await.text();
    assert!(
        t.contains("<option value=\"四川省凉山彝族自治州\">四川省凉山彝族自治州（1）</option>"),
        "{t}"
    );
    assert!(t.contains("<option value=\"成都市\">成都市（1）</option>"));
    assert!(t.contains("<option value=\"dept\">dept 主管部门甲（1）</option>"));
    assert!(t.contains("<option value=\"通过\">通过（1）</option>"));
    assert!(t.contains("<option value=\"有警告\">有警告（1）</option>"));
    // The rule filter names the rule; the row opens its findings in place, named too.
    assert!(t.contains("<option value=\"R-02\">R-02 决算数与年初预算数相差超过10%的，须说明差异原因（1）</option>"), "{t}");
    assert!(t.contains("<details class=\"findings\"><summary>0处错误，1处警告</summary>"));
    assert!(t.contains("<code>R-02</code> 决算数与年初预算数相差超过10%的，须说明差异原因 — "));
    let t = r
        .get("/review?region=%E6%88%90%E9%83%BD%E5%B8%82")
        .await
        .text();
    assert!(t.contains("乙单位") && !t.contains("甲单位</a>"), "{t}");
    let t = r.get("/review?department=dept").await.text();
    assert!(t.contains("甲单位</a>") && !t.contains("乙单位</a>"));
    assert!(t.contains("<td>主管部门甲</td>"));
    let t = r
        .get("/review?status=%E6%9C%AA%E9%80%9A%E8%BF%87")
        .await
        .text();
    assert!(t.contains("符合筛选的0个"), "{t}");
    let t = r
        .get("/review?status=%E6%9C%89%E8%AD%A6%E5%91%8A&rule=R-02")
        .await
        .text();
    assert!(
        t.contains("符合筛选的1个") && t.contains("乙单位</a>"),
        "{t}"
    );
    // The same filter through the API.
    let j = r
        .get("/api/v1/review?region=%E6%88%90%E9%83%BD%E5%B8%82")
        .await
        .json();
    assert_eq!(j["rows"].as_array().unwrap().len(), 1);
    assert_eq!(j["regions"]["成都市"], 1);
    app.finish().await;
}

#[tokio::test]
async fn the_checks_tab_names_the_rules() {
    let app = TestApp::sqlite().await;
    let (mut r, _) = app.signed_in("reviewer", Role::Reviewer).await;
    app.state
        .store
        .upsert_unit(A, "甲单位", None, "t")
        .await
        .unwrap();
    app.state
        .store
        .import(A, &without_a_reason(), "t", "t", "")
        .await
        .unwrap();
    let t = r.get(&format!("/units/{A}/2021?tab=checks")).await.text();
    assert!(
        t.contains("<td><code>R-02</code> 决算数与年初预算数相差超过10%的，须说明差异原因</td>"),
        "{t}"
    );
    app.finish().await;
}

#[tokio::test]
async fn times_are_beijing_time_and_labels_chinese() {
    let app = TestApp::sqlite().await;
    let (mut a, _) = app.signed_in("admin", Role::Admin).await;
    app.state
        .store
        .upsert_unit(A, "甲单位", None, "t")
        .await
        .unwrap();
    let v = app
        .state
        .store
        .import(A, EXAMPLE, "t", "admin", "")
        .await
        .unwrap();
    let local = juesuan_web::html::local_time(&v.created_at);
    assert_ne!(local, v.created_at);
    let t = a.get(&format!("/units/{A}/2021?tab=versions")).await.text();
    assert!(t.contains(&local), "{t}");
    assert!(!t.contains(&v.created_at), "no raw UTC");
    assert!(!t.contains("版本号"), "one version number");
    for p in ["/", &format!("/units/{A}/2021"), "/admin", "/upload"] {
        let t = a.get(p).await.text();
        for english in [
            ">import<",
            ">restore<",
            "version.import",
            ">API<",
            "openapi.json",
            "--keep-prior",
        ] {
            assert!(!t.contains(english), "{p}: {english}");
        }
    }
    app.finish().await;
}

/// The example as 2022 without `[prior]`: its other 上年数 (三公, 机关运行经费) are still
/// 2020's, so they differ from the stored 2021.
fn y2022() -> String {
    let start = EXAMPLE.find("[prior]").unwrap();
    let end = start + EXAMPLE[start..].find("\n\n").unwrap();
    format!("{}{}", &EXAMPLE[..start], &EXAMPLE[end..]).replacen("year = 2021", "year = 2022", 1)
}

#[tokio::test]
async fn a_prior_year_mismatch_gives_web_advice_and_can_be_kept_on_purpose() {
    let app = TestApp::sqlite().await;
    let (mut a, _) = app.signed_in("admin", Role::Admin).await;
    app.state
        .store
        .upsert_unit(A, "甲单位", None, "t")
        .await
        .unwrap();
    app.state
        .store
        .import(A, EXAMPLE, "t", "t", "")
        .await
        .unwrap();
    let csrf = a.csrf.clone();
    // Without the choice: 409 on the form, advice for the web, not the command line.
    let boundary = "QqQ";
    let form = |keep: bool| {
        let mut body = Vec::new();
        let mut fields = vec![("csrf", csrf.as_str()), ("unit", A), ("note", "")];
        if keep {
            fields.push(("keep_prior", "true"));
        }
        for (name, value) in fields {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").into_bytes());
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"2022.toml\"\r\n\r\n{}\r\n--{boundary}--\r\n", y2022()).into_bytes());
        body
    };
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = a.post_raw("/upload", &ct, form(false)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let t = r.text();
    assert!(
        t.contains("上年决算数与已存的2021年度数据（第1版）不一致"),
        "{t}"
    );
    assert!(t.contains("按本文件的上年数保存（口径调整）"));
    assert!(
        !t.contains("--keep-prior") && !t.contains("PriorPolicy"),
        "{t}"
    );
    assert!(app.state.store.versions(A, 2022).await.unwrap().is_empty());
    // The API says the same, with its own switch.
    let r = a.import(A, &y2022(), "").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("keep_prior=true") && !r.text().contains("--keep-prior"));
    // Ticked: stored as the file states.
    let r = a.post_raw("/upload", &ct, form(true)).await;
    let t = follow(&mut a, &r).await.text();
    assert!(flash_of(&t).unwrap().contains("2022年度第1版"), "{t}");
    assert_eq!(app.state.store.versions(A, 2022).await.unwrap().len(), 1);
    // A version that does not exist: advice for the web.
    let t = a.get(&format!("/units/{A}/2021?version=999")).await.text();
    assert!(!t.contains("juesuan db"), "{t}");
    app.finish().await;
}
