//! The audit log (server only): who did what to which record. Entries hold
//! ids and field names, never personal data, so they survive erasure requests.

use crate::errors::AppError;
use uuid::Uuid;

/// Appends one entry, inside the caller's transaction so that it exists
/// exactly when the change does.
pub async fn record(
    conn: &mut sqlx::PgConnection,
    actor_id: Option<Uuid>,
    action: &str,
    subject_type: &str,
    subject_id: Uuid,
    details: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into audit_log (actor_id, action, subject_type, subject_id, details)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(actor_id)
    .bind(action)
    .bind(subject_type)
    .bind(subject_id)
    .bind(details)
    .execute(conn)
    .await?;
    Ok(())
}
