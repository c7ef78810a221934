//! Accounts as a bureau needs them (#15 item 2), SQLite: the account lock that does not lock
//! out another account behind the same address, the admin unlock, coalesced refusal logging,
//! revoking grants, disabling users, changing roles, one's own password with the current one
//! and a minimum strength, the one-time password replaced at first sign-in, `no-store`, unit
//! codes, and API errors in the documented JSON shape.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use common::{TestApp, EXAMPLE, PASSWORD};
use juesuan_web::juesuan_store::Role;
use std::net::SocketAddr;

/// A login from a given address (as the connection loop records it).
async fn login_from(c: &mut common::Client, name: &str, password: &str, ip: &str) -> StatusCode {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/session")
        .header("content-type", "application/json")
        .body(Body::from(
            serde_json::json!({ "username": name, "password": password }).to_string(),
        ))
        .unwrap();
    let addr: SocketAddr = format!("{ip}:5000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    let r = c.send(req).await;
    if r.status == StatusCode::OK {
        c.csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
    }
    r.status
}

#[tokio::test]
async fn a_locked_account_does_not_lock_out_another_and_an_admin_unlocks_it() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = app.signed_in("管理员", Role::Admin).await;
    let victim = app.user("甲", Role::Preparer).await;
    let before = admin.get("/api/v1/events?limit=1000").await.json();
    // 25 wrong passwords for 甲 from the proxy's address: locked after 5.
    let mut c = app.client();
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(login_from(&mut c, "甲", "wrong-password-1", "10.0.0.1").await);
    }
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::BAD_REQUEST));
    assert!(statuses[5..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    // The administrator behind the same address still signs in.
    let mut other = app.client();
    assert_eq!(
        login_from(&mut other, "管理员", PASSWORD, "10.0.0.1").await,
        StatusCode::OK
    );
    // 甲's correct password waits for the lock…
    assert_eq!(
        login_from(&mut c, "甲", PASSWORD, "10.0.0.2").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …until an administrator unlocks the account.
    let r = admin
        .post_json(
            &format!("/api/v1/users/{victim}/unlock"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        login_from(&mut c, "甲", PASSWORD, "10.0.0.2").await,
        StatusCode::OK
    );
    // The 25 refusals are a few coalesced rows, not 25.
    let after = admin.get("/api/v1/events?limit=1000").await.json();
    let refusals = after.as_array().unwrap().len() - before.as_array().unwrap().len();
    assert!(refusals <= 6, "{refusals} new events: {after}");
    app.finish().await;
}

#[tokio::test]
async fn grants_are_revoked_users_disabled_and_roles_changed() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = app.signed_in("管理员", Role::Admin).await;
    assert_eq!(
        admin.import("u1", EXAMPLE, "").await.status,
        StatusCode::CREATED
    );
    let (mut p, pid) = app.signed_in("填报人", Role::Preparer).await;
    let r = admin
        .post_json(
            &format!("/api/v1/users/{pid}/grants"),
            serde_json::json!({"unit_code": "u1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        p.get("/api/v1/units/u1/years/2021").await.status,
        StatusCode::OK
    );
    let del = |c: &common::Client, path: &str| {
        c.request(Method::DELETE, path).body(Body::empty()).unwrap()
    };
    let req = del(&admin, &format!("/api/v1/users/{pid}/grants/u1"));
    assert_eq!(admin.send(req).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        p.get("/api/v1/units/u1/years/2021").await.status,
        StatusCode::FORBIDDEN
    );
    let req = del(&admin, &format!("/api/v1/users/{pid}/grants/u1"));
    assert_eq!(admin.send(req).await.status, StatusCode::NOT_FOUND);
    // Disabled: the session ends and signing in is refused; enabled again: it works.
    let patch = |c: &common::Client, v: serde_json::Value| {
        c.request(Method::PATCH, &format!("/api/v1/users/{pid}"))
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .unwrap()
    };
    let req = patch(&admin, serde_json::json!({"disabled": true}));
    assert_eq!(admin.send(req).await.status, StatusCode::NO_CONTENT);
    assert_eq!(p.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let r = p.login("填报人", PASSWORD).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"].as_str().unwrap().contains("停用"));
    let req = patch(
        &admin,
        serde_json::json!({"disabled": false, "role": "reviewer"}),
    );
    assert_eq!(admin.send(req).await.status, StatusCode::NO_CONTENT);
    assert_eq!(p.login("填报人", PASSWORD).await.status, StatusCode::OK);
    assert_eq!(p.get("/api/v1/me").await.json()["role"], "reviewer");
    // A preparer cannot do any of this.
    let req = patch(&p, serde_json::json!({"role": "admin"}));
    assert_eq!(p.send(req).await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn a_one_time_password_must_be_replaced_with_the_current_one_and_a_strong_one() {
    let app = TestApp::sqlite().await;
    let one_time = juesuan_web::ensure_user(&app.state, "首位管理员", Role::Admin)
        .await
        .unwrap()
        .unwrap();
    let mut c = app.client();
    assert_eq!(
        c.login("首位管理员", &one_time).await.status,
        StatusCode::OK
    );
    let id = c.get("/api/v1/me").await.json()["id"].as_i64().unwrap();
    let r = c.get("/api/v1/units").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"].as_str().unwrap().contains("请先修改口令"));
    // Pages lead to the password form.
    let r = c.get("/").await;
    assert_eq!(r.headers["location"], "/password");
    let path = format!("/api/v1/users/{id}/password");
    let r = c
        .post_json(&path, serde_json::json!({"password": "Another-pass-123"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"].as_str().unwrap().contains("当前口令"));
    let r = c
        .post_json(
            &path,
            serde_json::json!({"current_password": "wrong", "password": "Another-pass-123"}),
        )
        .await;
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("当前口令不正确"));
    for weak in ["short1", "aaaaaaaaaaaa", "abcdefghijkl", "首位管理员-12345"] {
        let r = c
            .post_json(
                &path,
                serde_json::json!({"current_password": one_time, "password": weak}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{weak}");
        assert!(
            r.json()["error"].as_str().unwrap().starts_with("口令"),
            "{weak}: {}",
            r.text()
        );
    }
    let r = c
        .post_json(
            &path,
            serde_json::json!({"current_password": one_time, "password": "Another-pass-123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        c.login("首位管理员", "Another-pass-123").await.status,
        StatusCode::OK
    );
    assert_eq!(c.get("/api/v1/units").await.status, StatusCode::OK);
    app.finish().await;
}

#[tokio::test]
async fn responses_are_not_stored_codes_are_checked_and_errors_are_json() {
    let app = TestApp::sqlite().await;
    let (mut admin, _) = app.signed_in("管理员", Role::Admin).await;
    let r = admin.get("/api/v1/me").await;
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(admin.get("/").await.headers["cache-control"], "no-store");
    for bad in ["../x", "a b", "单位", "-x", &"9".repeat(41)] {
        let r = admin
            .post_json(
                "/api/v1/units",
                serde_json::json!({"code": bad, "name": "某单位"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            r.json()["error"].as_str().unwrap().contains("单位编码"),
            "{bad}"
        );
    }
    let r = admin
        .post_json(
            "/api/v1/units",
            serde_json::json!({"code": "511400-kexie_2", "name": "某单位"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // An unknown path, a wrong method, a body that is not the documented JSON.
    let r = admin.get("/api/v1/no-such-thing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .starts_with("没有这个接口"));
    let req = admin
        .request(Method::PUT, "/api/v1/me")
        .body(Body::empty())
        .unwrap();
    let r = admin.send(req).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.json()["error"].as_str().unwrap().contains("请求方法"));
    let r = admin
        .post_raw("/api/v1/units", "application/json", b"{not json".to_vec())
        .await;
    assert!(r.status.is_client_error());
    let j = r.json();
    let first = j["error"].as_str().unwrap().chars().next().unwrap();
    assert!(!first.is_ascii(), "Chinese first: {j}");
    assert!(j["details"].is_array());
    app.finish().await;
}
