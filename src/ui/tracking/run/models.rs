//! The models the run logged: its LoggedModels (MLflow 3), and the MLflow 2.x models
//! its `mlflow.log-model.history` tag records (run artifacts under their path). Each
//! shows its flavor and signature (read from its `MLmodel`), the registry versions
//! made from it, and a Register button.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::core::models::resolve::ModelFiles;
use crate::core::models::summary::{main_flavor, signature_summary};
use crate::core::table::logged_models::{run_history_models, run_logged_models, VersionRef};
use crate::core::table::registry::version_path;
use crate::service;
use crate::ui::registry::{read_mlmodel, RegisterButton, RegisterHost, Registration};
use crate::ui::{href, Store};

/// One model of the run, as the section lists it.
#[derive(Clone, Debug, PartialEq)]
struct Item {
    /// `logged` or `artifacts`.
    kind: &'static str,
    /// The LoggedModel's name, or the artifact path.
    name: String,
    /// `m-…` for a LoggedModel.
    model_id: Option<String>,
    /// `READY`, … for a LoggedModel.
    status: Option<&'static str>,
    /// Flavors already known (a history entry says them; a LoggedModel's `MLmodel`
    /// does).
    flavors: Vec<String>,
    files: ModelFiles,
    versions: Vec<VersionRef>,
    source: String,
}

impl Item {
    /// Which model it is.
    fn key(&self) -> (&'static str, String, Option<String>) {
        (self.kind, self.name.clone(), self.model_id.clone())
    }
}

/// The Logged models section, shown when the run has any.
#[component]
pub fn RunModels(h: RunHandle) -> impl IntoView {
    let store = expect_context::<Store>();
    let items = Memo::new(move |_| {
        store.revision.track();
        h.run.track();
        let Some(s) = service::ready() else {
            return Vec::new();
        };
        let id = h.id.get_value();
        s.read(|t| {
            let logged = run_logged_models(t, &id).into_iter().map(|m| Item {
                kind: "logged",
                source: format!("models:/{}", m.model_id),
                files: ModelFiles::LoggedModel {
                    model_id: m.model_id.clone(),
                },
                flavors: Vec::new(),
                status: Some(m.status),
                model_id: Some(m.model_id),
                name: m.name,
                versions: m.versions,
            });
            let history = run_history_models(t, &id).into_iter().map(|m| Item {
                kind: "artifacts",
                source: m.entry.source(&id),
                flavors: m.entry.flavor_names(),
                name: m.entry.artifact_path,
                model_id: None,
                status: None,
                files: m.files,
                versions: m.versions,
            });
            logged.chain(history).collect::<Vec<_>>()
        })
    });
    let item = move |it: Item| {
        // A card is one model for its lifetime; what changes (status, versions) is
        // read from the list, so a registration does not rebuild the card.
        let key = it.key();
        let live = Memo::new(move |_| {
            items.with(|all| {
                (all.iter().find(|i| i.key() == key))
                    .map(|i| (i.status, i.versions.clone()))
                    .unwrap_or_default()
            })
        });
        let Item {
            kind,
            name,
            model_id,
            flavors,
            files,
            source,
            ..
        } = it;
        let registered = move || {
            let versions = live.with(|l| l.1.clone());
            if versions.is_empty() {
                view! { <span class="muted">"Not registered"</span> }.into_any()
            } else {
                versions
                    .into_iter()
                    .map(|(n, v)| view! { <a class="version-link" href=href(&version_path(&n, v))>{format!("{n} v{v}")}</a> })
                    .collect_view()
                    .into_any()
            }
        };
        let status = move || {
            live.with(|l| l.0).map(
                |s| view! { <span class=format!("status {}", s.to_ascii_lowercase())>{s}</span> },
            )
        };
        let what = Registration {
            source,
            model_id: model_id.clone(),
            run_id: Some(h.id.get_value()),
            label: name.clone(),
        };
        let anchor = model_id
            .clone()
            .unwrap_or_else(|| format!("artifacts-{name}"));
        view! {
            <li class="model-card" id=anchor data-kind=kind data-name=name.clone()>
                <div class="model-card-head">
                    <strong class="model-name">{name.clone()}</strong>
                    {match &model_id {
                        Some(id) => view! { <code class="muted">{id.clone()}</code> }.into_any(),
                        None => view! { <span class="badge">"MLflow 2.x · run artifacts"</span> }.into_any(),
                    }}
                    {status}
                    <span class="spacer"></span>
                    <RegisterButton what/>
                </div>
                <dl class="model-facts">
                    <ModelFacts files flavors/>
                    <div data-field="registered"><dt>"Registered"</dt><dd class="chips">{registered}</dd></div>
                </dl>
            </li>
        }
    };
    view! {
        <Show when=move || !items.read().is_empty()>
            <section class="run-section run-models">
                <h2>"Logged models " <span class="count">{move || items.read().len()}</span></h2>
                <RegisterHost>
                    <ul class="model-list">
                        <For each=move || items.get() key=Item::key children=item/>
                    </ul>
                </RegisterHost>
            </section>
        </Show>
    }
}

/// The flavor and the signature, from the model's `MLmodel` (`known` flavors are
/// shown while it is read, and when it has none).
#[component]
fn ModelFacts(files: ModelFiles, flavors: Vec<String>) -> impl IntoView {
    let doc = LocalResource::new(move || {
        let files = files.clone();
        async move { read_mlmodel(&files).await }
    });
    let known = flavors;
    let flavor = move || {
        let read: Option<Vec<String>> = match doc.get() {
            Some(Ok(Some(ml))) => Some(ml.flavors().into_iter().map(|(n, _)| n).collect()),
            _ => None,
        };
        let names = read.unwrap_or_else(|| known.clone());
        main_flavor(&names)
            .map(str::to_owned)
            .unwrap_or_else(|| "—".to_owned())
    };
    let signature = move || match doc.get() {
        None => "…".to_owned(),
        Some(Err(e)) => format!("unreadable MLmodel: {e}"),
        Some(Ok(None)) => "no MLmodel file".to_owned(),
        Some(Ok(Some(ml))) => ml
            .signature()
            .map(|s| signature_summary(&s))
            .unwrap_or_else(|| "none".to_owned()),
    };
    view! {
        <div data-field="flavor"><dt>"Flavor"</dt><dd>{flavor}</dd></div>
        <div data-field="signature"><dt>"Signature"</dt><dd class="mono">{signature}</dd></div>
    }
}
