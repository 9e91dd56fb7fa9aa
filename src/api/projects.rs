//! `mlflow.projects`: load a browser project and run one of its entry points in a
//! module Web Worker (`service::projects` does the work).

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::args::{describe, Opts};
use super::{errors, runs::run_js, with_service};
use crate::core::project::{Given, Runnable};
use crate::service::projects::{self, LoadedProject, ProjectSource, RunRequest};
use crate::service::Service;

/// What `uriOrZip` names: a URL (folder, `MLproject` or `.zip`), a stored project
/// run (`runs:/<id>` or `runs:/<id>/code`), or the bytes of a zip.
async fn source_of(v: &JsValue) -> Result<ProjectSource, JsValue> {
    if let Some(s) = v.as_string() {
        if let Some(rest) = s.strip_prefix("runs:/") {
            let id = rest.trim_end_matches('/');
            let id = id.strip_suffix("/code").unwrap_or(id);
            if id.is_empty() || id.contains('/') {
                return Err(errors::invalid_arg(format!(
                    "'{s}' names no run's project: use runs:/<run_id> (its stored code/)."
                )));
            }
            return Ok(ProjectSource::Run(id.to_owned()));
        }
        if s.trim().is_empty() {
            return Err(errors::invalid_arg("projects: the project's URL is empty"));
        }
        return Ok(ProjectSource::Url(s));
    }
    if v.is_undefined() || v.is_null() {
        return Err(errors::invalid_arg(
            "projects: give the project's URL (a folder with an MLproject file, or a .zip), runs:/<run_id>, or a zip File/Blob/ArrayBuffer",
        ));
    }
    let name = Reflect::get(v, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_else(|| "project.zip".into());
    let bytes = super::artifacts::bytes_of(v, "projects").await?;
    Ok(ProjectSource::Archive { name, bytes })
}

/// `{name, source, sha256, entryPoints: [{name, runnable, module?, function?, command?,
/// parameters: [{name, type, default}]}], files, externalImports}`.
fn describe_project(p: &LoadedProject) -> JsValue {
    let entry_points: Vec<serde_json::Value> = p
        .project
        .entry_points
        .iter()
        .map(|ep| {
            let parameters: Vec<serde_json::Value> = ep
                .parameters
                .iter()
                .map(|q| {
                    serde_json::json!({"name": q.name, "type": q.kind.as_str(), "default": q.default})
                })
                .collect();
            match &ep.run {
                Runnable::Browser { module, function } => serde_json::json!({
                    "name": ep.name, "runnable": true, "module": module, "function": function,
                    "parameters": parameters,
                }),
                Runnable::Command(c) => serde_json::json!({
                    "name": ep.name, "runnable": false, "command": c, "parameters": parameters,
                }),
            }
        })
        .collect();
    let out = serde_json::json!({
        "name": p.project.name,
        "source": p.source_name,
        "sha256": p.sha256,
        "entryPoints": entry_points,
        "files": p.files.keys().collect::<Vec<_>>(),
        "externalImports": p.external_imports,
    });
    out.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

use serde::Serialize as _;

#[wasm_bindgen(typescript_custom_section)]
const TS: &'static str = r#"
/** A parameter of a project's entry point. */
export interface ProjectParameter { name: string; type: "float" | "int" | "string" | "uri" | "path"; default: string | null }
/** An entry point: runnable in the browser (a module's function), or only a command. */
export interface ProjectEntryPoint {
  name: string; runnable: boolean; module?: string; function?: string; command?: string;
  parameters: ProjectParameter[];
}
/** A project as `projects.load` read it. */
export interface ProjectInfo {
  name: string | null; source: string; sha256: string; entryPoints: ProjectEntryPoint[];
  files: string[]; externalImports: string[];
}
export interface ProjectRunOptions {
  entryPoint?: string; parameters?: Record<string, number | string | boolean>;
  experimentId?: string; experimentName?: string; runName?: string;
}
/** A started project run: `done` resolves with the run once it has ended. */
export interface ProjectRun { runId: string; done: Promise<Run>; stop(): Promise<void> }
"#;

/// `projects.load(uriOrZip) → ProjectInfo`: reads and hashes a project without running it.
#[wasm_bindgen(js_name = projectsLoad, unchecked_return_type = "Promise<ProjectInfo>")]
pub fn projects_load(
    #[wasm_bindgen(js_name = uriOrZip, unchecked_param_type = "string | Blob | ArrayBuffer | ArrayBufferView")]
    uri_or_zip: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let src = source_of(&uri_or_zip).await?;
        let p = projects::load(&s, src).await?;
        Ok(describe_project(&p))
    })
}

