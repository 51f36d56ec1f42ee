//! One partner: edit, delete, and the meetings it attended.

use super::*;
use crate::partners::model::{ENTITY, Partner, match_key};
use crate::{
    attendance::model as sign_in,
    clock::now_instant,
    format,
    i18n::{t, t_string, use_i18n},
    meetings::model as meeting,
    support::{LIBRARIES, MyLibrary},
    sync::{
        Op,
        engine::use_sync,
        local::{Fields, read_as},
        settle::RecordConflicts,
    },
    ui::{confirm, from_store, route_record},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_navigate};
use serde_json::{Map, json};
use std::collections::HashSet;
use uuid::Uuid;

/// A meeting as the partner page lists it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MeetingLine {
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) starts_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct PartnerData {
    pub(super) id: Uuid,
    pub(super) partner: Partner,
    /// As stored, for the edit form.
    pub(super) fields: Fields,
    pub(super) editable: bool,
    pub(super) library: String,
    pub(super) attended: Vec<MeetingLine>,
    /// Meetings where someone signed in for an organization of this name.
    pub(super) suggested: Vec<MeetingLine>,
}

#[component]
pub fn PartnerPage() -> impl IntoView {
    let i18n = use_i18n();
    // Kept here: the page redraws after a save, the confirmation stays.
    let state = RwSignal::new(None::<bool>);
    let data = route_record(ENTITY, |store, id, fields| {
        let partner: Partner = read_as(ENTITY, id, fields.clone()).unwrap_or_default();
        let libraries: Vec<MyLibrary> = store.reference(LIBRARIES)?.unwrap_or_default();
        let library = libraries.iter().find(|l| Some(l.id) == partner.library_id);
        let meetings: Vec<MeetingLine> = store
            .list_as::<meeting::Meeting>(meeting::ENTITY)?
            .into_iter()
            .map(|(id, m)| MeetingLine {
                id,
                title: m.title,
                starts_at: m.starts_at,
            })
            .collect();
        let attended_ids = &partner.attended;
        let dismissed = &partner.dismissed;
        let key = match_key(&partner.name);
        let signed: HashSet<Uuid> = store
            .list_as::<sign_in::SignIn>(sign_in::ENTITY)?
            .into_iter()
            .filter(|(_, s)| s.struck.is_none() && match_key(&s.organization) == key)
            .map(|(_, s)| s.meeting_id)
            .collect();
        let mut attended: Vec<MeetingLine> = meetings
            .iter()
            .filter(|m| attended_ids.contains(&m.id))
            .cloned()
            .collect();
        let mut suggested: Vec<MeetingLine> = meetings
            .into_iter()
            .filter(|m| {
                signed.contains(&m.id)
                    && !attended_ids.contains(&m.id)
                    && !dismissed.contains(&m.id)
            })
            .collect();
        attended.sort_by(|a, b| b.starts_at.cmp(&a.starts_at));
        suggested.sort_by(|a, b| b.starts_at.cmp(&a.starts_at));
        Ok(PartnerData {
            id,
            partner,
            editable: library.is_some_and(|l| l.editable),
            library: library.map(|l| l.name.clone()).unwrap_or_default(),
            fields,
            attended,
            suggested,
        })
    });
    view! {
        <p><A href="/partnerzy" attr:class="back-link">{t!(i18n, partners.back)}</A></p>
        {move || from_store(data.get(), |found| match found {
            None => view! {
                <Title text=move || t_string!(i18n, partners.title).to_string() />
                <div class="notice" role="status"><p>{t!(i18n, partners.not_found)}</p></div>
            }.into_any(),
            Some(partner) => view! { <PartnerView partner state /> }.into_any(),
        })}
    }
}

