//! `/plany` (the plan of each partnership) and `/plany/:id` (one plan: its
//! sections, the actions table, approval as a new version, earlier versions,
//! print on A4 and CSV of the actions). Read from and written to the
//! device's store, so the plan is written offline too.

use super::model::{ACTION_STATUSES, ENTITY, Plan, PlanAction, PlanContent, Stage, TEXT_FIELDS};
use crate::{
    clock::now_instant,
    format,
    i18n::{Locale, t, t_string, td_string, use_i18n},
    kernel::csv::csv,
    meetings::{PARTNERSHIPS, PartnershipRef},
    sync::{Op, engine::use_sync, local::read_as, settle::RecordConflicts},
    ui::{confirm, download, from_store, problem_text, route_id},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

fn section_label(field: &str, locale: Locale) -> String {
    match field {
        "diagnosis" => td_string!(locale, plans.diagnosis),
        "vision" => td_string!(locale, plans.vision),
        "goals" => td_string!(locale, plans.goals),
        _ => td_string!(locale, plans.evaluation),
    }
    .to_string()
}

fn status_label(status: &str, locale: Locale) -> String {
    match status {
        "in_progress" => td_string!(locale, plans.status_in_progress),
        "done" => td_string!(locale, plans.status_done),
        _ => td_string!(locale, plans.status_planned),
    }
    .to_string()
}

fn stage_label(stage: Stage, locale: Locale) -> String {
    match stage {
        Stage::Draft => td_string!(locale, plans.stage_draft).to_string(),
        Stage::Approved(n) => td_string!(locale, plans.stage_approved, version = n).to_string(),
        Stage::Revised(n) => td_string!(locale, plans.stage_revised, version = n).to_string(),
    }
}

#[component]
pub fn PlansPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let data = Memo::new(move |_| {
        sync.read(|store| {
            let partnerships: Vec<PartnershipRef> =
                store.reference(PARTNERSHIPS)?.unwrap_or_default();
            partnerships
                .into_iter()
                .map(|p| {
                    let plan = store.view(ENTITY, p.id)?;
                    let stage = plan.map(|plan| {
                        read_as::<Plan>(ENTITY, p.id, plan)
                            .unwrap_or_default()
                            .stage()
                    });
                    Ok((stage, p))
                })
                .collect::<Result<Vec<_>, _>>()
        })
    });
    view! {
        <Title text=move || t_string!(i18n, plans.title).to_string() />
        <h1>{t!(i18n, plans.title)}</h1>
        <p class="lead">{t!(i18n, plans.lead)}</p>
        {move || from_store(data.get(), |plans| {
            let locale = i18n.get_locale_untracked();
            if plans.is_empty() {
                return view! { <p class="muted">{t!(i18n, meetings.no_partnership_yet)}</p> }.into_any();
            }
            view! {
                <ul class="meeting-list">
                    {plans.into_iter().map(|(stage, p)| {
                        let state = match stage {
                            Some(stage) => stage_label(stage, locale),
                            None => t_string!(i18n, plans.none_yet).to_string(),
                        };
                        view! {
                            <li class="meeting-item">
                                <a href=format!("/plany/{}", p.id)>{p.name}</a>
                                <span class="muted">{format!(" — {} · ", p.library_name)}{state}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any()
        })}
    }
}

#[derive(Debug, Clone, PartialEq)]
struct PlanData {
    partnership: PartnershipRef,
    /// As stored: what an edit is compared with.
    plan: Plan,
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let i18n = use_i18n();
    // Kept here: the page redraws after a save, the confirmation stays.
    let state = RwSignal::new(None::<Result<(), String>>);
    let sync = use_sync();
    let id = route_id();
    let data = Memo::new(move |_| {
        let id = id();
        sync.read(|store| {
            let partnerships: Vec<PartnershipRef> =
                store.reference(PARTNERSHIPS)?.unwrap_or_default();
            let Some(partnership) = partnerships.into_iter().find(|p| Some(p.id) == id) else {
                return Ok(None);
            };
            let plan = store
                .view(ENTITY, partnership.id)?
                .and_then(|fields| read_as(ENTITY, partnership.id, fields))
                .unwrap_or_default();
            Ok(Some(PlanData { partnership, plan }))
        })
    });
    view! {
        <p class="no-print"><A href="/plany" attr:class="back-link">{t!(i18n, plans.back)}</A></p>
        {move || from_store(data.get(), |found| match found {
            None => view! {
                <Title text=move || t_string!(i18n, plans.title).to_string() />
                <div class="notice" role="status"><p>{t!(i18n, plans.not_found)}</p></div>
            }.into_any(),
            Some(data) => view! { <PlanView data state /> }.into_any(),
        })}
    }
}

#[component]
fn PlanView(data: PlanData, state: RwSignal<Option<Result<(), String>>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    let id = data.partnership.id;
    let editable = data.partnership.editable;
    let saved_plan = StoredValue::new(data.plan.clone());
    let content = data.plan.content();
    let sections =
        TEXT_FIELDS.map(|field| (field, RwSignal::new(content.section(field).to_owned())));
    let actions = RwSignal::new(data.plan.actions.clone());
    // The plan as the form has it now.
    let edited = move || {
        let mut plan = saved_plan.get_value();
        plan.partnership_id = Some(id);
        for (field, value) in sections {
            plan.set_section(field, value.get_untracked());
        }
        plan.actions = actions.get_untracked();
        plan
    };
    let store = move |plan: Plan| {
        let changed = plan
            .changes_from(&saved_plan.get_value())
            .map_err(|(_, problem)| problem_text(problem))?;
        if changed.is_empty() {
            return Ok(());
        }
        sync.write(|store| store.save(ENTITY, id, Op::Upsert, changed, now_instant()))
            .map(|_| ())
            .map_err(|_| t_string!(i18n, meetings.not_saved).to_string())
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        state.set(Some(store(edited())));
    };
    let approve_now = move |_| {
        let mut plan = edited();
        // Checked before asking: a plan that cannot be saved is not approved.
        if let Err((_, problem)) = plan.changes_from(&saved_plan.get_value()) {
            state.set(Some(Err(problem_text(problem))));
            return;
        }
        let number = plan.approved.len() + 1;
        if !confirm(&t_string!(i18n, plans.approve_confirm, version = number).to_string()) {
            return;
        }
        plan.approve(&crate::clock::today());
        state.set(Some(store(plan)));
    };
    let export = move |_| {
        let mut rows = vec![ACTION_COLUMNS.map(|f| action_label(f, locale)).to_vec()];
        for action in actions.get_untracked() {
            rows.push(
                ACTION_COLUMNS
                    .map(|f| match f {
                        "status" => status_label(&action.status, locale),
                        _ => action.text(f),
                    })
                    .to_vec(),
            );
        }
        download("plan-dzialania.csv", "text/csv;charset=utf-8", &csv(&rows));
    };
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    let current_stage = data.plan.stage();
    let versions: Vec<_> = data.plan.approved.iter().rev().cloned().collect();
    let title = format!(
        "{} — {}",
        t_string!(i18n, plans.title_one),
        data.partnership.name
    );
    let edit_form = editable.then(|| view! {
        <form class="form no-print" on:submit=save novalidate>
            {sections.into_iter().map(|(field, value)| {
                let id = format!("plan-{field}");
                view! {
                    <p class="field">
                        <label for=id.clone()>{section_label(field, locale)}</label>
                        <textarea id=id rows="5" prop:value=value on:input=move |ev| value.set(event_target_value(&ev))></textarea>
                    </p>
                }
            }).collect_view()}
            <ActionsEditor actions />
            <p class="button-row">
                <button type="submit" class="button">{t!(i18n, plans.save)}</button>
                <button type="button" class="button button--quiet" on:click=approve_now>{t!(i18n, plans.approve)}</button>
            </p>
            <p role="status" class="muted">
                {move || state.get().map(|result| match result {
                    Ok(()) => t_string!(i18n, meetings.saved).to_string(),
                    Err(error) => error,
                })}
            </p>
        </form>
    });
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <p class="lead">{data.partnership.library_name.clone()}" · "{data.partnership.program_name.clone()}</p>
        <p><span class="badge">{stage_label(current_stage, locale)}</span></p>
        <div class="no-print"><RecordConflicts entity=ENTITY record_id=id /></div>
        <p class="button-row no-print">
            <button type="button" class="button button--quiet" on:click=print>{t!(i18n, plans.print)}</button>
            <button type="button" class="button button--quiet" on:click=export>{t!(i18n, plans.export)}</button>
        </p>
        {edit_form}
        <div class=if editable { "print-only" } else { "" }>
            <PlanText content />
        </div>
        <section class="panel no-print" aria-labelledby="plan-versions">
            <h2 id="plan-versions">{t!(i18n, plans.versions)}</h2>
            {if versions.is_empty() {
                view! { <p class="muted">{t!(i18n, plans.no_versions)}</p> }.into_any()
            } else {
                versions.into_iter().map(|version| {
                    let on = format::day(&format!("{}T12:00:00Z", version.approved_on), locale).unwrap_or_default();
                    view! {
                        <details class="plan-version">
                            <summary>{t_string!(i18n, plans.version_of, version = version.version, day = on).to_string()}</summary>
                            <PlanText content=version.content />
                        </details>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// The actions table's columns (zadanie, wskaźnik, termin, odpowiedzialny,
/// partnerzy, budżet, status).
const ACTION_COLUMNS: [&str; 7] = [
    "task",
    "indicator",
    "deadline",
    "responsible",
    "partners",
    "budget",
    "status",
];

fn action_label(field: &str, locale: Locale) -> String {
    match field {
        "task" => td_string!(locale, plans.action_task),
        "indicator" => td_string!(locale, plans.action_indicator),
        "deadline" => td_string!(locale, plans.action_deadline),
        "responsible" => td_string!(locale, plans.action_responsible),
        "partners" => td_string!(locale, plans.action_partners),
        "budget" => td_string!(locale, plans.action_budget),
        _ => td_string!(locale, plans.action_status),
    }
    .to_string()
}

/// The plan as text, for reading, printing and earlier versions.
#[component]
fn PlanText(content: PlanContent) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <div class="plan-text">
            {TEXT_FIELDS.into_iter().map(|field| view! {
                <h2>{section_label(field, locale)}</h2>
                <p class="plan-text__body">{content.section(field).to_owned()}</p>
            }).collect_view()}
            <h2>{t!(i18n, plans.actions)}</h2>
            <table class="table plan-actions">
                <thead><tr>
                    {ACTION_COLUMNS.map(|f| view! {
                        <th scope="col">{action_label(f, locale)}</th>
                    }).into_iter().collect_view()}
                </tr></thead>
                <tbody>
                    {content.actions.iter().map(|a| {
                        let deadline = a.deadline.as_ref().and_then(|d| format::day(&format!("{d}T12:00:00Z"), locale)).unwrap_or_default();
                        view! {
                            <tr>
                                <td>{a.task.clone()}</td>
                                <td>{a.indicator.clone()}</td>
                                <td>{deadline}</td>
                                <td>{a.responsible.clone()}</td>
                                <td>{a.partners.clone()}</td>
                                <td>{a.budget.clone()}</td>
                                <td>{status_label(&a.status, locale)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The actions table as inputs: one row per action, added and removed here.
#[component]
fn ActionsEditor(actions: RwSignal<Vec<PlanAction>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let add = move |_| actions.update(|list| list.push(PlanAction::new()));
    let set = move |index: usize, field: &'static str, value: String| {
        actions.update(|list| {
            if let Some(action) = list.get_mut(index) {
                action.set(field, value);
            }
        });
    };
    view! {
        <fieldset class="field plan-editor">
            <legend>{t!(i18n, plans.actions)}</legend>
            {move || actions.with(|list| list.len()).eq(&0).then(|| view! { <p class="muted">{t!(i18n, plans.no_actions)}</p> })}
            {move || (0..actions.with(Vec::len)).map(|index| {
                let value = move |field: &str| actions.with(|list| list.get(index).map(|a| a.text(field)).unwrap_or_default());
                let input = move |field: &'static str, kind: &'static str| {
                    let id = format!("action-{index}-{field}");
                    view! {
                        <p class="field">
                            <label for=id.clone()>{action_label(field, locale)}</label>
                            <input id=id type=kind prop:value=move || value(field)
                                on:input=move |ev| set(index, field, event_target_value(&ev)) />
                        </p>
                    }
                };
                let status_id = format!("action-{index}-status");
                view! {
                    <div class="plan-action form-grid">
                        {input("task", "text")}
                        {input("indicator", "text")}
                        {input("deadline", "date")}
                        {input("responsible", "text")}
                        {input("partners", "text")}
                        {input("budget", "text")}
                        <p class="field">
                            <label for=status_id.clone()>{action_label("status", locale)}</label>
                            <select id=status_id on:change=move |ev| set(index, "status", event_target_value(&ev))>
                                {ACTION_STATUSES.into_iter().map(|s| view! {
                                    <option value=s selected=move || value("status") == s>{status_label(s, locale)}</option>
                                }).collect_view()}
                            </select>
                        </p>
                        <p class="field">
                            <button type="button" class="button button--quiet"
                                on:click=move |_| actions.update(|list| { if index < list.len() { list.remove(index); } })>
                                {t!(i18n, plans.remove_action)}
                            </button>
                        </p>
                    </div>
                }
            }).collect_view()}
            <p><button type="button" class="button button--quiet" on:click=add>{t!(i18n, plans.add_action)}</button></p>
        </fieldset>
    }
}
