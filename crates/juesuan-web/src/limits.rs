//! Resource bounds of the server (资源上限, docs/web.md §3 “资源上限”): the cap on listed
//! errors, a byte-bounded cache with least-recently-used eviction, the gate in front of heavy
//! renders (Word, PDF: a concurrency limit and a deadline), per-user upload quotas, the
//! per-request deadline, and the connection loop with a header-read timeout.

use crate::AppError;
use axum::extract::ConnectInfo;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Errors listed in one response (API and pages); the rest are counted.
pub const MAX_LISTED: usize = 100;

/// The first [`MAX_LISTED`] messages, then one line with how many more there are: a file with
/// 40,000 bad lines gives a short answer, not a 100 MB one.
pub fn cap_list(mut v: Vec<String>) -> Vec<String> {
    if v.len() > MAX_LISTED {
        let more = v.len() - MAX_LISTED;
        let total = v.len();
        v.truncate(MAX_LISTED);
        v.push(format!(
            "……另有{more}条未列出（共{total}条）：请先改正以上各处，再上传一次查看其余的"
        ));
    }
    v
}

/// Something whose memory a cache can estimate.
pub trait Weigh {
    /// Approximate bytes held.
    fn weight(&self) -> usize;
}

/// A map bounded by the estimated bytes of its values; inserting beyond the budget evicts the
/// least recently used entries. A value larger than a quarter of the budget is not kept.
pub struct ByteCache<K, V> {
    budget: usize,
    used: usize,
    tick: u64,
    map: HashMap<K, (Arc<V>, usize, u64)>,
}

impl<K: Hash + Eq + Clone, V: Weigh> ByteCache<K, V> {
    pub fn new(budget: usize) -> Self {
        ByteCache {
            budget,
            used: 0,
            tick: 0,
            map: HashMap::new(),
        }
    }

    pub fn get(&mut self, k: &K) -> Option<Arc<V>> {
        self.tick += 1;
        let tick = self.tick;
        self.map.get_mut(k).map(|e| {
            e.2 = tick;
            e.0.clone()
        })
    }

    pub fn insert(&mut self, k: K, v: Arc<V>) {
        let w = v.weight();
        if w > self.budget / 4 {
            return;
        }
        self.tick += 1;
        if let Some((_, old, _)) = self.map.insert(k, (v, w, self.tick)) {
            self.used -= old;
        }
        self.used += w;
        while self.used > self.budget {
            let Some(oldest) = self
                .map
                .iter()
                .min_by_key(|(_, e)| e.2)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((_, w, _)) = self.map.remove(&oldest) {
                self.used -= w;
            }
        }
    }

    /// Bytes held (estimated).
    pub fn used(&self) -> usize {
        self.used
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// The gate in front of heavy renders (Word, PDF): at most `permits` at once, a wait for a
/// free slot of at most `wait`, and a deadline per render. A render past its deadline answers
/// the user at once; its thread cannot be stopped and finishes in the background, still
/// holding its slot, so the number of renders running never exceeds the limit.
#[derive(Clone)]
pub struct RenderGate {
    permits: Arc<Semaphore>,
    limit: usize,
    wait: Duration,
    deadline: Duration,
}

impl RenderGate {
    pub fn new(permits: usize, wait: Duration, deadline: Duration) -> Self {
        RenderGate {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            limit: permits.max(1),
            wait,
            deadline,
        }
    }

    /// Run `f` on a blocking thread under the limit and the deadline.
    pub async fn run<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| {
                AppError::Unavailable(
                    format!(
                        "服务器正在生成其他文件（同时最多{}份），请稍后再下载{what}",
                        self.limit
                    ),
                    5,
                )
            })?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let task = tokio::task::spawn_blocking(move || {
            let r = f();
            drop(permit);
            r
        });
        match tokio::time::timeout(self.deadline, task).await {
            Ok(joined) => joined.map_err(|e| AppError::Internal(e.to_string()))?,
            Err(_) => Err(AppError::Unavailable(
                format!(
                    "生成{what}超过{}秒，已停止等待：请稍后再试；如一直超时，请下载网页或 Markdown 版本并告知管理员",
                    self.deadline.as_secs()
                ),
                30,
            )),
        }
    }
}

/// Per-user upload quota (上传配额): uploads and bytes in a fixed window.
pub struct Quotas {
    max_count: u32,
    max_bytes: usize,
    window: Duration,
    used: Mutex<HashMap<i64, (Instant, u32, usize)>>,
}

impl Quotas {
    pub fn new(max_count: u32, max_bytes: usize, window: Duration) -> Self {
        Quotas {
            max_count,
            max_bytes,
            window,
            used: Mutex::new(HashMap::new()),
        }
    }

