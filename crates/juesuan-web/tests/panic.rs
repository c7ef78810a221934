//! A panic in a handler fails that request only (issue #18): the client gets a 500 with a
//! message in Chinese, and the same router keeps answering other requests, including the
//! same route again.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn call(app: &Router, path: &str) -> (StatusCode, String) {
    let r = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .expect("the service answers instead of failing");
    let status = r.status();
    let body = r.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_panicking_handler_fails_only_its_request() {
    let app = juesuan_web::guard_panics(
        Router::new()
            .route(
                "/boom",
                get(|| async {
                    let v: Vec<i64> = Vec::new();
                    // Out of bounds: a bug, like an overflow stopped by overflow-checks.
                    v[1].to_string()
                }),
            )
            .route("/ok", get(|| async { "好" })),
    );
    let (status, body) = call(&app, "/boom").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("服务器内部错误"), "{body}");
    assert_eq!(call(&app, "/ok").await, (StatusCode::OK, "好".to_string()));
    let (again, _) = call(&app, "/boom").await;
    assert_eq!(again, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(call(&app, "/ok").await.0, StatusCode::OK);
}
