//! Kiosk tokens: a librarian opens the sign-in kiosk of one meeting on
//! another tablet. The token (a bearer credential, stored hashed) lets that
//! tablet read its meeting's header and clause (`POST /api/kiosk`) and push
//! sign-ins for that meeting through `POST /api/sync` — nothing else.

use super::{KioskLink, KioskOpening};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "kiosk-token", input = Json, output = Json)]
pub async fn create_kiosk_token(meeting_id: Uuid) -> Result<KioskLink, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move {
        ssr::create(
            &pool,
            &actor,
            meeting_id,
            &ctx::origin(),
            crate::clock::now(),
        )
        .await
    })
    .await
}

/// Revokes every kiosk token of the meeting; returns how many were live.
#[server(prefix = "/api", endpoint = "kiosk-token/revoke", input = Json, output = Json)]
pub async fn revoke_kiosk_tokens(meeting_id: Uuid) -> Result<u64, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move {
        ssr::revoke(&pool, &actor, meeting_id, crate::clock::now()).await
    })
    .await
}

/// The kiosk's meeting, for the bearer of a kiosk token.
#[server(prefix = "/api", endpoint = "kiosk", input = Json, output = Json)]
pub async fn open_kiosk() -> Result<KioskOpening, AppError> {
    use crate::server_context as ctx;
    ctx::with_pool(|pool| async move {
        let token = ctx::bearer_token().ok_or(AppError::Unauthorized)?;
        let grant = ssr::grant(&pool, &token, crate::clock::now())
            .await?
            .ok_or(AppError::Unauthorized)?;
        ssr::opening(&pool, grant.meeting_id).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::{Clause, KioskLink, KioskOpening};
    use crate::{
        accounts::{
            access::{Action, Actor, Target},
            session,
        },
        errors::AppError,
        meetings::model as meeting,
    };
    use serde_json::Value;
    use sqlx::PgPool;
    use uuid::Uuid;

    /// What a live kiosk token allows: sign-ins for one meeting, on behalf
    /// of the librarian who opened it (with her current rights).
    #[derive(Debug, Clone)]
    pub struct Grant {
        pub meeting_id: Uuid,
        pub actor: Actor,
    }

    /// The library of a meeting the server has, if the actor may edit it.
    async fn editable_meeting(
        pool: &PgPool,
        actor: &Actor,
        meeting_id: Uuid,
    ) -> Result<(Uuid, Value), AppError> {
        let row: Option<(Uuid, Value)> = sqlx::query_as(
            "select library_id, data from records
             where entity = $1 and id = $2 and not deleted",
        )
        .bind(meeting::ENTITY)
        .bind(meeting_id)
        .fetch_optional(pool)
        .await?;
        let (library_id, data) = row.ok_or(AppError::NotFound)?;
        if !actor.may(Action::Edit, Target::Library(library_id)) {
            // The same answer as for a meeting that does not exist.
            return Err(AppError::NotFound);
        }
        Ok((library_id, data))
    }

    pub async fn create(
        pool: &PgPool,
        actor: &Actor,
        meeting_id: Uuid,
        origin: &str,
        now: i64,
    ) -> Result<KioskLink, AppError> {
        let (library_id, data) = editable_meeting(pool, actor, meeting_id).await?;
        // A date stored before dates were checked against the calendar counts
        // as none, rather than failing the link.
        let starts_at = data
            .get("starts_at")
            .and_then(Value::as_str)
            .filter(|at| crate::kernel::fields::is_utc_instant(at));
        let token = session::new_token();
        // Valid until midnight in Poland after the meeting day, or after
        // today for a meeting already past (a list typed in later).
        let expires_at: String = sqlx::query_scalar(
            r#"insert into kiosk_tokens (id, token_hash, meeting_id, library_id, created_by, expires_at)
               values ($1, $2, $3, $4, $5, greatest(
                   ((coalesce($6::timestamptz, $7::timestamptz) at time zone 'Europe/Warsaw')::date + 1)::timestamp at time zone 'Europe/Warsaw',
                   (($7::timestamptz at time zone 'Europe/Warsaw')::date + 1)::timestamp at time zone 'Europe/Warsaw'))
               returning to_char(expires_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"#,
        )
        .bind(Uuid::new_v4())
        .bind(session::token_hash(&token))
        .bind(meeting_id)
        .bind(library_id)
        .bind(actor.user_id)
        .bind(starts_at)
        .bind(crate::format::instant_of(now))
        .fetch_one(pool)
        .await?;
        let path = format!("/kiosk/{meeting_id}#klucz={token}");
        let qr_svg = qr_svg(&format!("{origin}{path}"))?;
        Ok(KioskLink {
            token,
            url: path,
            expires_at,
            qr_svg,
        })
    }

    pub async fn revoke(
        pool: &PgPool,
        actor: &Actor,
        meeting_id: Uuid,
        now: i64,
    ) -> Result<u64, AppError> {
        editable_meeting(pool, actor, meeting_id).await?;
        let done = sqlx::query(
            "update kiosk_tokens set revoked_at = $2::timestamptz
             where meeting_id = $1 and revoked_at is null and expires_at > $2::timestamptz",
        )
        .bind(meeting_id)
        .bind(crate::format::instant_of(now))
        .execute(pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The grant of a live token (as of `now`) whose librarian still may edit the library.
    pub async fn grant(pool: &PgPool, token: &str, now: i64) -> Result<Option<Grant>, AppError> {
        let row: Option<(Uuid, Uuid, Uuid)> = sqlx::query_as(
            "select k.meeting_id, k.library_id, k.created_by
             from kiosk_tokens k join users u on u.id = k.created_by
             where k.token_hash = $1 and k.revoked_at is null
               and k.expires_at > $2::timestamptz and u.is_active",
        )
        .bind(session::token_hash(token))
        .bind(crate::format::instant_of(now))
        .fetch_optional(pool)
        .await?;
        let Some((meeting_id, library_id, user_id)) = row else {
            return Ok(None);
        };
        let actor = session::load_actor(pool, user_id).await?;
        Ok(actor
            .may(Action::Edit, Target::Library(library_id))
            .then_some(Grant { meeting_id, actor }))
    }

    pub async fn opening(pool: &PgPool, meeting_id: Uuid) -> Result<KioskOpening, AppError> {
        let data: Option<Value> = sqlx::query_scalar(
            "select data from records where entity = $1 and id = $2 and not deleted",
        )
        .bind(meeting::ENTITY)
        .bind(meeting_id)
        .fetch_optional(pool)
        .await?;
        let data = data.ok_or(AppError::NotFound)?;
        let text = |field: &str| data.get(field).and_then(Value::as_str).map(str::to_owned);
        let partnership = text("partnership_id").and_then(|p| Uuid::parse_str(&p).ok());
        Ok(KioskOpening {
            meeting_id,
            title: text("title").unwrap_or_default(),
            starts_at: text("starts_at"),
            ends_at: text("ends_at"),
            place: text("place").unwrap_or_default(),
            clause: match partnership {
                Some(partnership) => clause_of_partnership(pool, partnership).await?,
                None => None,
            },
        })
    }

    /// The newest information clause of the partnership's program.
    pub async fn clause_of_partnership(
        pool: &PgPool,
        partnership: Uuid,
    ) -> Result<Option<Clause>, AppError> {
        let row: Option<(i32, String, String)> = sqlx::query_as(
            "select c.version, c.short_text, c.full_text
             from partnerships p join information_clauses c on c.program_id = p.program_id
             where p.id = $1 order by c.version desc limit 1",
        )
        .bind(partnership)
        .fetch_optional(pool)
        .await?;
        Ok(row.map(|(version, short_text, full_text)| Clause {
            version,
            short_text,
            full_text,
        }))
    }

    /// `text` as a QR code: one SVG path of the dark modules, with a quiet zone.
    pub fn qr_svg(text: &str) -> Result<String, AppError> {
        use qrcodegen::{QrCode, QrCodeEcc};
        let code = QrCode::encode_text(text, QrCodeEcc::Medium)
            .map_err(|e| crate::errors::internal("qr code", e))?;
        let size = code.size();
        let border = 4;
        let mut path = String::new();
        for y in 0..size {
            for x in 0..size {
                if code.get_module(x, y) {
                    path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
                }
            }
        }
        let full = size + 2 * border;
        Ok(format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {full}" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="100%" height="100%" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
        ))
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn a_qr_code_is_an_svg_with_dark_modules() {
            let svg = super::qr_svg("http://127.0.0.1:3000/kiosk/x#klucz=abc").expect("qr");
            assert!(svg.starts_with("<svg"));
            // Finder patterns alone make dozens of modules.
            assert!(svg.matches('M').count() > 50);
        }
    }
}
