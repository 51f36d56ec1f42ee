//! Server functions for signing in and out, and the signed-in person.

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
    use crate::{accounts::session, errors::respond, server_context as ctx};
    respond(
        async {
            let pool = ctx::pool()?;
            let user_id =
                super::login::authenticate(&pool, &email, &password, &ctx::client_address())
                    .await?;
            let token = session::start(&pool, user_id).await?;
            ctx::set_cookie(&session::cookie(&token, ctx::is_https()));
            let user = ssr::me(&pool, user_id).await?;
            Ok(SignedIn { user })
        }
        .await,
    )
}

/// `POST /api/logout`: ends the session and removes the cookie.
#[server(prefix = "/api", endpoint = "logout", input = Json, output = Json)]
pub async fn logout() -> Result<(), AppError> {
    use crate::{accounts::session, errors::respond, server_context as ctx};
    respond(
        async {
            let pool = ctx::pool()?;
            if let Some(token) = ctx::session_token() {
                session::end(&pool, &token).await?;
            }
            ctx::set_cookie(&session::removal_cookie(ctx::is_https()));
            Ok(())
        }
        .await,
    )
}

/// `POST /api/me`: the signed-in person, or `None` for a visitor.
#[server(prefix = "/api", endpoint = "me", input = Json, output = Json)]
pub async fn signed_in_person() -> Result<Option<Me>, AppError> {
    use crate::{errors::respond, server_context as ctx};
    respond(
        async {
            // Only the session is needed here, not the whole permission set.
            let pool = ctx::pool()?;
            let Some(token) = ctx::session_token() else {
                return Ok(None);
            };
            match crate::accounts::session::resolve(&pool, &token).await? {
                Some(user_id) => Ok(Some(ssr::me(&pool, user_id).await?)),
                None => Ok(None),
            }
        }
        .await,
    )
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
