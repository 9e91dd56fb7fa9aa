//! The column picker: every param, metric (its latest value, min or max) and tag key
//! logged in the experiment, to add as a column; "Varying" goes back to the columns
//! shown before any choice. The keys are gathered only while the picker is open.

use std::collections::BTreeSet;

use leptos::ev;
use leptos::prelude::*;

use crate::core::search::RunAttribute;
use crate::core::table::column_key::{ColumnKey, ColumnKind};
use crate::core::table::state::RunsTableState;
use crate::core::tracking::model::ViewType;
use crate::service;
use crate::ui::Store;

/// Most keys listed per section; a search narrows the rest.
const MAX_LISTED: usize = 200;
/// Run attributes that are not fixed columns.
const ATTRIBUTES: [RunAttribute; 4] = [
    RunAttribute::RunId,
    RunAttribute::EndTime,
    RunAttribute::ArtifactUri,
    RunAttribute::LifecycleStage,
];

/// The keys of one experiment's runs, by kind.
#[derive(Clone, Debug, Default, PartialEq)]
struct Catalog {
    params: Vec<String>,
    metrics: Vec<String>,
    tags: Vec<String>,
}

fn catalog(experiment_id: &str) -> Catalog {
    let Some(s) = service::ready() else {
        return Catalog::default();
    };
    s.read(|t| {
        let (mut p, mut m, mut g) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        let ids = [experiment_id.to_owned()];
        for r in t.runs_in(&ids, ViewType::All) {
            p.extend(r.params.keys().map(String::as_str));
            m.extend(r.metrics.keys().map(String::as_str));
            g.extend(r.tags.keys().map(String::as_str));
        }
        let own = |s: BTreeSet<&str>| s.into_iter().map(str::to_owned).collect();
        Catalog {
            params: own(p),
            metrics: own(m),
            tags: own(g),
        }
    })
}

#[component]
pub fn ColumnPicker(
    experiment_id: Signal<String>,
    state: Memo<RunsTableState>,
    set_state: Callback<RunsTableState>,
    /// The extra columns shown now (chosen, or the varying ones until then).
    extra: Memo<Vec<ColumnKey>>,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let open = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let keys = Memo::new(move |_| {
        if !open.get() {
            return Catalog::default();
        }
        store.revision.track();
        catalog(&experiment_id.get())
    });
    let root = NodeRef::<leptos::html::Div>::new();
    // Close on a click outside or Escape.
    let outside = window_event_listener(ev::mousedown, move |e| {
        // The composed path, not the target: inside a notebook view's shadow root the
        // window sees the view's host element as the target.
        let inside = root.get_untracked().is_some_and(|r| {
            let r: &wasm_bindgen::JsValue = r.as_ref();
            e.composed_path().includes(r, 0)
        });
        if !inside && open.get_untracked() {
            open.set(false);
        }
    });
    on_cleanup(move || outside.remove());
    let toggle = move |key: ColumnKey| {
        let mut s = state.get_untracked();
        extra.with_untracked(|shown| s.toggle_column(shown, key));
        set_state.run(s);
    };
    let chosen = move || extra.with(Vec::len);
    let check = move |key: ColumnKey, label: String, class: &'static str| {
        let k2 = key.clone();
        let on = move || extra.with(|c| c.contains(&k2));
        // "min of metric acc": what a bare "min" box means, for screen readers and tests.
        let name =
            (class == "variant").then(|| format!("{} {}", key.kind().singular(), key.name()));
        let title = name.clone();
        view! {
            <label class=class title=title>
                <input type="checkbox" aria-label=name prop:checked=on on:change=move |_| toggle(key.clone())/>
                <span>{label}</span>
            </label>
        }
    };
    let section = move |title: &'static str, kind: ColumnKind, names: Vec<String>| {
        let needle = search.get().to_lowercase();
        let matching: Vec<String> = names
            .into_iter()
            .filter(|n| needle.is_empty() || n.to_lowercase().contains(&needle))
            .collect();
        if matching.is_empty() {
            return None;
        }
        let more = matching.len().saturating_sub(MAX_LISTED);
        let items = matching
            .into_iter()
            .take(MAX_LISTED)
            .map(|name| {
                let main = check(ColumnKey::new(kind, name.as_str()), name.clone(), "main");
                // A metric's lowest and highest value are columns of their own.
                let variants = (kind == ColumnKind::Metrics).then(|| {
                    [
                        (ColumnKind::MetricsMin, "min"),
                        (ColumnKind::MetricsMax, "max"),
                    ]
                    .map(|(k, label)| {
                        check(
                            ColumnKey::new(k, name.as_str()),
                            label.to_owned(),
                            "variant",
                        )
                    })
                });
                view! { <li>{main}{variants}</li> }
            })
            .collect_view();
        Some(view! {
            <section>
                <h3>{title}</h3>
                <ul>{items}</ul>
                {(more > 0).then(|| view! { <p class="muted">{format!("{more} more — type to narrow the list")}</p> })}
            </section>
        })
    };
    view! {
        <div class="picker" node_ref=root on:keydown=move |e| if e.key() == "Escape" { open.set(false) }>
            <button
                type="button"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-haspopup="dialog"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Columns"
                {move || (chosen() > 0).then(|| view! { <span class="pill">{chosen()}</span> })}
            </button>
            <Show when=move || open.get()>
                <div class="picker-panel" role="dialog" aria-label="Choose columns">
                    <input
                        type="search"
                        placeholder="Search params, metrics, tags"
                        aria-label="Search column keys"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                    <div class="picker-lists">
                        {move || {
                            let c = keys.get();
                            let attrs = ATTRIBUTES.iter().map(|a| a.name().to_owned()).collect();
                            let sections = [
                                section("Metrics", ColumnKind::Metrics, c.metrics),
                                section("Params", ColumnKind::Params, c.params),
                                section("Tags", ColumnKind::Tags, c.tags),
                                section("Attributes", ColumnKind::Attributes, attrs),
                            ];
                            let empty = sections.iter().all(Option::is_none);
                            view! {
                                {sections.into_iter().flatten().collect_view()}
                                {empty.then(|| view! { <p class="muted">"No keys match."</p> })}
                            }
                        }}
                    </div>
                    <div class="picker-foot">
                        <button type="button" class="ghost" disabled=move || chosen() == 0 on:click=move |_| {
                            let mut s = state.get_untracked();
                            s.choose_columns(Vec::new());
                            set_state.run(s);
                        }>"Remove all"</button>
                        <button type="button" class="ghost"
                            title="The params and metrics that vary across the runs"
                            disabled=move || !state.with(|s| s.columns_chosen) on:click=move |_| {
                            let mut s = state.get_untracked();
                            s.default_columns();
                            set_state.run(s);
                        }>"Varying"</button>
                        <button type="button" on:click=move |_| open.set(false)>"Done"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
