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
export async function fetch_bytes(url) {
  let r;
  try { r = await fetch(url); } catch (e) {
    throw new Error(`could not fetch ${url}: ${e && e.message ? e.message : e} (a project on another origin must be served with CORS headers, e.g. Access-Control-Allow-Origin: *)`);
  }
  if (!r.ok) throw Object.assign(new Error(`${url} answered ${r.status} ${r.statusText}`.trim()), { status: r.status });
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
  // The boot Blob is needed until the worker has loaded it: its first word says so.
  const tell = (m) => { if (!sameOrigin) URL.revokeObjectURL(url); on_message(m); };
  w.onmessage = (e) => tell(e.data);
  w.onmessageerror = () => tell({ kind: "error", message: "a message from the project's worker could not be read", stack: "" });
  w.onerror = (e) => {
    e.preventDefault();
    tell({ kind: "error", message: e.message || `the project's worker could not start (${boot} or the project's module failed to load)`, stack: e.filename ? `${e.filename}:${e.lineno}:${e.colno}` : "" });
  };
  message.mlflow = new URL("mlflow.js", site()).href;
  w.postMessage(message);
  return w;
}
"#)]
extern "C" {
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
    /// Each module's imports that are rewritten: literal ranges and what they name.
    imports: BTreeMap<String, Vec<(std::ops::Range<usize>, Target)>>,
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
    let bytes = fetch_bytes(url).await.map_err(|e| {
        let status = Reflect::get(&e, &"status".into())
            .ok()
            .and_then(|s| s.as_f64());
        ServiceError::Project {
            code: match status {
                Some(404.0 | 410.0) => ErrorCode::ResourceDoesNotExist,
                _ => ErrorCode::TemporarilyUnavailable,
            },
            message: format!("The project could not be loaded: {}", js_text(&e)),
        }
    })?;
    Ok(Uint8Array::new(&bytes).to_vec())
}

/// What a rewritten import specifier points at.
enum Target {
    /// A module of the project (its Blob URL).
    Module(String),
    /// An absolute URL (an origin-relative `/…` import, resolved against the project).
    Url(String),
}

