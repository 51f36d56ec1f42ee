//! Server functions for signing in and out, and the signed-in person.

use super::model::{Invited, LinkHolder};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The signed-in person, as the interface shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: Uuid,
    pub full_name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_coordinator: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user: Me,
}

/// `POST /api/login {"email", "password"}`: 200 and a session cookie, or 401.
#[server(prefix = "/api", endpoint = "login", input = Json, output = Json)]
pub async fn login(email: String, password: String) -> Result<SignedIn, AppError> {
    use crate::{accounts::session, server_context as ctx};
    ctx::with_pool(|pool| async move {
        let user_id =
            super::login::authenticate(&pool, &email, &password, &ctx::client_address()).await?;
        let token = session::start(&pool, user_id).await?;
        ctx::set_cookie(&session::cookie(&token, ctx::is_https()));
        let user = ssr::me(&pool, user_id).await?;
        Ok(SignedIn { user })
    })
    .await
}

/// `POST /api/logout`: ends the session and removes the cookie.
#[server(prefix = "/api", endpoint = "logout", input = Json, output = Json)]
pub async fn logout() -> Result<(), AppError> {
    use crate::{accounts::session, server_context as ctx};
    ctx::with_pool(|pool| async move {
        if let Some(token) = ctx::session_token() {
            session::end(&pool, &token).await?;
        }
        ctx::set_cookie(&session::removal_cookie(ctx::is_https()));
        Ok(())
    })
    .await
}

/// `POST /api/logout-everywhere`: ends every session of the signed-in person
/// (a lost tablet, a shared computer left signed in), this one too.
#[server(prefix = "/api", endpoint = "logout-everywhere", input = Json, output = Json)]
pub async fn logout_everywhere() -> Result<(), AppError> {
    use crate::{accounts::session, server_context as ctx};
    ctx::with_pool(|pool| async move {
        let token = ctx::session_token().ok_or(AppError::Unauthorized)?;
        let user_id = session::resolve(&pool, &token)
            .await?
            .ok_or(AppError::Unauthorized)?;
        super::manage::sign_out_everywhere(&pool, user_id).await?;
        ctx::set_cookie(&session::removal_cookie(ctx::is_https()));
        Ok(())
    })
    .await
}

/// `POST /api/me`: the signed-in person, or `None` for a visitor.
#[server(prefix = "/api", endpoint = "me", input = Json, output = Json)]
pub async fn signed_in_person() -> Result<Option<Me>, AppError> {
    use crate::server_context as ctx;
    // Only the session is needed here, not the whole permission set.
    ctx::with_pool(|pool| async move {
        let Some(token) = ctx::session_token() else {
            return Ok(None);
        };
        match crate::accounts::session::resolve(&pool, &token).await? {
            Some(user_id) => Ok(Some(ssr::me(&pool, user_id).await?)),
            None => Ok(None),
        }
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::Me;
    use crate::errors::AppError;
    use sqlx::PgPool;
    use uuid::Uuid;

    pub async fn me(pool: &PgPool, user_id: Uuid) -> Result<Me, AppError> {
        let row: Option<(Uuid, String, String, bool, bool)> = sqlx::query_as(
            "select u.id, u.full_name, u.email, u.is_admin,
                    exists (select 1 from program_coordinators c where c.user_id = u.id)
             from users u where u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await?;
        let (id, full_name, email, is_admin, is_coordinator) = row.ok_or(AppError::Unauthorized)?;
        Ok(Me {
            id,
            full_name,
            email,
            is_admin,
            is_coordinator,
        })
    }
}

/// `POST /api/invite`: a coordinator invites a person to a library as a
/// librarian, or as a tutor in one of her programs.
#[server(prefix = "/api", endpoint = "invite", input = Json, output = Json)]
pub async fn invite_person(
    library_id: Uuid,
    email: String,
    full_name: String,
    role: super::model::Role,
    program_id: Option<Uuid>,
) -> Result<Invited, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move {
        let invitation =
            super::manage::Invitation::parse(library_id, &email, &full_name, role, program_id)?;
        super::manage::invite(&pool, &actor, invitation).await
    })
    .await
}

/// `POST /api/password-link {"token"}`: whom a set-password link is for, or
/// 404 when it is unknown, used or expired. The token is the credential.
#[server(prefix = "/api", endpoint = "password-link", input = Json, output = Json)]
pub async fn password_link(token: String) -> Result<LinkHolder, AppError> {
    use crate::server_context as ctx;
    ctx::with_pool(|pool| async move { super::manage::link_holder(&pool, &token).await }).await
}

/// `POST /api/set-password {"token", "password"}`: sets the password through
/// a one-time link and signs the person in.
#[server(prefix = "/api", endpoint = "set-password", input = Json, output = Json)]
pub async fn set_password(token: String, password: String) -> Result<SignedIn, AppError> {
    use crate::{accounts::session, server_context as ctx};
    ctx::with_pool(|pool| async move {
        let user_id = super::manage::set_password(&pool, &token, &password).await?;
        let token = session::start(&pool, user_id).await?;
        ctx::set_cookie(&session::cookie(&token, ctx::is_https()));
        Ok(SignedIn {
            user: ssr::me(&pool, user_id).await?,
        })
    })
    .await
}

/// `POST /api/change-password {"current", "new"}`: the signed-in person's
/// own password. Every other session of the person ends.
#[server(prefix = "/api", endpoint = "change-password", input = Json, output = Json)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move {
        let token = ctx::session_token().ok_or(AppError::Unauthorized)?;
        super::manage::change_password(&pool, actor.user_id, &token, &current, &new).await
    })
    .await
}

/// `POST /api/account-active {"user_id", "active"}`: deactivates (every
/// session ends at once) or reactivates an account.
#[server(prefix = "/api", endpoint = "account-active", input = Json, output = Json)]
pub async fn set_account_active(user_id: Uuid, active: bool) -> Result<(), AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move {
        super::manage::set_active(&pool, &actor, user_id, active).await
    })
    .await
}
