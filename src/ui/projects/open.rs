//! Where a project comes from: a URL typed in (Open), or a `.zip` picked.

use leptos::prelude::*;

use crate::ui::widgets::transfer::read_parts;

/// "Project URL" with Open, and "or open a .zip". `url` is the input's text (the page
/// sets it from `?uri=`); `on_url` and `on_archive` open what was given.
#[component]
pub fn ProjectOpener(
    url: RwSignal<String>,
    on_url: Callback<String>,
    on_archive: Callback<(String, Vec<u8>)>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let u = url.get_untracked().trim().to_owned();
        if !u.is_empty() {
            error.set(None);
            on_url.run(u);
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else { return };
        let list = js_sys::Array::from(&files);
        input.set_value("");
        if list.length() == 0 {
            return;
        }
        error.set(None);
        leptos::task::spawn_local(async move {
            match read_parts(list).await {
                Ok(mut parts) if !parts.is_empty() => on_archive.run(parts.swap_remove(0)),
                Ok(_) => {}
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="project-open" on:submit=submit>
            <label class="project-url">
                <span>"Project URL"</span>
                <input type="text" name="uri" inputmode="url" spellcheck="false"
                    placeholder="https://example.org/my-project/ (a folder with an MLproject, or a .zip)"
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev))/>
            </label>
            <button type="submit" class="primary" disabled=move || url.with(|u| u.trim().is_empty())>"Open"</button>
            <label class="button">
                "or open a .zip"
                <input type="file" class="sr-only" accept=".zip,.tar,.gz,.tgz,application/zip,application/gzip,application/x-tar" on:change=on_pick/>
            </label>
        </form>
        {move || error.get().map(|e| view! { <div class="error-box" role="alert">{e}</div> })}
    }
}
