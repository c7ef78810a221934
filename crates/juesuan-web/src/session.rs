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
    }))
}

/// Check a name and password (with the rate limit) and open a session: the `Set-Cookie`
/// header and the user.
pub async fn login(
    state: &AppState,
    name: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<(HeaderValue, CurrentUser), AppError> {
    let user_key = format!("user:{name}");
    let mut keys = vec![user_key.clone()];
    if let Some(ip) = client {
        keys.push(format!("ip:{ip}"));
    }
    let window = state.opts.login_window.as_secs() as i64;
    let wait = state
        .store
        .login_wait(&keys, state.opts.login_max_failures, window)
        .await?;
    if let Some(wait) = wait {
        state
            .store
            .log(
                Some(name),
                "login.locked",
                &format!("来自 {}", show(client)),
            )
            .await?;
        return Err(AppError::TooManyRequests(wait as u64));
    }
    let user = state.store.user_by_name(name).await?;
    // Hash even for an unknown name, so timing does not tell which names exist.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| auth::hash_password("-", state.opts.password_cost));
    let ok = {
        let (p, h) = (password.to_string(), hash);
        tokio::task::spawn_blocking(move || auth::verify_password(&p, &h))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let Some(user) = user.filter(|_| ok) else {
        state.store.login_failed(&keys, window).await?;
        state
            .store
            .log(
                Some(name),
                "login.failed",
                &format!("来自 {}", show(client)),
            )
            .await?;
        return Err(AppError::BadRequest(vec!["用户名或口令不正确".into()]));
    };
    state.store.login_succeeded(&user_key).await?;
    let token = auth::random_token();
    let csrf = auth::random_token();
    let hours = state.opts.session_hours;
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
        Ok(ApiUser(user))
    }
}
