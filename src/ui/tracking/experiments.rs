//! The experiments list: every experiment with its run count and last activity;
//! create, rename, delete and restore.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::core::table::experiments::{experiment_rows, ExperimentRow, RunCounts};
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::DEFAULT_EXPERIMENT_ID;
use crate::service;
use crate::ui::widgets::transfer::ImportExport;
use crate::ui::widgets::{format_time, FirstRun};
use crate::ui::{href, Store};

/// Runs `f` on the tracker; the error text if MLflow refuses.
fn write(
    f: impl FnOnce(&mut crate::core::tracking::Tracker, i64) -> crate::core::tracking::Result<()>,
) -> Result<(), String> {
    let s = service::ready().ok_or("The store is not open yet.")?;
    let now = service::now_ms();
    s.write(|t| f(t, now)).map_err(|e| e.message)
}

/// `/`: every experiment with its run count and last activity; create, rename,
/// delete and restore.
#[component]
pub fn Experiments() -> impl IntoView {
    let store = expect_context::<Store>();
    let search = RwSignal::new(String::new());
    let deleted_view = RwSignal::new(false);
    let stage = Memo::new(move |_| {
        if deleted_view.get() {
            LifecycleStage::Deleted
        } else {
            LifecycleStage::Active
        }
    });
    // Counting reads every run: only after a commit or a change of view, never per
    // keystroke in the search box.
    let counts = Memo::new(move |_| {
        store.revision.track();
        let stage = stage.get();
        service::ready()
            .map(|s| s.read(|t| RunCounts::of(t, stage)))
            .unwrap_or_default()
    });
    let list = Memo::new(move |_| {
        // A rename changes no count, so the revision is read here too.
        store.revision.track();
        let (stage, search) = (stage.get(), search.get());
        counts.with(|c| {
            service::ready()
                .map(|s| s.read(|t| experiment_rows(t, c, stage, &search)))
                .unwrap_or_default()
        })
    });
    // Each row looks itself up by id instead of scanning the list.
    let by_id = Memo::new(move |_| {
        list.with(|rows| {
            rows.iter()
                .map(|r| (r.id.clone(), r.clone()))
                .collect::<HashMap<_, _>>()
        })
    });
    let creating = RwSignal::new(false);
    let has_rows = move || list.with(|r| !r.is_empty());
    let pristine = move || counts.with(|c| c.pristine) && !deleted_view.get();
    view! {
        <section class="experiments-page">
            <div class="title-row">
                <h1>"Experiments"</h1>
                <div class="io-toolbar"><ImportExport/></div>
            </div>
            <div class="list-toolbar">
                <input
                    type="search"
                    class="search"
                    data-search-box=""
                    aria-label="Search experiments by name"
                    placeholder="Search experiments   (press / to focus)"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
                <div class="segmented" role="group" aria-label="Which experiments">
                    <button type="button" aria-pressed=move || (!deleted_view.get()).to_string()
                        on:click=move |_| deleted_view.set(false)>"Active"</button>
                    <button type="button" aria-pressed=move || deleted_view.get().to_string()
                        on:click=move |_| deleted_view.set(true)>"Deleted"</button>
                </div>
                <button type="button" class="primary" on:click=move |_| creating.set(true)
                    disabled=move || creating.get()>"New experiment"</button>
            </div>
            <Show when=move || creating.get()>
                <CreateForm on_done=Callback::new(move |_| creating.set(false))/>
            </Show>
            <Show when=has_rows fallback=move || view! {
                <p class="table-note">{move || {
                    let s = search.get();
                    match (deleted_view.get(), s.trim().is_empty()) {
                        (false, true) => "No experiments.".to_owned(),
                        (true, true) => "No deleted experiments.".to_owned(),
                        (_, false) => format!("No experiment name contains “{}”.", s.trim()),
                    }
                }}</p>
            }>
                <div class="table-scroll">
                    <table class="grid experiments">
                        <thead><tr>
                            <th>"Name"</th>
                            <th>"ID"</th>
                            <th class="num">"Runs"</th>
                            <th>"Last activity"</th>
                            <th class="actions"><span class="sr-only">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            // Keyed by id, so a rename in progress survives live updates
                            // of the counts.
                            <For
                                each=move || list.get()
                                key=|r| r.id.clone()
                                let:row
                            >
                                <ExperimentItem id=row.id rows=by_id deleted=deleted_view.get_untracked()/>
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
            <Show when=pristine>
                <FirstRun title="Log your first run"/>
            </Show>
        </section>
    }
}

