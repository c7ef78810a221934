//! Sessions (会话): the cookie, looking the user up, logging in and out, and the client
//! address used by the login rate limit.

use crate::{auth, AppError, AppState, CurrentUser};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use juesuan_store::time::rfc3339_after;
use std::net::{IpAddr, SocketAddr};

/// The session cookie's name; with `Secure` the `__Host-` prefix also pins it to this host
/// and path.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.opts.secure_cookies {
        "__Host-juesuan_session"
    } else {
        "juesuan_session"
    }
}

/// A cookie value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// `Set-Cookie` for a value; `max_age` 0 deletes it.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.opts.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("cookie text is ASCII")
}

/// The user of the session the request's cookie names, if any.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = cookie(headers, cookie_name(state)) else {
        return Ok(None);
    };
    let Some(s) = state.store.session(&auth::token_hash(token)).await? else {
        return Ok(None);
    };
    let units = match s.user.role {
        juesuan_store::Role::Preparer => state.store.granted_units(s.user.id).await?,
        _ => Vec::new(),
    };
    Ok(Some(CurrentUser {
        id: s.user.id,
        name: s.user.name,
        role: s.user.role,
        csrf: s.csrf_token,
        units,
        must_change_password: s.user.must_change_password,
    }))
}

/// Refused logins written to the event log (操作日志), coalesced: per key (action and user
/// name) at most `refusal_log_per_minute` rows a minute; the refusals in between are counted
/// and named in the next row, so a flood of wrong passwords cannot bury the log.
#[derive(Default)]
pub struct RefusalLog {
    seen: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, u32, u64)>>,
}

impl RefusalLog {
    /// `Some(refusals not yet written)` when a row should be written now.
    pub fn admit(&self, key: &str, per_minute: u32) -> Option<u64> {
        let now = std::time::Instant::now();
        let minute = std::time::Duration::from_secs(60);
        let mut seen = self.seen.lock().expect("refusals");
        if seen.len() > 10_000 {
            // Many names (a spray): forget finished minutes; the map stays bounded.
            seen.retain(|_, e| now.duration_since(e.0) < minute);
            if seen.len() > 10_000 {
                return None;
            }
        }
        let e = seen.entry(key.to_string()).or_insert((now, 0, 0));
        if now.duration_since(e.0) >= minute {
            *e = (now, 0, e.2);
        }
        if e.1 < per_minute {
            e.1 += 1;
            Some(std::mem::take(&mut e.2))
        } else {
            e.2 += 1;
            None
        }
    }
}

async fn log_refusal(
    state: &AppState,
    name: &str,
    action: &str,
    detail: String,
) -> Result<(), AppError> {
    let key = format!("{action} {name}");
    if let Some(more) = state
        .refusals
        .admit(&key, state.opts.refusal_log_per_minute)
    {
        let detail = if more > 0 {
            format!("{detail}（此前另有{more}次同类记录未逐条写入）")
        } else {
            detail
        };
        state.store.log(Some(name), action, &detail).await?;
    }
    Ok(())
}

/// Seconds an account is still locked: after `max` failures, `base` doubled for each
/// further failure (capped at a day), counted from the latest failure.
fn account_wait(r: &juesuan_store::LoginRecord, max: u32, base: u64, now: i64) -> Option<i64> {
    if r.failures < i64::from(max) {
        return None;
    }
    let doublings = (r.failures - i64::from(max)).clamp(0, 20) as u32;
    let lock = (base.saturating_mul(1u64 << doublings)).min(86_400) as i64;
    let until = r.last_at + lock;
    (now < until).then_some(until - now)
}

