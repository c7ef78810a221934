//! Load test of the web app on loopback (docs/BENCHMARKS.md, section “Web app”): a bounded
//! load generator — fixed concurrency, fixed duration, every latency recorded.
//!
//!   cargo run --release -p juesuan-web --example loadgen -- [--units 1000] [--seconds 10] [--concurrency 1,8,32]
//!
//! It starts the app in-process on a fresh SQLite file, registers `--units` units each with
//! its own version of the example input, logs in over HTTP and measures, at each concurrency:
//! 1. the unit-year page of one unit (analysis cached after the first request),
//! 2. the unit-year page of a unit not requested recently (uncached: the units are taken in
//!    turn, so each request's version was last rendered at least `--units` requests ago, long
//!    evicted from the byte-bounded analysis cache; report built per request).
//!
//! Then it renders every unit's page once more and prints the process's resident memory
//! (VmRSS, VmHWM), and finally measures
//!
//! 3. a batch check of every unit (POST /api/v1/checks/batch): the first, cold run, then
//!    repeated runs (results cached per immutable version).

use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use juesuan_web::auth::{hash_password, PasswordCost};
use juesuan_web::juesuan_store::{Role, Store};
use juesuan_web::{AppState, Options};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const EXAMPLE: &str = include_str!("../../examples/liangshan-kexie-2021/input.toml");
type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Full<bytes::Bytes>>;

struct Auth {
    cookie: String,
    csrf: String,
}

async fn send(
    http: &Http,
    method: &str,
    url: &str,
    auth: Option<&Auth>,
    body: &str,
) -> (u16, Vec<u8>) {
    let mut b = hyper::Request::builder().method(method).uri(url);
    if let Some(a) = auth {
        b = b
            .header("cookie", &a.cookie)
            .header("x-csrf-token", &a.csrf);
    }
    let req = b
        .header("content-type", "application/json")
        .body(Full::new(bytes::Bytes::from(body.to_string())))
        .unwrap();
    let resp = http.request(req).await.expect("request");
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Run `concurrency` loops of `make_request` for `seconds`; print requests/s, p50, p99.
async fn measure<F, Fut>(name: &str, concurrency: usize, seconds: u64, f: F)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static + Clone,
    Fut: std::future::Future<Output = u16> + Send,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (f, counter) = (f.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let status = f(i).await;
                assert_eq!(status, 200, "{i}");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    println!(
        "| {name} | {concurrency} | {} | {:.1} | {:.1} | {:.1} |",
        all.len(),
        all.len() as f64 / elapsed,
        pct(&all, 0.50).as_secs_f64() * 1000.0,
        pct(&all, 0.99).as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (mut units, mut seconds) = (1000usize, 10u64);
    let mut levels = vec![1usize, 8, 32];
    while let Some(a) = args.next() {
        let v = args.next().expect("value");
        match a.as_str() {
            "--units" => units = v.parse().unwrap(),
            "--seconds" => seconds = v.parse().unwrap(),
            "--concurrency" => {
                levels = v.split(',').map(|x| x.trim().parse().unwrap()).collect();
            }
            _ => panic!("unknown argument {a}"),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("load.db").display());
    let store = Store::open(&db).await.unwrap();
    let t = Instant::now();
    for i in 0..units {
        let text = EXAMPLE.replacen(
            "\"2069999\" = 31.57",
            &format!("\"2069999\" = {}.57", 31 + i),
            1,
        );
        store
            .import(&format!("U{i:05}"), &text, "load", "load", "")
            .await
            .unwrap();
    }
    eprintln!("seeded {units} units in {:.1} s", t.elapsed().as_secs_f64());
    let mut opts = Options::new(&db, "127.0.0.1:0".parse().unwrap());
    opts.password_cost = PasswordCost::for_tests();
    let state = AppState::with_store(store, opts);
    state
        .store
        .create_user(
            "bench",
            &hash_password("bench password", PasswordCost::for_tests()),
            Role::Reviewer,
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = juesuan_web::router(state);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let req = hyper::Request::builder()
        .method("POST")
        .uri(format!("{base}/api/v1/session"))
        .header("content-type", "application/json")
        .body(Full::new(bytes::Bytes::from(
            r#"{"username":"bench","password":"bench password"}"#,
        )))
        .unwrap();
    let resp = http.request(req).await.unwrap();
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let csrf = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let auth = Arc::new(Auth { cookie, csrf });

    println!("| request | concurrency | requests | requests/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|");
    // Units in turn, continuing across the runs: no unit is asked for twice within `units`
    // requests.
    let next_unit = Arc::new(AtomicU64::new(1));
    for &concurrency in &levels {
        let (h, a, b) = (http.clone(), auth.clone(), base.clone());
        measure(
            "unit-year page, one unit (cached analysis)",
            concurrency,
            seconds,
            move |_| {
                let (h, a, b) = (h.clone(), a.clone(), b.clone());
                async move {
                    send(&h, "GET", &format!("{b}/units/U00000/2021"), Some(&a), "")
                        .await
                        .0
                }
            },
        )
        .await;
        let (h, a, b, n) = (http.clone(), auth.clone(), base.clone(), next_unit.clone());
        measure(
            "unit-year page, unit not recently requested (report built per request)",
            concurrency,
            seconds,
            move |_| {
                let (h, a, b) = (h.clone(), a.clone(), b.clone());
                let unit = (n.fetch_add(1, Ordering::Relaxed) % units as u64) as usize;
                async move {
                    send(
                        &h,
                        "GET",
                        &format!("{b}/units/U{unit:05}/2021"),
                        Some(&a),
                        "",
                    )
                    .await
                    .0
                }
            },
        )
        .await;
    }
    // Every version rendered (again): memory is bounded by the caches, not the versions.
    // Resident memory is printed every quarter, so growth would show.
    let rss = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .map_or("?".to_string(), |l| l[name.len()..].trim().to_string())
        };
        format!(
            "VmRSS {}, VmHWM (peak) {}",
            field("VmRSS:"),
            field("VmHWM:")
        )
    };
    println!("\nBefore rendering every version once more: {}", rss());
    let t = Instant::now();
    for unit in 0..units {
        let (status, _) = send(
            &http,
            "GET",
            &format!("{base}/units/U{unit:05}/2021"),
            Some(&auth),
            "",
        )
        .await;
        assert_eq!(status, 200);
        if (unit + 1) % (units / 4).max(1) == 0 {
            println!("After {} distinct versions rendered: {}", unit + 1, rss());
        }
    }
    println!("({:.1} s)\n", t.elapsed().as_secs_f64());
    // The batch check at a moderate load (each request checks every unit).
    let concurrency = 8;
    let t = Instant::now();
    let (status, body) = send(
        &http,
        "POST",
        &format!("{base}/api/v1/checks/batch"),
        Some(&auth),
        "{}",
    )
    .await;
    assert_eq!(status, 200);
    let checked = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["checked"]
        .as_u64()
        .unwrap();
    assert_eq!(checked as usize, units);
    println!(
        "| batch check of {units} units, first (cold) run | 1 | 1 | {:.2} | {:.0} | {:.0} |",
        1.0 / t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64() * 1000.0,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let (h, a, b) = (http.clone(), auth.clone(), base.clone());
    measure(
        &format!("batch check of {units} units (checks cached per version)"),
        concurrency,
        seconds,
        move |_| {
            let (h, a, b) = (h.clone(), a.clone(), b.clone());
            async move {
                send(
                    &h,
                    "POST",
                    &format!("{b}/api/v1/checks/batch"),
                    Some(&a),
                    "{}",
                )
                .await
                .0
            }
        },
    )
    .await;
}
