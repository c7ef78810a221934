//! The `juesuan-web` binary as a child process, and a plain HTTP/1.1 client for it: shared by
//! the crash test and the memory test, which both need the real server (killed, or measured).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start the server on a free port; returns it and the one-time admin password, if printed.
// The early exits are test failures (panics) that end the process, child included.
#[allow(clippy::zombie_processes)]
pub fn start(db: &str) -> (Server, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_juesuan-web"))
        .args(["--db", db, "--addr", "127.0.0.1:0", "--fast-password-hash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start juesuan-web");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut password = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "server did not start");
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "server exited early");
        if let Some(p) = line.split("一次性口令：").nth(1) {
            password = Some(p.split('（').next().unwrap().trim().to_string());
        }
        if let Some(rest) = line.split("http://").nth(1) {
            let addr = rest.split('/').next().unwrap().to_string();
            // Keep draining stdout so the child never blocks on a full pipe.
            std::thread::spawn(move || for _ in out.lines() {});
            return (Server { child, addr }, password);
        }
    }
}

/// One HTTP/1.1 request; `Err` when the connection breaks (the server was killed).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "truncated response")
    })?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no status"))?;
    Ok((status, head.to_string(), body.to_string()))
}

/// Log in; (cookie header value, csrf token).
pub fn login(addr: &str, password: &str) -> (String, String) {
    let body = serde_json::json!({ "username": "admin", "password": password }).to_string();
    let (status, head, body) = http(
        addr,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = serde_json::from_str::<serde_json::Value>(&body).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    (cookie, csrf)
}

/// The first sign-in replaces the printed one-time password (#15): set `NEW_PASSWORD`, then
/// sign in with it.
pub const NEW_PASSWORD: &str = "新的口令-2025-abc";

pub fn replace_one_time_password(addr: &str, one_time: &str) -> String {
    let auth = login(addr, one_time);
    let body =
        serde_json::json!({ "current_password": one_time, "password": NEW_PASSWORD }).to_string();
    let (status, _, text) = http(
        addr,
        "POST",
        "/api/v1/users/1/password",
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &auth.0),
            ("X-CSRF-Token", &auth.1),
        ],
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 204, "{text}");
    NEW_PASSWORD.to_string()
}

/// Import a TOML text into `unit`; `Err` when the connection breaks.
pub fn import(
    addr: &str,
    auth: &(String, String),
    unit: &str,
    text: &str,
) -> std::io::Result<(u16, String)> {
    let (status, _, body) = http(
        addr,
        "POST",
        &format!("/api/v1/units/{unit}/imports"),
        &[
            ("Content-Type", "application/toml"),
            ("Cookie", &auth.0),
            ("X-CSRF-Token", &auth.1),
        ],
        text.as_bytes(),
    )?;
    Ok((status, body))
}
