//! Test databases for this crate's tests and its users' (feature `testing`): a fresh SQLite
//! file, or a fresh database on the PostgreSQL server named by `JUESUAN_TEST_POSTGRES_URL`
//! (e.g. from `scripts/pg-test.sh start`). The PostgreSQL tests are marked
//! `#[ignore = "需要 PostgreSQL…"]`, so a plain run shows them as skipped; run on request
//! (`--run-ignored all`, as CI does) they fail without a server, never pass unchecked.

use std::sync::atomic::{AtomicU32, Ordering};

/// The start of the failure message of a PostgreSQL test run without a server.
pub const NEEDS_POSTGRES: &str =
    "需要 PostgreSQL（export JUESUAN_TEST_POSTGRES_URL=$(scripts/pg-test.sh start)，见 README）";

/// A database that exists for one test; [`TestDatabase::drop_database`] removes it.
pub struct TestDatabase {
    /// Connection URL for `Store::open`.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// (server URL, database name) of a PostgreSQL test database
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary directory");
        TestDatabase {
            url: format!("sqlite:{}", dir.path().join("test.db").display()),
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new database on the test PostgreSQL server named by `JUESUAN_TEST_POSTGRES_URL`.
    /// `test` names it, for whoever looks at the server.
    ///
    /// # Panics
    /// When the variable is not set or the server cannot be reached: a test that needs
    /// PostgreSQL fails without it (mark it `#[ignore = "需要 PostgreSQL…"]` so that a plain
    /// run skips it).
    pub async fn postgres(test: &str) -> TestDatabase {
        let Ok(server) = std::env::var("JUESUAN_TEST_POSTGRES_URL") else {
            panic!("{NEEDS_POSTGRES}：未设置 JUESUAN_TEST_POSTGRES_URL（{test}）");
        };
        static SEQ: AtomicU32 = AtomicU32::new(0);
        // Identifiers only: the test name comes from `stringify!` of a Rust identifier.
        let name = format!(
            "juesuan_test_{}_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst),
            test.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
                .to_ascii_lowercase()
        );
        let name: String = name.chars().take(63).collect();
        execute(&server, &format!("CREATE DATABASE {name}")).await;
        TestDatabase {
            url: with_database(&server, &name),
            _dir: None,
            postgres: Some((server, name)),
        }
    }

    /// Run one SQL statement on the test database directly, bypassing the store (to show
    /// that the schema itself refuses a change). The database's error as text.
    pub async fn try_execute(&self, sql: &str) -> Result<(), String> {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.url)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Remove the PostgreSQL database (SQLite files go with the temporary directory). Close
    /// the stores that use it first.
    pub async fn drop_database(self) {
        if let Some((server, name)) = self.postgres {
            execute(
                &server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .await;
        }
    }
}

async fn execute(server: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(server)
        .await
        .unwrap_or_else(|e| {
            panic!("{NEEDS_POSTGRES}：无法连接 JUESUAN_TEST_POSTGRES_URL={server}（{e}）")
        });
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced_and_options_kept() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5432/postgres?sslmode=disable", "t1"),
            "postgres://u@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:1", "t2"),
            "postgres://u@h:1/t2"
        );
    }
}
