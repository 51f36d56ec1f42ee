//! Account management (server only): invitations, one-time set-password
//! links, password changes, deactivation. Each change writes an audit entry
//! in the same transaction.

use super::{
    access::{Action, Actor, Target},
    model::{Email, FullName, Invited, LinkHolder, NewPassword, Role},
    password, session, throttle,
};
use crate::{
    audit,
    errors::{AppError, Field, Problem, internal},
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// How long a set-password link works.
pub const LINK_DAYS: i32 = 14;

/// A checked invitation: valid e-mail and name; a tutor comes with a program.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub library_id: Uuid,
    pub email: Email,
    pub full_name: FullName,
    pub role: Role,
    pub program_id: Option<Uuid>,
}

impl Invitation {
    pub fn parse(
        library_id: Uuid,
        email: &str,
        full_name: &str,
        role: Role,
        program_id: Option<Uuid>,
    ) -> Result<Self, AppError> {
        let email = Email::parse(email).map_err(|p| AppError::invalid(Field::Email, p))?;
        let full_name =
            FullName::parse(full_name).map_err(|p| AppError::invalid(Field::FullName, p))?;
        let program_id = match role {
            Role::Librarian => None,
            Role::Tutor => {
                Some(program_id.ok_or(AppError::invalid(Field::Program, Problem::Required))?)
            }
        };
        Ok(Self {
            library_id,
            email,
            full_name,
            role,
            program_id,
        })
    }
}

