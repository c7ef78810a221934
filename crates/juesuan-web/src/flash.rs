//! One-time messages after an action (提示消息, "flash"): the action answers with a redirect
//! and a short-lived cookie holding the message; the next page shows it once and deletes the
//! cookie. The cookie is signed with a key of this server process, so nobody can plant a
//! message of their choosing (e.g. from a sibling domain); a message signed by another
//! process behind the same load balancer is simply not shown.
//!
//! The same layer shows error pages with the user's navigation ([`ErrorPage`]): an error
//! rejected before the handler knew the user still keeps the menu.

use crate::html::{self, esc, url, url_decode, FLASH_SLOT};
use crate::{session, AppState};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

const COOKIE: &str = "juesuan_flash";
/// Longest message kept (characters); the cookie stays well under browsers' 4 KB.
const MAX_CHARS: usize = 200;
/// Largest page the layer rewrites to insert a message (bigger ones are left as they are).
const MAX_PAGE: usize = 64 * 1024 * 1024;

/// Success or failure: the colour of the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ok,
    Error,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Ok => "o",
            Kind::Error => "e",
        }
    }
}

/// Signing key of this process.
pub struct Key([u8; 32]);

impl Key {
    pub fn random() -> Key {
        Key(crate::auth::random_bytes())
    }

    /// SHA-256(key ‖ SHA-256(key ‖ text)): nested, so no length extension forges a tag.
    fn tag(&self, text: &str) -> String {
        let inner = Sha256::new()
            .chain_update(self.0)
            .chain_update(text.as_bytes())
            .finalize();
        let outer = Sha256::new()
            .chain_update(self.0)
            .chain_update(inner)
            .finalize();
        outer[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn seal(&self, kind: Kind, message: &str) -> String {
        let message: String = message.chars().take(MAX_CHARS).collect();
        let body = format!("{}_{}", kind.tag(), url(&message));
        format!("{}_{body}", self.tag(&body))
    }

    fn open(&self, value: &str) -> Option<(Kind, String)> {
        let (tag, body) = value.split_once('_')?;
        if !crate::auth::same_token(tag, &self.tag(body)) {
            return None;
        }
        let (kind, message) = body.split_once('_')?;
        let kind = match kind {
            "o" => Kind::Ok,
            "e" => Kind::Error,
            _ => return None,
        };
        Some((kind, url_decode(message)?))
    }
}

/// A redirect to `to` that shows `message` on the page it leads to.
pub fn redirect(state: &AppState, to: &str, kind: Kind, message: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let value = state.flash_key.seal(kind, message);
    r.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(state, COOKIE, &value, 120),
    );
    r
}

/// The message markup put into the page's slot.
fn markup(kind: Kind, message: &str) -> String {
    let (class, role) = match kind {
        Kind::Ok => ("ok", "status"),
        Kind::Error => ("error", "alert"),
    };
    format!(
        "<div class=\"flash {class}\" role=\"{role}\" id=\"flash\">{}</div>",
        esc(message)
    )
}

/// An error page whose layout the layer completes: title, body and status; the layer adds
/// the navigation of the signed-in user (if any).
#[derive(Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub body: String,
}

impl ErrorPage {
    pub fn response(self, status: StatusCode) -> Response {
        let html = html::page(self.title, None, &self.body);
        let mut r = (status, axum::response::Html(html)).into_response();
        r.extensions_mut().insert(self);
        r
    }
}

fn is_html(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The pages' layer: error pages get the user's navigation; a pending message is shown on
/// the next HTML page (not on a redirect or a download) and then deleted.
pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let pending = session::cookie(&headers, COOKIE).map(|v| s.flash_key.open(v));
    let mut r = next.run(req).await;
    if let Some(e) = r.extensions_mut().remove::<ErrorPage>() {
        if let Ok(Some(u)) = session::current(&s, &headers).await {
            let v = crate::pages::viewer(&u);
            let status = r.status();
            let html = html::page(e.title, Some(&v), &e.body);
            let mut new = (status, axum::response::Html(html)).into_response();
            for (k, v) in r.headers() {
                if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                    new.headers_mut().append(k, v.clone());
                }
            }
            r = new;
        }
    }
    let Some(pending) = pending else {
        return r;
    };
    if r.status().is_redirection() || !is_html(&r) {
        return r;
    }
    let clear = session::set_cookie(&s, COOKIE, "", 0);
    let Some((kind, message)) = pending else {
        // Not ours (another process's key, or tampered with): drop it silently.
        r.headers_mut().append(header::SET_COOKIE, clear);
        return r;
    };
    let (mut parts, body) = r.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "页面过大").into_response();
    };
    let text = String::from_utf8_lossy(&bytes).replacen(FLASH_SLOT, &markup(kind, &message), 1);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.append(header::SET_COOKIE, clear);
    if let Ok(len) = HeaderValue::from_str(&text.len().to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, len);
    }
    Response::from_parts(parts, Body::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_message_opens_with_the_same_key_only() {
        let k = Key::random();
        let v = k.seal(Kind::Ok, "已上传：凉山州科协 2021年度 第2版");
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b','));
        assert_eq!(
            k.open(&v),
            Some((Kind::Ok, "已上传：凉山州科协 2021年度 第2版".to_string()))
        );
        assert_eq!(Key::random().open(&v), None, "another key");
        let e = k.seal(Kind::Error, "无权操作");
        assert_eq!(k.open(&e).map(|(kind, _)| kind), Some(Kind::Error));
    }

    #[test]
    fn a_forged_or_altered_message_is_refused() {
        let k = Key::random();
        let v = k.seal(Kind::Ok, "ok");
        let (tag, body) = v.split_once('_').unwrap();
        assert_eq!(k.open(&format!("{tag}_{body}x")), None);
        assert_eq!(k.open(&format!("{tag}_e_ok")), None, "kind changed");
        assert_eq!(k.open("deadbeef_o_hi"), None);
        assert_eq!(k.open("garbage"), None);
    }

    #[test]
    fn long_messages_are_cut_and_the_markup_escapes() {
        let k = Key::random();
        let v = k.seal(Kind::Ok, &"字".repeat(1000));
        assert!(v.len() < 4000, "{}", v.len());
        assert_eq!(k.open(&v).unwrap().1.chars().count(), MAX_CHARS);
        assert!(markup(Kind::Error, "<b>").contains("&lt;b&gt;"));
    }
}