#[component]
pub(super) fn PartnerView(partner: PartnerData, state: RwSignal<Option<bool>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    let navigate = use_navigate();
    let name = partner.partner.name.clone();
    let title = name.clone();
    let id = partner.id;
    let fields = StoredValue::new(partner.fields.clone());
    let lists = StoredValue::new((
        partner.partner.attended.clone(),
        partner.partner.dismissed.clone(),
    ));
    let form = PartnerForm::new("partner", &partner.fields);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut changed) = fields.with_value(|before| form.changes(before)) else {
            return;
        };
        changed.remove("library_id");
        if changed.is_empty() {
            state.set(Some(true));
            return;
        }
        let saved = sync.write(|store| store.save(ENTITY, id, Op::Upsert, changed, now_instant()));
        state.set(Some(saved.is_ok()));
    };
    let remove = move |_| {
        if confirm(t_string!(i18n, partners.delete_confirm)) {
            let deleted =
                sync.write(|store| store.save(ENTITY, id, Op::Delete, Map::new(), now_instant()));
            if deleted.is_ok() {
                navigate("/partnerzy", Default::default());
            }
        }
    };
    // Confirming or ruling out a meeting changes one list of the partner.
    let mark = move |list: &'static str, meeting: Uuid, add: bool| {
        let mut current = lists.with_value(|(attended, dismissed)| match list {
            "attended" => attended.clone(),
            _ => dismissed.clone(),
        });
        current.retain(|m| *m != meeting);
        if add {
            current.push(meeting);
        }
        let mut data = Map::new();
        data.insert(
            list.into(),
            json!(current.iter().map(Uuid::to_string).collect::<Vec<_>>()),
        );
        let _ = sync.write(|store| store.save(ENTITY, id, Op::Upsert, data, now_instant()));
    };
    let meeting_link = move |m: &MeetingLine| {
        let when = format::day(&m.starts_at, locale).unwrap_or_default();
        view! { <a href=format!("/spotkania/{}", m.id)>{m.title.clone()}</a> " " <span class="muted">{when}</span> }
    };
    let editable = partner.editable;
    let details = if editable {
        view! {
            <form class="form panel" on:submit=save novalidate>
                <PartnerFields form />
                <p class="field">
                    <label for="partner-notes">{field_label("notes")}</label>
                    <textarea id="partner-notes" rows="4" prop:value=move || form.value("notes")
                        on:input=move |ev| form.set("notes", event_target_value(&ev))></textarea>
                </p>
                <p class="button-row">
                    <button type="submit" class="button">{t!(i18n, partners.save)}</button>
                    <button type="button" class="button button--quiet" on:click=remove>{t!(i18n, partners.delete)}</button>
                </p>
                <p role="status" class="muted">
                    {move || state.get().map(|ok| if ok {
                        t_string!(i18n, meetings.saved).to_string()
                    } else {
                        t_string!(i18n, meetings.not_saved).to_string()
                    })}
                </p>
            </form>
        }
        .into_any()
    } else {
        let p = partner.partner.clone();
        view! {
            <dl class="panel details">
                <dt>{field_label("sector")}</dt><dd>{sector_label(&p.sector, locale)}</dd>
                {["contact_person", "email", "phone", "role", "notes"].into_iter().filter(|k| !p.text(k).is_empty()).map(|k| view! {
                    <dt>{field_label(k)}</dt><dd>{p.text(k).to_owned()}</dd>
                }).collect_view()}
                {format::day(&format!("{}T12:00:00Z", p.member_since), locale).filter(|_| !p.member_since.is_empty()).map(|d| view! {
                    <dt>{field_label("member_since")}</dt><dd>{d}</dd>
                })}
            </dl>
        }
        .into_any()
    };
    let attended = partner.attended.clone();
    let suggested = partner.suggested.clone();
    view! {
        <Title text=title />
        <h1>{name}</h1>
        <p class="lead">{partner.library.clone()}</p>
        <RecordConflicts entity=ENTITY record_id=id />
        {details}
        <section class="panel" aria-labelledby="partner-meetings">
            <h2 id="partner-meetings">{t!(i18n, partners.meetings)}</h2>
            {if attended.is_empty() {
                view! { <p class="muted">{t!(i18n, partners.no_meetings)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {attended.into_iter().map(|m| {
                            let meeting = m.id;
                            view! {
                                <li>
                                    {meeting_link(&m)}
                                    {editable.then(|| view! {
                                        " " <button type="button" class="button button--quiet"
                                            on:click=move |_| mark("attended", meeting, false)>{t!(i18n, partners.unconfirm)}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!suggested.is_empty() && editable).then(|| view! {
                <h3>{t!(i18n, partners.suggested)}</h3>
                <p class="muted">{t!(i18n, partners.suggested_hint)}</p>
                <ul class="plain-list">
                    {suggested.into_iter().map(|m| {
                        let meeting = m.id;
                        view! {
                            <li>
                                {meeting_link(&m)}
                                " "
                                <button type="button" class="button" on:click=move |_| mark("attended", meeting, true)>
                                    {t!(i18n, partners.confirm)}
                                </button>
                                " "
                                <button type="button" class="button button--quiet" on:click=move |_| mark("dismissed", meeting, true)>
                                    {t!(i18n, partners.dismiss)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