pub async fn invite(
    pool: &PgPool,
    actor: &Actor,
    invitation: Invitation,
) -> Result<Invited, AppError> {
    let library_id = invitation.library_id;
    if !actor.may(Action::Manage, Target::Library(library_id)) {
        return Err(AppError::Forbidden);
    }
    if let Some(program_id) = invitation.program_id {
        if !actor.may(Action::Manage, Target::Program(program_id)) {
            return Err(AppError::Forbidden);
        }
        let takes_part: bool = sqlx::query_scalar(
            "select exists (select 1 from program_libraries pl join libraries l
                            on pl.library_id = l.id or pl.library_id = l.parent_id
                            where pl.program_id = $1 and l.id = $2)",
        )
        .bind(program_id)
        .bind(library_id)
        .fetch_one(pool)
        .await?;
        if !takes_part {
            return Err(AppError::invalid(Field::Program, Problem::NotAllowedChoice));
        }
    }

    let mut tx = pool.begin().await?;
    let existing: Option<(Uuid, bool, bool)> = sqlx::query_as(
        "select id, is_active, password_hash is not null from users where email = $1 for update",
    )
    .bind(invitation.email.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, needs_link) = match existing {
        Some((_, false, _)) => return Err(AppError::invalid(Field::Email, Problem::Deactivated)),
        Some((id, true, true)) => (id, false),
        // A new link replaces the old one, so it goes only to someone who may
        // manage the account as it is now (never an administrator's, never
        // one working in another program); anyone else only adds the role.
        Some((id, true, false)) => {
            let roles = crate::directory::api::ssr::account_roles(pool, &[id]).await?;
            let manages = roles
                .get(&id)
                .is_some_and(|(account, _)| actor.may_manage_account(account));
            (id, manages)
        }
        None => {
            let id = Uuid::new_v4();
            sqlx::query("insert into users (id, email, full_name) values ($1, $2, $3)")
                .bind(id)
                .bind(invitation.email.as_str())
                .bind(invitation.full_name.as_str())
                .execute(&mut *tx)
                .await?;
            (id, true)
        }
    };
    match invitation.program_id {
        None => sqlx::query(
            "insert into library_memberships (user_id, library_id, role) values ($1, $2, 'librarian')
             on conflict do nothing",
        )
        .bind(user_id)
        .bind(library_id)
        .execute(&mut *tx)
        .await?,
        Some(program_id) => sqlx::query(
            "insert into tutor_assignments (tutor_id, library_id, program_id) values ($1, $2, $3)
             on conflict do nothing",
        )
        .bind(user_id)
        .bind(library_id)
        .bind(program_id)
        .execute(&mut *tx)
        .await?,
    };
    let link = match needs_link {
        true => Some(create_link(&mut tx, user_id, Some(actor.user_id)).await?),
        false => None,
    };
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "account.invited",
        "user",
        user_id,
        json!({
            "library_id": library_id,
            "role": invitation.role,
            "program_id": invitation.program_id,
            "new_account": existing.is_none(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Invited {
        user_id,
        link: link.map(|token| format!("/zaproszenie/{token}")),
    })
}

/// A new one-time link for `user_id`; earlier unused links stop working.
pub async fn create_link(
    conn: &mut PgConnection,
    user_id: Uuid,
    created_by: Option<Uuid>,
) -> Result<String, AppError> {
    sqlx::query("delete from password_links where user_id = $1 and used_at is null")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let token = session::new_token();
    sqlx::query(
        "insert into password_links (token_hash, user_id, created_by, expires_at)
         values ($1, $2, $3, now() + make_interval(days => $4))",
    )
    .bind(session::token_hash(&token))
    .bind(user_id)
    .bind(created_by)
    .bind(LINK_DAYS)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

const LIVE_LINK: &str = "from password_links l join users u on u.id = l.user_id
     where l.token_hash = $1 and l.used_at is null and l.expires_at > now() and u.is_active";

pub async fn link_holder(pool: &PgPool, token: &str) -> Result<LinkHolder, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as(&format!("select u.email, u.full_name {LIVE_LINK}"))
            .bind(session::token_hash(token))
            .fetch_optional(pool)
            .await?;
    let (email, full_name) = row.ok_or(AppError::NotFound)?;
    Ok(LinkHolder { email, full_name })
}

/// Sets the password behind a live link, uses the link up, and ends any
/// earlier sessions of the account. Returns the account.
pub async fn set_password(pool: &PgPool, token: &str, new: &str) -> Result<Uuid, AppError> {
    let mut tx = pool.begin().await?;
    let row: Option<(Uuid, String)> =
        sqlx::query_as(&format!("select u.id, u.email {LIVE_LINK} for update of l"))
            .bind(session::token_hash(token))
            .fetch_optional(&mut *tx)
            .await?;
    let (user_id, email) = row.ok_or(AppError::NotFound)?;
    sqlx::query("update password_links set used_at = now() where token_hash = $1")
        .bind(session::token_hash(token))
        .execute(&mut *tx)
        .await?;
    replace_password(&mut tx, user_id, &email, new, None, "account.password_set").await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Changes the person's own password after checking the current one (wrong
/// guesses count towards the same throttle as failed logins). Other sessions end.
pub async fn change_password(
    pool: &PgPool,
    user_id: Uuid,
    current_session: &str,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let (email, stored): (String, Option<String>) =
        sqlx::query_as("select email, password_hash from users where id = $1")
            .bind(user_id)
            .fetch_one(pool)
            .await?;
    let keys = throttle::Keys::current_password(user_id);
    let attempt = keys.count_attempt(pool).await?;
    let matches = match stored {
        Some(stored) => password::verify_off_thread(current.to_owned(), stored).await?,
        None => false,
    };
    if matches {
        keys.succeeded(pool, attempt).await?;
    } else {
        return Err(AppError::invalid(
            Field::CurrentPassword,
            Problem::WrongPassword,
        ));
    }
    let mut tx = pool.begin().await?;
    replace_password(
        &mut tx,
        user_id,
        &email,
        new,
        Some(current_session),
        "account.password_changed",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks and stores a new password, ends the account's sessions (all, or
/// all but `keep_session`), and records `action` in the audit log.
async fn replace_password(
    conn: &mut PgConnection,
    user_id: Uuid,
    email: &str,
    new: &str,
    keep_session: Option<&str>,
    action: &str,
) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|e| internal("stored e-mail", e))?;
    let new = NewPassword::parse(new, &email).map_err(|p| AppError::invalid(Field::Password, p))?;
    let hash = password::hash_off_thread(new.expose().to_owned()).await?;
    sqlx::query("update users set password_hash = $2 where id = $1")
        .bind(user_id)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "delete from sessions where user_id = $1 and ($2::bytea is null or token_hash <> $2)",
    )
    .bind(user_id)
    .bind(keep_session.map(session::token_hash))
    .execute(&mut *conn)
    .await?;
    audit::record(conn, Some(user_id), action, "user", user_id, json!({})).await
}

/// Ends every session of the person, with an audit entry.
pub async fn sign_out_everywhere(pool: &PgPool, user_id: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("delete from sessions where user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Some(user_id),
        "account.signed_out_everywhere",
        "user",
        user_id,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (ending every session and unused link at once) or reactivates an account.
pub async fn set_active(
    pool: &PgPool,
    actor: &Actor,
    user_id: Uuid,
    active: bool,
) -> Result<(), AppError> {
    let exists: bool = sqlx::query_scalar("select exists (select 1 from users where id = $1)")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    if !exists {
        return Err(if actor.is_coordinator() || actor.is_admin {
            AppError::NotFound
        } else {
            AppError::Forbidden
        });
    }
    let roles = crate::directory::api::ssr::account_roles(pool, &[user_id]).await?;
    let account = roles
        .get(&user_id)
        .map(|(account, _)| account)
        .ok_or(AppError::NotFound)?;
    if !actor.may_manage_account(account) {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    sqlx::query("update users set is_active = $2 where id = $1")
        .bind(user_id)
        .bind(active)
        .execute(&mut *tx)
        .await?;
    if !active {
        sqlx::query("delete from sessions where user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from password_links where user_id = $1 and used_at is null")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    let action = if active {
        "account.reactivated"
    } else {
        "account.deactivated"
    };
    audit::record(
        &mut tx,
        Some(actor.user_id),
        action,
        "user",
        user_id,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
