//! Crash test: the server (the `juesuan-web` binary, a child process) is killed with SIGKILL
//! while imports are in flight; after a restart every stored version is whole (its fact rows
//! all there), earlier versions are byte-for-byte unchanged, and numbering has no gaps.

mod child;

use child::{http, import as import_into, login, replace_one_time_password, start};
use std::time::{Duration, Instant};

fn import(addr: &str, auth: &(String, String), text: &str) -> std::io::Result<(u16, String)> {
    import_into(addr, auth, UNIT, text)
}

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
const UNIT: &str = "511400001";

/// The example with a different 2069999 income, so every version's text differs.
fn variant(i: usize) -> String {
    EXAMPLE.replacen(
        "\"2069999\" = 31.57",
        &format!("\"2069999\" = {}.57", 31 + i),
        1,
    )
}

#[derive(Debug, PartialEq)]
struct Row {
    id: i64,
    number: i64,
    fact_count: i64,
    facts: i64,
    text: String,
}

async fn rows(db: &str) -> Vec<Row> {
    sqlx::any::install_default_drivers();
    use sqlx::Row as _;
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(db)
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT v.id, v.number, v.fact_count, v.input_toml, (SELECT COUNT(*) FROM facts f WHERE f.version_id = v.id) AS n \
         FROM versions v ORDER BY v.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.iter()
        .map(|r| Row {
            id: r.get("id"),
            number: r.get("number"),
            fact_count: r.get("fact_count"),
            facts: r.get("n"),
            text: r.get("input_toml"),
        })
        .collect()
}

fn check_whole(rows: &[Row]) {
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.facts, r.fact_count, "version {} is partial", r.id);
        assert!(r.fact_count > 50);
        assert_eq!(r.number, i as i64 + 1, "version numbers have no gaps");
        assert!(r.text.contains("schema = \"juesuan-input/1\""));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_imports_leaves_whole_versions() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("crash.db").display());
    let (mut server, password) = start(&db);
    let password = password.expect("a new database prints the admin password");
    let password = replace_one_time_password(&server.addr, &password);
    let auth = login(&server.addr, &password);
    let (status, body) = import(&server.addr, &auth, &variant(0)).unwrap();
    assert_eq!(status, 201, "{body}");

    let mut interrupted = 0;
    let mut variant_no = 1;
    for round in 0..4 {
        let before = rows(&db).await;
        check_whole(&before);
        // Two clients import as fast as they can; the server is killed after a delay that
        // differs per round, so the kill lands at different points of an import.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let committed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut clients = Vec::new();
        for c in 0..2 {
            let (addr, auth, stop, committed) = (
                server.addr.clone(),
                auth.clone(),
                stop.clone(),
                committed.clone(),
            );
            let start_no = variant_no + c * 1000;
            clients.push(std::thread::spawn(move || {
                let (mut ok, mut broken) = (0, 0);
                let mut i = start_no;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    match import(&addr, &auth, &variant(i)) {
                        Ok((201, _)) => {
                            ok += 1;
                            committed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        Ok((s, b)) => panic!("import failed with {s}: {b}"),
                        Err(_) => {
                            broken += 1;
                            break;
                        }
                    }
                    i += 1;
                }
                (ok, broken)
            }));
        }
        variant_no += 2000;
        // Kill once imports are flowing, at a different point of the stream each round.
        let deadline = Instant::now() + Duration::from_secs(120);
        while committed.load(std::sync::atomic::Ordering::SeqCst) < 1 + round {
            assert!(Instant::now() < deadline, "no import went through");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(37 * round as u64));
        server.child.kill().unwrap(); // SIGKILL on Unix
        server.child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut done = 0;
        for c in clients {
            let (ok, broken) = c.join().unwrap();
            done += ok;
            interrupted += broken;
        }
        assert!(
            done > 0,
            "round {round}: imports went through before the kill"
        );

        // After the crash: earlier versions unchanged, every version whole.
        let after = rows(&db).await;
        check_whole(&after);
        assert!(after.len() >= before.len() + done);
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b, a, "an earlier version changed");
        }
        let (s, _) = start(&db);
        server = s;
    }
    assert!(
        interrupted > 0,
        "at least one import was cut off by the kill"
    );
    // The restarted server serves the latest version.
    let auth = login(&server.addr, &password);
    let (status, _, body) = http(
        &server.addr,
        "GET",
        &format!("/api/v1/units/{UNIT}/years/2021"),
        &[("Cookie", &auth.0)],
        b"",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
