//! Allocation plans (转移支付分配计划) in the web app, without a browser (SQLite): upload with
//! its KPI file, a refused plan that keeps the form and stores nothing, who may see and
//! upload, the ranking and the what-if, the files, the API, and the unit-year report whose
//! transfer-payment table the plan fills.

mod common;

use axum::http::{header, StatusCode};
use common::{Client, TestApp, EXAMPLE};
use juesuan_web::juesuan_store::Role;

const UNIT: &str = "5134001";
const OTHER: &str = "5134002";
const PLAN: &str = include_str!("../../../examples/liangshan-kexie-2021/allocation.toml");
const KPI: &str = include_str!("../../../examples/liangshan-kexie-2021/kpi-2021.csv");
const TITLE: &str = "凉山州本级科普专项资金转移支付分配（2021年度）";

/// A multipart body: text fields, then files as (field, file name, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "PlAnBoUnDaRy";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .into_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    c: &mut Client,
    unit: &str,
    plan: &str,
    kpi: Option<&str>,
    note: &str,
) -> common::Reply {
    let csrf = c.csrf.clone();
    let mut files: Vec<(&str, &str, &[u8])> = vec![("plan", "allocation.toml", plan.as_bytes())];
    if let Some(k) = kpi {
        files.push(("kpi", "考核数据.csv", k.as_bytes()));
    }
    let (ct, body) = multipart(&[("csrf", &csrf), ("unit", unit), ("note", note)], &files);
    c.post_raw("/plans", &ct, body).await
}

/// An app with the unit registered, a preparer granted it and one not granted.
async fn app_with_preparers() -> (TestApp, Client, Client) {
    let app = TestApp::sqlite().await;
    for (code, name) in [(UNIT, "凉山州科学技术协会"), (OTHER, "另一单位")] {
        app.state
            .store
            .upsert_unit(code, name, None, "t")
            .await
            .unwrap();
    }
    let (p, pid) = app.signed_in("填报人", Role::Preparer).await;
    app.state.store.grant(pid, UNIT).await.unwrap();
    let (q, qid) = app.signed_in("别的填报人", Role::Preparer).await;
    app.state.store.grant(qid, OTHER).await.unwrap();
    (app, p, q)
}

