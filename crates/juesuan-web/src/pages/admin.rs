//! 管理 page: users (role, disable/enable, unlock, reset password, grants and their
//! revocation), units and the operation log. Every action answers with a message on the
//! page; a refused create/grant/unit form comes back filled in with the error above it.

use super::{done, show, PageResult, PageUser};
use crate::flash::{self, Kind};
use crate::html::{self, action_label, esc, local_time, url};
use crate::ops::{self, UserView};
use crate::{AppError, AppState, CurrentUser};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin))
        .route("/admin/users", post(create_user))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/role", post(change_role))
        .route("/admin/users/{id}/disabled", post(set_disabled))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/grants/{unit}/revoke", post(revoke))
        .route("/admin/grants", post(grant))
        .route("/admin/units", post(unit))
}

/// A refused form: which one, what was entered (never a password) and why.
struct Kept {
    form: &'static str,
    values: HashMap<&'static str, String>,
    error: AppError,
}

impl Kept {
    fn value(kept: Option<&Kept>, form: &str, field: &str) -> String {
        kept.filter(|k| k.form == form)
            .and_then(|k| k.values.get(field))
            .map(|v| esc(v))
            .unwrap_or_default()
    }

    fn error(kept: Option<&Kept>, form: &str) -> String {
        match kept.filter(|k| k.form == form) {
            Some(k) => {
                let (m, d) = k.error.messages();
                html::error_block(&m, &d)
            }
            None => String::new(),
        }
    }
}

const ROLES: &[(&str, &str)] = &[
    ("preparer", "填报人"),
    ("reviewer", "审核人"),
    ("admin", "管理员"),
];

fn role_options(selected: &str) -> String {
    let mut s = String::new();
    for (v, l) in ROLES {
        let sel = if *v == selected { " selected" } else { "" };
        let _ = write!(s, "<option value=\"{v}\"{sel}>{l}</option>");
    }
    s
}

async fn admin(State(s): State<AppState>, PageUser(u): PageUser) -> PageResult {
    admin_page(&s, &u, None).await
}

/// One user's row: the account's state and a button for each action.
fn user_row(x: &UserView, csrf: &str) -> Vec<String> {
    let id = x.id;
    let mut state = if x.disabled {
        "<span class=\"bad\">已停用</span>".to_string()
    } else {
        "<span class=\"ok\">正常</span>".to_string()
    };
    if x.must_change_password {
        state.push_str("<br><span class=\"note\">须修改口令</span>");
    }
    let mut units = String::new();
    for unit in &x.units {
        let _ = write!(
            units,
            "<form class=\"inline\" method=\"post\" action=\"/admin/users/{id}/grants/{}/revoke\">{csrf}{}<button type=\"submit\" class=\"danger\" id=\"revoke-{id}-{}\" aria-label=\"撤销用户{} 对 {} 的授权\">撤销</button></form><br>",
            url(unit),
            esc(unit),
            esc(unit),
            esc(&x.name),
            esc(unit)
        );
    }
    let (flip, flip_label) = if x.disabled {
        ("false", "启用")
    } else {
        ("true", "停用")
    };
    let actions = format!(
        "<form class=\"inline\" method=\"post\" action=\"/admin/users/{id}/role\">{csrf}<label class=\"sr-only\" for=\"role-{id}\">{name}的角色</label><select name=\"role\" id=\"role-{id}\">{roles}</select><button type=\"submit\" class=\"secondary\">更改角色</button></form>\
         <form class=\"inline\" method=\"post\" action=\"/admin/users/{id}/disabled\">{csrf}<input type=\"hidden\" name=\"disabled\" value=\"{flip}\"><button type=\"submit\" class=\"secondary\" id=\"disable-{id}\">{flip_label}</button></form>\
         <form class=\"inline\" method=\"post\" action=\"/admin/users/{id}/unlock\">{csrf}<button type=\"submit\" class=\"secondary\" id=\"unlock-{id}\">解除登录锁定</button></form>\
         <form class=\"inline\" method=\"post\" action=\"/admin/users/{id}/password\">{csrf}<label class=\"sr-only\" for=\"reset-{id}\">{name}的新口令</label><input type=\"password\" name=\"password\" id=\"reset-{id}\" placeholder=\"新口令（至少10位）\" autocomplete=\"new-password\" minlength=\"10\" required><button type=\"submit\" class=\"secondary\">重设口令</button></form>",
        name = esc(&x.name),
        roles = role_options(&x.role),
    );
    vec![
        id.to_string(),
        esc(&x.name),
        esc(&x.role_label),
        state,
        units,
        actions,
    ]
}

