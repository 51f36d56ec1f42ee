//! The consultations logged, with their delete.

use super::*;
use crate::support::model::{ENTITY, tenths_of_hour};
use crate::{
    clock::now_instant,
    format,
    i18n::{t, t_string, use_i18n},
    sync::{Op, engine::use_sync},
    ui::{PageButtons, confirm, page_of},
};
use serde_json::Map;
use std::collections::HashMap;
use uuid::Uuid;

#[component]
pub(super) fn ConsultationList(data: HoursData) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    let page = RwSignal::new(1usize);
    let names: HashMap<Uuid, String> = data
        .libraries
        .iter()
        .map(|l| (l.id, l.name.clone()))
        .collect();
    let editable: Vec<Uuid> = data
        .libraries
        .iter()
        .filter(|l| l.editable)
        .map(|l| l.id)
        .collect();
    let total = data.consultations.len();
    let all = StoredValue::new(data.consultations);
    let me = data.me;
    let remove = move |id: Uuid| {
        if confirm(t_string!(i18n, hours.delete_confirm)) {
            let _ =
                sync.write(|store| store.save(ENTITY, id, Op::Delete, Map::new(), now_instant()));
        }
    };
    view! {
        <section class="panel" aria-labelledby="consultations">
            <h2 id="consultations">{t!(i18n, hours.logged)}</h2>
            {move || {
                if total == 0 {
                    return view! { <p class="muted">{t!(i18n, hours.none)}</p> }.into_any();
                }
                let rows = all.with_value(|list| page_of(list, page.get(), PAGE));
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, hours.date)}</th>
                            <th scope="col">{t!(i18n, hours.library)}</th>
                            <th scope="col">{t!(i18n, hours.topic)}</th>
                            <th scope="col">{t!(i18n, hours.tutor)}</th>
                            <th scope="col">{t!(i18n, hours.duration_short)}</th>
                            <th scope="col">{t!(i18n, hours.mode)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, hours.actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(id, c)| {
                                let library = c.library_id;
                                let may_remove = library.is_some_and(|l| editable.contains(&l)) || c.tutor_id == me && me.is_some();
                                let day = format::day(&format!("{}T12:00:00Z", c.date), locale).unwrap_or_default();
                                view! {
                                    <tr>
                                        <td data-label=t_string!(i18n, hours.date).to_string()>{day}</td>
                                        <td data-label=t_string!(i18n, hours.library).to_string()>{library.and_then(|l| names.get(&l).cloned()).unwrap_or_default()}</td>
                                        <td data-label=t_string!(i18n, hours.topic).to_string()>{c.topic.clone()}</td>
                                        <td data-label=t_string!(i18n, hours.tutor).to_string()>{c.tutor_name.clone()}</td>
                                        <td data-label=t_string!(i18n, hours.duration_short).to_string()>{format::hours(tenths_of_hour(c.minutes), locale)}</td>
                                        <td data-label=t_string!(i18n, hours.mode).to_string()>{mode_label(&c.mode, locale)}</td>
                                        <td class="table__actions">
                                            {may_remove.then(|| view! {
                                                <button type="button" class="button button--quiet" on:click=move |_| remove(id)>
                                                    {t!(i18n, hours.delete)}
                                                </button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <PageButtons page total size=PAGE />
                }
                .into_any()
            }}
        </section>
    }
}
