//! Tags (of a run, a registered model, a model version): add, edit and delete.
//! System tags (`mlflow.*` on runs) are hidden unless asked for.

use leptos::prelude::*;

/// The tags table with its editor. `tags` are the ones to show (by key); `set` and
/// `delete` change one and return MLflow's refusal, shown under the table. Keys
/// starting with `system_prefix` are hidden behind a checkbox.
#[component]
pub fn TagEditor(
    #[prop(into)] tags: Signal<Vec<(String, String)>>,
    set: Callback<(String, String), Result<(), String>>,
    delete: Callback<String, Result<(), String>>,
    #[prop(optional)] system_prefix: Option<&'static str>,
) -> impl IntoView {
    let is_system = move |key: &str| system_prefix.is_some_and(|p| key.starts_with(p));
    let show_system = RwSignal::new(false);
    let shown = Memo::new(move |_| {
        let system = show_system.get();
        tags.with(|tags| {
            tags.iter()
                .filter(|(k, _)| system || !is_system(k))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let hidden = move || tags.with(|t| t.iter().filter(|(k, _)| is_system(k)).count());
    // The key whose value is being edited, and the value typed so far.
    let editing = RwSignal::new(None::<String>);
    let edit_value = RwSignal::new(String::new());
    let new_key = RwSignal::new(String::new());
    let new_value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);

    let report = move |r: Result<(), String>| -> bool {
        error.set(r.clone().err());
        r.is_ok()
    };
    let save_edit = move || {
        let Some(key) = editing.get_untracked() else {
            return;
        };
        let value = edit_value.get_untracked();
        if report(set.run((key, value))) {
            editing.set(None);
        }
    };
    let add = move || {
        let key = new_key.get_untracked().trim().to_owned();
        if key.is_empty() {
            error.set(Some("Enter a tag name.".into()));
            return;
        }
        let value = new_value.get_untracked();
        if report(set.run((key, value))) {
            new_key.set(String::new());
            new_value.set(String::new());
        }
    };

    let row = move |(key, value): (String, String)| {
        let is_editing = {
            let key = key.clone();
            Memo::new(move |_| editing.with(|e| e.as_deref() == Some(key.as_str())))
        };
        let (k_edit, k_del, v_edit) = (key.clone(), key.clone(), value.clone());
        let tag_attr = key.clone();
        view! {
            <tr data-tag=tag_attr>
                <td class="key">{key}</td>
                <td class="value">
                    <Show when=move || is_editing.get() fallback={
                        let value = value.clone();
                        move || value.clone()
                    }>
                        <input type="text" aria-label="Tag value" class="tag-value-input"
                            prop:value=move || edit_value.get()
                            on:input=move |ev| edit_value.set(event_target_value(&ev))
                            on:keydown=move |ev| match ev.key().as_str() {
                                "Enter" => save_edit(),
                                "Escape" => editing.set(None),
                                _ => {}
                            }/>
                    </Show>
                </td>
                <td class="actions">
                    <Show when=move || is_editing.get() fallback={
                        let (k_edit, k_del, v_edit) = (k_edit.clone(), k_del.clone(), v_edit.clone());
                        move || {
                            let (k_edit, k_del, v_edit) = (k_edit.clone(), k_del.clone(), v_edit.clone());
                            view! {
                                <button type="button" on:click=move |_| {
                                    edit_value.set(v_edit.clone());
                                    error.set(None);
                                    editing.set(Some(k_edit.clone()));
                                }>"Edit"</button>
                                <button type="button" class="danger" on:click=move |_| {
                                    let key = k_del.clone();
                                    report(delete.run(key));
                                }>"Delete"</button>
                            }
                        }
                    }>
                        <button type="button" class="primary" on:click=move |_| save_edit()>"Save"</button>
                        <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                    </Show>
                </td>
            </tr>
        }
    };

    view! {
            <div class="section-head">
                <h2>"Tags " <span class="count">{move || shown.read().len()}</span></h2>
                {system_prefix.map(|_| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || show_system.get()
                            on:change=move |ev| show_system.set(event_target_checked(&ev))/>
                        {move || format!("Show system tags ({})", hidden())}
                    </label>
                })}
            </div>
            <table class="grid kv tags">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Value"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>
                    <For each=move || shown.get() key=|kv| kv.clone() children=row/>
                    <Show when=move || shown.read().is_empty()>
                        <tr><td colspan="3" class="muted">"No tags."</td></tr>
                    </Show>
                </tbody>
            </table>
            <form class="tag-add" on:submit=move |ev| { ev.prevent_default(); add(); }>
                <input type="text" placeholder="Name" aria-label="New tag name"
                    prop:value=move || new_key.get() on:input=move |ev| new_key.set(event_target_value(&ev))/>
                <input type="text" placeholder="Value" aria-label="New tag value"
                    prop:value=move || new_value.get() on:input=move |ev| new_value.set(event_target_value(&ev))/>
                <button type="submit">"Add tag"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}
