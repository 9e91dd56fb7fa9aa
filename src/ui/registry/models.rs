//! `/models`: every registered model, searched with MLflow's filter grammar (plain
//! words search names), in a virtualized grid; a form that creates one; and, in an
//! empty store, how to register a first model.
//!
//! Data flow: the URL query → [`ModelsListState`] → one memo of the rows as plain data
//! (`core::table::registry::model_rows`, keyed on `Store.revision`) → only the rows
//! within the scrolled viewport in the DOM, so 1,000 models cost what 30 do.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;

use crate::ui::widgets::scroll::ScrollViewport;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::commit;
use crate::core::table::registry::{
    alias_label, model_path, model_rows, version_path, ModelRow, ModelRows, ModelsListState,
    ModelsOrder,
};
use crate::core::text::format::{plural, thousands};
use crate::core::text::url_query;
use crate::service;
use crate::ui::widgets::format_time;
use crate::ui::widgets::query_error::QueryBox;
use crate::ui::widgets::snippet::Snippet;
use crate::ui::{href, site_url, Store};

/// Height of every row in px (the virtualized body places rows at `index × ROW`).
const ROW: f64 = 40.0;
/// Height of the sticky header row in px.
const HEAD: f64 = 36.0;
/// Rows rendered beyond each edge of the viewport.
const OVERSCAN: usize = 8;

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The rows shown, stamped for the view.
struct ListData {
    /// Distinguishes builds, so rendered rows are replaced when the data changes.
    generation: u64,
    rows: ModelRows,
    /// How long the search took (ms), shown as `data-build-ms` for benchmarks.
    build_ms: f64,
}

/// The snippet that logs a model and registers it, from any page's console.
fn register_snippet() -> String {
    format!(
        "const mlflow = await import(\"{}\");\nawait mlflow.startRun();\nawait mlflow.logModel(model, \"model\", {{registeredModelName: \"mnist\"}});\nawait mlflow.endRun();",
        site_url("/mlflow.js")
    )
}

