//! The run form: the entry point, one input per declared parameter (checked on every
//! change with `core::project::check_parameters`, so Run is enabled only for values
//! the run would take), the experiment, an optional run name, and Run.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;

use super::Prefill;
use crate::core::project::{check_parameters, EntryPoint, Given, ParamKind, ParamSpec, Runnable};
use crate::core::tracking::model::LifecycleStage;
use crate::service;
use crate::service::projects::{self, LoadedProject, ProjectRun, RunRequest};
use crate::ui::Store;

static FORMS: AtomicU64 = AtomicU64::new(0);

/// The refusal of `check_parameters`, per parameter where a problem names one.
#[derive(Clone, Debug, Default, PartialEq)]
struct Problems {
    by_param: BTreeMap<String, Vec<String>>,
    other: Vec<String>,
}

impl Problems {
    fn is_empty(&self) -> bool {
        self.by_param.is_empty() && self.other.is_empty()
    }
}

/// Splits `check_parameters`' message ("Invalid parameters for entry point 'main':
/// 'a': … ; 'b' is required (no default).") into its problems, each under the
/// parameter it starts with. A problem starts at the text's start or after "; ", with
/// a declared parameter's quoted name, so a "; " inside a quoted value stays put.
fn split_problems(ep: &EntryPoint, message: &str) -> Problems {
    let mut out = Problems::default();
    let prefix = format!("Invalid parameters for entry point '{}': ", ep.name);
    let Some(body) = message.strip_prefix(&prefix) else {
        out.other.push(message.to_owned());
        return out;
    };
    let body = body.strip_suffix('.').unwrap_or(body);
    let named = |rest: &str| {
        ep.parameters
            .iter()
            .find(|p| rest.starts_with(&format!("'{}'", p.name)))
            .map(|p| p.name.clone())
    };
    let mut starts = vec![0];
    starts.extend(
        body.match_indices("; ")
            .map(|(i, _)| i + 2)
            .filter(|&i| named(&body[i..]).is_some()),
    );
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(body.len(), |&next| next - 2);
        let problem = body[start..end].to_owned();
        match named(&problem) {
            Some(name) => out.by_param.entry(name).or_default().push(problem),
            None => out.other.push(problem),
        }
    }
    out
}

/// The form's values as the run is given them: non-empty inputs, as text (an empty
/// input leaves the parameter to its default).
fn given(ep: &EntryPoint, values: &BTreeMap<String, String>) -> Vec<(String, Given)> {
    ep.parameters
        .iter()
        .filter_map(|p| {
            let v = values.get(&p.name).filter(|v| !v.is_empty())?;
            Some((p.name.clone(), Given::Text(v.clone())))
        })
        .collect()
}

/// The entry point the form starts on: the re-run's, else `main` if it runs here,
/// else the first that runs here, else the first.
fn first_choice(eps: &[EntryPoint], prefill: &Prefill) -> String {
    let runs_here = |e: &&EntryPoint| matches!(e.run, Runnable::Browser { .. });
    prefill
        .entry_point
        .as_ref()
        .filter(|n| eps.iter().any(|e| &e.name == *n))
        .cloned()
        .or_else(|| {
            eps.iter()
                .filter(runs_here)
                .find(|e| e.name == "main")
                .or_else(|| eps.iter().find(runs_here))
                .or(eps.first())
                .map(|e| e.name.clone())
        })
        .unwrap_or_default()
}

/// Active experiments `(id, name)`, by name.
fn active_experiments() -> Vec<(String, String)> {
    let Some(s) = service::ready() else {
        return Vec::new();
    };
    let mut list: Vec<(String, String)> = s.read(|t| {
        t.experiments()
            .filter(|e| e.lifecycle_stage == LifecycleStage::Active)
            .map(|e| (e.experiment_id.clone(), e.name.clone()))
            .collect()
    });
    list.sort_by_key(|e| e.1.to_lowercase());
    list
}

