//! `partnerstwa create-admin`: the first administrator of a real
//! installation. No password goes through the command line or shell
//! history: the command prints a one-time link to set it in the browser.

use app::{
    accounts::{
        manage::create_link,
        model::{Email, FullName, Problem},
    },
    audit,
    errors::AppError,
};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("invalid e-mail address: {0}")]
    Email(Problem),
    #[error("invalid name: {0}")]
    Name(Problem),
    #[error("the account {0} is deactivated; it is not turned into an admin")]
    Deactivated(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    App(#[from] AppError),
}

/// The admin account and the path of its set-password link; `None` when the
/// account already had a password (it is made an admin and keeps it).
pub struct CreatedAdmin {
    pub user_id: Uuid,
    /// The e-mail address as stored (trimmed, lower-cased).
    pub email: String,
    pub link: Option<String>,
}

pub async fn create_admin(
    pool: &PgPool,
    email: &str,
    full_name: &str,
) -> Result<CreatedAdmin, AdminError> {
    let email = Email::parse(email).map_err(AdminError::Email)?;
    let full_name = FullName::parse(full_name).map_err(AdminError::Name)?;
    let mut tx = pool.begin().await?;
    let existing: Option<(Uuid, bool, bool)> = sqlx::query_as(
        "select id, is_active, password_hash is not null from users where email = $1 for update",
    )
    .bind(email.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, has_password) = match existing {
        Some((_, false, _)) => return Err(AdminError::Deactivated(email.as_str().to_owned())),
        Some((id, true, has_password)) => {
            sqlx::query("update users set is_admin = true where id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            (id, has_password)
        }
        None => {
            let id = Uuid::new_v4();
            sqlx::query(
                "insert into users (id, email, full_name, is_admin) values ($1, $2, $3, true)",
            )
            .bind(id)
            .bind(email.as_str())
            .bind(full_name.as_str())
            .execute(&mut *tx)
            .await?;
            (id, false)
        }
    };
    let link = match has_password {
        true => None,
        false => Some(format!(
            "/zaproszenie/{}",
            create_link(&mut tx, user_id, None).await?
        )),
    };
    audit::record(
        &mut tx,
        None,
        "account.admin_created",
        "user",
        user_id,
        json!({ "source": "command_line" }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedAdmin {
        user_id,
        email: email.as_str().to_owned(),
        link,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrator = "app::db::MIGRATOR")]
    async fn a_new_admin_gets_a_one_time_link_and_an_audit_entry(pool: PgPool) {
        let created = create_admin(&pool, " Admin@Gmina.PL ", "Anna Admin")
            .await
            .expect("created");
        assert_eq!(created.email, "admin@gmina.pl");
        let link = created.link.expect("a link");
        assert!(link.starts_with("/zaproszenie/"));
        let (email, is_admin, hash): (String, bool, Option<String>) =
            sqlx::query_as("select email, is_admin, password_hash from users where id = $1")
                .bind(created.user_id)
                .fetch_one(&pool)
                .await
                .expect("user");
        assert_eq!(email, "admin@gmina.pl");
        assert!(is_admin);
        assert!(hash.is_none(), "no password until the link is used");
        let audited: i64 = sqlx::query_scalar(
            "select count(*) from audit_log where action = 'account.admin_created' and subject_id = $1",
        )
        .bind(created.user_id)
        .fetch_one(&pool)
        .await
        .expect("audit");
        assert_eq!(audited, 1);

        // Running it again replaces the link: the first one stops working.
        let again = create_admin(&pool, "admin@gmina.pl", "Anna Admin")
            .await
            .expect("again");
        assert_eq!(again.user_id, created.user_id);
        let token = link.trim_start_matches("/zaproszenie/");
        assert!(matches!(
            app::accounts::manage::link_holder(&pool, token).await,
            Err(AppError::NotFound)
        ));
    }

    #[sqlx::test(migrator = "app::db::MIGRATOR")]
    async fn a_bad_email_is_refused_and_writes_nothing(pool: PgPool) {
        assert!(matches!(
            create_admin(&pool, "admin", "Anna").await,
            Err(AdminError::Email(Problem::NotAnEmail))
        ));
        let users: i64 = sqlx::query_scalar("select count(*) from users")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(users, 0);
    }
}