/// `/models`: the registered models.
#[component]
pub fn Models() -> impl IntoView {
    let store = expect_context::<Store>();
    let location = use_location();
    let state =
        Memo::new(move |_| ModelsListState::from_query(&url_query::parse(&location.search.get())));
    let navigate = use_navigate();
    let set_state = Callback::new(move |s: ModelsListState| {
        navigate(
            &format!("/models{}", url_query::encode(&s.to_query())),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let data = Memo::new_with_compare(
        move |_| {
            store.revision.track();
            let clock = web_sys::window().and_then(|w| w.performance());
            let t0 = clock.as_ref().map_or(0.0, |p| p.now());
            let rows = state.with(|st| {
                let order = [st.order.clause().to_owned()];
                service::ready()
                    .map(|s| s.read(|t| model_rows(t, &st.filter, &order)))
                    .unwrap_or_default()
            });
            Arc::new(ListData {
                generation: GENERATION.fetch_add(1, Ordering::Relaxed) + 1,
                rows,
                build_ms: clock.as_ref().map_or(0.0, |p| p.now()) - t0,
            })
        },
        |a: Option<&Arc<ListData>>, b: Option<&Arc<ListData>>| match (a, b) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            _ => true,
        },
    );
    let creating = RwSignal::new(false);
    let empty = move || data.with(|d| d.rows.total == 0);
    let count = move || {
        data.with(|d| {
            let (shown, total) = (d.rows.rows.len(), d.rows.total);
            if d.rows.error.is_some() || total == 0 {
                String::new()
            } else if shown == total {
                plural(total, "model")
            } else {
                format!("{} of {}", thousands(shown), plural(total, "model"))
            }
        })
    };
    view! {
        <section class="registry-page models-page">
            <div class="title-row">
                <h1>"Registered models"</h1>
                <span class="muted count">{count}</span>
                <button type="button" class="primary" on:click=move |_| creating.set(true)
                    disabled=move || creating.get()>"Create model"</button>
            </div>
            <Show when=move || creating.get()>
                <CreateModelForm on_done=Callback::new(move |_| creating.set(false))/>
            </Show>
            <Show when=empty fallback=move || view! { <ModelsTable data state set_state/> }>
                <div class="first-run">
                    <h2>"No registered models yet"</h2>
                    <p>
                        "Register a model as you log it from the browser console of any page "
                        "(or a Web Worker): it gets version 1 here, and each later "
                        <code>"logModel"</code>" with the same name adds a version."
                    </p>
                    <Snippet code=register_snippet()/>
                    <p class="muted">
                        "Or register a model a run logged from its run page, or create an "
                        "empty one with "<strong>"Create model"</strong>"."
                    </p>
                </div>
            </Show>
        </section>
    }
}

/// The inline form that creates a registered model; on success, its page opens.
#[component]
fn CreateModelForm(on_done: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let n = name.get_untracked().trim().to_owned();
        let d = Some(description.get_untracked()).filter(|d| !d.trim().is_empty());
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let created = commit({
                let n = n.clone();
                move |t, now| t.create_registered_model(&n, d, Default::default(), now)
            })
            .await;
            let _ = busy.try_set(false);
            match created {
                Ok(_) => {
                    on_done.run(());
                    navigate(&model_path(&n), NavigateOptions::default());
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="inline-form create-model" aria-label="Create model" on:submit=submit>
            <input
                node_ref=input
                type="text"
                aria-label="Model name"
                placeholder="Model name"
                prop:value=move || name.get()
                on:input=move |ev| { name.set(event_target_value(&ev)); error.set(None); }
                on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }
            />
            <input
                type="text"
                class="description"
                aria-label="Description"
                placeholder="Description (optional, Markdown)"
                prop:value=move || description.get()
                on:input=move |ev| description.set(event_target_value(&ev))
            />
            <button type="submit" class="primary" disabled=move || busy.get()>"Create"</button>
            <button type="button" class="ghost" on:click=move |_| on_done.run(())>"Cancel"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// The search box and the grid.
#[component]
fn ModelsTable(
    data: Memo<Arc<ListData>>,
    state: Memo<ModelsListState>,
    set_state: Callback<ModelsListState>,
) -> impl IntoView {
    let applied = Memo::new(move |_| state.with(|s| s.filter.clone()));
    let apply = Callback::new(move |text: String| {
        let mut s = state.get_untracked();
        s.filter = text;
        set_state.run(s);
    });
    let error = Signal::derive(move || data.with(|d| d.rows.error.clone()));
    view! {
        <QueryBox
            applied
            apply
            error
            class="filter-box models-filter"
            label="Search registered models"
            placeholder="mnist, or tags.task = 'vision' and name LIKE 'cnn%'   (press / to focus)"
            button="Search"
        />
        <ModelsGrid data state set_state/>
        {move || data.with(|d| {
            let note = if d.rows.error.is_some() {
                "Fix the filter, or clear it, to see models."
            } else if d.rows.rows.is_empty() {
                "No registered model matches this filter."
            } else {
                return None;
            };
            Some(view! { <p class="table-note">{note}</p> })
        })}
    }
}

/// One rendered row: its position and what it shows.
#[derive(Clone, PartialEq)]
struct RowItem {
    generation: u64,
    pos: usize,
    row: ModelRow,
}

/// The virtualized grid: a sticky header and only the rows on screen.
#[component]
fn ModelsGrid(
    data: Memo<Arc<ListData>>,
    state: Memo<ModelsListState>,
    set_state: Callback<ModelsListState>,
) -> impl IntoView {
    let scroller = NodeRef::<leptos::html::Div>::new();
    let scroll = ScrollViewport::follow(scroller);
    let (scroll_top, viewport) = (scroll.top, scroll.height);
    // A new search or order starts at the top.
    Effect::new(move |prev: Option<()>| {
        state.with(|_| ());
        if prev.is_some() {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
    });
    let window = Memo::new(move |_| {
        let n = data.with(|d| d.rows.rows.len());
        let first = ((scroll_top.get() - HEAD).max(0.0) / ROW).floor() as usize;
        let shown = (viewport.get() / ROW).ceil() as usize + 1;
        (
            first.saturating_sub(OVERSCAN).min(n),
            (first + shown + OVERSCAN).min(n),
        )
    });
    let items = move || {
        let (start, end) = window.get();
        data.with(|d| {
            (start..end)
                .map(|pos| RowItem {
                    generation: d.generation,
                    pos,
                    row: d.rows.rows[pos].clone(),
                })
                .collect::<Vec<_>>()
        })
    };
    let order = Memo::new(move |_| state.with(|s| s.order));
    let sort = move |next: fn(ModelsOrder) -> ModelsOrder| {
        move |_| {
            let mut s = state.get_untracked();
            s.order = next(s.order);
            set_state.run(s);
        }
    };
    let aria_sort = move |asc: ModelsOrder, desc: ModelsOrder| {
        move || match order.get() {
            o if o == asc => "ascending",
            o if o == desc => "descending",
            _ => "none",
        }
    };
    let arrow = move |asc: ModelsOrder, desc: ModelsOrder| {
        move || match order.get() {
            o if o == asc => "▲",
            o if o == desc => "▼",
            _ => "",
        }
    };
    let (na, nd) = (ModelsOrder::NameAsc, ModelsOrder::NameDesc);
    let (ua, ud) = (ModelsOrder::UpdatedAsc, ModelsOrder::UpdatedDesc);
    view! {
        <Show when=move || data.with(|d| !d.rows.rows.is_empty())>
            <div
                class="models-scroll"
                node_ref=scroller
                role="table"
                aria-label="Registered models"
                aria-rowcount=move || data.with(|d| d.rows.rows.len() + 1)
                data-build-ms=move || format!("{:.1}", data.with(|d| d.build_ms))
                on:scroll=move |_| scroll.measure()
            >
                <div class="models-head" role="row">
                    <div class="cell" role="columnheader" aria-sort=aria_sort(na, nd)>
                        <button type="button" class="sort" on:click=sort(ModelsOrder::by_name)>
                            "Name" <span class="arrow" aria-hidden="true">{arrow(na, nd)}</span>
                        </button>
                    </div>
                    <div class="cell" role="columnheader">"Latest version"</div>
                    <div class="cell" role="columnheader">"Aliases"</div>
                    <div class="cell" role="columnheader">"Tags"</div>
                    <div class="cell" role="columnheader" aria-sort=aria_sort(ua, ud)>
                        <button type="button" class="sort" on:click=sort(ModelsOrder::by_updated)>
                            "Last modified" <span class="arrow" aria-hidden="true">{arrow(ua, ud)}</span>
                        </button>
                    </div>
                </div>
                <div class="models-body" role="rowgroup"
                    style:height=move || format!("{}px", data.with(|d| d.rows.rows.len()) as f64 * ROW)>
                    <For each=items key=|i| (i.generation, i.pos) let:item>
                        <ModelItem item/>
                    </For>
                </div>
            </div>
        </Show>
    }
}

/// One registered model's row.
#[component]
fn ModelItem(item: RowItem) -> impl IntoView {
    let RowItem { pos, row, .. } = item;
    let ModelRow {
        name,
        latest_version,
        aliases,
        tags,
        last_modified,
        ..
    } = row;
    let latest = match latest_version {
        Some(v) => {
            view! { <a href=href(&version_path(&name, v))>{format!("Version {v}")}</a> }.into_any()
        }
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let alias_chips = aliases
        .into_iter()
        .map(|(a, v)| {
            let label = alias_label(&a, v);
            view! { <a class="alias-chip" href=href(&version_path(&name, v)) title=label.clone()>{label.clone()}</a> }
        })
        .collect_view();
    let tag_chips = tags
        .into_iter()
        .map(|(k, v)| {
            let title = format!("{k}: {v}");
            view! { <span class="tag-chip" title=title><span class="key">{k}":"</span>{v}</span> }
        })
        .collect_view();
    view! {
        <div class="models-row" role="row" data-model=name.clone() style:top=format!("{}px", pos as f64 * ROW)>
            <div class="cell name" role="cell"><a href=href(&model_path(&name)) title=name.clone()>{name.clone()}</a></div>
            <div class="cell" role="cell">{latest}</div>
            <div class="cell chips" role="cell">{alias_chips}</div>
            <div class="cell chips" role="cell">{tag_chips}</div>
            <div class="cell" role="cell">{last_modified.map(format_time).unwrap_or_default()}</div>
        </div>
    }
}
