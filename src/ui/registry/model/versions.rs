//! The model's versions, newest first: each links to its page, with when it was
//! registered, its aliases, the run that made it (linked when the store has it), its
//! status and stage.

use leptos::prelude::*;

use crate::core::table::registry::{version_path, version_rows, VersionRow};
use crate::service;
use crate::ui::registry::handle::ModelHandle;
use crate::ui::widgets::format_time;
use crate::ui::{href, Store};

/// The versions section.
#[component]
pub fn VersionsTable(h: ModelHandle) -> impl IntoView {
    let store = expect_context::<Store>();
    let rows = Memo::new(move |_| {
        // The runs a version links to may arrive after the model.
        store.revision.track();
        let s = service::ready()?;
        h.model
            .with(|m| m.as_ref().map(|m| s.read(|t| version_rows(t, m))))
    });
    let count = move || rows.with(|r| r.as_ref().map_or(0, Vec::len));
    let row = move |r: VersionRow| {
        let name = h.name.get_value();
        let link = href(&version_path(&name, r.version));
        let run = match (&r.run, &r.run_id) {
            (Some(run), _) => {
                view! { <a href=href(&run.path()) title=run.run_id.clone()>{run.name.clone()}</a> }
                    .into_any()
            }
            (None, Some(id)) => {
                view! { <code title="Not in this store">{id.clone()}</code> }.into_any()
            }
            (None, None) => view! { <span class="muted">"—"</span> }.into_any(),
        };
        let aliases = r
            .aliases
            .iter()
            .map(|a| view! { <span class="alias-chip">{format!("@{a}")}</span> })
            .collect_view();
        view! {
            <tr data-version=r.version.to_string()>
                <td><a href=link>{format!("Version {}", r.version)}</a></td>
                <td>{format_time(r.registered_at)}</td>
                <td class="chips">{aliases}</td>
                <td>{run}</td>
                <td><span class=format!("status {}", r.status.to_ascii_lowercase())>{r.status}</span></td>
                <td>{r.stage}</td>
            </tr>
        }
    };
    view! {
        <section class="reg-section model-versions">
            <div class="section-head">
                <h2>"Versions " <span class="count">{count}</span></h2>
            </div>
            <Show when=move || { count() > 0 } fallback=|| view! {
                <p class="muted">"No versions yet. Register one from a run's Logged models, or with "
                    <code>"mlflow.logModel(model, \"model\", {registeredModelName})"</code>"."</p>
            }>
                <div class="table-scroll">
                    <table class="grid versions">
                        <thead><tr>
                            <th scope="col">"Version"</th>
                            <th scope="col">"Registered at"</th>
                            <th scope="col">"Aliases"</th>
                            <th scope="col">"Source run"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Stage"</th>
                        </tr></thead>
                        <tbody>
                            <For each=move || rows.get().unwrap_or_default() key=|r| r.clone() children=row/>
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}
