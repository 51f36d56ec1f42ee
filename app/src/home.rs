//! The home page: what the product is for, and where a signed-in person goes next.

use crate::{
    accounts::pages::use_me,
    i18n::{t, t_string, use_i18n},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    view! {
        <Title text=move || t_string!(i18n, home.title).to_string() />
        <section class="hero">
            <h1>{t!(i18n, home.title)}</h1>
            <p class="lead">{t!(i18n, home.lead)}</p>
            <p>{t!(i18n, home.offline)}</p>
        </section>
        <Transition>
            {move || me.get().map(|result| match result.ok().flatten() {
                Some(person) => view! {
                    <section class="panel">
                        <h2>{t!(i18n, home.welcome, name = person.full_name)}</h2>
                        <p><A href="/biblioteki" attr:class="button">{t!(i18n, home.your_libraries)}</A></p>
                    </section>
                }.into_any(),
                None => view! {
                    <section class="panel">
                        <p>{t!(i18n, home.sign_in_prompt)}</p>
                        <p><a class="button" href="/logowanie">{t!(i18n, login.title)}</a></p>
                    </section>
                }.into_any(),
            })}
        </Transition>
    }
}
