//! Artifacts (log, list, download) and metric histories.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::args::{describe, required_string, Opts};
use super::dto::{to_js, FileInfoDto};
use super::{errors, svc, with_service};
use crate::core::tracking::artifacts::{list_children, mime_type, validate_artifact_path};

#[wasm_bindgen(inline_js = r#"
export function points_to_objects(steps, timestamps, values) {
  const n = values.length, out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { step: steps[i], timestamp: timestamps[i], value: values[i] };
  return out;
}
export async function image_to_png(img) {
  if (img instanceof Blob) return img;
  let canvas = img;
  if (typeof ImageData !== "undefined" && img instanceof ImageData) {
    canvas = typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(img.width, img.height) : Object.assign(document.createElement("canvas"), { width: img.width, height: img.height });
    canvas.getContext("2d").putImageData(img, 0, 0);
  }
  if (typeof canvas.convertToBlob === "function") return await canvas.convertToBlob({ type: "image/png" });
  if (typeof canvas.toBlob === "function") return await new Promise((ok, fail) => canvas.toBlob(b => b ? ok(b) : fail(new Error("the canvas could not be encoded as PNG")), "image/png"));
  throw new Error("logImage takes a canvas, an OffscreenCanvas, an ImageData or a Blob");
}
"#)]
extern "C" {
    fn points_to_objects(steps: &[f64], timestamps: &[f64], values: &[f64]) -> JsValue;
    #[wasm_bindgen(catch)]
    async fn image_to_png(img: &JsValue) -> Result<JsValue, JsValue>;
}

/// `getMetricHistory(runId, key) → [{step, timestamp, value}]` in logging order.
#[wasm_bindgen(js_name = getMetricHistory, unchecked_return_type = "Promise<Metric[]>")]
pub fn get_metric_history(
    #[wasm_bindgen(js_name = runId, unchecked_param_type = "string")] run_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let run = required_string(&run_id, "runId")?;
        let key = required_string(&key, "key")?;
        let pts = s.metric_history(&run, &key).await?;
        let steps: Vec<f64> = pts.iter().map(|p| p.step as f64).collect();
        let ts: Vec<f64> = pts.iter().map(|p| p.timestamp as f64).collect();
        let vals: Vec<f64> = pts.iter().map(|p| p.value).collect();
        Ok(points_to_objects(&steps, &ts, &vals))
    })
}

/// Bytes of a Blob, ArrayBuffer, typed array, DataView or string.
pub(super) async fn bytes_of(data: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = data.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(blob) = data.dyn_ref::<web_sys::Blob>() {
        let buf = JsFuture::from(blob.array_buffer()).await?;
        return Ok(Uint8Array::new(&buf).to_vec());
    }
    if data.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(data).to_vec());
    }
    if js_sys::ArrayBuffer::is_view(data) {
        let view: &js_sys::Uint8Array = data.unchecked_ref();
        let buf = js_sys::Reflect::get(view, &"buffer".into())?;
        let off = js_sys::Reflect::get(view, &"byteOffset".into())?
            .as_f64()
            .unwrap_or(0.0) as u32;
        let len = js_sys::Reflect::get(view, &"byteLength".into())?
            .as_f64()
            .unwrap_or(0.0) as u32;
        return Ok(Uint8Array::new_with_byte_offset_and_length(&buf, off, len).to_vec());
    }
    Err(errors::invalid_arg(format!(
        "{what} takes a Blob, ArrayBuffer, typed array or string, got {}",
        describe(data)
    )))
}

async fn store_artifact(
    path: &JsValue,
    bytes: Vec<u8>,
    options: &JsValue,
) -> Result<JsValue, JsValue> {
    let s = svc()?;
    let path = required_string(path, "path")?;
    validate_artifact_path(&path).map_err(|e| errors::invalid_arg(e.0))?;
    let o = Opts::new(options, "options")?;
    let run = super::logging::target_run(&o.get("runId"))?;
    s.know_run(&run).await?;
    s.read(|t| t.run(&run).map(drop))?;
    s.write_files(&[(run, path, bytes)], &[]).await?;
    Ok(JsValue::UNDEFINED)
}

