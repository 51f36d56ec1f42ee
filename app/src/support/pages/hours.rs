//! The hours page: the meters and the table of consultations.

use super::*;
use crate::support::{
    HoursRow, LIBRARIES, MyLibrary,
    model::{Consultation, ENTITY},
};
use crate::{
    i18n::{t, t_string, use_i18n},
    meetings::{PARTNERSHIPS, PartnershipRef, model as meeting},
    sync::{
        conflict::{self, Conflict},
        engine::use_sync,
        settle::RecordConflicts,
    },
    ui::from_store,
};
use leptos_meta::Title;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct HoursData {
    pub(super) rows: Vec<HoursRow>,
    pub(super) libraries: Vec<MyLibrary>,
    /// Newest first.
    pub(super) consultations: Vec<(Uuid, Consultation)>,
    /// Meetings per library (id, title, start), for linking a consultation.
    pub(super) meetings: Vec<(Uuid, Uuid, String, String)>,
    pub(super) me: Option<Uuid>,
    /// Consultations with a value set aside by a merge, to be settled.
    pub(super) conflicted: Vec<Uuid>,
}

#[component]
pub fn HoursPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // Kept here: the page redraws after a save, the confirmation stays.
    let saved = RwSignal::new(None::<bool>);
    let data = Memo::new(move |_| {
        let me = sync.user();
        sync.read(|store| {
            let libraries: Vec<MyLibrary> = store.reference(LIBRARIES)?.unwrap_or_default();
            let partnerships: Vec<PartnershipRef> =
                store.reference(PARTNERSHIPS)?.unwrap_or_default();
            let meetings = store.list_as::<meeting::Meeting>(meeting::ENTITY)?;
            let mut consultations = store.list_as::<Consultation>(ENTITY)?;
            consultations.sort_by(|(_, a), (_, b)| b.date.cmp(&a.date));
            let library_of: HashMap<Uuid, Uuid> =
                partnerships.iter().map(|p| (p.id, p.library_id)).collect();
            let mut linkable: Vec<(Uuid, Uuid, String, String)> = meetings
                .iter()
                .filter_map(|(id, m)| {
                    let library = *library_of.get(&m.partnership_id?)?;
                    Some((*id, library, m.title.clone(), m.starts_at.clone()))
                })
                .collect();
            linkable.sort_by(|a, b| b.3.cmp(&a.3));
            let mut conflicted: Vec<Uuid> = store
                .list_as::<Conflict>(conflict::ENTITY)?
                .into_iter()
                .filter(|(_, c)| c.entity == ENTITY)
                .map(|(_, c)| c.record_id)
                .collect();
            conflicted.sort();
            conflicted.dedup();
            Ok(HoursData {
                conflicted,
                rows: rows_on_device(&libraries, &partnerships, &meetings, &consultations),
                libraries,
                consultations,
                meetings: linkable,
                me,
            })
        })
    });
    view! {
        <Title text=move || t_string!(i18n, hours.title).to_string() />
        <h1>{t!(i18n, hours.title)}</h1>
        <p class="lead">{t!(i18n, hours.lead)}</p>
        {move || from_store(data.get(), |data| view! { <HoursView data saved /> }.into_any())}
    }
}

#[component]
pub(super) fn HoursView(data: HoursData, saved: RwSignal<Option<bool>>) -> impl IntoView {
    let i18n = use_i18n();
    let several = data.rows.len() > 1;
    view! {
        <section class="panel" aria-labelledby="hours-used">
            <h2 id="hours-used">{t!(i18n, hours.used_heading)}</h2>
            {if data.rows.is_empty() {
                view! { <p class="muted">{t!(i18n, hours.no_programs)}</p> }.into_any()
            } else {
                data.rows.iter().cloned().map(|row| view! { <HoursMeter row show_library=several /> }).collect_view().into_any()
            }}
            <p class="muted">{t!(i18n, hours.counting_rule)}</p>
        </section>
        {data.conflicted.iter().map(|id| view! { <RecordConflicts entity=ENTITY record_id=*id /> }).collect_view()}
        <NewConsultation libraries=data.libraries.clone() meetings=data.meetings.clone() me=data.me saved />
        <ConsultationList data />
    }
}
