//! What of a list a device does not hold. A tutor's device gets a list's
//! names without the drawn signatures (the heavy part of a list, and not
//! hers to keep), a full device lets go of the oldest lists' signatures,
//! and a coordinator's device may not hold the library at all: the list
//! shows what is missing from the server when online and says where it is
//! when not.

use super::{Sheet, SheetView, attendees};
use crate::attendance::model::Signature;
use crate::{
    errors::AppError,
    i18n::{t, use_i18n},
    meetings::PartnershipRef,
    ui::{ErrorNotice, once_live},
};
use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::components::A;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The signatures of a meeting's list, by sign-in, read from the server.
pub type Signatures = HashMap<Uuid, Signature>;

/// `POST /api/meeting-signatures`: the signatures on one meeting's list,
/// for anyone who may see the meeting's library.
#[server(prefix = "/api", endpoint = "meeting-signatures", input = Json, output = Json)]
pub async fn meeting_signatures(meeting_id: Uuid) -> Result<Vec<(Uuid, Signature)>, AppError> {
    use crate::{
        accounts::access::{Action, Target},
        server_context as ctx,
    };
    ctx::as_actor(|actor, pool| async move {
        let library: Option<Uuid> = sqlx::query_scalar(
            "select library_id from records where entity = 'meeting' and id = $1 and not deleted",
        )
        .bind(meeting_id)
        .fetch_optional(&pool)
        .await?;
        let Some(library) = library.filter(|l| actor.may(Action::View, Target::Library(*l))) else {
            return Err(AppError::NotFound);
        };
        let rows: Vec<(Uuid, serde_json::Value)> = sqlx::query_as(
            "select id, data->'signature' from records
             where entity = 'sign_in' and not deleted and library_id = $1
               and data->>'meeting_id' = $2 and data ? 'signature'",
        )
        .bind(library)
        .bind(meeting_id.to_string())
        .fetch_all(&pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, value)| Signature::parse(&value).ok().map(|s| (id, s)))
            .collect())
    })
    .await
}

/// The signatures a list shows from the server: `None` until they come
/// (or while offline).
#[derive(Clone, Copy)]
pub(super) struct OnlineSignatures(pub(super) RwSignal<Option<Signatures>>);

/// Asks the server for `meeting`'s signatures once the page is live; rows
/// read them through `OnlineSignatures`.
pub(super) fn provide_online_signatures(meeting: Uuid, wanted: bool) {
    let found = RwSignal::new(None::<Signatures>);
    provide_context(OnlineSignatures(found));
    if !wanted {
        return;
    }
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = meeting_signatures(meeting).await {
                let _ = found.try_set(Some(list.into_iter().collect()));
            }
        });
    });
}

/// A meeting's list as the server has it, without attendees' contact data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerSheet {
    pub meeting: Map<String, Value>,
    pub partnership: Option<PartnershipRef>,
    pub sign_ins: Vec<(Uuid, Map<String, Value>)>,
}

/// `POST /api/meeting-attendance`: one meeting's list, read-only, for
/// anyone who may see its library (a coordinator whose device does not
/// hold it).
#[server(prefix = "/api", endpoint = "meeting-attendance", input = Json, output = Json)]
pub async fn attendance_from_server(meeting_id: Uuid) -> Result<ServerSheet, AppError> {
    use crate::{meetings::online::ssr::visible_meeting, server_context as ctx};
    ctx::as_actor(|actor, pool| async move {
        let Some(found) = visible_meeting(&pool, &actor, meeting_id).await? else {
            return Err(AppError::NotFound);
        };
        let rows: Vec<(Uuid, Value)> = sqlx::query_as(
            "select id, data - 'contact' from records
             where entity = 'sign_in' and not deleted and library_id = $1 and data->>'meeting_id' = $2
             order by rev",
        )
        .bind(found.library)
        .bind(meeting_id.to_string())
        .fetch_all(&pool)
        .await?;
        let sign_ins = rows
            .into_iter()
            .filter_map(|(id, data)| match data {
                Value::Object(data) => Some((id, data)),
                _ => None,
            })
            .collect();
        Ok(ServerSheet {
            meeting: found.data,
            partnership: found.partnership,
            sign_ins,
        })
    })
    .await
}

/// The list of a meeting this device does not hold, once the page is live.
#[component]
pub(super) fn SheetFromServer(id: Uuid) -> impl IntoView {
    once_live(move || view! { <SheetLoader id /> })
}

#[component]
fn SheetLoader(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = LocalResource::new(move || attendance_from_server(id));
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, list.loading)}</p> }>
            {move || loaded.get().map(|result| match result {
                Ok(found) => {
                    let sheet = Sheet {
                        list: attendees(found.sign_ins, id, &HashSet::new()),
                        meeting: found.meeting,
                        partnership: found.partnership,
                        from_server: true,
                    };
                    view! { <SheetView id sheet /> }.into_any()
                }
                Err(error) => {
                    let text = match error {
                        AppError::NotFound => Some(view! { {t!(i18n, meetings.not_found)} }.into_any()),
                        AppError::Transport { .. } => Some(view! { {t!(i18n, attendance.server_only_offline)} }.into_any()),
                        _ => None,
                    };
                    match text {
                        Some(text) => view! {
                            <p><A href="/spotkania" attr:class="back-link">{t!(i18n, meetings.back)}</A></p>
                            <div class="notice" role="status"><p>{text}</p></div>
                        }.into_any(),
                        None => view! { <ErrorNotice error /> }.into_any(),
                    }
                }
            })}
        </Transition>
    }
}
