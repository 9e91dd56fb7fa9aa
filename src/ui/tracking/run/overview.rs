//! The top of the run page: name and status, then the run's facts (times, who and
//! where from, parent and child runs).

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::core::text::format::{format_duration_ms, run_duration_ms};
use crate::core::tracking::model::{LifecycleStage, Run};
use crate::core::tracking::rules::{TAG_SOURCE_NAME, TAG_SOURCE_TYPE};
use crate::service;
use crate::ui::href;
use crate::ui::widgets::format_time;

/// Another run, as a link target.
#[derive(Clone, Debug, PartialEq)]
struct RunLink {
    id: String,
    experiment_id: String,
    name: String,
    status: &'static str,
}

impl RunLink {
    fn of(r: &Run) -> Self {
        RunLink {
            id: r.info.run_id.clone(),
            experiment_id: r.info.experiment_id.clone(),
            name: r.info.run_name.clone(),
            status: r.info.status.as_str(),
        }
    }

    fn view(self) -> impl IntoView {
        let url = href(&format!(
            "/experiments/{}/runs/{}",
            self.experiment_id, self.id
        ));
        let name = if self.name.is_empty() {
            self.id.clone()
        } else {
            self.name
        };
        view! { <a href=url>{name}</a> }
    }
}

/// Experiment name, parent and (active) children of the run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Related {
    experiment: Option<String>,
    parent: Option<RunLink>,
    /// A parent id that names no run we have.
    missing_parent: Option<String>,
    children: Vec<RunLink>,
}

/// What the run page shows of the runs around this one. Finding the children reads
/// every run, so the page makes this once for its header and its overview.
pub fn related(h: RunHandle) -> Memo<Related> {
    Memo::new(move |_| {
        let Some(run) = h.run.get() else {
            return Related::default();
        };
        let Some(s) = service::ready() else {
            return Related::default();
        };
        s.read(|t| {
            let parent_id = run.parent_run_id();
            let parent = parent_id.and_then(|p| t.run(p).ok()).map(RunLink::of);
            let mut children: Vec<RunLink> = t
                .runs()
                .filter(|r| {
                    r.parent_run_id() == Some(run.info.run_id.as_str())
                        && r.info.lifecycle_stage == LifecycleStage::Active
                })
                .map(RunLink::of)
                .collect();
            children.sort_by(|a, b| a.name.cmp(&b.name));
            Related {
                experiment: t
                    .experiment(&run.info.experiment_id)
                    .ok()
                    .map(|e| e.name.clone()),
                missing_parent: parent_id.filter(|_| parent.is_none()).map(str::to_owned),
                parent,
                children,
            }
        })
    })
}

/// Breadcrumbs, run name and status.
#[component]
pub fn RunHeader(h: RunHandle, rel: Memo<Related>) -> impl IntoView {
    let exp_id = move || {
        h.run.with(|r| {
            r.as_ref()
                .map(|r| r.info.experiment_id.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <p class="crumbs">
            <a href=href("/")>"Experiments"</a>
            " / "
            <a href=move || href(&format!("/experiments/{}", exp_id()))>
                {move || rel.with(|r| r.experiment.clone()).unwrap_or_else(exp_id)}
            </a>
        </p>
        <div class="run-title">
            <h1>{move || h.run.with(|r| r.as_ref().map(|r| r.info.run_name.clone()).unwrap_or_default())}</h1>
            {move || h.run.with(|r| r.as_ref().map(|r| {
                let s = r.info.status.as_str();
                view! { <span class=format!("status {}", s.to_ascii_lowercase())>{s}</span> }
            }))}
            {move || h.run.with(|r| r.as_ref().filter(|r| r.info.lifecycle_stage == LifecycleStage::Deleted)
                .map(|_| view! { <span class="status deleted">"deleted"</span> }))}
        </div>
    }
}

/// One fact of the overview.
fn field(name: &'static str, label: &'static str, value: impl IntoView) -> impl IntoView {
    let class = if matches!(name, "run-id" | "artifacts" | "source") {
        "run-field wide"
    } else {
        "run-field"
    };
    view! { <div class=class data-field=name><dt>{label}</dt><dd>{value}</dd></div> }
}

/// The run's facts as a definition list.
#[component]
pub fn RunOverview(h: RunHandle, rel: Memo<Related>) -> impl IntoView {
    let info = move || h.run.with(|r| r.as_ref().map(|r| r.info.clone()));
    let tag = move |k: &'static str| {
        h.run
            .with(|r| r.as_ref().and_then(|r| r.tags.get(k).cloned()))
    };
    let dash = || "—".to_owned();
    view! {
        <section class="run-section">
            <dl class="run-overview">
                {field("run-id", "Run ID", view! { <code>{move || h.id.get_value()}</code> })}
                {field("status", "Status", move || info().map(|i| i.status.as_str()))}
                {field("experiment", "Experiment", move || info().map(|i| {
                    let name = rel.with(|r| r.experiment.clone()).unwrap_or_else(|| i.experiment_id.clone());
                    view! { <a href=href(&format!("/experiments/{}", i.experiment_id))>{name}</a> }
                }))}
                {field("start", "Started", move || info().map(|i| format_time(i.start_time)))}
                {field("end", "Ended", move || info().and_then(|i| i.end_time).map(format_time).unwrap_or_else(dash))}
                {field("duration", "Duration", move || info().map(|i| {
                    let ms = run_duration_ms(i.start_time, i.end_time, service::now_ms());
                    let d = format_duration_ms(ms as f64);
                    if i.end_time.is_none() { format!("{d} (running)") } else { d }
                }))}
                {field("user", "User", move || info().map(|i| i.user_id).filter(|u| !u.is_empty()).unwrap_or_else(dash))}
                {field("source", "Source", move || {
                    let name = tag(TAG_SOURCE_NAME).unwrap_or_else(dash);
                    match tag(TAG_SOURCE_TYPE) {
                        Some(kind) => format!("{name} ({kind})"),
                        None => name,
                    }
                })}
                {field("parent", "Parent run", move || rel.with(|r| match (&r.parent, &r.missing_parent) {
                    (Some(p), _) => p.clone().view().into_any(),
                    (None, Some(id)) => view! { <code>{id.clone()}</code> " (not found)" }.into_any(),
                    (None, None) => dash().into_any(),
                }))}
                {field("children", "Child runs", move || {
                    let kids = rel.with(|r| r.children.clone());
                    if kids.is_empty() {
                        dash().into_any()
                    } else {
                        view! {
                            <ul class="child-runs">
                                {kids.into_iter().map(|k| {
                                    let status = k.status;
                                    view! { <li>{k.view()} " " <span class="muted">{status}</span></li> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
                {field("artifacts", "Artifact location", view! {
                    <code>{move || info().map(|i| i.artifact_uri)}</code>
                })}
            </dl>
        </section>
    }
}
