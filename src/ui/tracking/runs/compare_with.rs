//! "Add runs from another experiment…": the runs ticked in this table plus runs
//! ticked from another experiment's list, opened as one comparison in MLflow's
//! address form (`core::compare_url`). The button's name leaves out "Compare" so
//! the selection bar's Compare stays the one button of that name.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;

use super::table::{SelectedRuns, TableData};
use crate::core::compare_url;
use crate::core::text::format::plural;
use crate::core::tracking::model::{LifecycleStage, ViewType};
use crate::service;
use crate::ui::Store;

/// Runs of the other experiment listed at most (newest first).
const LIST_LIMIT: usize = 200;

/// A run of the other experiment, as listed.
#[derive(Clone, Debug, PartialEq)]
struct Candidate {
    id: String,
    name: String,
    status: &'static str,
}

/// The button and its panel: choose an experiment, tick some of its runs, compare
/// them with the runs ticked here.
#[component]
pub fn CompareWith(experiment_id: Signal<String>, data: Memo<Arc<TableData>>) -> impl IntoView {
    let selected = expect_context::<SelectedRuns>();
    let store = expect_context::<Store>();
    let go_to = crate::ui::use_go_to();
    let open = RwSignal::new(false);
    let other = RwSignal::new(String::new());
    let ticked = RwSignal::new(BTreeSet::<String>::new());
    // Ticked here, in table order.
    let here = selected.in_table_order(data);
    // Another experiment's page starts closed, with nothing chosen there.
    Effect::watch(
        move || experiment_id.get(),
        move |_, _, _| {
            open.set(false);
            other.set(String::new());
            ticked.update(|t| t.clear());
        },
        false,
    );
    // Other active experiments with active runs, by name; read only while open.
    let experiments = Memo::new(move |_| {
        store.revision.track();
        if !open.get() {
            return Vec::new();
        }
        let this = experiment_id.get();
        service::ready()
            .map(|s| {
                s.read(|t| {
                    let with_runs: BTreeSet<&str> = t
                        .runs_in(&[], ViewType::ActiveOnly)
                        .map(|r| r.info.experiment_id.as_str())
                        .collect();
                    let mut list: Vec<(String, String)> = t
                        .experiments()
                        .filter(|e| {
                            e.lifecycle_stage == LifecycleStage::Active
                                && e.experiment_id != this
                                && with_runs.contains(e.experiment_id.as_str())
                        })
                        .map(|e| (e.experiment_id.clone(), e.name.clone()))
                        .collect();
                    list.sort_by_cached_key(|(_, name)| name.to_lowercase());
                    list
                })
            })
            .unwrap_or_default()
    });
    // The chosen experiment's active runs, newest first, and how many it has; read
    // only while open.
    let candidates = Memo::new(move |_| {
        store.revision.track();
        let id = other.get();
        if id.is_empty() || !open.get() {
            return (Vec::new(), 0);
        }
        service::ready()
            .map(|s| {
                s.read(|t| {
                    let ids = [id];
                    let mut runs: Vec<_> = t.runs_in(&ids, ViewType::ActiveOnly).collect();
                    runs.sort_by_key(|r| std::cmp::Reverse(r.info.start_time));
                    let total = runs.len();
                    let listed = runs
                        .into_iter()
                        .take(LIST_LIMIT)
                        .map(|r| Candidate {
                            id: r.info.run_id.clone(),
                            name: r.info.run_name.clone(),
                            status: r.info.status.as_str(),
                        })
                        .collect::<Vec<_>>();
                    (listed, total)
                })
            })
            .unwrap_or_default()
    });
    // Ticked there, in list order (runs gone from the list drop out).
    let there = Memo::new(move |_| {
        candidates.with(|(list, _)| {
            ticked.with(|t| {
                list.iter()
                    .filter(|c| t.contains(&c.id))
                    .map(|c| c.id.clone())
                    .collect::<Vec<_>>()
            })
        })
    });
    let other_name = move || {
        let id = other.get();
        experiments.with(|list| {
            list.iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        })
    };
    let total = move || here.with(Vec::len) + there.with(Vec::len);
    let compare = move |_| {
        let (here, there) = (here.get_untracked(), there.get_untracked());
        let mut experiments = Vec::new();
        if !here.is_empty() {
            experiments.push(experiment_id.get_untracked());
        }
        if !there.is_empty() {
            experiments.push(other.get_untracked());
        }
        let runs: Vec<String> = here.into_iter().chain(there).collect();
        go_to(&format!(
            "/compare-runs{}",
            compare_url::to_query(&runs, &experiments)
        ));
    };
    view! {
        <div class="compare-with">
            <button
                type="button"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                title="Compare the runs ticked here with runs of another experiment"
                on:click=move |_| open.update(|o| *o = !*o)
            >"Add runs from another experiment…"</button>
            <Show when=move || open.get()>
                <div class="compare-with-panel" role="group" aria-label="Runs from another experiment">
                    {move || if experiments.with(Vec::is_empty) {
                        view! { <p class="muted">"No other experiment has runs."</p> }.into_any()
                    } else {
                        view! {
                            <label class="compare-with-pick">
                                "Other experiment "
                                <select
                                    prop:value=move || other.get()
                                    on:change=move |ev| {
                                        other.set(event_target_value(&ev));
                                        ticked.update(|t| t.clear());
                                    }
                                >
                                    <option value="">"Choose…"</option>
                                    {move || experiments.get().into_iter().map(|(id, name)| {
                                        let selected = other.get_untracked() == id;
                                        view! { <option value=id selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                        }.into_any()
                    }}
                    <Show when=move || !other.with(String::is_empty)>
                        <ul class="compare-with-runs" aria-label=move || format!("Runs of {}", other_name())>
                            <For
                                each=move || candidates.get().0
                                key=|c| (c.id.clone(), c.name.clone(), c.status)
                                let(c)
                            >
                                {
                                    let id = c.id.clone();
                                    let id2 = c.id.clone();
                                    view! {
                                        <li>
                                            <label>
                                                <input
                                                    type="checkbox"
                                                    prop:checked=move || ticked.with(|t| t.contains(&id))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        ticked.update(|t| {
                                                            if on { t.insert(id2.clone()); } else { t.remove(&id2); }
                                                        });
                                                    }
                                                />
                                                <span class="name">{c.name.clone()}</span>
                                                <span class="muted status">{c.status}</span>
                                            </label>
                                        </li>
                                    }
                                }
                            </For>
                        </ul>
                        {move || candidates.with(|(list, total)| (*total > list.len()).then(|| view! {
                            <p class="muted">{format!("Showing the {} newest of {}.", list.len(), plural(*total, "run"))}</p>
                        }))}
                    </Show>
                    <div class="compare-with-go">
                        <span class="muted">{move || {
                            let mut text = format!("{} ticked here", plural(here.with(Vec::len), "run"));
                            if !other.with(String::is_empty) {
                                text.push_str(&format!(" + {} from {}", there.with(Vec::len), other_name()));
                            }
                            text
                        }}</span>
                        <button
                            type="button"
                            class="primary"
                            disabled=move || total() < 2
                            title="Open the runs ticked here and there side by side"
                            on:click=compare.clone()
                        >{move || format!("Compare {}", plural(total(), "run"))}</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
