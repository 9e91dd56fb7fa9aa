//! Moving stores in and out from the UI: import by file picker or drag-and-drop with
//! a progress bar and a summary, export buttons that download `mlruns-<name>.zip`,
//! and opening a shared bundle from `?bundle=<url>`.
//!
//! An import takes one archive (`mlruns` or `mlflow.db` store) or `.db`, or several
//! files and folders together: `mlflow.db` (and its `-wal`) with its artifact folder
//! or a zip of it, or a dropped `mlruns/` folder.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

// Dropped folders are walked through their entries, which must be taken while the
// drop event runs; files read afterwards. Paths are relative to what was dropped
// (`mlruns/1/<run>/artifacts/a.txt`), or the picked file's name.
#[wasm_bindgen(inline_js = r#"
export function dropped_entries(dt) {
  const out = [];
  for (const item of dt?.items ?? []) {
    if (item.kind !== "file") continue;
    const entry = typeof item.webkitGetAsEntry === "function" ? item.webkitGetAsEntry() : null;
    const file = entry ? null : item.getAsFile();
    if (entry || file) out.push(entry ?? file);
  }
  return out;
}
export async function read_all(list) {
  const files = [];
  const walk = async (e) => {
    if (e instanceof File) return void files.push([e.webkitRelativePath || e.name, e]);
    if (e.isFile) return void files.push([e.fullPath.replace(/^\/+/, ""), await new Promise((ok, no) => e.file(ok, no))]);
    if (!e.isDirectory) return;
    const reader = e.createReader();
    for (;;) {
      const batch = await new Promise((ok, no) => reader.readEntries(ok, no));
      if (batch.length === 0) return;
      for (const child of batch) await walk(child);
    }
  };
  for (const e of list) await walk(e);
  const out = [];
  for (const [path, f] of files) out.push(path, new Uint8Array(await f.arrayBuffer()));
  return out;
}
"#)]
extern "C" {
    fn dropped_entries(dt: &JsValue) -> js_sys::Array;
    #[wasm_bindgen(catch)]
    async fn read_all(list: &js_sys::Array) -> Result<JsValue, JsValue>;
}

use super::blob::download;
use crate::service;

/// Where an import stands.
#[derive(Clone, PartialEq)]
enum ImportState {
    Idle,
    Running {
        phase: String,
        fraction: f64,
    },
    Done {
        summary: String,
        warnings: Vec<String>,
        notice: Option<String>,
    },
    Failed(String),
}

/// A file name safe on every OS: `mlruns-<name>.zip`.
pub fn archive_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches('-');
    format!(
        "mlruns-{}.zip",
        if clean.is_empty() { "export" } else { clean }
    )
}

/// The picked or dropped files' `(path, bytes)`, folders walked.
pub async fn read_parts(list: js_sys::Array) -> Result<Vec<(String, Vec<u8>)>, String> {
    let flat: js_sys::Array = read_all(&list)
        .await
        .map_err(|e| format!("Could not read the files: {}", js_message(&e)))?
        .unchecked_into();
    let mut parts = Vec::with_capacity(flat.length() as usize / 2);
    for i in (0..flat.length()).step_by(2) {
        let path = flat.get(i).as_string().unwrap_or_default();
        let bytes = js_sys::Uint8Array::new(&flat.get(i + 1)).to_vec();
        parts.push((path, bytes));
    }
    Ok(parts)
}

fn describe(s: &crate::core::interchange::Summary) -> String {
    format!(
        "Imported {} experiments, {} runs, {} metric points, {} artifacts, {} registered models.",
        s.experiments, s.runs, s.metric_points, s.artifacts, s.registered_models
    )
}

async fn import_parts(parts: Vec<(String, Vec<u8>)>, state: RwSignal<ImportState>) {
    let Some(svc) = service::ready() else { return };
    let progress = move |phase: &str, fraction: f64| {
        state.set(ImportState::Running {
            phase: phase.to_owned(),
            fraction,
        });
    };
    state.set(ImportState::Running {
        phase: "read".into(),
        fraction: 0.1,
    });
    match svc.import_files(parts, &progress).await {
        Ok(i) => state.set(ImportState::Done {
            summary: describe(&i.summary),
            warnings: i.warnings,
            notice: i.notice,
        }),
        Err(e) => state.set(ImportState::Failed(e.to_string())),
    }
}

