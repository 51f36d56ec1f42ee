//! The programs list and a program's page: dates, support budget, funding
//! line, information clause, libraries and coordinators.

use super::{
    PagedList, ProgramRow, ProgramView,
    api::{list_programs, program_details},
    libraries::id_param,
    program_label,
    program_settings::{ProgramSettings, SavedSettings},
};
use crate::{
    errors::AppError,
    format::{Day, hours},
    i18n::{Locale, t, t_string, use_i18n},
    support::{HoursRow, api::program_hours, glance::ProgramHours},
    ui::{ErrorNotice, list_query},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

fn date_range(start: Option<Day>, end: Option<Day>, locale: Locale) -> Option<String> {
    use crate::i18n::td_string;
    match (start, end) {
        (Some(start), Some(end)) => Some(
            td_string!(
                locale,
                programs.date_range,
                start = start.long(locale),
                end = end.long(locale)
            )
            .to_string(),
        ),
        (Some(day), None) | (None, Some(day)) => Some(day.long(locale)),
        (None, None) => None,
    }
}

#[component]
pub fn ProgramsPage() -> impl IntoView {
    let i18n = use_i18n();
    let (search, page) = list_query();
    let data = Resource::new(
        move || (search.get(), page.get()),
        |(search, page)| list_programs(search, page),
    );
    view! {
        <Title text=move || t_string!(i18n, programs.title).to_string() />
        <h1>{t!(i18n, programs.title)}</h1>
        <PagedList
            data
            search
            count=move |total| t!(i18n, programs.count, count = move || total).into_any()
            rows=move |rows| view! { <ProgramTable rows /> }.into_any()
        />
    }
}

#[component]
fn ProgramTable(rows: Vec<ProgramRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, programs.name)}</th>
                    <th scope="col">{t!(i18n, programs.operator)}</th>
                    <th scope="col">{t!(i18n, programs.dates)}</th>
                    <th scope="col">{t!(i18n, programs.libraries)}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let libraries = i32::try_from(row.libraries).unwrap_or(i32::MAX);
                    let (starts_on, ends_on) = (row.starts_on, row.ends_on);
                    view! {
                        <tr>
                            <td><A href=format!("/programy/{}", row.id)>{program_label(&row.name, row.round.as_deref())}</A></td>
                            <td>{row.operator}</td>
                            <td>{move || date_range(starts_on, ends_on, i18n.get_locale())}</td>
                            <td>{t!(i18n, programs.library_count, count = move || libraries)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn ProgramPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    let program = Resource::new(
        move || id.get(),
        |id| async move { program_details(id?).await },
    );
    // Every resource of the page is made here, never inside the view: on the
    // server a Transition runs its view more than once, so a resource made
    // in it is made twice there and once in the browser, and hydration reads
    // the wrong one (a panic in the browser; the extra copy runs on without
    // the request). The hours table only for those who manage the program.
    let hours_table = Resource::new(
        move || id.get(),
        move |_| async move {
            match program.await {
                Ok(program) if program.manageable => program_hours(program.id).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    // The form goes away with the old data on a reload; the notice stays.
    let saved_version = RwSignal::new(None::<i32>);
    let saved = Callback::new(move |settings: SavedSettings| {
        saved_version.set(Some(settings.clause_version));
        program.refetch();
    });
    view! {
        {move || saved_version.get().map(|version| view! {
            <p class="notice notice--ok" role="status">
                {t_string!(i18n, programs.settings_saved, version = version).to_string()}
            </p>
        })}
        <Transition fallback=move || view! { <p>{t!(i18n, list.loading)}</p> }>
            {move || program.get().map(|result| match result {
                Ok(program) => view! { <ProgramDetails program saved hours_table /> }.into_any(),
                Err(error) => view! {
                    <Title text=move || t_string!(i18n, programs.title).to_string() />
                    <ErrorNotice error />
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn ProgramDetails(
    program: ProgramView,
    saved: Callback<SavedSettings>,
    hours_table: Resource<Result<Option<Vec<HoursRow>>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = program_label(&program.name, program.round.as_deref());
    let (starts_on, ends_on) = (program.starts_on, program.ends_on);
    let support = program.support_tenths_per_library;
    let not_set = move || t_string!(i18n, programs.not_set).to_string();
    let clause = match program.clause.clone() {
        Some(clause) => view! {
            <section>
                <h2>{t!(i18n, programs.clause, version = clause.version)}</h2>
                <p>{clause.short_text}</p>
                <details>
                    <summary>{t!(i18n, programs.clause_full)}</summary>
                    <p class="prewrap">{clause.full_text}</p>
                </details>
            </section>
        }
        .into_any(),
        None => view! { <p>{t!(i18n, programs.no_clause)}</p> }.into_any(),
    };
    let settings = program.manageable.then(|| {
        let (short_text, full_text) = program
            .clause
            .as_ref()
            .map(|c| (c.short_text.clone(), c.full_text.clone()))
            .unwrap_or_default();
        view! {
            <ProgramSettings program_id=program.id retention_months=program.sign_in_retention_months
                short_text full_text saved />
        }
    });
    let retention = program.sign_in_retention_months;
    let libraries = program
        .libraries
        .into_iter()
        .map(|l| view! { <li><A href=format!("/biblioteki/{}", l.id)>{l.name}</A></li> })
        .collect_view();
    let coordinators = program
        .coordinators
        .into_iter()
        .map(|c| view! { <li>{c.full_name}" · "{c.email}</li> })
        .collect_view();
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <dl class="facts">
            <dt>{t!(i18n, programs.operator)}</dt>
            <dd>{program.operator}</dd>
            <dt>{t!(i18n, programs.dates)}</dt>
            <dd>{move || date_range(starts_on, ends_on, i18n.get_locale()).unwrap_or_else(not_set)}</dd>
            <dt>{t!(i18n, programs.support)}</dt>
            <dd>{move || hours(support, i18n.get_locale())}</dd>
            <dt>{t!(i18n, programs.funding)}</dt>
            <dd>{program.funding_line.clone().unwrap_or_else(not_set)}</dd>
            <dt>{t!(i18n, programs.retention)}</dt>
            <dd>{move || t_string!(i18n, programs.months, count = retention).to_string()}</dd>
        </dl>
        {clause}
        {program.manageable.then(|| view! { <ProgramHours hours=hours_table /> })}
        {settings}
        <div class="columns">
            <section>
                <h2>{t!(i18n, programs.libraries)}</h2>
                <ul class="link-list">{libraries}</ul>
            </section>
            <section>
                <h2>{t!(i18n, programs.coordinators)}</h2>
                <ul class="plain-list">{coordinators}</ul>
            </section>
        </div>
    }
}