#[tokio::test]
async fn a_preparer_uploads_a_plan_and_sees_its_ranking_and_trace() {
    let (app, mut p, mut q) = app_with_preparers().await;
    let r = upload(&mut p, UNIT, PLAN, Some(KPI), "初稿").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let page = p.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    let t = page.text();
    assert!(t.contains(&format!("<h1>{TITLE}</h1>")), "{t}");
    assert!(t.contains("已保存分配计划") && t.contains("第1版"), "flash");
    // The seed's outcome: these five in the top five, 2万元 each; the 科技小院 line 25万元.
    assert!(
        t.contains("考核前5名（木里县、德昌县、会东县、宁南县、甘洛县），每个2万元，共计10万元"),
        "{t}"
    );
    assert!(t.contains("共计25万元"));
    assert!(t.contains("<h2>考核结果</h2>") && t.contains("<h2>分配表"));
    // The trace names the KPI file as uploaded under the plan's name for it.
    assert!(t.contains("考核数据.csv 第"), "provenance kept");
    assert!(t.contains("href=\"/plans/1/files/kpi\""));

    // Listed for the preparer, not for one of another unit, who cannot open it either.
    assert!(p.get("/plans").await.text().contains(TITLE));
    assert!(!q.get("/plans").await.text().contains(TITLE));
    assert_eq!(q.get(&to).await.status, StatusCode::FORBIDDEN);
    // A reviewer sees it; the menu leads there.
    let (mut rv, _) = app.signed_in("审核人", Role::Reviewer).await;
    let list = rv.get("/plans").await.text();
    assert!(list.contains(TITLE) && list.contains("<a href=\"/plans\">分配计划</a>"));
    assert!(
        list.contains("您没有可上传分配计划的单位"),
        "a reviewer does not upload"
    );
    // The other preparer cannot upload for this unit.
    let r = upload(&mut q, UNIT, PLAN, Some(KPI), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());

    // The files come back as uploaded.
    let f = p.get("/plans/1/files/kpi").await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.body, KPI.as_bytes());
    assert!(f.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''"));
    assert_eq!(p.get("/plans/1/files/plan").await.body, PLAN.as_bytes());
    assert_eq!(
        p.get("/plans/1/files/x").await.status,
        StatusCode::NOT_FOUND
    );

    // A second upload is version 2, and the page lists both.
    let r = upload(&mut p, UNIT, PLAN, Some(KPI), "复核后").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = p.get("/plans/2").await.text();
    assert!(
        t.contains("第2版（本页）") && t.contains("href=\"/plans/1\""),
        "{t}"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_refused_plan_stores_nothing_and_keeps_the_form() {
    let (app, mut p, _) = app_with_preparers().await;
    // Weights no longer adding to 1.
    let bad = PLAN.replacen("weight = \"0.3\"", "weight = \"0.4\"", 1);
    let r = upload(&mut p, UNIT, &bad, Some(KPI), "第二稿 <b>").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let t = r.text();
    assert!(
        t.contains("id=\"error\"") && t.contains("未保存") && t.contains("A004"),
        "{t}"
    );
    assert!(t.contains("allocation.toml:"), "located in the plan file");
    assert!(
        t.contains("value=\"第二稿 &lt;b&gt;\""),
        "note kept, escaped"
    );
    assert!(t.contains("上次为“allocation.toml”"));
    // The plan names a KPI file that was not uploaded: said so, nothing stored.
    let r = upload(&mut p, UNIT, PLAN, None, "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text().contains("A007") && r.text().contains("kpi-2021.csv"),
        "{}",
        r.text()
    );
    // Not UTF-8.
    let csrf = p.csrf.clone();
    let (ct, body) = multipart(
        &[("csrf", &csrf), ("unit", UNIT)],
        &[("plan", "p.toml", &[0xff, 0xfe, 0x00])],
    );
    let r = p.post_raw("/plans", &ct, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("UTF-8"));
    // No token: refused before anything is read.
    let (ct, body) = multipart(
        &[("unit", UNIT)],
        &[("plan", "allocation.toml", PLAN.as_bytes())],
    );
    assert_eq!(
        p.post_raw("/plans", &ct, body).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(app.state.store.plans().await.unwrap().is_empty());
    app.finish().await;
}

#[tokio::test]
async fn a_what_if_shows_who_moves_and_a_wrong_change_says_why() {
    let (app, mut p, _) = app_with_preparers().await;
    upload(&mut p, UNIT, PLAN, Some(KPI), "").await;
    let t = p
        .get(&format!(
            "/plans/1?what_if={}",
            common::enc("天府科技云考核奖励.n=6")
        ))
        .await
        .text();
    assert!(t.contains("id=\"what-if-result\""), "{t}");
    assert!(t.contains("西昌市") && t.contains("12 → 14"), "{t}");
    assert!(
        t.contains(">天府科技云考核奖励.n=6</textarea>"),
        "the change kept in the box"
    );
    let t = p
        .get(&format!(
            "/plans/1?what_if={}",
            common::enc("no_such.weight=0.5")
        ))
        .await
        .text();
    assert!(
        t.contains("假设分析无法进行") && t.contains("no_such"),
        "{t}"
    );
    // The stored plan is unchanged by a what-if.
    assert_eq!(app.state.store.plans().await.unwrap()[0].number, 1);
    app.finish().await;
}

#[tokio::test]
async fn the_api_stores_lists_and_allocates_with_a_what_if() {
    let (app, mut p, _) = app_with_preparers().await;
    let (ct, body) = multipart(
        &[("unit", UNIT), ("note", "接口上传")],
        &[
            ("plan", "allocation.toml", PLAN.as_bytes()),
            ("kpi", "kpi-2021.csv", KPI.as_bytes()),
        ],
    );
    let r = p.post_raw("/api/v1/plans", &ct, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert_eq!(v["number"], 1);
    assert_eq!(v["pool_wan"], "70");
    let list = p.get("/api/v1/plans").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let one = p
        .get(&format!(
            "/api/v1/plans/1?what_if={}&what_if={}",
            common::enc("registration.weight=0.25"),
            common::enc("push.weight=0.25")
        ))
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    let one = one.json();
    assert_eq!(one["allocation"]["derived"]["assessed"], 17);
    assert_eq!(one["versions"].as_array().unwrap().len(), 1);
    assert_eq!(
        one["what_if"]["changes"],
        "registration.weight=0.25；push.weight=0.25"
    );
    assert!(one["what_if"]["moves"].as_array().is_some(), "{one}");
    let bad = p
        .get(&format!(
            "/api/v1/plans/1?what_if={}",
            common::enc("pool=80")
        ))
        .await
        .json();
    assert!(
        bad["what_if"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("A009"),
        "{bad}"
    );
    // A bad plan: 400 with the located A-code, nothing stored.
    let bad = PLAN.replacen("pool = \"70\"", "pool = 70.5", 1);
    let (ct, body) = multipart(
        &[("unit", UNIT)],
        &[
            ("plan", "allocation.toml", bad.as_bytes()),
            ("kpi", "k.csv", KPI.as_bytes()),
        ],
    );
    let r = p.post_raw("/api/v1/plans", &ct, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["details"].to_string().contains("A001"),
        "{}",
        r.text()
    );
    assert_eq!(
        p.get("/api/v1/plans")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.finish().await;
}

#[tokio::test]
async fn the_unit_year_report_fills_its_transfer_payment_table_from_the_plan() {
    let (app, mut p, _) = app_with_preparers().await;
    // The example without its 科技小院建设 cost row: the plan adds it.
    let row = "[[evaluation.projects.indicators]]\nlevel1 = \"项目完成指标\"\nlevel2 = \"成本指标\"\nname = \"科技小院建设\"\n";
    let start = EXAMPLE.find(row).unwrap();
    let end = start + row.len() + EXAMPLE[start + row.len()..].find("[[evaluation").unwrap();
    let input = format!("{}{}", &EXAMPLE[..start], &EXAMPLE[end..]);
    app.state
        .store
        .import(UNIT, &input, "t", "t", "")
        .await
        .unwrap();
    let has_row = |md: &str| {
        md.lines()
            .any(|l| l.contains("| 成本指标 | 科技小院建设 |") && l.contains("共计25万元"))
    };
    let md = p.get(&format!("/units/{UNIT}/2021/download/md")).await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(!has_row(&md.text()), "no plan yet");
    upload(&mut p, UNIT, PLAN, Some(KPI), "").await;
    // A new plan version is a new report: the cached one is not served.
    let md = p
        .get(&format!("/units/{UNIT}/2021/download/md"))
        .await
        .text();
    assert!(has_row(&md), "the plan's row is in 第五部分");
    let t = p
        .get(&format!("/units/{UNIT}/2021?tab=scores"))
        .await
        .text();
    assert!(
        t.contains("转移支付分配计划")
            && t.contains("由分配结果填入1项")
            && t.contains("科技小院建设"),
        "{t}"
    );
    app.finish().await;
}