/// Whether `spec` starts with a URL scheme (`https:`, `data:`, `blob:`).
fn has_scheme(spec: &str) -> bool {
    spec.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && spec.split_once(':').is_some_and(|(scheme, _)| {
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
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
                    mine.push((r.range, Target::Module(p)));
                }
                // Imports from elsewhere run as URLs: a Blob module has no path to
                // resolve `/x.js` against, and a worker has no import map for names.
                Resolved::External(u) if has_scheme(&u) => {
                    external.insert(u);
                }
                Resolved::External(u) if u.starts_with('/') => {
                    let Some(base) = &base_url else {
                        return Err(project_error(format!(
                            "The module '{path}' imports \"{u}\", a path on the project's server, but a project opened from a file has no server: import it by its full URL."
                        )));
                    };
                    let url =
                        resolve_url(&u, Some(base)).map_err(|e| project_error(js_text(&e)))?;
                    external.insert(url.clone());
                    mine.push((r.range, Target::Url(url)));
                }
                Resolved::External(u) => {
                    return Err(project_error(format!(
                        "The module '{path}' imports \"{u}\": a bare module name cannot be resolved in a worker (there is no import map); import it by its URL, or from a file of the project (\"./…\")."
                    )));
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
    entry_point: &str,
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
            Value::Uri(u) if p.base_url.is_none() && !has_scheme(u) => {
                problems.push(format!(
                    "'{}': \"{u}\" is relative, and a project opened from a file has no URL to resolve it against: give a full URL",
                    c.name
                ));
                continue;
            }
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
                    // The network failed: not the parameter's fault, and worth a retry.
                    Err(ServiceError::Project {
                        code: ErrorCode::TemporarilyUnavailable,
                        message,
                    }) => {
                        return Err(ServiceError::Project {
                            code: ErrorCode::TemporarilyUnavailable,
                            message: format!(
                                "'{}' names the project file '{path}': {message}",
                                c.name
                            ),
                        })
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
            "Invalid parameters for entry point '{entry_point}': {}.",
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

/// Where a project run stands in this context.
enum Stage {
    Running,
    /// Its end is being committed (a second stop waits for it).
    Ending,
    Ended,
}

struct Live {
    stage: Stage,
    worker: Option<web_sys::Worker>,
    urls: Vec<String>,
    on_message: Option<Closure<dyn FnMut(JsValue)>>,
    tell: Option<oneshot::Sender<Result<Ended, ServiceError>>>,
}

/// A project run this context started: its id, its end, and a way to stop it.
#[derive(Clone)]
pub struct ProjectRun {
    /// The run's id.
    pub run_id: String,
    live: Rc<RefCell<Live>>,
    done: Shared<oneshot::Receiver<Result<Ended, ServiceError>>>,
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
    /// Resolves when the run has ended and its end is committed; an error when the
    /// end could not be stored (the run may then still read RUNNING).
    pub async fn ended(&self) -> Result<Ended, ServiceError> {
        match self.done.clone().await {
            Ok(r) => r,
            Err(_) => Err(ServiceError::Project {
                code: ErrorCode::InternalError,
                message: format!(
                    "The project run {} was dropped before it ended.",
                    self.run_id
                ),
            }),
        }
    }

    /// Ends the worker now and marks the run KILLED; when the run is already ending
    /// (its worker answered a moment ago), waits for that end instead.
    pub async fn stop(&self) -> Result<(), ServiceError> {
        let running = matches!(self.live.borrow().stage, Stage::Running);
        if running {
            self.finish(RunStatus::Killed, None).await
        } else {
            self.ended().await.map(drop)
        }
    }

    /// Ends the run once: the worker goes (its handlers first, so no late event finds
    /// a dropped closure), `error.txt` is written when there is an error (best
    /// effort: the status matters more), then the status is committed.
    async fn finish(
        &self,
        status: RunStatus,
        error: Option<(String, String)>,
    ) -> Result<(), ServiceError> {
        let urls = {
            let mut live = self.live.borrow_mut();
            if !matches!(live.stage, Stage::Running) {
                return Ok(());
            }
            live.stage = Stage::Ending;
            if let Some(w) = live.worker.take() {
                w.set_onmessage(None);
                w.set_onmessageerror(None);
                w.set_onerror(None);
                w.terminate();
            }
            std::mem::take(&mut live.urls)
        };
        for u in urls {
            revoke_url(&u);
        }
        let id = self.run_id.clone();
        if let Some((message, stack)) = &error {
            let text = if stack.is_empty() || stack.contains(message.as_str()) {
                format!("{message}\n{stack}")
            } else {
                format!("{message}\n\n{stack}")
            };
            let file = (
                id.clone(),
                "error.txt".to_owned(),
                text.trim_end().as_bytes().to_vec(),
            );
            if let Err(e) = self.service.write_files(&[file], &[]).await {
                web_sys::console::error_1(
                    &format!("Ferroflow: error.txt of project run {id} could not be stored: {e}")
                        .into(),
                );
            }
        }
        let result = self
            .service
            .write_committed(|t| t.set_terminated(&id, status, now_ms()))
            .await
            .map(drop);
        RUNNING.with(|r| r.borrow_mut().remove(&self.run_id));
        let tell = {
            let mut live = self.live.borrow_mut();
            live.stage = Stage::Ended;
            live.tell.take()
        };
        if let Some(tell) = tell {
            let _ = tell.send(result.clone().map(|()| Ended {
                status,
                error: error.map(|e| e.0),
            }));
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

/// The project's tags on its run.
fn project_tags(p: &LoadedProject, entry_point: &str) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let mut tag = |k: &str, v: &str| tags.insert(k.to_owned(), v.to_owned());
    tag(crate::core::tracking::rules::TAG_SOURCE_TYPE, "PROJECT");
    tag(TAG_ENTRY_POINT, entry_point);
    tag("mlflow.project.backend", "browser-worker");
    tag("mlflow.project.env", "browser");
    tag(TAG_SHA256, &p.sha256);
    let ua = user_agent();
    if !ua.is_empty() {
        tag("ferroflow.user_agent", &ua);
    }
    tags
}

/// Validates the parameters, creates the run with the project's tags and params,
/// stores the code under `code/`, and starts the worker. Nothing is written when the
/// parameters, the experiment or the run's name are refused; a failure after the run
/// exists marks it FAILED (with `error.txt`) and names it in the error.
pub async fn run(
    s: &Rc<Service>,
    p: &LoadedProject,
    req: RunRequest,
) -> Result<ProjectRun, ServiceError> {
    use crate::core::tracking::rules;
    let ep_name = if req.entry_point.is_empty() {
        "main".to_owned()
    } else {
        req.entry_point.clone()
    };
    let ep = p.entry_point(&ep_name)?;
    let (module, function) = ep.browser().map_err(project_error)?;
    let (module, function) = (module.to_owned(), function.to_owned());
    if !p.files.contains_key(&module) {
        return Err(project_error(format!(
            "The module '{module}' was not loaded."
        )));
    }
    let checked = project::check_parameters(ep, &req.parameters).map_err(project_error)?;
    let (args, data_files) = arguments(s, p, &ep_name, &checked).await?;
    let tags = project_tags(p, &ep_name);
    // What create_run would refuse, refused before anything (an experiment) is written.
    let invalid = |e: crate::core::tracking::rules::InvalidValue| {
        ServiceError::from(crate::core::tracking::invalid(e.0))
    };
    if let Some(name) = &req.run_name {
        rules::validate_tag(rules::TAG_RUN_NAME, name).map_err(invalid)?;
    }
    rules::validate_tag(rules::TAG_SOURCE_NAME, &p.source_name).map_err(invalid)?;
    for (k, v) in &tags {
        rules::validate_tag(k, v).map_err(invalid)?;
    }

    let experiment_id = match (req.experiment_id, req.experiment_name) {
        (Some(id), _) => {
            s.know_experiment(&id).await?;
            Some(id)
        }
        (None, Some(name)) => {
            rules::validate_experiment_name(&name).map_err(invalid)?;
            s.know_experiments().await?;
            Some(s.write(|t| t.set_experiment(&name, now_ms()))?)
        }
        (None, None) => None,
    };
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

    let (tell, done) = oneshot::channel();
    let live = Rc::new(RefCell::new(Live {
        stage: Stage::Running,
        worker: None,
        urls: Vec::new(),
        on_message: None,
        tell: Some(tell),
    }));
    let handle = ProjectRun {
        run_id: run_id.clone(),
        live: live.clone(),
        done: done.shared(),
        service: s.clone(),
    };
    let started = async {
        store_code(s, p, &run_id, &ep_name, &module, &function, &data_files).await?;
        let entry_url = module_urls(p, &module, &mut live.borrow_mut().urls);
        let on_message = on_message(&handle);
        let message = worker_message(&run_id, &entry_url, &module, &function, &args);
        let name = format!("ferroflow project run {run_id}");
        let worker = start_worker(&message, &name, &on_message);
        live.borrow_mut().on_message = Some(on_message);
        worker
            .map_err(|e| project_error(format!("The worker could not be started: {}", js_text(&e))))
    };
    match started.await {
        Ok(w) => {
            live.borrow_mut().worker = Some(w);
            RUNNING.with(|r| r.borrow_mut().insert(run_id, handle.clone()));
            Ok(handle)
        }
        Err(e) => {
            let why = e.to_string();
            // The end is best effort here: the error names the run either way.
            let _ = handle
                .finish(RunStatus::Failed, Some((why.clone(), String::new())))
                .await;
            Err(ServiceError::Project {
                code: e.code(),
                message: format!(
                    "The project run {run_id} could not start, and is marked FAILED: {why}"
                ),
            })
        }
    }
}

/// Stores the code as it will run under `code/` (with the files `path` parameters
/// named) and the manifest of what was stored.
async fn store_code(
    s: &Rc<Service>,
    p: &LoadedProject,
    run_id: &str,
    entry_point: &str,
    module: &str,
    function: &str,
    data_files: &BTreeMap<String, Vec<u8>>,
) -> Result<(), ServiceError> {
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
        stored.push((
            run_id.to_owned(),
            format!("{CODE_DIR}{path}"),
            bytes.clone(),
        ));
    }
    let manifest = serde_json::json!({
        "source": p.source_name,
        "entry_point": entry_point,
        "module": module,
        "function": function,
        "sha256": p.sha256,
        "files": manifest_files,
        "external_imports": p.external_imports,
    });
    stored.push((
        run_id.to_owned(),
        MANIFEST_ARTIFACT.to_owned(),
        serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    ));
    s.write_files(&stored, &[]).await?;
    s.flush().await
}

/// Blob URLs of the modules, dependencies first, each module's rewritten imports
/// pointing at them (or at the absolute URL of a `/…` import); pushes every URL made
/// onto `made` and returns the entry module's.
fn module_urls(p: &LoadedProject, entry: &str, made: &mut Vec<String>) -> String {
    let mut urls: BTreeMap<String, String> = BTreeMap::new();
    for path in &p.order {
        let Some(bytes) = p.files.get(path) else {
            continue;
        };
        let edits: Vec<(std::ops::Range<usize>, String)> = p
            .imports
            .get(path)
            .map(|list| {
                list.iter()
                    .filter_map(|(range, target)| {
                        let url = match target {
                            Target::Module(dep) => urls.get(dep)?,
                            Target::Url(url) => url,
                        };
                        Some((
                            range.clone(),
                            serde_json::to_string(url).unwrap_or_default(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let code = if edits.is_empty() {
            bytes.clone()
        } else {
            project::rewrite(&String::from_utf8_lossy(bytes), &edits).into_bytes()
        };
        let url = module_url(&code);
        made.push(url.clone());
        urls.insert(path.clone(), url);
    }
    urls.remove(entry).unwrap_or_default()
}

/// Hears the worker's answer (`done`, or `error` with message and stack) and ends the run.
fn on_message(handle: &ProjectRun) -> Closure<dyn FnMut(JsValue)> {
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
}

/// The worker's one message: the run, the entry module's Blob URL and the arguments.
fn worker_message(
    run_id: &str,
    entry_url: &str,
    module: &str,
    function: &str,
    args: &[(String, Arg)],
) -> Object {
    let message = Object::new();
    set(&message, "runId", &run_id.into());
    set(&message, "module", &entry_url.into());
    set(&message, "path", &module.into());
    set(&message, "function", &function.into());
    let params = Object::new();
    for (name, arg) in args {
        let v: JsValue = match arg {
            Arg::Number(x) => (*x).into(),
            Arg::Text(t) => t.into(),
            Arg::Bytes(b) => Uint8Array::from(b.as_slice()).into(),
        };
        set(&params, name, &v);
    }
    set(&message, "params", &params);
    message
}
