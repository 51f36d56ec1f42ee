//! The library page's "at a glance" (hours used against the budget, partners
//! by sector, the next meeting, open tasks, attendance over time) and the
//! coordinator's table of every library's hours on the program page. Both
//! come from the server (what all devices have sent), through resources the
//! pages make.

use super::{
    Glance, HoursRow,
    model::{Budget, budget_state, tenths_of_hour},
    pages::HoursMeter,
};
use crate::{
    errors::AppError,
    format,
    i18n::{t, t_string, use_i18n},
    partners::model::SECTORS,
    partners::pages::SectorChart,
    ui::ErrorNotice,
};
use leptos::prelude::*;

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The library page's glance, from the page's own resource (made at the
/// page's top, see `directory::libraries::LibraryPage`), so the server
/// renders it and the browser hydrates the same.
#[component]
pub fn LibraryGlance(glance: Resource<Result<Glance, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel glance" aria-labelledby="glance-heading">
            <h2 id="glance-heading">{t!(i18n, hours.glance)}</h2>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, list.loading)}</p> }>
                {move || glance.get().map(|result| match result {
                    Ok(glance) => view! { <GlanceView glance /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn GlanceView(glance: Glance) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let next = match glance.next_meeting {
        Some(next) => {
            let when = format::when(&next.starts_at, locale);
            view! {
                <p><a href=format!("/spotkania/{}", next.id)>{next.title}</a> " " <span class="muted">{when}</span></p>
            }
            .into_any()
        }
        None => view! { <p class="muted">{t!(i18n, hours.no_next_meeting)}</p> }.into_any(),
    };
    let tasks = t_string!(i18n, hours.open_tasks, count = count(glance.open_tasks)).to_string();
    let overdue = (glance.overdue_tasks > 0)
        .then(|| t_string!(i18n, hours.overdue, count = count(glance.overdue_tasks)).to_string());
    // Sector codes in the interface's order.
    let sectors: Vec<(&'static str, usize)> = SECTORS
        .iter()
        .filter_map(|s| {
            glance
                .sectors
                .iter()
                .find(|(code, _)| code == s)
                .map(|(_, n)| (*s, usize::try_from(*n).unwrap_or(0)))
        })
        .collect();
    let partners: usize = sectors.iter().map(|(_, n)| n).sum();
    let most = glance
        .attendance
        .iter()
        .map(|p| p.signed)
        .max()
        .unwrap_or(0)
        .max(1);
    view! {
        <div class="glance__grid">
            <div>
                <h3>{t!(i18n, hours.used_heading)}</h3>
                {if glance.hours.is_empty() {
                    view! { <p class="muted">{t!(i18n, hours.no_programs)}</p> }.into_any()
                } else {
                    glance.hours.into_iter().map(|row| view! { <HoursMeter row /> }).collect_view().into_any()
                }}
            </div>
            <div>
                <h3>{t!(i18n, hours.next_meeting)}</h3>
                {next}
                <p>
                    <a href="/zadania">{tasks}</a>
                    {overdue.map(|o| view! { ", " <strong class="overdue">{o}</strong> })}
                </p>
            </div>
        </div>
        {if partners == 0 {
            view! { <p class="muted">{t!(i18n, hours.no_partners)}</p> }.into_any()
        } else {
            view! { <SectorChart counts=sectors total=partners /> }.into_any()
        }}
        <h3>{t!(i18n, hours.attendance)}</h3>
        {if glance.attendance.is_empty() {
            view! { <p class="muted">{t!(i18n, hours.no_attendance)}</p> }.into_any()
        } else {
            let labels = bar_labels(
                &glance
                    .attendance
                    .iter()
                    .map(|p| {
                        let day = format::day(&p.starts_at, locale).unwrap_or_default();
                        (day, format::clock(&p.starts_at), p.title.clone())
                    })
                    .collect::<Vec<_>>(),
            );
            view! {
                <ol class="columns-chart">
                    {glance.attendance.into_iter().zip(labels).map(|(point, (day, second))| {
                        let height = format!("height: {}%", point.signed * 100 / most);
                        let people = t_string!(i18n, hours.signed, count = count(point.signed)).to_string();
                        view! {
                            <li class="columns-chart__item">
                                <span class="columns-chart__value">{people}</span>
                                <span class="columns-chart__track" aria-hidden="true">
                                    <span class="columns-chart__bar" style=height></span>
                                </span>
                                <a class="columns-chart__label" href=format!("/spotkania/{}/obecnosc", point.id)
                                    title=point.title.clone()>
                                    {day}
                                    {second.map(|s| view! { <span class="columns-chart__second">{s}</span> })}
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
            .into_any()
        }}
    }
}

/// Labels of the attendance chart's bars, `(day, time, title)` each: the
/// day alone, and under it the time where two meetings share a day, or the
/// title where they share the time too, so no two bars read the same.
fn bar_labels(points: &[(String, String, String)]) -> Vec<(String, Option<String>)> {
    let same =
        |f: &dyn Fn(&(String, String, String)) -> bool| points.iter().filter(|p| f(p)).count() > 1;
    points
        .iter()
        .map(|(day, time, title)| {
            let second = if !same(&|p| &p.0 == day) {
                None
            } else if !same(&|p| &p.0 == day && &p.1 == time) {
                Some(time.clone())
            } else {
                Some(title.clone())
            };
            (day.clone(), second)
        })
        .collect()
}

/// Every library of a program with its hours, for the coordinator, from
/// the program page's own resource (`None` for those who do not manage it).
#[component]
pub fn ProgramHours(hours: Resource<Result<Option<Vec<HoursRow>>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="program-hours">
            <h2 id="program-hours">{t!(i18n, hours.program_table)}</h2>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, list.loading)}</p> }>
                {move || hours.get().map(|result| match result {
                    Ok(rows) => view! { <HoursTable rows=rows.unwrap_or_default() /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HoursTable(rows: Vec<HoursRow>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <table class="table">
            <thead><tr>
                <th scope="col">{t!(i18n, hours.library)}</th>
                <th scope="col">{t!(i18n, hours.used)}</th>
                <th scope="col">{t!(i18n, hours.budget)}</th>
                <th scope="col">{t!(i18n, hours.state)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let state = match budget_state(row.used_minutes, row.budget_tenths) {
                        Budget::Within => view! { <span class="badge">{t!(i18n, hours.state_within)}</span> }.into_any(),
                        Budget::Near => view! { <span class="badge badge--wait">{t!(i18n, hours.state_near)}</span> }.into_any(),
                        Budget::Over => view! { <span class="badge badge--off">{t!(i18n, hours.state_over)}</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <td data-label=t_string!(i18n, hours.library).to_string()>
                                <a href=format!("/biblioteki/{}", row.library_id)>{row.library_name}</a>
                            </td>
                            <td data-label=t_string!(i18n, hours.used).to_string()>{format::hours(tenths_of_hour(row.used_minutes), locale)}</td>
                            <td data-label=t_string!(i18n, hours.budget).to_string()>{format::hours(row.budget_tenths, locale)}</td>
                            <td data-label=t_string!(i18n, hours.state).to_string()>{state}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::bar_labels;

    fn point(day: &str, time: &str, title: &str) -> (String, String, String) {
        (day.into(), time.into(), title.into())
    }

    #[test]
    fn bars_of_one_day_are_told_apart_by_time_then_by_title() {
        let labels = bar_labels(&[
            point("1 grudnia 2026", "10:00", "Rada"),
            point("1 grudnia 2026", "14:00", "Szkoła"),
            point("1 grudnia 2026", "14:00", "Koło"),
            point("3 grudnia 2026", "14:00", "Gmina"),
        ]);
        let second: Vec<Option<&str>> = labels.iter().map(|(_, s)| s.as_deref()).collect();
        assert_eq!(second, [Some("10:00"), Some("Szkoła"), Some("Koło"), None]);
        assert!(labels.iter().all(|(day, _)| day.ends_with("grudnia 2026")));
    }
}
