//! "Save view" and the experiment's saved views (`core::table::saved_views`): each a
//! link to the runs page showing that state (the shareable URL), renamed or deleted in
//! place. Stored as experiment tags, so they survive reloads and travel with exports.

use leptos::prelude::*;

use crate::core::table::saved_views::{check_name, current, new_id, saved_views, SavedView};
use crate::core::table::state::RunsTableState;
use crate::service;
use crate::ui::{href, Store};

/// What the name box is for.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    /// Naming a new view of the table as shown.
    New,
    /// Renaming the view with this id.
    Rename(String),
}

/// The saved views of `experiment_id` and the button saving `state` as one.
#[component]
pub fn SavedViews(experiment_id: Signal<String>, state: Memo<RunsTableState>) -> impl IntoView {
    let store = expect_context::<Store>();
    let views = Memo::new(move |_| {
        store.revision.track();
        let id = experiment_id.get();
        service::ready()
            .and_then(|s| s.read(|t| t.experiment(&id).ok().map(|e| saved_views(&e.tags))))
            .unwrap_or_default()
    });
    let current_id =
        Memo::new(move |_| views.with(|v| state.with(|s| current(v, s).map(|v| v.id.clone()))));
    let editing = RwSignal::new(None::<Editing>);
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // Another experiment's page starts with nothing being named.
    Effect::watch(
        move || experiment_id.get(),
        move |_, _, _| {
            editing.set(None);
            error.set(None);
        },
        false,
    );
    let start = move |what: Editing, name: String| {
        draft.set(name);
        error.set(None);
        editing.set(Some(what));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(what) = editing.get_untracked() else {
            return;
        };
        let Some(s) = service::ready() else { return };
        let list = views.get_untracked();
        let renaming = match &what {
            Editing::Rename(id) => Some(id.as_str()),
            Editing::New => None,
        };
        let name = match check_name(&draft.get_untracked(), &list, renaming) {
            Ok(name) => name,
            Err(e) => return error.set(Some(e)),
        };
        let view = match &what {
            Editing::New => SavedView::new(new_id(service::seed()), name, &state.get_untracked()),
            Editing::Rename(id) => match list.into_iter().find(|v| v.id == *id) {
                Some(v) => SavedView { name, ..v },
                None => return error.set(Some("That view was deleted meanwhile.".to_owned())),
            },
        };
        let exp = experiment_id.get_untracked();
        let now = service::now_ms();
        match s.write(|t| t.set_experiment_tag(&exp, &view.tag_key(), &view.tag_value(), now)) {
            Ok(()) => {
                editing.set(None);
                error.set(None);
            }
            Err(e) => error.set(Some(format!("The view could not be saved: {e}"))),
        }
    };
    let delete = move |view: SavedView| {
        let Some(s) = service::ready() else { return };
        let exp = experiment_id.get_untracked();
        match s.write(|t| t.delete_experiment_tag(&exp, &view.tag_key())) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(format!("The view could not be deleted: {e}"))),
        }
    };
    let name_box = move |label: String| {
        view! {
            <form class="view-name" on:submit=submit>
                <input
                    type="text"
                    aria-label=label
                    placeholder="View name"
                    maxlength="100"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button type="submit" class="primary">"Save"</button>
                <button type="button" on:click=move |_| { editing.set(None); error.set(None); }>"Cancel"</button>
            </form>
        }
    };
    view! {
        <div class="saved-views" role="group" aria-label="Saved views">
            <span class="muted">"Views"</span>
            <Show when=move || views.with(Vec::is_empty)>
                <span class="muted">"none saved"</span>
            </Show>
            <ul>
                <For
                    each=move || views.get()
                    key=|v| (v.id.clone(), v.name.clone(), v.query.clone())
                    let(v)
                >
                    {
                        let id = v.id.clone();
                        let renaming = {
                            let id = id.clone();
                            move || editing.get() == Some(Editing::Rename(id.clone()))
                        };
                        let is_current = Signal::derive(move || current_id.get().as_deref() == Some(id.as_str()));
                        let label = format!("New name for view {}", v.name);
                        let rename = {
                            let v = v.clone();
                            Callback::new(move |()| start(Editing::Rename(v.id.clone()), v.name.clone()))
                        };
                        let remove = {
                            let v = v.clone();
                            Callback::new(move |()| delete(v.clone()))
                        };
                        view! {
                            <li class:current=move || is_current.get()>
                                <Show when=renaming fallback=move || view! {
                                    <ViewLink view=v.clone() experiment_id is_current rename remove/>
                                }>
                                    {name_box(label.clone())}
                                </Show>
                            </li>
                        }
                    }
                </For>
            </ul>
            <Show
                when=move || editing.get() == Some(Editing::New)
                fallback=move || view! {
                    <button
                        type="button"
                        title="Save the filter, sort, columns and pinned/hidden runs under a name"
                        on:click=move |_| start(Editing::New, String::new())
                    >"Save view"</button>
                }
            >
                {name_box("View name".to_owned())}
            </Show>
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
    }
}

/// One saved view in the list: its link (marked when it is what the table shows) and
/// its rename and delete buttons.
#[component]
fn ViewLink(
    view: SavedView,
    experiment_id: Signal<String>,
    is_current: Signal<bool>,
    rename: Callback<()>,
    remove: Callback<()>,
) -> impl IntoView {
    let link = {
        let view = view.clone();
        move || href(&view.path(&experiment_id.get()))
    };
    view! {
        <a href=link aria-current=move || is_current.get().then_some("page")>{view.name.clone()}</a>
        <button
            type="button"
            class="ghost icon"
            title="Rename"
            aria-label=format!("Rename view {}", view.name)
            on:click=move |_| rename.run(())
        >"✎"</button>
        <button
            type="button"
            class="ghost icon"
            title="Delete"
            aria-label=format!("Delete view {}", view.name)
            on:click=move |_| remove.run(())
        >"×"</button>
    }
}
