//! Users, grants, sessions and the login rate limit of the web app.

use super::*;

impl Store {
    /// Create a user; returns its id.
    pub async fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<i64, StoreError> {
        if name.trim().is_empty() {
            return Err(StoreError::Invalid("用户名不能为空".into()));
        }
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(time::now_rfc3339())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::DuplicateUser(name.to_string()),
            e => e.into(),
        })?;
        let id: i64 = row.try_get("id")?;
        log_in(
            &mut tx,
            None,
            "user.create",
            &format!("{name}（{}）", role.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query("SELECT id, name, role, password_hash, disabled, must_change_password FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query("SELECT id, name, role, password_hash, disabled, must_change_password FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query("SELECT id, name, role, password_hash, disabled, must_change_password FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_row).collect()
    }

    pub async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<(), StoreError> {
        self.set_password_with(user_id, password_hash, false).await
    }

    /// Set a password; `must_change`: the user must choose a new one at the next sign-in
    /// (a one-time password, a reset by an administrator).
    pub async fn set_password_with(
        &self,
        user_id: i64,
        password_hash: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownUser(user_id));
        }
        // A changed password ends every session of that user.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        log_in(&mut tx, None, "user.password", &format!("用户{user_id}")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Let a user (preparer) edit a unit. Granting twice is harmless.
    pub async fn grant(&self, user_id: i64, unit_code: &str) -> Result<(), StoreError> {
        if self.user(user_id).await?.is_none() {
            return Err(StoreError::UnknownUser(user_id));
        }
        if self.unit(unit_code).await?.is_none() {
            return Err(StoreError::UnknownUnit(unit_code.to_string()));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO grants (user_id, unit_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(unit_code)
        .execute(&mut *tx)
        .await?;
        log_in(
            &mut tx,
            None,
            "user.grant",
            &format!("用户{user_id} → {unit_code}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Take a unit back from a user (撤销授权); `false` when it was not granted.
    pub async fn revoke(&self, user_id: i64, unit_code: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM grants WHERE user_id = $1 AND unit_code = $2")
            .bind(user_id)
            .bind(unit_code)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            log_in(
                &mut tx,
                None,
                "user.revoke",
                &format!("用户{user_id} ✕ {unit_code}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Change a user's role (更改角色).
    pub async fn set_role(&self, user_id: i64, role: Role) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownUser(user_id));
        }
        log_in(
            &mut tx,
            None,
            "user.role",
            &format!("用户{user_id} → {}", role.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disable (停用) or enable (启用) a user; disabling ends every session of that user.
    pub async fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UnknownUser(user_id));
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let what = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        log_in(&mut tx, None, what, &format!("用户{user_id}")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The unit codes granted to a user, by code.
    pub async fn granted_units(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT unit_code FROM grants WHERE user_id = $1 ORDER BY unit_code")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("unit_code"))
            .collect::<Result<_, _>>()?)
    }

    /// Store a session. `expires_at` is RFC 3339 (any offset); it is stored normalised to UTC.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let expires = time::normalise(expires_at).ok_or_else(|| {
            StoreError::Invalid(format!(
                "会话到期时间“{expires_at}”不是 RFC 3339 时间（如 2025-01-02T03:04:05Z）"
            ))
        })?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(expires)
        .bind(time::now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session with this token hash; `None` when unknown or expired.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        // Timestamps are stored normalised (YYYY-MM-DDTHH:MM:SSZ), so text order is time order.
        let row = sqlx::query(
            "SELECT u.id, u.name, u.role, u.password_hash, u.disabled, u.must_change_password, \
             s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(time::now_rfc3339())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                user: user_row(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---------------------------------------------------------------- login rate limit

    /// The failed logins recorded for `key`.
    pub async fn login_record(&self, key: &str) -> Result<Option<LoginRecord>, StoreError> {
        let row =
            sqlx::query("SELECT failures, first_at, last_at FROM login_failures WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let first: String = row.try_get("first_at")?;
        let last: String = row.try_get("last_at")?;
        let first_at = time::parse_rfc3339(&first).unwrap_or(0);
        Ok(Some(LoginRecord {
            failures: row.try_get("failures")?,
            first_at,
            last_at: time::parse_rfc3339(&last).unwrap_or(first_at),
        }))
    }

    /// Count a failed login against each `(key, reset_after)`: a key whose latest failure is
    /// older than its `reset_after` seconds starts again at one. Rows idle for a day are
    /// removed on the way.
    pub async fn login_failure(&self, keys: &[(String, i64)]) -> Result<(), StoreError> {
        let now_secs = time::now_secs();
        let now = time::now_rfc3339();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE last_at <> '' AND last_at <= $1")
            .bind(time::rfc3339_after(-86_400))
            .execute(&mut *tx)
            .await?;
        for (key, reset_after) in keys {
            let row = sqlx::query("SELECT last_at, first_at FROM login_failures WHERE key = $1")
                .bind(key.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let stale = match &row {
                Some(r) => {
                    let last: String = r.try_get("last_at")?;
                    let first: String = r.try_get("first_at")?;
                    let last = time::parse_rfc3339(&last)
                        .or_else(|| time::parse_rfc3339(&first))
                        .unwrap_or(0);
                    now_secs - last > *reset_after
                }
                None => true,
            };
            let sql = if stale {
                "INSERT INTO login_failures (key, failures, first_at, last_at) VALUES ($1, 1, $2, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = 1, first_at = $2, last_at = $2"
            } else {
                "UPDATE login_failures SET failures = failures + 1, last_at = $2 WHERE key = $1"
            };
            sqlx::query(sql)
                .bind(key.as_str())
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// 管理员解锁: clear an account's failed logins (its own key and the per-address keys
    /// naming it).
    pub async fn login_unlock(&self, name: &str) -> Result<(), StoreError> {
        let per_address = format!("ipuser:{name}@");
        sqlx::query(
            "DELETE FROM login_failures WHERE key = $1 \
             OR substr(key, 1, length(CAST($2 AS TEXT))) = CAST($2 AS TEXT)",
        )
        .bind(format!("user:{name}"))
        .bind(per_address)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Remove expired sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(time::now_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
