//! Shared test harness: an app over a fresh SQLite file or a fresh PostgreSQL database
//! (`JUESUAN_TEST_POSTGRES_URL`, e.g. from `scripts/pg-test.sh start`; without it a PostgreSQL
//! run fails, so those tests are `#[ignore]`d and run with `--run-ignored all`), and a
//! cookie-keeping client.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use juesuan_store::testing::TestDatabase;
use juesuan_web::auth::{hash_password, PasswordCost};
use juesuan_web::juesuan_store::{Role, Store};
use juesuan_web::{AppState, Options};
use tower::ServiceExt;

pub const EXAMPLE: &str = include_str!("../../../../examples/liangshan-kexie-2021/input.toml");
pub const PASSWORD: &str = "correct horse 电池";

pub struct TestApp {
    pub state: AppState,
    pub router: axum::Router,
    db: TestDatabase,
}

pub fn options(db: &str) -> Options {
    let mut o = Options::new(db, "127.0.0.1:0".parse().unwrap());
    o.password_cost = PasswordCost::for_tests();
    o.max_upload = 1024 * 1024;
    o
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        TestApp::open(TestDatabase::sqlite()).await
    }

    /// Panics without a PostgreSQL server (`JUESUAN_TEST_POSTGRES_URL`).
    pub async fn postgres(test: &str) -> TestApp {
        TestApp::open(TestDatabase::postgres(test).await).await
    }

    async fn open(db: TestDatabase) -> TestApp {
        let store = Store::open(&db.url).await.expect("open store");
        let state = AppState::with_store(store, options(&db.url));
        TestApp {
            router: juesuan_web::router(state.clone()),
            state,
            db,
        }
    }

    pub fn db_url(&self) -> String {
        self.db.url.clone()
    }

    /// The same database under other options (limits, timeouts).
    pub async fn reopen(&mut self, o: Options) {
        let state = AppState::with_store(self.state.store.clone(), o);
        self.router = juesuan_web::router(state.clone());
        self.state = state;
    }

    pub async fn finish(self) {
        self.state.store.close().await;
        self.db.drop_database().await;
    }

    pub async fn user(&self, name: &str, role: Role) -> i64 {
        let hash = hash_password(PASSWORD, PasswordCost::for_tests());
        self.state
            .store
            .create_user(name, &hash, role)
            .await
            .unwrap()
    }

    /// A client of a second server process on the same database (its own store connection
    /// and caches), e.g. behind the same load balancer.
    pub async fn client_of_another_server(&self) -> Client {
        let store = Store::open(&self.db.url).await.expect("open store");
        let state = AppState::with_store(store, options(&self.db.url));
        Client {
            router: juesuan_web::router(state),
            cookies: Vec::new(),
            csrf: String::new(),
        }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: Vec::new(),
            csrf: String::new(),
        }
    }

    /// A signed-in client for a new user of that role.
    pub async fn signed_in(&self, name: &str, role: Role) -> (Client, i64) {
        let id = self.user(name, role).await;
        let mut c = self.client();
        let r = c.login(name, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        (c, id)
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Keeps cookies and the CSRF token like a browser and an API client would.
pub struct Client {
    router: axum::Router,
    pub cookies: Vec<(String, String)>,
    pub csrf: String,
}

impl Client {
    /// Another client with the same session (e.g. for requests at once).
    pub fn clone_session(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: self.cookies.clone(),
            csrf: self.csrf.clone(),
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Reply {
        let mut req = req;
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for sc in headers.get_all(header::SET_COOKIE) {
            let sc = sc.to_str().unwrap();
            let (kv, _) = sc.split_once(';').unwrap_or((sc, ""));
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !v.is_empty() && !sc.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let b = Request::builder().method(method.clone()).uri(path);
        if method != Method::GET && !self.csrf.is_empty() {
            b.header("x-csrf-token", self.csrf.clone())
        } else {
            b
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let r = self.request(Method::GET, path).body(Body::empty()).unwrap();
        self.send(r).await
    }

    pub async fn post_json(&mut self, path: &str, v: serde_json::Value) -> Reply {
        let r = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap();
        self.send(r).await
    }

    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let r = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }

    pub async fn login(&mut self, name: &str, password: &str) -> Reply {
        let r = self
            .post_json(
                "/api/v1/session",
                serde_json::json!({ "username": name, "password": password }),
            )
            .await;
        if r.status == StatusCode::OK {
            self.csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
        }
        r
    }

    pub async fn import(&mut self, unit: &str, text: &str, note: &str) -> Reply {
        self.post_raw(
            &format!("/api/v1/units/{unit}/imports?note={}", enc(note)),
            "application/toml",
            text.as_bytes().to_vec(),
        )
        .await
    }
}

pub fn enc(s: &str) -> String {
    juesuan_web::html::url(s)
}