/// The form for `project`; a started run goes to `started`. `experiment` is chosen
/// first; `prefill` (a re-run's) sets the entry point and the values.
#[component]
pub fn RunForm(
    project: StoredValue<Rc<LoadedProject>, LocalStorage>,
    prefill: Prefill,
    experiment: String,
    started: RwSignal<Option<ProjectRun>, LocalStorage>,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let form = FORMS.fetch_add(1, Ordering::Relaxed);
    let eps = StoredValue::new(project.with_value(|p| p.project.entry_points.clone()));
    let prefill = StoredValue::new(prefill);
    let initial_values = move |entry: &str| {
        prefill.with_value(|p| {
            if p.entry_point.as_deref() == Some(entry) {
                p.params.clone()
            } else {
                BTreeMap::new()
            }
        })
    };
    let chosen = RwSignal::new(eps.with_value(|e| prefill.with_value(|p| first_choice(e, p))));
    let values = RwSignal::new(initial_values(&chosen.get_untracked()));
    let ep = Memo::new(move |_| {
        let name = chosen.get();
        eps.with_value(|e| e.iter().find(|e| e.name == name).cloned())
    });
    let runnable = Memo::new(move |_| {
        ep.with(|e| matches!(e.as_ref().map(|e| &e.run), Some(Runnable::Browser { .. })))
    });
    let problems = Memo::new(move |_| {
        let Some(ep) = ep.get() else {
            return Problems::default();
        };
        let given = values.with(|v| given(&ep, v));
        match check_parameters(&ep, &given) {
            Ok(_) => Problems::default(),
            Err(e) => split_problems(&ep, &e.to_string()),
        }
    });

    let experiments = Memo::new(move |_| {
        store.revision.track();
        active_experiments()
    });
    let exp = RwSignal::new(experiment);
    // A chosen experiment that is not (or no longer) active falls back to the first.
    Effect::new(move |_| {
        let list = experiments.get();
        let current = exp.get_untracked();
        if !list.is_empty() && !list.iter().any(|(id, _)| *id == current) {
            exp.set(list[0].0.clone());
        }
    });
    let run_name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let can_run = move || runnable.get() && problems.with(Problems::is_empty) && !busy.get();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !can_run() {
            return;
        }
        let Some(ep) = ep.get_untracked() else { return };
        let name = run_name.get_untracked().trim().to_owned();
        let req = RunRequest {
            entry_point: ep.name.clone(),
            parameters: values.with_untracked(|v| given(&ep, v)),
            experiment_id: Some(exp.get_untracked()).filter(|e| !e.is_empty()),
            experiment_name: None,
            run_name: Some(name).filter(|n| !n.is_empty()),
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = match (service::ready(), project.try_get_value()) {
                (Some(s), Some(p)) => projects::run(&s, &p, req).await.map_err(|e| e.to_string()),
                _ => Err("The store is not open yet.".to_owned()),
            };
            let _ = busy.try_set(false);
            match result {
                Ok(run) => {
                    let _ = started.try_set(Some(run));
                }
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        });
    };

    let entry_id = format!("run-form-{form}-entry");
    let exp_id = format!("run-form-{form}-experiment");
    let name_id = format!("run-form-{form}-name");
    view! {
        <form class="run-form" on:submit=submit aria-label="Run the project" novalidate>
            <div class="form-row">
                <label for=entry_id.clone()>"Entry point"</label>
                <select id=entry_id on:change=move |ev| {
                    let name = event_target_value(&ev);
                    values.set(initial_values(&name));
                    chosen.set(name);
                }>
                    {eps.get_value().into_iter().map(|e| {
                        let browser = matches!(e.run, Runnable::Browser { .. });
                        let label = if browser {
                            e.name.clone()
                        } else {
                            format!("{} (not runnable in the browser)", e.name)
                        };
                        let name = e.name.clone();
                        view! { <option value=e.name.clone() selected=move || chosen.get() == name>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            {move || ep.get().map(|e| view! { <EntryPointInfo ep=e/> })}
            <fieldset class="param-form">
                <legend>"Parameters"</legend>
                {move || ep.get().map(|e| {
                    let disabled = !matches!(e.run, Runnable::Browser { .. });
                    if e.parameters.is_empty() {
                        return view! { <p class="muted">"This entry point takes no parameters."</p> }.into_any();
                    }
                    e.parameters.into_iter().enumerate().map(|(i, spec)| {
                        let id = format!("run-form-{form}-param-{i}");
                        view! { <ParamField spec id values problems disabled/> }
                    }).collect_view().into_any()
                })}
                {move || {
                    let other = problems.with(|p| p.other.clone());
                    (runnable.get() && !other.is_empty()).then(|| view! {
                        <ul class="param-problems error" role="alert">
                            {other.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                        </ul>
                    })
                }}
            </fieldset>
            <div class="form-row">
                <label for=exp_id.clone()>"Experiment"</label>
                <select id=exp_id on:change=move |ev| exp.set(event_target_value(&ev))>
                    {move || {
                        let list = experiments.get();
                        if list.is_empty() {
                            return view! { <option value="" selected>"Default"</option> }.into_any();
                        }
                        list.into_iter().map(|(id, name)| {
                            let id2 = id.clone();
                            view! { <option value=id selected=move || exp.get() == id2>{name}</option> }
                        }).collect_view().into_any()
                    }}
                </select>
            </div>
            <div class="form-row">
                <label for=name_id.clone()>"Run name"</label>
                <input id=name_id type="text" placeholder="optional: a name is made up when empty"
                    prop:value=move || run_name.get()
                    on:input=move |ev| run_name.set(event_target_value(&ev))/>
            </div>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || !can_run()>"Run"</button>
                {move || busy.get().then(|| view! { <span class="muted" role="status">"Starting…"</span> })}
                {move || (!runnable.get()).then(|| view! {
                    <span class="muted">"This entry point is not runnable in the browser."</span>
                })}
            </div>
            {move || error.get().map(|e| view! {
                <div class="error-box" role="alert" data-testid="run-error">
                    <strong>"The run could not start. "</strong>{e}
                </div>
            })}
        </form>
    }
}

/// What the chosen entry point runs: a module's function, or a command the browser
/// cannot run.
#[component]
fn EntryPointInfo(ep: EntryPoint) -> impl IntoView {
    match ep.run {
        Runnable::Browser { module, function } => view! {
            <p class="entry-info muted">"Calls " <code>{function}</code> " exported by " <code>{module}</code> " in a Web Worker."</p>
        }
        .into_any(),
        Runnable::Command(cmd) => view! {
            <div class="notice entry-info" data-testid="command-entry-point">
                <p><strong>"Not runnable in the browser: "</strong>"this entry point only has a command, for " <code>"mlflow run"</code> ":"</p>
                <pre class="entry-command">{cmd}</pre>
            </div>
        }
        .into_any(),
    }
}

/// One parameter's labelled input: text for every type (a number input would report
/// what it cannot parse as empty, which reads as "use the default"), with a numeric
/// keyboard for `float` and `int`; its type, whether it is required, its default as
/// the placeholder, and the problems `check_parameters` found with it.
#[component]
fn ParamField(
    spec: ParamSpec,
    id: String,
    values: RwSignal<BTreeMap<String, String>>,
    problems: Memo<Problems>,
    disabled: bool,
) -> impl IntoView {
    let ParamSpec {
        name,
        kind,
        default,
    } = spec;
    let required = default.is_none();
    let inputmode = match kind {
        ParamKind::Float => Some("decimal"),
        ParamKind::Int => Some("numeric"),
        ParamKind::String | ParamKind::Uri | ParamKind::Path => None,
    };
    let placeholder = match (&default, kind) {
        (Some(d), _) => format!("default: {d}"),
        (None, ParamKind::Path) => "a project file, or runs:/<run_id>/<path>".to_owned(),
        (None, _) => "required".to_owned(),
    };
    let error_id = format!("{id}-error");
    let mine = {
        let name = name.clone();
        Memo::new(move |_| {
            if disabled {
                return Vec::new();
            }
            problems.with(|p| p.by_param.get(&name).cloned().unwrap_or_default())
        })
    };
    let invalid = move || mine.with(|m| !m.is_empty());
    let (n1, n2) = (name.clone(), name.clone());
    view! {
        <div class="param-field" class:invalid=invalid data-param=name.clone()>
            <div class="param-head">
                <label for=id.clone()>{name.clone()}</label>
                <span class="param-type" title="Parameter type">{kind.as_str()}</span>
                {required.then(|| view! { <span class="param-required">"required"</span> })}
            </div>
            <input id=id type="text" inputmode=inputmode placeholder=placeholder
                required=required disabled=disabled
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=error_id.clone()
                prop:value=move || values.with(|v| v.get(&n1).cloned().unwrap_or_default())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    values.update(|m| {
                        m.insert(n2.clone(), v);
                    });
                }/>
            <div class="param-error" id=error_id aria-live="polite">
                {move || mine.get().into_iter().map(|p| view! { <p class="error">{p}</p> }).collect_view()}
            </div>
        </div>
    }
}
