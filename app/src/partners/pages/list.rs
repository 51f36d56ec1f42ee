//! The partners list: search, sector filter, the bar chart by sector.

use super::*;
use crate::partners::model::{ENTITY, Partner, SECTORS};
use crate::{
    i18n::{t, t_string, use_i18n},
    support::{LIBRARIES, MyLibrary},
    sync::engine::use_sync,
    ui::{PageButtons, from_store, page_of},
};
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::HashSet;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct ListData {
    pub(super) partners: Vec<(Uuid, Partner)>,
    pub(super) libraries: Vec<MyLibrary>,
    pub(super) pending: HashSet<Uuid>,
}

#[component]
pub fn PartnersPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let data = Memo::new(move |_| {
        sync.read(|store| {
            let mut partners = store.list_as::<Partner>(ENTITY)?;
            partners.sort_by_cached_key(|(_, p)| p.name.to_lowercase());
            let pending = store
                .outbox()?
                .into_iter()
                .filter(|p| p.mutation.entity == ENTITY)
                .map(|p| p.mutation.record_id)
                .collect();
            Ok(ListData {
                partners,
                libraries: store.reference(LIBRARIES)?.unwrap_or_default(),
                pending,
            })
        })
    });
    // Kept here: the list redraws after every save, these stay as they were.
    let filters = Filters {
        search: RwSignal::new(String::new()),
        sector: RwSignal::new(String::new()),
        page: RwSignal::new(1),
        adding: RwSignal::new(false),
        saved: RwSignal::new(None),
    };
    view! {
        <Title text=move || t_string!(i18n, partners.title).to_string() />
        <h1>{t!(i18n, partners.title)}</h1>
        <p class="lead">{t!(i18n, partners.lead)}</p>
        {move || from_store(data.get(), |list| view! { <PartnerList list filters /> }.into_any())}
    }
}

/// The list's state, kept by the page across redraws.
#[derive(Clone, Copy)]
pub(super) struct Filters {
    pub(super) search: RwSignal<String>,
    pub(super) sector: RwSignal<String>,
    pub(super) page: RwSignal<usize>,
    /// The add form is open.
    pub(super) adding: RwSignal<bool>,
    /// The name of the partner just added.
    pub(super) saved: RwSignal<Option<String>>,
}

#[component]
pub(super) fn PartnerList(list: ListData, filters: Filters) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let Filters {
        search,
        sector,
        page,
        ..
    } = filters;
    let chart = by_sector(&list.partners);
    let total = list.partners.len();
    let partners = StoredValue::new(list.partners);
    let pending = StoredValue::new(list.pending);
    let shown = Memo::new(move |_| {
        partners.with_value(|all| {
            all.iter()
                .filter(|(_, p)| matches(p, &search.get()))
                .filter(|(_, p)| sector.with(|s| s.is_empty() || p.sector == *s))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let rows = move || {
        let found = shown.get();
        if found.is_empty() {
            return view! { <p class="muted">{t!(i18n, partners.none)}</p> }.into_any();
        }
        let count = found.len();
        let rows = page_of(&found, page.get(), PAGE);
        view! {
            <p class="muted" role="status">
                {t_string!(i18n, partners.count, count = i32::try_from(count).unwrap_or(i32::MAX)).to_string()}
            </p>
            <table class="table">
                <thead><tr>
                    <th scope="col">{t!(i18n, partners.name)}</th>
                    <th scope="col">{t!(i18n, partners.sector)}</th>
                    <th scope="col">{t!(i18n, partners.contact_person)}</th>
                    <th scope="col">{t!(i18n, partners.role)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(id, p)| {
                        let unsent = pending.with_value(|set| set.contains(&id));
                        view! {
                            <tr>
                                <td data-label=t_string!(i18n, partners.name).to_string()>
                                    <a href=format!("/partnerzy/{id}")>{p.name.clone()}</a>
                                    {unsent.then(|| view! { " " <span class="badge badge--wait">{t!(i18n, meetings.pending)}</span> })}
                                </td>
                                <td data-label=t_string!(i18n, partners.sector).to_string()>{sector_label(&p.sector, locale)}</td>
                                <td data-label=t_string!(i18n, partners.contact_person).to_string()>{p.contact_person.clone()}</td>
                                <td data-label=t_string!(i18n, partners.role).to_string()>{p.role}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <PageButtons page total=count size=PAGE />
        }
        .into_any()
    };
    view! {
        <NewPartner libraries=list.libraries open=filters.adding saved=filters.saved />
        {(total > 0).then(|| view! { <SectorChart counts=chart total /> })}
        <div class="filters" role="search">
            <p class="field field--inline">
                <label for="partner-search">{t!(i18n, partners.search)}</label>
                <input id="partner-search" type="search" prop:value=search
                    on:input=move |ev| { search.set(event_target_value(&ev)); page.set(1); } />
            </p>
            <p class="field field--inline">
                <label for="partner-sector">{t!(i18n, partners.sector)}</label>
                <select id="partner-sector" on:change=move |ev| { sector.set(event_target_value(&ev)); page.set(1); }>
                    <option value="" selected=move || sector.with(String::is_empty)>{t!(i18n, partners.all_sectors)}</option>
                    {SECTORS.into_iter().map(|s| view! {
                        <option value=s selected=move || sector.with(|current| current == s)>{sector_label(s, locale)}</option>
                    }).collect_view()}
                </select>
            </p>
        </div>
        {rows}
    }
}

/// Partners by sector as bars, with the numbers written out.
#[component]
pub fn SectorChart(counts: Vec<(&'static str, usize)>, total: usize) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    view! {
        <section class="panel" aria-labelledby="sector-chart">
            <h2 id="sector-chart">{t!(i18n, partners.by_sector)}</h2>
            <ul class="bars">
                {counts.into_iter().map(|(sector, count)| {
                    let width = format!("width: {}%", count * 100 / most);
                    view! {
                        <li class="bars__row">
                            <span class="bars__label">{sector_label(sector, locale)}</span>
                            <span class="bars__track" aria-hidden="true"><span class="bars__bar" style=width></span></span>
                            <span class="bars__value">{count}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="muted">{t_string!(i18n, partners.count, count = i32::try_from(total).unwrap_or(i32::MAX)).to_string()}</p>
        </section>
    }
}
