//! The PostgreSQL pool and the schema migrations (server only).

use sqlx::{
    PgPool,
    migrate::{MigrateDatabase, MigrateError, Migrator},
    postgres::PgPoolOptions,
};
use std::time::Duration;

/// Every migration in `app/migrations`, compiled into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot reach the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot create the database: {0}")]
    Create(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] MigrateError),
}

/// Opens the pool without waiting for a connection, so the server starts (and
/// `/healthz` answers 503) even while the database is down.
pub fn connect_lazy(url: &str, max_connections: u32) -> Result<PgPool, DbError> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy(url)
        .map_err(DbError::Connect)
}

/// Creates the database named in `url` when it does not exist yet.
pub async fn create_if_missing(url: &str) -> Result<bool, DbError> {
    let exists = sqlx::Postgres::database_exists(url)
        .await
        .map_err(DbError::Connect)?;
    if !exists {
        sqlx::Postgres::create_database(url)
            .await
            .map_err(DbError::Create)?;
    }
    Ok(!exists)
}

/// Brings the schema up to date; running it again on a migrated database is a no-op.
pub async fn migrate(pool: &PgPool) -> Result<(), DbError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Whether the database answers a trivial query within `timeout`.
pub async fn answers(pool: &PgPool, timeout: Duration) -> bool {
    let ping = sqlx::query_scalar::<_, i32>("select 1").fetch_one(pool);
    matches!(tokio::time::timeout(timeout, ping).await, Ok(Ok(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = false)]
    async fn migrating_twice_is_harmless(pool: PgPool) {
        migrate(&pool).await.expect("first migration");
        migrate(&pool)
            .await
            .expect("second migration on a migrated database");
        let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations")
            .fetch_one(&pool)
            .await
            .expect("count migrations");
        assert_eq!(applied as usize, MIGRATOR.iter().count());
    }

    #[sqlx::test]
    async fn a_live_database_answers(pool: PgPool) {
        assert!(answers(&pool, Duration::from_secs(5)).await);
    }

    #[tokio::test]
    async fn an_unreachable_database_does_not_answer() {
        // Port 9 (discard) is closed on loopback: the connection is refused at once.
        let pool = connect_lazy("postgres://nobody@127.0.0.1:9/none", 1).expect("lazy pool");
        assert!(!answers(&pool, Duration::from_secs(5)).await);
    }
}