/// Import (picker + drop zone) and "Export all", for the experiments page.
#[component]
pub fn ImportExport() -> impl IntoView {
    let state = RwSignal::new(ImportState::Idle);
    let dragging = RwSignal::new(false);
    let exporting = RwSignal::new(None::<String>);
    let take = move |list: js_sys::Array| {
        if list.length() == 0 {
            return;
        }
        leptos::task::spawn_local(async move {
            match read_parts(list).await {
                Ok(parts) => import_parts(parts, state).await,
                Err(e) => state.set(ImportState::Failed(e)),
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(files) = input.files() {
            take(js_sys::Array::from(&files));
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let dt = ev
            .data_transfer()
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL);
        take(dropped_entries(&dt));
    };
    let export_all = move |_| {
        leptos::task::spawn_local(async move {
            exporting.set(Some("Exporting…".into()));
            let result = export_to_file(Vec::new(), Vec::new(), "all".into()).await;
            exporting.set(result.err().map(|e| format!("Export failed: {e}")));
        });
    };
    view! {
        <div
            class="import-zone"
            class:dragging=move || dragging.get()
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <label class="button">
                "Import store…"
                <input type="file" class="sr-only" multiple accept=".zip,.tar,.gz,.tgz,.db,.sqlite,.sqlite3,.db-wal,application/zip,application/gzip,application/x-tar,application/vnd.sqlite3" on:change=on_pick/>
            </label>
            <button class="button" on:click=export_all>"Export all"</button>
            <span class="muted drop-hint">"or drop a .zip / .tar.gz of ./mlruns here, or mlflow.db with its mlruns folder"</span>
        </div>
        {move || exporting.get().map(|m| view! { <p class="muted" role="status">{m}</p> })}
        {move || match state.get() {
            ImportState::Idle => ().into_any(),
            ImportState::Running { phase, fraction } => view! {
                <div class="import-progress" role="status">
                    <progress max="1" value=fraction></progress>
                    <span class="muted">{format!("{phase}…")}</span>
                </div>
            }.into_any(),
            ImportState::Done { summary, warnings, notice } => view! {
                <div class="import-summary" role="status">
                    <p>{summary}</p>
                    {notice.map(|n| view! { <p class="import-notice">{n}</p> })}
                    {(!warnings.is_empty()).then(|| view! {
                        <details><summary>{format!("{} warnings", warnings.len())}</summary>
                            <ul>{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                        </details>
                    })}
                </div>
            }.into_any(),
            ImportState::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        }}
    }
}

/// Exports the selection (everything when both lists are empty) and offers it as
/// `mlruns-<file_stem>.zip`.
async fn export_to_file(
    experiment_ids: Vec<String>,
    run_ids: Vec<String>,
    file_stem: String,
) -> Result<(), String> {
    let svc = service::ready().ok_or("the store is not open")?;
    let zip = svc
        .export_archive(&experiment_ids, &run_ids, &|_, _| ())
        .await
        .map_err(|e| e.to_string())?;
    download(&zip, &archive_name(&file_stem), "application/zip")
}

/// A button exporting some experiments and/or runs as `mlruns-<file_stem>.zip`.
#[component]
pub fn ExportButton(
    /// Button text.
    #[prop(into)]
    label: String,
    /// Used in the file name.
    #[prop(into)]
    file_stem: Signal<String>,
    /// Experiments exported whole.
    #[prop(into, optional)]
    experiment_ids: Signal<Vec<String>>,
    /// Single runs exported.
    #[prop(into, optional)]
    run_ids: Signal<Vec<String>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let disabled =
        move || busy.get() || (experiment_ids.read().is_empty() && run_ids.read().is_empty());
    let export = move |_| {
        let (exps, runs, stem) = (experiment_ids.get(), run_ids.get(), file_stem.get());
        busy.set(true);
        leptos::task::spawn_local(async move {
            error.set(export_to_file(exps, runs, stem).await.err());
            busy.set(false);
        });
    };
    view! {
        <button class="button" on:click=export disabled=disabled>{label}</button>
        {move || error.get().map(|e| view! { <span class="error" role="alert">{format!("Export failed: {e}")}</span> })}
    }
}

/// The bundle's URL when the page was opened with `?bundle=<url>`.
fn bundle_param() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("bundle")
        .filter(|u| !u.is_empty())
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let w = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not fetch {url}: {}", js_message(&e)))?
        .unchecked_into();
    if !resp.ok() {
        return Err(format!(
            "{url} answered {} {}",
            resp.status(),
            resp.status_text()
        ));
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(|e| js_message(&e))?)
        .await
        .map_err(|e| js_message(&e))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "network error (is the server sending CORS headers?)".into())
}

/// Where a bundle import stands.
#[derive(Clone, PartialEq)]
enum BundleState {
    Ask(String),
    Importing(String),
    Failed(String),
    Closed,
}

/// Asks before importing a bundle named by `?bundle=<url>`, then opens its experiment.
#[component]
pub fn BundleOpener() -> impl IntoView {
    let state = RwSignal::new(bundle_param().map_or(BundleState::Closed, BundleState::Ask));
    let navigate = leptos_router::hooks::use_navigate();
    let home = navigate.clone();
    let accept = move |_| {
        let BundleState::Ask(url) = state.get_untracked() else {
            return;
        };
        state.set(BundleState::Importing(url.clone()));
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = async {
                let bytes = fetch_bytes(&url).await?;
                let svc = service::ready().ok_or("the store is not open")?;
                let imported =
                    (svc.import_archive(&bytes, &|_, _| ()).await).map_err(|e| e.to_string())?;
                // Open the bundle's experiment: the first one that is not Default.
                let ids = imported.experiment_ids;
                Ok::<_, String>(ids.iter().find(|id| *id != "0").or(ids.first()).cloned())
            }
            .await;
            match result {
                Ok(target) => {
                    state.set(BundleState::Closed);
                    let path = target.map_or("/".to_owned(), |id| format!("/experiments/{id}"));
                    navigate(&path, Default::default());
                }
                Err(e) => state.set(BundleState::Failed(e)),
            }
        });
    };
    let dismiss = move |_| {
        state.set(BundleState::Closed);
        home("/", Default::default());
    };
    view! {
        {move || match state.get() {
            BundleState::Closed => ().into_any(),
            BundleState::Ask(url) => view! {
                <div class="dialog" role="dialog" aria-label="Import shared bundle">
                    <p>"This link shares an MLflow bundle:"</p>
                    <p class="mono">{url}</p>
                    <p>"Import it into this browser's Ferroflow store?"</p>
                    <button class="primary" on:click=accept.clone()>"Import bundle"</button>
                    <button class="button" on:click=dismiss.clone()>"Cancel"</button>
                </div>
            }.into_any(),
            BundleState::Importing(url) => view! {
                <div class="dialog" role="status"><p>"Importing " <span class="mono">{url}</span> "…"</p></div>
            }.into_any(),
            BundleState::Failed(e) => view! {
                <div class="dialog" role="alert">
                    <p class="error">{e}</p>
                    <button class="button" on:click=move |_| state.set(BundleState::Closed)>"Close"</button>
                </div>
            }.into_any(),
        }}
    }
}
