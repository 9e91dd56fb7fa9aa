//! `importArchive` and `exportArchive`: MLflow `mlruns` stores in and out.

use js_sys::{Function, Promise};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::args::Opts;
use super::dto::to_js;
use super::errors;
use super::with_service;

#[wasm_bindgen(typescript_custom_section)]
const TS_ARCHIVE: &str = r#"
export interface ImportSummary {
  experiments: number; runs: number; metricPoints: number; artifacts: number;
  registeredModels: number; warnings: string[];
}
export interface Progress { phase: "read" | "parse" | "store" | "gather" | "write" | "done"; fraction: number; }
export interface ImportOptions { onProgress?: (p: Progress) => void; }
export interface ExportOptions { experimentIds?: string[]; runIds?: string[]; onProgress?: (p: Progress) => void; }
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SummaryDto {
    experiments: usize,
    runs: usize,
    metric_points: usize,
    artifacts: usize,
    registered_models: usize,
    warnings: Vec<String>,
}

fn progress(cb: &Option<Function>, phase: &str, fraction: f64) {
    if let Some(f) = cb {
        let p = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&p, &"phase".into(), &phase.into());
        let _ = js_sys::Reflect::set(&p, &"fraction".into(), &fraction.into());
        let _ = f.call1(&JsValue::NULL, &p);
    }
}

fn on_progress(o: &Opts) -> Result<Option<Function>, JsValue> {
    let v = o.get("onProgress");
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|_| errors::invalid_arg("onProgress must be a function"))
}

/// `importArchive(data, {onProgress?}) → summary`: a `.zip`, `.tar` or `.tar.gz` of an
/// MLflow store — a file store (`mlruns/` at its root or the store's contents
/// directly) or a SQLite store (`mlflow.db`, its `-wal` if any, and `mlruns/` or
/// `mlartifacts/` beside it) — or a bare `mlflow.db` (everything but the artifact
/// files, with a warning saying so). All or nothing: a bad archive or database rejects
/// with an `Error` naming the file and changes nothing.
#[wasm_bindgen(js_name = importArchive, unchecked_return_type = "Promise<ImportSummary>")]
pub fn import_archive(
    #[wasm_bindgen(unchecked_param_type = "Blob | ArrayBuffer | Uint8Array")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let o = Opts::new(&options, "importArchive options")?;
        let cb = on_progress(&o)?;
        progress(&cb, "read", 0.0);
        let bytes = super::artifacts::bytes_of(&data, "importArchive").await?;
        let imported = s
            .import_archive(&bytes, &|phase, f| progress(&cb, phase, f))
            .await?;
        let (sum, warnings) = (imported.summary, imported.warnings);
        Ok(to_js(&SummaryDto {
            experiments: sum.experiments,
            runs: sum.runs,
            metric_points: sum.metric_points,
            artifacts: sum.artifacts,
            registered_models: sum.registered_models,
            warnings,
        }))
    })
}

/// `exportArchive({experimentIds?, runIds?, onProgress?}) → Blob`: a zip with
/// `mlruns/` at its root that MLflow 2.x and 3.x read. No arguments = everything.
#[wasm_bindgen(js_name = exportArchive, unchecked_return_type = "Promise<Blob>")]
pub fn export_archive(
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let o = Opts::new(&options, "exportArchive options")?;
        let cb = on_progress(&o)?;
        let experiment_ids = o.strings("experimentIds")?;
        let run_ids = o.strings("runIds")?;
        let zip = s
            .export_archive(&experiment_ids, &run_ids, &|phase, f| {
                progress(&cb, phase, f)
            })
            .await?;
        let blob = super::artifacts::blob(&zip, "application/zip")?;
        Ok(blob.into())
    })
}