    /// Count one upload of `bytes` for `user`, or refuse it (429 with the seconds to wait).
    pub fn charge(&self, user: i64, bytes: usize) -> Result<(), AppError> {
        let now = Instant::now();
        let mut used = self.used.lock().expect("quotas");
        // Forget finished windows so the map holds only recent uploaders.
        used.retain(|_, e| now.duration_since(e.0) < self.window);
        let e = used.entry(user).or_insert((now, 0, 0));
        let wait = self
            .window
            .saturating_sub(now.duration_since(e.0))
            .as_secs()
            .max(1);
        if e.1 >= self.max_count || e.2 + bytes > self.max_bytes {
            return Err(AppError::Quota(
                format!(
                    "上传过于频繁：每个用户每{}分钟最多上传{}次、合计{} MB，本时段已上传{}次、{} MB。请{}分钟后再试；确需大量导入请联系管理员",
                    self.window.as_secs() / 60,
                    self.max_count,
                    self.max_bytes / (1024 * 1024),
                    e.1,
                    e.2 / (1024 * 1024),
                    wait.div_ceil(60)
                ),
                wait,
            ));
        }
        e.1 += 1;
        e.2 += bytes;
        Ok(())
    }
}

/// Middleware: a request (reading its body and the handler) that takes longer than the
/// configured time is answered 408 and dropped, so a slowly sent body cannot hold a worker.
pub async fn request_deadline(
    axum::extract::State(limit): axum::extract::State<Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => AppError::Timeout(format!(
            "请求超过{}秒未完成（上传过慢或处理时间过长），已中止：请重试；文件很大时请检查网络或分批上传",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// Serve connections: each with a header-read timeout (a half-sent request is closed after
/// `header_timeout`), at most `max_connections` at once (more wait in the listen queue), and
/// the client address for the login throttle. Returns when `shutdown` completes, after the
/// open connections finish (at most 30 seconds).
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_timeout: Duration,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                // Out of file descriptors and the like: wait a little, keep serving.
                Err(_) => { tokio::time::sleep(Duration::from_millis(50)).await; continue }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let svc =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(remote));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), svc);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
    Ok(())
}

/// The client address a connection was accepted from (kept as axum's type so handlers read
/// it the usual way).
pub type Remote = ConnectInfo<SocketAddr>;

#[cfg(test)]
mod tests {
    use super::*;

    struct Blob(usize);
    impl Weigh for Blob {
        fn weight(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn listed_errors_are_capped_with_the_count() {
        let v: Vec<String> = (0..40_000).map(|i| format!("第{i}行有错")).collect();
        let c = cap_list(v);
        assert_eq!(c.len(), MAX_LISTED + 1);
        assert!(c[MAX_LISTED].contains("另有39900条") && c[MAX_LISTED].contains("共40000条"));
        assert_eq!(cap_list(vec!["a".into()]), vec!["a".to_string()]);
    }

    #[test]
    fn the_cache_stays_within_its_budget_and_evicts_the_least_recently_used() {
        let mut c = ByteCache::new(100);
        c.insert(1, Arc::new(Blob(20)));
        c.insert(2, Arc::new(Blob(20)));
        c.insert(3, Arc::new(Blob(20)));
        assert!(c.get(&1).is_some()); // 1 is now more recent than 2
        c.insert(4, Arc::new(Blob(20)));
        c.insert(5, Arc::new(Blob(20)));
        c.insert(6, Arc::new(Blob(20)));
        assert!(c.used() <= 100, "{}", c.used());
        assert!(
            c.get(&2).is_none(),
            "the least recently used is evicted first"
        );
        assert!(c.get(&1).is_some() && c.get(&6).is_some());
        // Too large for the cache: not kept at all.
        c.insert(7, Arc::new(Blob(26)));
        assert!(c.get(&7).is_none());
        for i in 0..1000 {
            c.insert(100 + i, Arc::new(Blob(25)));
        }
        assert!(c.used() <= 100 && c.len() <= 4);
    }

    #[tokio::test]
    async fn renders_are_limited_in_number_and_time() {
        let gate = RenderGate::new(1, Duration::from_millis(200), Duration::from_millis(300));
        // A render past its deadline is answered 503 at once…
        let slow = gate.run("PDF", || {
            std::thread::sleep(Duration::from_millis(1500));
            Ok(())
        });
        let t = Instant::now();
        let e = slow.await.unwrap_err();
        assert!(t.elapsed() < Duration::from_millis(1000));
        assert_eq!(e.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        assert!(e.messages().0.contains("超过0秒") || e.messages().0.contains("秒"));
        // …and still holds its slot: a second render waits, then is refused as busy.
        let e = gate.run("Word", || Ok(())).await.unwrap_err();
        assert!(
            e.messages().0.contains("正在生成其他文件"),
            "{:?}",
            e.messages()
        );
        // Once the slow one finishes, renders go through again.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(gate.run("Word", || Ok(7)).await.unwrap(), 7);
    }

    #[test]
    fn uploads_beyond_the_quota_are_refused_per_user() {
        let q = Quotas::new(3, 1000, Duration::from_secs(3600));
        for _ in 0..3 {
            q.charge(1, 10).unwrap();
        }
        let e = q.charge(1, 10).unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(e.messages().0.contains("最多上传3次"), "{:?}", e.messages());
        // Another user is not affected; bytes count too.
        q.charge(2, 990).unwrap();
        assert!(q.charge(2, 20).is_err());
    }
}
