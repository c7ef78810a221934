//! The attacks of #15 against the `juesuan-web` binary (a child process, release-like: the
//! same code users run), with the server's peak memory (VmHWM) read from /proc: the issue's
//! 7 MB file with a 2.4-million-character text (eight at once), a million-character field, a
//! flood of bad lines, a file of 600,000 lines, a flood of wrong passwords, and 200 half-sent
//! requests held open throughout. The documented bound (docs/web.md §3) is 500 MB.

mod child;

use child::{http, login, replace_one_time_password, start};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
/// The documented bound of the server's resident memory under these attacks.
const RSS_BOUND_KB: u64 = 500 * 1024;

fn import(addr: &str, auth: &(String, String), text: &str) -> (u16, String) {
    child::import(addr, auth, "u1", text).unwrap()
}

/// Peak resident memory of a process (kB).
fn peak_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn the_server_stays_within_its_memory_bound_under_the_attacks() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("m.db").display());
    let (server, password) = start(&db);
    let addr = server.addr.clone();
    let password = replace_one_time_password(&addr, &password.expect("first admin password"));
    let auth = login(&addr, &password);
    // 200 half-sent requests, held open through every attack.
    let held: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    // The file: 2.4 million Chinese characters in one text, about 7 MB; eight at once.
    let long: String = std::iter::repeat_n('长', 2_400_000).collect();
    let big = EXAMPLE.replacen("key_work = \"\"\"", &format!("key_work = \"\"\"{long}"), 1);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let (status, body) = import(&addr, &auth, &big);
                assert_eq!(status, 400, "{body}");
                assert!(body.contains("E006"), "{body}");
            });
        }
    });
    // A million-character text within the file size.
    let field: String = std::iter::repeat_n('x', 1_000_000).collect();
    let one = EXAMPLE.replacen("key_work = \"\"\"", &format!("key_work = \"\"\"{field}"), 1);
    let (status, body) = import(&addr, &auth, &one);
    assert_eq!(status, 400);
    assert!(body.contains("unit.key_work"), "{body}");
    // 15,000 bad amounts: the first errors and the count.
    let lines: String = (0..15_000)
        .map(|i| format!("\"9{i:06}\" = \"x\"\n"))
        .collect();
    let flood = EXAMPLE.replacen(
        "[income.general_budget]\n",
        &format!("[income.general_budget]\n{lines}"),
        1,
    );
    let (status, body) = import(&addr, &auth, &flood);
    assert_eq!(status, 400);
    assert!(body.len() < 64 * 1024, "{} bytes", body.len());
    // 600,000 lines: refused by the line limit, one error.
    let (status, body) = import(&addr, &auth, &"#x\n".repeat(600_000));
    assert_eq!(status, 400);
    assert!(body.contains("600000行"), "{body}");
    // Wrong passwords for one account.
    for _ in 0..100 {
        let body = serde_json::json!({ "username": "admin", "password": "wrong" }).to_string();
        let (status, _, _) = http(
            &addr,
            "POST",
            "/api/v1/session",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .unwrap();
        assert!(status == 400 || status == 429, "{status}");
    }
    // The server still serves a whole version.
    let (status, body) = import(&addr, &auth, EXAMPLE);
    assert_eq!(status, 201, "{body}");
    let peak = peak_kb(server.child.id());
    eprintln!("peak RSS {} MB", peak / 1024);
    assert!(
        peak < RSS_BOUND_KB,
        "peak RSS {} MB above the bound",
        peak / 1024
    );
    // The half-sent requests were closed by the header timeout (10 s).
    let t = Instant::now();
    for mut s in held {
        let left = Duration::from_secs(15)
            .saturating_sub(t.elapsed())
            .max(Duration::from_millis(10));
        s.set_read_timeout(Some(left)).unwrap();
        let mut buf = [0u8; 1024];
        let closed = loop {
            match s.read(&mut buf) {
                Ok(0) => break true,
                Ok(_) => continue,
                Err(e) => {
                    break !matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    )
                }
            }
        };
        assert!(closed, "a half-sent request is still open");
    }
    drop(server);
}