async fn admin_page(s: &AppState, u: &CurrentUser, kept: Option<&Kept>) -> PageResult {
    let users = ops::users(s, u).await?;
    let units = s.store.units().await?;
    let events = ops::events(s, u, 50).await?;
    let csrf = html::csrf_field(&u.csrf);
    let mut body = String::from(
        "<nav class=\"toc\" aria-label=\"本页目录\"><a href=\"#users\">用户</a><a href=\"#units\">单位</a><a href=\"#events\">操作日志</a></nav><h2 id=\"users\">用户</h2>",
    );
    let rows: Vec<Vec<String>> = users.iter().map(|x| user_row(x, &csrf)).collect();
    body.push_str(&html::table(
        &["编号", "用户名", "角色", "状态", "可填报单位", "操作"],
        &rows,
    ));
    let v = |form, field| Kept::value(kept, form, field);
    let chosen_role = kept
        .filter(|k| k.form == "user")
        .and_then(|k| k.values.get("role"))
        .map_or("preparer", String::as_str);
    let user_options: String = users
        .iter()
        .map(|x| {
            let sel = if v("grant", "user_id") == x.id.to_string() {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{sel}>{} {}（{}）</option>",
                x.id,
                x.id,
                esc(&x.name),
                esc(&x.role_label)
            )
        })
        .collect();
    let _ = write!(
        body,
        "<h3>新用户</h3>{}<form class=\"row-form\" method=\"post\" action=\"/admin/users\" id=\"new-user\">{csrf}\
         <label>用户名<input name=\"name\" id=\"new-name\" value=\"{}\" required></label>\
         <label>角色<select name=\"role\" id=\"new-role\">{}</select></label>\
         <label>口令（至少10位）<input type=\"password\" name=\"password\" id=\"new-password\" autocomplete=\"new-password\" required></label>\
         <button type=\"submit\">创建</button></form>\
         <h3>授权填报单位</h3>{}<form class=\"row-form\" method=\"post\" action=\"/admin/grants\" id=\"grant\">{csrf}\
         <label>用户<select name=\"user_id\" id=\"grant-user\">{user_options}</select></label>\
         <label>单位编码<input name=\"unit_code\" id=\"grant-unit\" list=\"unit-codes\" value=\"{}\" required></label>\
         <button type=\"submit\">授权</button></form>",
        Kept::error(kept, "user"),
        v("user", "name"),
        role_options(chosen_role),
        Kept::error(kept, "grant"),
        v("grant", "unit_code"),
    );
    body.push_str("<h2 id=\"units\">单位</h2><datalist id=\"unit-codes\">");
    for x in &units {
        let _ = write!(
            body,
            "<option value=\"{}\">{}</option>",
            esc(&x.code),
            esc(&x.name)
        );
    }
    body.push_str("</datalist>");
    let rows: Vec<Vec<String>> = units
        .iter()
        .map(|x| {
            vec![
                esc(&x.code),
                esc(&x.name),
                esc(x.parent.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    body.push_str(&html::table(&["编码", "名称", "上级单位"], &rows));
    let _ = write!(
        body,
        "<h3>登记或修改单位</h3>{}<form class=\"row-form\" method=\"post\" action=\"/admin/units\" id=\"unit-form\">{csrf}\
         <label>编码<input name=\"code\" id=\"unit-code\" value=\"{}\" required></label>\
         <label>名称<input name=\"name\" id=\"unit-name\" value=\"{}\" required></label>\
         <label>上级单位编码<input name=\"parent\" id=\"unit-parent\" list=\"unit-codes\" value=\"{}\"></label>\
         <button type=\"submit\">保存</button></form>",
        Kept::error(kept, "unit"),
        v("unit", "code"),
        v("unit", "name"),
        v("unit", "parent"),
    );
    body.push_str("<h2 id=\"events\">操作日志（最近50条，北京时间）</h2>");
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                esc(&local_time(&e.at)),
                esc(e.actor.as_deref().unwrap_or("（系统）")),
                esc(action_label(&e.action)),
                esc(&e.detail),
            ]
        })
        .collect();
    body.push_str(&html::table(&["时间", "操作人", "操作", "内容"], &rows));
    let status = kept.map_or(axum::http::StatusCode::OK, |k| k.error.status());
    Ok((status, show(u, "管理", &body)).into_response())
}

/// After a one-button action: back to the page with its result.
fn outcome(s: &AppState, r: Result<(), AppError>, ok: &str) -> PageResult {
    match r {
        Ok(()) => Ok(done(s, "/admin#users", ok)),
        Err(e @ (AppError::Unauthorized | AppError::MustChangePassword)) => Err(e.into()),
        Err(e) => Ok(flash::redirect(
            s,
            "/admin#users",
            Kind::Error,
            &e.messages().0,
        )),
    }
}

async fn user_name(s: &AppState, id: i64) -> String {
    match s.store.user(id).await {
        Ok(Some(x)) => format!("“{}”", x.name),
        _ => format!("{id}"),
    }
}

#[derive(Deserialize)]
struct NewUserForm {
    #[serde(default)]
    csrf: String,
    name: String,
    role: String,
    password: String,
}

async fn create_user(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    match ops::create_user(&s, &u, &f.name, &f.role, &f.password).await {
        Ok(_) => Ok(done(
            &s,
            "/admin#users",
            &format!("已创建用户“{}”。", f.name.trim()),
        )),
        Err(error) => {
            let values = HashMap::from([("name", f.name), ("role", f.role)]);
            let kept = Kept {
                form: "user",
                values,
                error,
            };
            admin_page(&s, &u, Some(&kept)).await
        }
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    password: String,
}

async fn reset_password(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let name = user_name(&s, id).await;
    let r = ops::set_password(&s, &u, id, None, &f.password).await;
    outcome(
        &s,
        r,
        &format!("已重设用户{name}的口令：该用户下次登录后须先修改口令。"),
    )
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    csrf: String,
    role: String,
}

async fn change_role(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let name = user_name(&s, id).await;
    let label = ROLES
        .iter()
        .find(|(v, _)| *v == f.role)
        .map_or(f.role.as_str(), |(_, l)| l);
    let r = ops::update_user(&s, &u, id, Some(&f.role), None).await;
    outcome(&s, r, &format!("已把用户{name}的角色改为{label}。"))
}

#[derive(Deserialize)]
struct DisabledForm {
    #[serde(default)]
    csrf: String,
    disabled: String,
}

async fn set_disabled(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<DisabledForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let disabled = f.disabled == "true";
    let name = user_name(&s, id).await;
    let r = ops::update_user(&s, &u, id, None, Some(disabled)).await;
    let what = if disabled {
        format!("已停用用户{name}：其会话已全部结束，不能再登录。")
    } else {
        format!("已启用用户{name}。")
    };
    outcome(&s, r, &what)
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn unlock(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let name = user_name(&s, id).await;
    let r = ops::unlock(&s, &u, id).await;
    outcome(&s, r, &format!("已解除用户{name}的登录锁定。"))
}

async fn revoke(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Path((id, unit)): Path<(i64, String)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let name = user_name(&s, id).await;
    let r = ops::revoke(&s, &u, id, &unit).await;
    outcome(
        &s,
        r,
        &format!("已撤销用户{name}对单位“{unit}”的授权：该用户随即不能再查看或上传该单位。"),
    )
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    csrf: String,
    user_id: String,
    unit_code: String,
}

async fn grant(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<GrantForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    let r = match f.user_id.trim().parse::<i64>() {
        Ok(id) => ops::grant(&s, &u, id, &f.unit_code).await.map(|()| id),
        Err(_) => Err(AppError::bad("请在“用户”中选择一位用户")),
    };
    match r {
        Ok(id) => {
            let name = user_name(&s, id).await;
            Ok(done(
                &s,
                "/admin#users",
                &format!("已授权用户{name}填报单位“{}”。", f.unit_code.trim()),
            ))
        }
        Err(error) => {
            let values = HashMap::from([("user_id", f.user_id), ("unit_code", f.unit_code)]);
            let kept = Kept {
                form: "grant",
                values,
                error,
            };
            admin_page(&s, &u, Some(&kept)).await
        }
    }
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    csrf: String,
    code: String,
    name: String,
    #[serde(default)]
    parent: String,
}

async fn unit(
    State(s): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<UnitForm>,
) -> PageResult {
    u.check_csrf(&f.csrf)?;
    match ops::upsert_unit(&s, &u, &f.code, &f.name, Some(&f.parent)).await {
        Ok(()) => Ok(done(
            &s,
            "/admin#units",
            &format!("已保存单位“{} {}”。", f.code.trim(), f.name.trim()),
        )),
        Err(error) => {
            let values = HashMap::from([("code", f.code), ("name", f.name), ("parent", f.parent)]);
            let kept = Kept {
                form: "unit",
                values,
                error,
            };
            admin_page(&s, &u, Some(&kept)).await
        }
    }
}