/// The inline form that creates an experiment.
#[component]
fn CreateForm(on_done: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    view! {
        <form class="inline-form" aria-label="New experiment" on:submit=move |ev| {
            ev.prevent_default();
            let n = name.get_untracked();
            match write(|t, now| t.create_experiment(n.trim(), None, Default::default(), now).map(|_| ())) {
                Ok(()) => on_done.run(()),
                Err(e) => error.set(Some(e)),
            }
        }>
            <input
                node_ref=input
                type="text"
                aria-label="Experiment name"
                placeholder="Experiment name"
                prop:value=move || name.get()
                on:input=move |ev| { name.set(event_target_value(&ev)); error.set(None); }
                on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }
            />
            <button type="submit" class="primary">"Create"</button>
            <button type="button" class="ghost" on:click=move |_| on_done.run(())>"Cancel"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// One experiment: its link and numbers, or the rename form; delete or restore.
/// Reads its row from `rows`, so counts and names follow the store.
#[component]
fn ExperimentItem(
    id: String,
    rows: Memo<HashMap<String, ExperimentRow>>,
    deleted: bool,
) -> impl IntoView {
    let row = Memo::new({
        let id = id.clone();
        move |_| rows.with(|rows| rows.get(&id).cloned())
    });
    let name = move || row.with(|r| r.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let renaming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let link = href(&format!("/experiments/{id}"));
    let id_rename = id.clone();
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = draft.get_untracked();
        match write(|t, now| t.rename_experiment(&id_rename, n.trim(), now)) {
            Ok(()) => renaming.set(false),
            Err(e) => error.set(Some(e)),
        }
    };
    let id_life = id.clone();
    let lifecycle = move |_| {
        let res = if deleted {
            write(|t, now| t.restore_experiment(&id_life, now))
        } else {
            write(|t, now| t.delete_experiment(&id_life, now))
        };
        if let Err(e) = res {
            error.set(Some(e));
        }
    };
    let verb = if deleted { "Restore" } else { "Delete" };
    view! {
        <tr data-experiment-id=id.clone()>
            <td class="name">
                <Show when=move || renaming.get() fallback=move || {
                    let link = link.clone();
                    view! { <a href=link>{name}</a> }
                }>
                    <form class="inline-form compact" aria-label="Rename experiment" on:submit=rename.clone()>
                        <input
                            type="text"
                            aria-label="New name"
                            prop:value=move || draft.get()
                            on:input=move |ev| { draft.set(event_target_value(&ev)); error.set(None); }
                            on:keydown=move |ev| if ev.key() == "Escape" { renaming.set(false) }
                        />
                        <button type="submit" class="primary">"Save"</button>
                        <button type="button" class="ghost" on:click=move |_| { renaming.set(false); error.set(None); }>"Cancel"</button>
                    </form>
                </Show>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </td>
            <td class="mono">{id.clone()}</td>
            <td class="num">{move || row.with(|r| r.as_ref().map_or(0, |r| r.runs))}</td>
            <td>{move || row.with(|r| r.as_ref().and_then(|r| r.last_activity).map(format_time).unwrap_or_default())}</td>
            <td class="actions">
                {(!deleted).then(|| view! {
                    <button type="button" class="ghost" aria-label=move || format!("Rename {}", name())
                        on:click=move |_| {
                            draft.set(name());
                            renaming.set(true);
                        }>"Rename"</button>
                })}
                // MLflow keeps the Default experiment: it cannot be deleted.
                {(id != DEFAULT_EXPERIMENT_ID).then(|| view! {
                    <button type="button" class=if deleted { "ghost" } else { "ghost danger" }
                        aria-label=move || format!("{verb} {}", name())
                        on:click=lifecycle>
                        {verb}
                    </button>
                })}
            </td>
        </tr>
    }
}
