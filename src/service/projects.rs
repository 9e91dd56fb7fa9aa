//! Browser Projects: an `MLproject` whose entry points name an ES module and the
//! function it exports, run in a module Web Worker with an `mlflow` whose run is
//! already active.
//!
//! Loading fetches (or unpacks) the `MLproject`, every browser entry point's module
//! and the modules they import from inside the project, and hashes those bytes
//! (`core::project`). Running validates the parameters before a run exists, creates
//! the run with MLflow's project tags, stores the project's files under `code/`,
//! then starts the worker from Blob URLs of the very bytes that were hashed (only the
//! in-project import specifiers are rewritten to point at their Blob URLs). The worker
//! logs through the store's multi-writer path; this context ends the run: FINISHED
//! on a clean return, FAILED with `error.txt` on an error, KILLED by [`ProjectRun::stop`].

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{FutureExt, Shared};
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::{now_ms, Service, ServiceError};
use crate::core::error::ErrorCode;
use crate::core::interchange::mlruns::ArchiveLimits;
use crate::core::project::{
    self, Checked, EntryPoint, Given, PathRef, Project, Resolved, Runnable, Value,
};
use crate::core::tracking::model::RunStatus;
use crate::core::tracking::{NewRun, RunSource};

// The site's root is two folders up from this snippet (`<site>/snippets/<crate>-<hash>/`).
// A worker started from the site's own origin runs `project-worker.js` as is (no page
// CSP is inherited); from another origin (a notebook importing mlflow.js) a Blob
// module imports it, as a worker may only be started from its page's origin.
#[wasm_bindgen(inline_js = r#"
const site = () => new URL("../../", import.meta.url);
export function site_url() { return site().href; }
export async function fetch_bytes(url) {
  let r;
  try { r = await fetch(url); } catch (e) {
    throw new Error(`could not fetch ${url}: ${e && e.message ? e.message : e} (a project on another origin must be served with CORS headers, e.g. Access-Control-Allow-Origin: *)`);
  }
  if (!r.ok) throw new Error(`${url} answered ${r.status} ${r.statusText}`.trim());
  return new Uint8Array(await r.arrayBuffer());
}
export function resolve_url(spec, base) { return new URL(spec, base || globalThis.location.href).href; }
export function module_url(bytes) { return URL.createObjectURL(new Blob([bytes], { type: "text/javascript" })); }
export function revoke_url(url) { URL.revokeObjectURL(url); }
export function user_agent() { return globalThis.navigator ? String(globalThis.navigator.userAgent) : ""; }
export function start_worker(message, name, on_message) {
  const boot = new URL("project-worker.js", site()).href;
  const sameOrigin = new URL(boot).origin === globalThis.location.origin;
  const url = sameOrigin ? boot : URL.createObjectURL(new Blob([`import ${JSON.stringify(boot)};`], { type: "text/javascript" }));
  const w = new Worker(url, { type: "module", name });
  w.onmessage = (e) => on_message(e.data);
  w.onmessageerror = () => on_message({ kind: "error", message: "a message from the project's worker could not be read", stack: "" });
  w.onerror = (e) => {
    e.preventDefault();
    on_message({ kind: "error", message: e.message || `the project's worker could not start (${boot} or the project's module failed to load)`, stack: e.filename ? `${e.filename}:${e.lineno}:${e.colno}` : "" });
  };
  message.mlflow = new URL("mlflow.js", site()).href;
  w.postMessage(message);
  return w;
}
"#)]
extern "C" {
    fn site_url() -> String;
    #[wasm_bindgen(catch)]
    async fn fetch_bytes(url: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn resolve_url(spec: &str, base: Option<&str>) -> Result<String, JsValue>;
    fn module_url(bytes: &[u8]) -> String;
    fn revoke_url(url: &str);
    fn user_agent() -> String;
    #[wasm_bindgen(catch)]
    fn start_worker(
        message: &Object,
        name: &str,
        on_message: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<web_sys::Worker, JsValue>;
}

/// Most bytes a project's code files may add up to (its `MLproject` and modules).
const MAX_CODE_BYTES: usize = 64 << 20;
/// Where a project run's files are stored among its artifacts.
pub const CODE_DIR: &str = "code/";
/// The artifact recording each stored file's hash and the imports from elsewhere.
pub const MANIFEST_ARTIFACT: &str = "ferroflow.project.json";
/// Tags of a project run.
pub const TAG_ENTRY_POINT: &str = "mlflow.project.entryPoint";
/// The project's hash (of its `MLproject` and module files).
pub const TAG_SHA256: &str = "ferroflow.project.sha256";

/// Where a project comes from.
pub enum ProjectSource {
    /// A folder holding `MLproject` (or the `MLproject` file itself, or a `.zip`),
    /// resolved against the page.
    Url(String),
    /// A zip (or tar, tar.gz) of the project, e.g. a file the user picked.
    Archive {
        /// Shown as the project's source (`mlflow.source.name`).
        name: String,
        /// The archive's bytes.
        bytes: Vec<u8>,
    },
    /// The `code/` copy stored with an earlier project run (a re-run).
    Run(String),
}

/// A project read and hashed, ready to run any of its browser entry points.
pub struct LoadedProject {
    /// `mlflow.source.name` of its runs: the project's URL, or the archive's name.
    pub source_name: String,
    /// What relative `uri` parameters resolve against (the project's folder URL).
    pub base_url: Option<String>,
    /// The parsed `MLproject`.
    pub project: Project,
    /// The code: `MLproject` and modules, by project-relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The `MLproject` file's path in [`Self::files`] (its name as found).
    pub mlproject_path: String,
    /// Each module's in-project imports: literal ranges and the files they name.
    imports: BTreeMap<String, Vec<(std::ops::Range<usize>, String)>>,
    /// Modules, dependencies before dependents.
    order: Vec<String>,
    /// Imports from outside the project, as written.
    pub external_imports: BTreeSet<String>,
    /// `ferroflow.project.sha256`.
    pub sha256: String,
    /// Every file the source holds (archives and stored copies), for `path` parameters.
    others: BTreeMap<String, Vec<u8>>,
}

impl LoadedProject {
    /// The entry points that can run here, and those that only have a `command`.
    pub fn entry_point(&self, name: &str) -> Result<&EntryPoint, ServiceError> {
        self.project.entry_point(name).map_err(project_error)
    }
}

fn project_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Project {
        code: ErrorCode::InvalidParameterValue,
        message: e.to_string(),
    }
}

fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn fetch(url: &str) -> Result<Vec<u8>, ServiceError> {
    let bytes = fetch_bytes(url).await.map_err(|e| ServiceError::Project {
        code: ErrorCode::TemporarilyUnavailable,
        message: format!("The project could not be loaded: {}", js_text(&e)),
    })?;
    Ok(Uint8Array::new(&bytes).to_vec())
}

/// Where the files of a project are read from while loading.
enum Files {
    Url(String),
    Tree(BTreeMap<String, Vec<u8>>),
}

impl Files {
    async fn get(&self, path: &str) -> Result<Vec<u8>, ServiceError> {
        match self {
            Files::Url(base) => {
                let url = resolve_url(path, Some(base)).map_err(|e| project_error(js_text(&e)))?;
                fetch(&url).await
            }
            Files::Tree(t) => t
                .get(path)
                .cloned()
                .ok_or_else(|| project_error(format!("The project has no file '{path}'."))),
        }
    }
}

fn tree_of_archive(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, ServiceError> {
    let limits = ArchiveLimits {
        max_total_bytes: 512 << 20,
        max_entries: 100_000,
    };
    let tree = crate::core::interchange::mlruns::read_entries(bytes, &limits)
        .map_err(|e| project_error(format!("The project archive could not be read: {e}")))?;
    Ok(tree.files)
}

/// Re-roots `all` at the folder of its `MLproject`.
fn rooted(
    all: BTreeMap<String, Vec<u8>>,
) -> Result<(BTreeMap<String, Vec<u8>>, String), ServiceError> {
    let paths: Vec<&str> = all.keys().map(String::as_str).collect();
    let found = project::find_mlproject(&paths).map_err(project_error)?;
    let root = project::project_root(&found).to_owned();
    let name = found[root.len()..].to_owned();
    let files = all
        .into_iter()
        .filter_map(|(p, b)| p.strip_prefix(&root).map(|r| (r.to_owned(), b)))
        .collect();
    Ok((files, name))
}

/// Reads a project: its `MLproject`, every browser entry point's module and what they
/// import from inside the project; hashes them.
pub async fn load(s: &Rc<Service>, source: ProjectSource) -> Result<LoadedProject, ServiceError> {
    let (files, mlproject_path, source_name, base_url) = match source {
        ProjectSource::Url(url) => {
            let url = resolve_url(&url, None)
                .map_err(|e| project_error(format!("'{url}' is not a URL: {}", js_text(&e))))?;
            let path_part = url.split(['?', '#']).next().unwrap_or(&url).to_owned();
            let last = path_part.rsplit('/').next().unwrap_or("");
            if last.to_ascii_lowercase().ends_with(".zip")
                || last.to_ascii_lowercase().ends_with(".tar.gz")
                || last.to_ascii_lowercase().ends_with(".tgz")
            {
                let (tree, name) = rooted(tree_of_archive(&fetch(&url).await?)?)?;
                let base = resolve_url("./", Some(&url)).ok();
                (Files::Tree(tree), name, url, base)
            } else {
                let (folder, name) = if last.eq_ignore_ascii_case("MLproject") {
                    (
                        resolve_url("./", Some(&url)).map_err(|e| project_error(js_text(&e)))?,
                        last.to_owned(),
                    )
                } else if path_part.ends_with('/') {
                    (path_part.clone(), "MLproject".to_owned())
                } else {
                    (format!("{path_part}/"), "MLproject".to_owned())
                };
                (
                    Files::Url(folder.clone()),
                    name,
                    folder.clone(),
                    Some(folder),
                )
            }
        }
        ProjectSource::Archive { name, bytes } => {
            let (tree, file) = rooted(tree_of_archive(&bytes)?)?;
            (Files::Tree(tree), file, name, None)
        }
        ProjectSource::Run(run_id) => {
            s.know_run(&run_id).await?;
            let tags = s.read(|t| t.run(&run_id).map(|r| r.tags.clone()))?;
            let mut tree = BTreeMap::new();
            for (path, _) in s.artifact_sizes(&run_id, CODE_DIR).await? {
                if let Some(rel) = path.strip_prefix(CODE_DIR) {
                    if let Some(bytes) = s.artifact(&run_id, &path).await? {
                        tree.insert(rel.to_owned(), bytes);
                    }
                }
            }
            if tree.is_empty() {
                return Err(ServiceError::Project {
                    code: ErrorCode::ResourceDoesNotExist,
                    message: format!(
                        "Run '{run_id}' has no stored project code ({CODE_DIR}): it was not started as a project."
                    ),
                });
            }
            let (tree, file) = rooted(tree)?;
            let source = tags
                .get(crate::core::tracking::rules::TAG_SOURCE_NAME)
                .cloned()
                .unwrap_or_else(|| format!("runs:/{run_id}/code"));
            let base = (source.starts_with("http://") || source.starts_with("https://"))
                .then(|| source.clone());
            (Files::Tree(tree), file, source, base)
        }
    };

    let text = files.get(&mlproject_path).await?;
    let text = String::from_utf8(text.clone())
        .map_err(|_| project_error(format!("{mlproject_path} is not UTF-8 text.")))?;
    let parsed = project::parse_mlproject(&text).map_err(project_error)?;

    let mut code = BTreeMap::new();
    code.insert(mlproject_path.clone(), text.into_bytes());
    let mut imports = BTreeMap::new();
    let mut external = BTreeSet::new();
    let mut graph: Vec<(String, Vec<String>)> = Vec::new();
    let mut todo: Vec<String> = parsed
        .entry_points
        .iter()
        .filter_map(|ep| match &ep.run {
            Runnable::Browser { module, .. } => Some(module.clone()),
            Runnable::Command(_) => None,
        })
        .collect();
    let mut total = 0usize;
    while let Some(path) = todo.pop() {
        if code.contains_key(&path) && imports.contains_key(&path) {
            continue;
        }
        let bytes = files.get(&path).await?;
        total += bytes.len();
        if total > MAX_CODE_BYTES {
            return Err(project_error(format!(
                "The project's code is over {} MiB: that is not code a worker should run.",
                MAX_CODE_BYTES >> 20
            )));
        }
        let source = std::str::from_utf8(&bytes)
            .map_err(|_| project_error(format!("The module '{path}' is not UTF-8 text.")))?;
        let mut mine = Vec::new();
        let mut deps = Vec::new();
        for r in project::scan_imports(source) {
            match project::resolve_import(&path, &r.specifier).map_err(project_error)? {
                Resolved::InProject(p) => {
                    if !deps.contains(&p) {
                        deps.push(p.clone());
                    }
                    if !imports.contains_key(&p) && !todo.contains(&p) && p != path {
                        todo.push(p.clone());
                    }
                    mine.push((r.range, p));
                }
                Resolved::External(u) => {
                    external.insert(u);
                }
            }
        }
        graph.push((path.clone(), deps));
        imports.insert(path.clone(), mine);
        code.insert(path, bytes);
    }
    let order = project::bundle_order(&graph).map_err(project_error)?;
    let hashes: Vec<(String, String)> = code
        .iter()
        .map(|(p, b)| (p.clone(), project::sha256_hex(b)))
        .collect();
    let sha256 = project::project_sha256(&hashes);
    let others = match files {
        Files::Tree(t) => t,
        Files::Url(_) => BTreeMap::new(),
    };
    Ok(LoadedProject {
        source_name,
        base_url,
        project: parsed,
        files: code,
        mlproject_path,
        imports,
        order,
        external_imports: external,
        sha256,
        others,
    })
}

/// What to run.
#[derive(Default)]
pub struct RunRequest {
    /// The entry point's name (`main` by default).
    pub entry_point: String,
    /// Parameter values by name.
    pub parameters: Vec<(String, Given)>,
    /// The experiment to run in (Default when neither this nor a name is given).
    pub experiment_id: Option<String>,
    /// The experiment, by name: created when missing, as `mlflow run` does.
    pub experiment_name: Option<String>,
    /// The run's name (generated when `None`).
    pub run_name: Option<String>,
}

/// A value handed to the entry point's function.
enum Arg {
    Number(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// The checked parameters as the function receives them, and the files `path`
/// parameters named inside the project (stored with the code).
async fn arguments(
    s: &Rc<Service>,
    p: &LoadedProject,
    checked: &[Checked],
) -> Result<(Vec<(String, Arg)>, BTreeMap<String, Vec<u8>>), ServiceError> {
    let mut args = Vec::new();
    let mut data = BTreeMap::new();
    let mut problems = Vec::new();
    for c in checked {
        let arg = match &c.value {
            Value::Float(x) => Arg::Number(*x),
            Value::Int(i) => Arg::Number(*i as f64),
            Value::Text(t) => Arg::Text(t.clone()),
            Value::Uri(u) => match resolve_url(u, p.base_url.as_deref()) {
                Ok(url) => Arg::Text(url),
                Err(e) => {
                    problems.push(format!(
                        "'{}': \"{u}\" is not a URL ({})",
                        c.name,
                        js_text(&e)
                    ));
                    continue;
                }
            },
            Value::Path(PathRef::Project(path)) => {
                let bytes = match (p.files.get(path), p.others.get(path), &p.base_url) {
                    (Some(b), _, _) | (None, Some(b), _) => Ok(b.clone()),
                    (None, None, Some(base)) if p.others.is_empty() => {
                        match resolve_url(path, Some(base)) {
                            Ok(url) => fetch(&url).await,
                            Err(e) => Err(project_error(js_text(&e))),
                        }
                    }
                    _ => Err(project_error("the project has no such file")),
                };
                match bytes {
                    Ok(b) => {
                        data.insert(path.clone(), b.clone());
                        Arg::Bytes(b)
                    }
                    Err(e) => {
                        problems.push(format!(
                            "'{}': the project file '{path}' could not be read: {e}",
                            c.name
                        ));
                        continue;
                    }
                }
            }
            Value::Path(PathRef::Artifact { run_id, path }) => {
                let found = match s.know_run(run_id).await {
                    Ok(()) => s.artifact(run_id, path).await?,
                    Err(_) => None,
                };
                match found {
                    Some(b) => Arg::Bytes(b),
                    None => {
                        problems.push(format!(
                            "'{}': run '{run_id}' has no artifact '{path}'",
                            c.name
                        ));
                        continue;
                    }
                }
            }
        };
        args.push((c.name.clone(), arg));
    }
    if !problems.is_empty() {
        return Err(project_error(format!(
            "Invalid parameters: {}.",
            problems.join("; ")
        )));
    }
    Ok((args, data))
}

/// How a project run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    /// FINISHED, FAILED or KILLED.
    pub status: RunStatus,
    /// The error's message when FAILED.
    pub error: Option<String>,
}

struct Live {
    worker: Option<web_sys::Worker>,
    urls: Vec<String>,
    on_message: Option<Closure<dyn FnMut(JsValue)>>,
    tell: Option<oneshot::Sender<Ended>>,
    ended: Option<Ended>,
}

/// A project run this context started: its id, its end, and a way to stop it.
#[derive(Clone)]
pub struct ProjectRun {
    /// The run's id.
    pub run_id: String,
    live: Rc<RefCell<Live>>,
    done: Shared<oneshot::Receiver<Ended>>,
    service: Rc<Service>,
}

thread_local! {
    /// Project runs started by this context and not ended, by run id.
    static RUNNING: RefCell<BTreeMap<String, ProjectRun>> = const { RefCell::new(BTreeMap::new()) };
}

/// The project run with this id, if this context started it and it is still running.
pub fn running(run_id: &str) -> Option<ProjectRun> {
    RUNNING.with(|r| r.borrow().get(run_id).cloned())
}

impl ProjectRun {
    /// Resolves when the run has ended (and its end is committed).
    pub async fn ended(&self) -> Ended {
        match self.done.clone().await {
            Ok(e) => e,
            Err(_) => self.live.borrow().ended.clone().unwrap_or(Ended {
                status: RunStatus::Killed,
                error: None,
            }),
        }
    }

    /// Ends the worker now and marks the run KILLED (nothing if it has ended).
    pub async fn stop(&self) -> Result<(), ServiceError> {
        self.finish(RunStatus::Killed, None).await
    }

    async fn finish(
        &self,
        status: RunStatus,
        error: Option<(String, String)>,
    ) -> Result<(), ServiceError> {
        let (tell, urls) = {
            let mut live = self.live.borrow_mut();
            if live.ended.is_some() {
                return Ok(());
            }
            if let Some(w) = live.worker.take() {
                w.terminate();
            }
            live.ended = Some(Ended {
                status,
                error: error.as_ref().map(|e| e.0.clone()),
            });
            (live.tell.take(), std::mem::take(&mut live.urls))
        };
        RUNNING.with(|r| r.borrow_mut().remove(&self.run_id));
        for u in urls {
            revoke_url(&u);
        }
        let id = self.run_id.clone();
        let result = async {
            if let Some((message, stack)) = &error {
                let text = if stack.is_empty() || stack.contains(message.as_str()) {
                    format!("{message}\n{stack}")
                } else {
                    format!("{message}\n\n{stack}")
                };
                self.service
                    .write_files(
                        &[(
                            id.clone(),
                            "error.txt".into(),
                            text.trim_end().as_bytes().to_vec(),
                        )],
                        &[],
                    )
                    .await?;
            }
            self.service
                .write_committed(|t| t.set_terminated(&id, status, now_ms()))
                .await?;
            Ok::<_, ServiceError>(())
        }
        .await;
        let ended = self.live.borrow().ended.clone();
        if let (Some(tell), Some(ended)) = (tell, ended) {
            let _ = tell.send(ended);
        }
        // The closure may be running this very call: drop it after this turn.
        let live = self.live.clone();
        wasm_bindgen_futures::spawn_local(async move {
            live.borrow_mut().on_message.take();
        });
        result
    }
}

fn set(o: &Object, key: &str, v: &JsValue) {
    let _ = Reflect::set(o, &key.into(), v);
}

/// Validates the parameters, creates the run with the project's tags and params,
/// stores the code under `code/`, and starts the worker.
pub async fn run(
    s: &Rc<Service>,
    p: &LoadedProject,
    req: RunRequest,
) -> Result<ProjectRun, ServiceError> {
    let ep_name = if req.entry_point.is_empty() {
        "main".to_owned()
    } else {
        req.entry_point.clone()
    };
    let ep = p.entry_point(&ep_name)?;
    let (module, function) = match &ep.run {
        Runnable::Browser { module, function } => (module.clone(), function.clone()),
        Runnable::Command(cmd) => {
            return Err(project_error(format!(
                "The entry point '{ep_name}' only has a command (`{cmd}`): it is not runnable in the browser."
            )))
        }
    };
    let checked = project::check_parameters(ep, &req.parameters).map_err(project_error)?;
    let (args, data_files) = arguments(s, p, &checked).await?;

    let experiment_id = match (req.experiment_id, req.experiment_name) {
        (Some(id), _) => {
            s.know_experiment(&id).await?;
            Some(id)
        }
        (None, Some(name)) => {
            s.know_experiments().await?;
            Some(s.write(|t| t.set_experiment(&name, now_ms()))?)
        }
        (None, None) => None,
    };
    let mut tags = BTreeMap::new();
    tags.insert(
        crate::core::tracking::rules::TAG_SOURCE_TYPE.to_owned(),
        "PROJECT".to_owned(),
    );
    tags.insert(TAG_ENTRY_POINT.to_owned(), ep_name.clone());
    tags.insert(
        "mlflow.project.backend".to_owned(),
        "browser-worker".to_owned(),
    );
    tags.insert("mlflow.project.env".to_owned(), "browser".to_owned());
    tags.insert(TAG_SHA256.to_owned(), p.sha256.clone());
    let ua = user_agent();
    if !ua.is_empty() {
        tags.insert("ferroflow.user_agent".to_owned(), ua);
    }
    let params: Vec<(String, String)> = checked
        .iter()
        .map(|c| (c.name.clone(), c.logged.clone()))
        .collect();
    let run_id = s.write(|t| {
        let id = t.create_run(
            NewRun {
                experiment_id,
                run_name: req.run_name.clone(),
                tags,
                source: RunSource {
                    user: String::new(),
                    name: p.source_name.clone(),
                    kind: "PROJECT".into(),
                },
                ..Default::default()
            },
            now_ms(),
        )?;
        t.log_params(&id, &params)?;
        Ok::<_, crate::core::tracking::TrackingError>(id)
    })?;

    // The code as it will run, and the manifest of what was stored.
    let mut stored: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut manifest_files = Vec::new();
    for (path, bytes) in p
        .files
        .iter()
        .chain(data_files.iter().filter(|(k, _)| !p.files.contains_key(*k)))
    {
        manifest_files.push(serde_json::json!({
            "path": path,
            "sha256": project::sha256_hex(bytes),
            "bytes": bytes.len(),
            "hashed": p.files.contains_key(path),
        }));
        stored.push((run_id.clone(), format!("{CODE_DIR}{path}"), bytes.clone()));
    }
    let manifest = serde_json::json!({
        "source": p.source_name,
        "entry_point": ep_name,
        "module": module,
        "function": function,
        "sha256": p.sha256,
        "files": manifest_files,
        "external_imports": p.external_imports,
    });
    stored.push((
        run_id.clone(),
        MANIFEST_ARTIFACT.to_owned(),
        serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    ));
    s.write_files(&stored, &[]).await?;
    s.flush().await?;

    // Blob URLs, dependencies first, each module's in-project imports pointing at them.
    let mut urls: BTreeMap<String, String> = BTreeMap::new();
    for path in &p.order {
        let Some(bytes) = p.files.get(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(bytes);
        let edits: Vec<(std::ops::Range<usize>, String)> = p
            .imports
            .get(path)
            .map(|list| {
                list.iter()
                    .filter_map(|(range, dep)| {
                        urls.get(dep)
                            .map(|u| (range.clone(), serde_json::to_string(u).unwrap_or_default()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let code = if edits.is_empty() {
            bytes.clone()
        } else {
            project::rewrite(&text, &edits).into_bytes()
        };
        urls.insert(path.clone(), module_url(&code));
    }
    let entry_url = urls
        .get(&module)
        .cloned()
        .ok_or_else(|| project_error(format!("The module '{module}' was not loaded.")))?;

    let (tell, done) = oneshot::channel();
    let live = Rc::new(RefCell::new(Live {
        worker: None,
        urls: urls.into_values().collect(),
        on_message: None,
        tell: Some(tell),
        ended: None,
    }));
    let handle = ProjectRun {
        run_id: run_id.clone(),
        live: live.clone(),
        done: done.shared(),
        service: s.clone(),
    };
    let on_message = {
        let handle = handle.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |data: JsValue| {
            let kind = Reflect::get(&data, &"kind".into())
                .ok()
                .and_then(|k| k.as_string());
            let text = |k: &str| {
                Reflect::get(&data, &k.into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            let outcome = match kind.as_deref() {
                Some("done") => Some((RunStatus::Finished, None)),
                Some("error") => Some((RunStatus::Failed, Some((text("message"), text("stack"))))),
                _ => None,
            };
            if let Some((status, error)) = outcome {
                let handle = handle.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = handle.finish(status, error).await {
                        web_sys::console::error_1(
                            &format!(
                                "Ferroflow: ending project run {} failed: {e}",
                                handle.run_id
                            )
                            .into(),
                        );
                    }
                });
            }
        })
    };

    let message = Object::new();
    set(&message, "runId", &run_id.clone().into());
    set(&message, "module", &entry_url.into());
    set(&message, "path", &module.clone().into());
    set(&message, "function", &function.into());
    let params = Object::new();
    for (name, arg) in &args {
        let v: JsValue = match arg {
            Arg::Number(x) => (*x).into(),
            Arg::Text(t) => t.into(),
            Arg::Bytes(b) => Uint8Array::from(b.as_slice()).into(),
        };
        set(&params, name, &v);
    }
    set(&message, "params", &params);
    match start_worker(
        &message,
        &format!("ferroflow project run {run_id}"),
        &on_message,
    ) {
        Ok(w) => {
            let mut l = live.borrow_mut();
            l.worker = Some(w);
            l.on_message = Some(on_message);
        }
        Err(e) => {
            live.borrow_mut().on_message = Some(on_message);
            handle
                .finish(
                    RunStatus::Failed,
                    Some((
                        format!("The worker could not be started: {}", js_text(&e)),
                        String::new(),
                    )),
                )
                .await?;
            return Ok(handle);
        }
    }
    RUNNING.with(|r| r.borrow_mut().insert(run_id, handle.clone()));
    Ok(handle)
}
