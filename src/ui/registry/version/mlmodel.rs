//! What a version's `MLmodel` says: how to load it (a snippet to copy), its flavors
//! with their parameters, its signature as a table, and its input example.

use leptos::prelude::*;

use crate::core::models::mlmodel::MlModel;
use crate::core::models::resolve::ModelFiles;
use crate::core::models::summary::{flavor_params, load_snippet, signature_rows, Side};
use crate::ui::registry::read_mlmodel;
use crate::ui::site_url;
use crate::ui::widgets::files::{FilePreview, FilesOwner};
use crate::ui::widgets::snippet::Snippet;

/// The sections read from the model's `MLmodel`.
#[component]
pub fn ModelSummary(files: ModelFiles, name: String, version: u64) -> impl IntoView {
    let doc = LocalResource::new({
        let files = files.clone();
        move || {
            let files = files.clone();
            async move { read_mlmodel(&files).await }
        }
    });
    move || {
        match doc.get() {
            None => view! { <p class="muted">"Reading the model…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">"Could not read its MLmodel: " {e}</p> }.into_any(),
            Some(Ok(None)) => view! {
                <section class="reg-section model-use">
                    <h2>"Use it"</h2>
                    <Snippet code=load_snippet(&[], &name, version, &site_url("/mlflow.js"))/>
                </section>
                <p class="muted">"This model has no MLmodel file: its flavors and signature are unknown."</p>
            }.into_any(),
            Some(Ok(Some(ml))) => summary(&ml, &files, &name, version).into_any(),
        }
    }
}

fn summary(ml: &MlModel, files: &ModelFiles, name: &str, version: u64) -> impl IntoView {
    let flavors = ml.flavors();
    let snippet = load_snippet(&flavors, name, version, &site_url("/mlflow.js"));
    let example = ml.input_example_path();
    let flavor_views = flavors
        .iter()
        .map(|(flavor, params)| {
            let rows = flavor_params(params)
                .into_iter()
                .map(|(k, v)| view! { <tr><td class="key">{k}</td><td class="value">{v}</td></tr> })
                .collect_view();
            view! {
                <div class="flavor" data-flavor=flavor.clone()>
                    <h3>{flavor.clone()}</h3>
                    <table class="grid kv"><tbody>{rows}</tbody></table>
                </div>
            }
        })
        .collect_view();
    let signature = match ml.signature() {
        None => view! { <p class="muted">"No signature: MLflow does not know what this model takes and gives."</p> }.into_any(),
        Some(sig) => {
            let rows = signature_rows(&sig);
            let group = |side: Side, label: &'static str| {
                let items: Vec<_> = rows.iter().filter(|r| r.side == side).cloned().collect();
                let empty = items.is_empty();
                view! {
                    <tbody data-side=side.as_str()>
                        <tr class="group"><th colspan="4" scope="rowgroup">{label}</th></tr>
                        {items.into_iter().map(|r| view! {
                            <tr>
                                <td class="name">{r.name}{(!r.note.is_empty()).then(|| view! { <span class="muted">{format!(" ({})", r.note)}</span> })}</td>
                                <td>{r.kind}</td>
                                <td class="mono">{r.dtype}</td>
                                <td class="mono">{r.shape}</td>
                            </tr>
                        }).collect_view()}
                        {empty.then(|| view! { <tr><td colspan="4" class="muted">"None"</td></tr> })}
                    </tbody>
                }
            };
            view! {
                <div class="table-scroll">
                    <table class="grid signature">
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Type"</th>
                            <th scope="col">"dtype"</th><th scope="col">"Shape"</th>
                        </tr></thead>
                        {group(Side::Input, "Inputs")}
                        {group(Side::Output, "Outputs")}
                    </table>
                </div>
            }
            .into_any()
        }
    };
    let example = match example {
        Some(path) => {
            view! { <FilePreview owner=FilesOwner::Model(files.clone()) path/> }.into_any()
        }
        None => {
            view! { <p class="muted">"No input example was saved with this model."</p> }.into_any()
        }
    };
    view! {
        <section class="reg-section model-use">
            <h2>"Use it"</h2>
            <Snippet code=snippet/>
        </section>
        <section class="reg-section model-summary">
            <h2>"Flavors " <span class="count">{flavors.len()}</span></h2>
            <div class="flavors">{flavor_views}</div>
        </section>
        <section class="reg-section model-signature">
            <h2>"Signature"</h2>
            {signature}
        </section>
        <section class="reg-section model-example">
            <h2>"Input example"</h2>
            {example}
        </section>
    }
}
