//! Test databases for this crate's tests and its users' (feature `testing`): a fresh SQLite
//! file, or a fresh database on the PostgreSQL server named by `JUESUAN_TEST_POSTGRES_URL`
//! (e.g. from `scripts/pg-test.sh start`). With `CI=true` and no URL the PostgreSQL case fails
//! instead of skipping, so CI can never pass without having run it.

use std::sync::atomic::{AtomicU32, Ordering};

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

    /// A new database on the test PostgreSQL server; `None` (test skipped, said on stderr)
    /// when no server is configured outside CI. `test` names it, for whoever looks at the server.
    pub async fn postgres(test: &str) -> Option<TestDatabase> {
        let Ok(server) = std::env::var("JUESUAN_TEST_POSTGRES_URL") else {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "CI=true but JUESUAN_TEST_POSTGRES_URL is not set: the PostgreSQL tests must run in CI (start a server with scripts/pg-test.sh)"
                );
            }
            eprintln!("skipped {test} on PostgreSQL: JUESUAN_TEST_POSTGRES_URL is not set");
            return None;
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
        Some(TestDatabase {
            url: with_database(&server, &name),
            _dir: None,
            postgres: Some((server, name)),
        })
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
        .expect("connect to JUESUAN_TEST_POSTGRES_URL");
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