/// Check a name and password and open a session: the `Set-Cookie` header and the user.
///
/// 登录限速 has two parts. The account lock (per user name, whatever the address): after
/// `login_max_failures` wrong passwords the account waits `login_lock_base`, doubled with
/// each further failure, until an administrator unlocks it or a correct password after the
/// wait. The address throttle: an address with `login_ip_max_failures` failures in
/// `login_window` may no longer try the accounts it failed on; other accounts are checked as
/// usual, so behind a shared proxy address a correct password of another account still
/// signs in.
pub async fn login(
    state: &AppState,
    name: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<(HeaderValue, CurrentUser), AppError> {
    let o = &state.opts;
    let user_key = format!("user:{name}");
    let now = juesuan_store::time::now_secs();
    let window = o.login_window.as_secs() as i64;
    let mut wait = match state.store.login_record(&user_key).await? {
        Some(r) => account_wait(&r, o.login_max_failures, o.login_lock_base.as_secs(), now),
        None => None,
    };
    let ip_keys = client.map(|ip| (format!("ip:{ip}"), format!("ipuser:{name}@{ip}")));
    if let (None, Some((ip_key, pair_key))) = (wait, &ip_keys) {
        let ip = state.store.login_record(ip_key).await?;
        let throttled = ip.is_some_and(|r| {
            r.failures >= i64::from(o.login_ip_max_failures) && now - r.last_at < window
        });
        if throttled {
            if let Some(pair) = state.store.login_record(pair_key).await? {
                if now - pair.last_at < window {
                    wait = Some((window - (now - pair.last_at)).max(1));
                }
            }
        }
    }
    if let Some(wait) = wait {
        log_refusal(
            state,
            name,
            "login.locked",
            format!("来自 {}", show(client)),
        )
        .await?;
        return Err(AppError::TooManyRequests(wait as u64));
    }
    let user = state.store.user_by_name(name).await?;
    // Hash even for an unknown name, so timing does not tell which names exist.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| auth::hash_password("-", o.password_cost));
    let ok = {
        let (p, h) = (password.to_string(), hash);
        tokio::task::spawn_blocking(move || auth::verify_password(&p, &h))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let Some(user) = user.filter(|_| ok) else {
        let mut keys = vec![(user_key, 86_400)];
        if let Some((ip_key, pair_key)) = ip_keys {
            keys.push((ip_key, window));
            keys.push((pair_key, window));
        }
        state.store.login_failure(&keys).await?;
        log_refusal(
            state,
            name,
            "login.failed",
            format!("来自 {}", show(client)),
        )
        .await?;
        return Err(AppError::BadRequest(vec!["用户名或口令不正确".into()]));
    };
    if user.disabled {
        log_refusal(
            state,
            name,
            "login.disabled",
            format!("来自 {}", show(client)),
        )
        .await?;
        return Err(AppError::Forbidden("该账户已停用：请联系管理员启用".into()));
    }
    state.store.login_unlock(&user.name).await?;
    let token = auth::random_token();
    let csrf = auth::random_token();
    let hours = o.session_hours;
    state
        .store
        .create_session(
            &auth::token_hash(&token),
            user.id,
            &csrf,
            &rfc3339_after(hours * 3600),
        )
        .await?;
    state
        .store
        .log(Some(&user.name), "login", &format!("来自 {}", show(client)))
        .await?;
    let units = match user.role {
        juesuan_store::Role::Preparer => state.store.granted_units(user.id).await?,
        _ => Vec::new(),
    };
    Ok((
        set_cookie(state, cookie_name(state), &token, hours * 3600),
        CurrentUser {
            id: user.id,
            name: user.name,
            role: user.role,
            csrf,
            units,
            must_change_password: user.must_change_password,
        },
    ))
}

/// End the request's session; the `Set-Cookie` that deletes the cookie.
pub async fn logout(
    state: &AppState,
    headers: &HeaderMap,
    user: &CurrentUser,
) -> Result<HeaderValue, AppError> {
    if let Some(token) = cookie(headers, cookie_name(state)) {
        state.store.delete_session(&auth::token_hash(token)).await?;
    }
    state.store.log(Some(&user.name), "logout", "").await?;
    Ok(set_cookie(state, cookie_name(state), "", 0))
}

fn show(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "未知地址".into(), |ip| ip.to_string())
}

/// The client's address (from the connection; no proxy headers are trusted).
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// The signed-in user of an API request. Unsafe methods must carry the session's CSRF token
/// in `X-CSRF-Token` (a cross-site form cannot set headers).
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = current(state, &parts.headers)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let token = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            user.check_csrf(token)?;
        }
        if user.must_change_password && !may_before_password_change(parts, &user) {
            return Err(AppError::Forbidden(format!(
                "请先修改口令：这是一次性口令或管理员重设的口令，请用 POST /api/v1/users/{}/password 设置新口令（需提供当前口令）",
                user.id
            )));
        }
        Ok(ApiUser(user))
    }
}

/// What a user who must change the password may still do: change it, see who they are,
/// sign out.
pub fn may_before_password_change(parts: &Parts, user: &CurrentUser) -> bool {
    let path = parts.uri.path();
    path == "/api/v1/me"
        || path == "/api/v1/session"
        || path == "/password"
        || path == "/logout"
        || path == format!("/api/v1/users/{}/password", user.id)
}