/// The caller's parameter values, by name.
fn parameters(o: &Opts) -> Result<Vec<(String, Given)>, JsValue> {
    let v = o.get("parameters");
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !v.is_object() || Array::is_array(&v) {
        return Err(errors::invalid_arg(format!(
            "projects.run: parameters must be an object {{name: value}}, got {}",
            describe(&v)
        )));
    }
    let mut out = Vec::new();
    for entry in Object::entries(v.unchecked_ref()).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1);
        let given = if let Some(n) = value.as_f64() {
            Given::Number(n)
        } else if let Some(t) = value.as_string() {
            Given::Text(t)
        } else if let Some(b) = value.as_bool() {
            Given::Bool(b)
        } else if value.is_undefined() {
            continue;
        } else {
            return Err(errors::invalid_arg(format!(
                "projects.run: parameter '{key}' must be a number, a string or a boolean, got {}",
                describe(&value)
            )));
        };
        out.push((key, given));
    }
    Ok(out)
}

/// The `{runId, done, stop}` handle of a started project run.
fn handle_js(s: std::rc::Rc<Service>, run: projects::ProjectRun) -> JsValue {
    let out = Object::new();
    let _ = Reflect::set(&out, &"runId".into(), &run.run_id.clone().into());
    let done = {
        let run = run.clone();
        future_to_promise(async move {
            run.ended().await?;
            run_js(&s, &run.run_id)
        })
    };
    let _ = Reflect::set(&out, &"done".into(), &done);
    let stop = Closure::<dyn Fn() -> Promise>::new(move || {
        let run = run.clone();
        future_to_promise(async move {
            run.stop().await?;
            Ok(JsValue::UNDEFINED)
        })
    });
    let f: Function = stop.into_js_value().unchecked_into();
    let _ = Reflect::set(&out, &"stop".into(), &f);
    out.into()
}

/// `projects.run(uriOrZip, {entryPoint = "main", parameters, experimentName | experimentId,
/// runName}) → {runId, done: Promise<Run>, stop(): Promise<void>}`. Parameters are checked
/// before a run exists; `done` resolves with the run once it is FINISHED, FAILED (with
/// `error.txt`) or KILLED.
#[wasm_bindgen(js_name = projectsRun, unchecked_return_type = "Promise<ProjectRun>")]
pub fn projects_run(
    #[wasm_bindgen(js_name = uriOrZip, unchecked_param_type = "string | Blob | ArrayBuffer | ArrayBufferView")]
    uri_or_zip: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ProjectRunOptions")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let o = Opts::new(&options, "projects.run options")?;
        let experiment_id = o.string("experimentId")?;
        let experiment_name = o.string("experimentName")?;
        if experiment_id.is_some() && experiment_name.is_some() {
            return Err(errors::invalid_arg(
                "projects.run: give experimentId or experimentName, not both",
            ));
        }
        let req = RunRequest {
            entry_point: o.string("entryPoint")?.unwrap_or_else(|| "main".into()),
            parameters: parameters(&o)?,
            experiment_id: experiment_id.or_else(|| {
                experiment_name
                    .is_none()
                    .then(super::active_experiment)
                    .flatten()
            }),
            experiment_name,
            run_name: o.string("runName")?,
        };
        let src = source_of(&uri_or_zip).await?;
        let p = projects::load(&s, src).await?;
        let run = projects::run(&s, &p, req).await?;
        Ok(handle_js(s, run))
    })
}
