//! The sign-in as the sync engine sees it: added once, never changed, only
//! struck off (audited); a kiosk link may add sign-ins to its own meeting.

use super::model;
use crate::{
    errors::Problem,
    i18n::{Locale, td_string},
    sync::{
        Mutation, Op,
        rules::{Amendment, EntityRules, Kind, Owner, uuid_in},
    },
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

pub struct SignIns;

impl EntityRules for SignIns {
    fn name(&self) -> &'static str {
        model::ENTITY
    }

    fn kind(&self) -> Kind {
        Kind::AppendOnly {
            device_field: Some("device_id"),
            amendment: Some(Amendment {
                field: "struck",
                audit_action: "strike",
            }),
        }
    }

    fn owner(&self) -> Owner {
        Owner::Record {
            field: "meeting_id",
            entity: crate::meetings::model::ENTITY,
        }
    }

    fn check_field(&self, field: &str, value: &Value) -> Result<Value, Problem> {
        model::check_field(field, value)
    }

    fn check_record(&self, data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
        model::check_record(data)
    }

    /// New sign-ins for the link's own meeting; never a strike, a paper
    /// entry or anything else.
    fn token_may_push(&self, meeting: Uuid, m: &Mutation) -> bool {
        m.op == Op::Upsert
            && !m.data.contains_key("struck")
            && !model::from_paper(&m.data)
            && uuid_in(&m.data, "meeting_id") == Some(meeting)
    }

    /// A tutor or coordinator reads who came, never how to reach them; the
    /// signatures, the heavy part of a list, she sees online.
    fn editors_only(&self) -> &'static [&'static str] {
        &["contact", "signature"]
    }

    /// The heavy part of a list, and the least needed offline once the
    /// meeting is long past (the list shows it from the server).
    fn spare(&self) -> &'static [&'static str] {
        &["signature"]
    }

    fn label(&self, locale: Locale) -> String {
        td_string!(locale, sync.entity_sign_in).to_string()
    }

    fn field_label(&self, field: &str, locale: Locale) -> String {
        match field {
            "full_name" => td_string!(locale, kiosk.full_name),
            "organization" => td_string!(locale, kiosk.organization),
            "function" => td_string!(locale, kiosk.function),
            "contact" => td_string!(locale, kiosk.contact),
            "contact_consent" => td_string!(locale, kiosk.contact_consent),
            "image_consent" => td_string!(locale, kiosk.image_consent),
            "signature" => td_string!(locale, kiosk.signature),
            "struck" => td_string!(locale, attendance.strike_reason),
            "meeting_id" => td_string!(locale, personal.meeting),
            _ => td_string!(locale, kiosk.clause_heading),
        }
        .to_string()
    }

    fn title_field(&self) -> &'static str {
        "full_name"
    }

    fn page(&self, _record_id: Uuid, data: &Map<String, Value>) -> Option<String> {
        uuid_in(data, "meeting_id").map(|meeting| format!("/spotkania/{meeting}/obecnosc"))
    }

    fn audit_details(&self, record: &Map<String, Value>) -> Value {
        let reason = record
            .get("struck")
            .and_then(|struck| struck.get("reason"))
            .cloned()
            .unwrap_or(Value::Null);
        json!({ "meeting_id": record.get("meeting_id"), "reason": reason })
    }
}

/// Kiosk tokens: a live one lets its bearer push sign-ins for its meeting.
#[cfg(feature = "ssr")]
pub struct KioskTokens;

#[cfg(feature = "ssr")]
impl crate::sync::rules::server::PushTokens for KioskTokens {
    fn grant<'a>(
        &'a self,
        pool: &'a sqlx::PgPool,
        token: &'a str,
    ) -> crate::sync::rules::server::GrantFuture<'a> {
        Box::pin(async move {
            let grant = super::kiosk_api::ssr::grant(pool, token, crate::clock::now()).await?;
            Ok(grant.map(|grant| crate::sync::server::TokenGrant {
                actor: grant.actor,
                scope: grant.meeting_id,
            }))
        })
    }
}