/// `logArtifact(path, data, {runId?})`: stores `data` at `path` in the run's artifacts.
#[wasm_bindgen(js_name = logArtifact, unchecked_return_type = "Promise<void>")]
pub fn log_artifact(
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Blob | ArrayBuffer | ArrayBufferView | string")]
    data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |_| async move {
        let bytes = bytes_of(&data, "logArtifact").await?;
        store_artifact(&path, bytes, &options).await
    })
}

/// `logText(text, path, {runId?})`.
#[wasm_bindgen(js_name = logText, unchecked_return_type = "Promise<void>")]
pub fn log_text(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |_| async move {
        let text = text.as_string().ok_or_else(|| {
            errors::invalid_arg(format!("logText takes a string, got {}", describe(&text)))
        })?;
        store_artifact(&path, text.into_bytes(), &options).await
    })
}

/// `logDict(obj, path, {runId?})`: JSON, or YAML when `path` ends in `.yaml`/`.yml`.
#[wasm_bindgen(js_name = logDict, unchecked_return_type = "Promise<void>")]
pub fn log_dict(
    #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] dict: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |_| async move {
        let p = required_string(&path, "path")?;
        let value: serde_json::Value = serde_wasm_bindgen::from_value(dict.clone())
            .map_err(|e| errors::invalid_arg(format!("logDict could not read the object: {e}")))?;
        let text =
            crate::core::tracking::artifacts::dict_text(&value, &p).map_err(errors::invalid_arg)?;
        store_artifact(&path, text.into_bytes(), &options).await
    })
}

/// `logImage(canvas | ImageData | Blob, path, {runId?})`: stored as PNG (a Blob as is).
#[wasm_bindgen(js_name = logImage, unchecked_return_type = "Promise<void>")]
pub fn log_image(
    #[wasm_bindgen(
        unchecked_param_type = "HTMLCanvasElement | OffscreenCanvas | ImageData | Blob"
    )]
    image: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunTarget")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |_| async move {
        let blob = image_to_png(&image).await?;
        let bytes = bytes_of(&blob, "logImage").await?;
        store_artifact(&path, bytes, &options).await
    })
}

/// `listArtifacts(runId, path?) → [{path, isDir, fileSize}]`: the direct children.
#[wasm_bindgen(js_name = listArtifacts, unchecked_return_type = "Promise<FileInfo[]>")]
pub fn list_artifacts(
    #[wasm_bindgen(js_name = runId, unchecked_param_type = "string")] run_id: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] path: Option<JsValue>,
) -> Promise {
    let path = path.unwrap_or(JsValue::UNDEFINED);

    with_service(move |s| async move {
        let run = required_string(&run_id, "runId")?;
        let dir = super::args::opt_string(&path, "path")?.unwrap_or_default();
        let files = s.artifact_sizes(&run, "").await?;
        let out = Array::new();
        for c in list_children(&files, &dir) {
            out.push(&to_js(&FileInfoDto {
                path: c.path,
                is_dir: c.is_dir,
                file_size: c.size.map(|s| s as f64),
            }));
        }
        Ok(out.into())
    })
}

/// `downloadArtifact(runId, path) → Blob`.
#[wasm_bindgen(js_name = downloadArtifact, unchecked_return_type = "Promise<Blob>")]
pub fn download_artifact(
    #[wasm_bindgen(js_name = runId, unchecked_param_type = "string")] run_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let run = required_string(&run_id, "runId")?;
        let path = required_string(&path, "path")?;
        s.know_run(&run).await?;
        s.read(|t| t.run(&run).map(drop))?;
        let bytes = s
            .artifact(&run, &path)
            .await?
            .ok_or_else(|| errors::not_found(format!("Run '{run}' has no artifact '{path}'.")))?;
        Ok(blob(&bytes, mime_type(&path))?.into())
    })
}

/// A Blob of `bytes` with a MIME type.
pub fn blob(bytes: &[u8], mime: &str) -> Result<web_sys::Blob, JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
}
