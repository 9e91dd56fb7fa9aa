//! Models: `logModel` (a TF.js model saved through a `tf.io` IOHandler), `logModelFiles`
//! (any other model), `loadModel` (an IOHandler for `tf.loadLayersModel` /
//! `tf.loadGraphModel`), `getModelInfo`, `getLoggedModel`, `searchLoggedModels`,
//! `downloadModelArtifact`. Models are MLflow 3 LoggedModels of the run's experiment;
//! URIs resolve as MLflow resolves them. This module never imports TF.js: it calls the
//! model's own `save`.

use std::collections::BTreeMap;

use js_sys::{Array, Promise, Uint8Array};
use serde::Serialize;
use serde_json::Value as Json;
use wasm_bindgen::prelude::*;

use super::args::{describe, required_string, Opts};
use super::dto::to_js;
use super::{errors, with_service};
use crate::core::models::mlmodel::{
    mlmodel_text, tfjs_flavor, utc_time_created, MlModel, Provenance, Signature, SpecField,
    TfjsModel,
};
use crate::core::models::resolve::{resolve, ModelFiles};
use crate::core::models::{LoggedModel, ModelUri};
use crate::core::text::json::python_dumps;
use crate::core::tracking::{rules, Needs, NewLoggedModel};
use crate::service::{now_ms, FinishModel, Service};

/// Who wrote a model's `MLmodel`.
const PRODUCER: &str = concat!("ferroflow ", env!("CARGO_PKG_VERSION"));
/// The single weights file Ferroflow writes next to `model.json`.
const WEIGHTS_FILE: &str = "weights.bin";

#[wasm_bindgen(typescript_custom_section)]
const TS_MODELS: &str = r#"
/** Anything TF.js can save: a tf.LayersModel or tf.GraphModel. */
export interface TfjsModel { save(handler: unknown, config?: unknown): Promise<unknown>; }
/** A tensor spec (`{name?, dtype, shape}`, -1 or null for any size) or MLflow's JSON form. */
export interface SignatureField { name?: string; dtype?: string; shape?: (number | null)[]; type?: string; }
export interface ModelSignature { inputs: SignatureField[]; outputs?: SignatureField[]; params?: unknown; }
export interface LogModelOptions {
  signature?: ModelSignature;
  /** A JSON value (an array for tensors) saved as input_example.json. */
  inputExample?: unknown;
  registeredModelName?: string;
  includeOptimizer?: boolean;
  metadata?: Record<string, unknown>;
  params?: Record<string, string | number | boolean>;
  tags?: Record<string, string | number | boolean>;
  /** Log to this run instead of the active one. */
  runId?: string;
}
export interface LogModelFilesOptions extends Omit<LogModelOptions, "includeOptimizer"> {
  /** Flavor name → its parameters (the MLmodel `flavors:` block); not needed when the files hold an MLmodel. */
  flavor?: Record<string, Record<string, unknown>>;
  modelType?: string;
}
/** What `logModel` and `getModelInfo` return. */
export interface ModelInfo {
  modelId: string | null;
  modelUri: string;
  runId: string | null;
  name: string;
  artifactPath: string | null;
  flavors: Record<string, Record<string, unknown>>;
  signature: { inputs: unknown[]; outputs: unknown[]; params: unknown } | null;
  modelUuid: string | null;
  utcTimeCreated: string | null;
  mlflowVersion: string | null;
  metadata: Record<string, unknown> | null;
  /** The registered version, when `registeredModelName` was given. */
  registeredModelVersion?: string;
}
export interface LoggedModelMetric {
  key: string; value: number; timestamp: number; step: number;
  runId: string | null; datasetName: string | null; datasetDigest: string | null;
}
/** An MLflow 3 LoggedModel. */
export interface LoggedModel {
  modelId: string; experimentId: string; name: string; artifactLocation: string;
  creationTimestamp: number; lastUpdatedTimestamp: number; modelType: string | null;
  sourceRunId: string | null; status: "PENDING" | "READY" | "FAILED"; statusMessage: string | null;
  tags: Record<string, string>; params: Record<string, string>; metrics: LoggedModelMetric[];
}
export interface SearchLoggedModelsOptions { experimentIds?: string[]; filter?: string; orderBy?: string[]; maxResults?: number; }
/** A tf.io.IOHandler: pass it to tf.loadLayersModel or tf.loadGraphModel. */
export interface ModelIOHandler { load(): Promise<unknown>; }
"#;

#[wasm_bindgen(inline_js = r#"
// Saves a TF.js model through an IOHandler of our own: model.json's content and one
// weights buffer (weightData may be an ArrayBuffer[]: joined), plus the input and
// output specs for a signature.
export async function save_tfjs(model, includeOptimizer, weightsFile) {
  if (!model || typeof model.save !== "function") return null;
  let saved = null;
  const handler = { save: async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  } };
  await model.save(handler, { includeOptimizer: !!includeOptimizer });
  if (!saved) throw new Error("the model's save() did not call the IOHandler");
  const parts = Array.isArray(saved.weightData) ? saved.weightData : saved.weightData ? [saved.weightData] : [];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const weights = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { weights.set(new Uint8Array(p), at); at += p.byteLength; }
  const json = { modelTopology: saved.modelTopology, format: saved.format, generatedBy: saved.generatedBy,
                 convertedBy: saved.convertedBy ?? null,
                 weightsManifest: [{ paths: [weightsFile], weights: saved.weightSpecs ?? [] }] };
  for (const k of ["trainingConfig", "userDefinedMetadata", "signature", "modelInitializer", "initializerSignature"]) {
    if (saved[k] !== undefined && saved[k] !== null) json[k] = saved[k];
  }
  const spec = (t) => ({ name: t.name ?? null, dtype: t.dtype ?? "float32", shape: (t.shape ?? []).map((d) => d ?? -1) });
  const list = (x) => (Array.isArray(x) ? x : x ? [x] : []).map(spec);
  let backend = null;
  try { backend = globalThis.tf?.getBackend?.() ?? null; } catch (_) {}
  return { modelJson: JSON.stringify(json), weights, format: saved.format ?? "layers-model",
           generatedBy: saved.generatedBy ?? null, inputs: list(model.inputs), outputs: list(model.outputs), backend };
}
// The artifacts tf.loadLayersModel / tf.loadGraphModel expect, from model.json's text
// and the weights its manifest names, joined in manifest order.
export function io_handler(modelJsonText, weights) {
  const json = JSON.parse(modelJsonText);
  const artifacts = { modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? null, weightSpecs: (json.weightsManifest ?? []).flatMap((g) => g.weights ?? []),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) };
  for (const k of ["trainingConfig", "userDefinedMetadata", "signature", "modelInitializer", "initializerSignature"]) {
    if (json[k] !== undefined) artifacts[k] = json[k];
  }
  return { load: async () => artifacts };
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn save_tfjs(
        model: &JsValue,
        include_optimizer: bool,
        weights_file: &str,
    ) -> Result<JsValue, JsValue>;
    fn io_handler(model_json: &str, weights: &Uint8Array) -> JsValue;
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoggedModelDto<'a> {
    model_id: &'a str,
    experiment_id: &'a str,
    name: &'a str,
    artifact_location: &'a str,
    creation_timestamp: f64,
    last_updated_timestamp: f64,
    model_type: Option<&'a str>,
    source_run_id: Option<&'a str>,
    status: &'a str,
    status_message: Option<&'a str>,
    tags: &'a BTreeMap<String, String>,
    params: &'a BTreeMap<String, String>,
    metrics: Vec<MetricDto<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricDto<'a> {
    key: &'a str,
    value: f64,
    timestamp: f64,
    step: f64,
    run_id: Option<&'a str>,
    dataset_name: Option<&'a str>,
    dataset_digest: Option<&'a str>,
}

fn logged_model_dto(m: &LoggedModel) -> LoggedModelDto<'_> {
    use crate::core::models::LoggedModelStatus::*;
    LoggedModelDto {
        model_id: &m.model_id,
        experiment_id: &m.experiment_id,
        name: &m.name,
        artifact_location: &m.artifact_location,
        creation_timestamp: m.creation_timestamp as f64,
        last_updated_timestamp: m.last_updated_timestamp as f64,
        model_type: m.model_type.as_deref(),
        source_run_id: m.source_run_id.as_deref(),
        status: match m.status {
            Pending => "PENDING",
            Ready => "READY",
            Failed => "FAILED",
        },
        status_message: m.status_message.as_deref(),
        tags: &m.tags,
        params: &m.params,
        metrics: (m.metrics.iter())
            .map(|x| MetricDto {
                key: &x.key,
                value: x.value,
                timestamp: x.timestamp as f64,
                step: x.step as f64,
                run_id: x.run_id.as_deref(),
                dataset_name: x.dataset_name.as_deref(),
                dataset_digest: x.dataset_digest.as_deref(),
            })
            .collect(),
    }
}

/// Reads through to the store whatever `uri` names that this view may not know yet.
pub(super) async fn know_uri(s: &Service, uri: &str) -> Result<(), JsValue> {
    let mut needs = Needs::default();
    match ModelUri::parse(uri)? {
        ModelUri::Run { run_id, .. } => return Ok(s.know_run(&run_id).await?),
        ModelUri::LoggedModel { model_id } => {
            needs.logged_models.insert(model_id);
        }
        ModelUri::Version { name, .. }
        | ModelUri::Latest { name }
        | ModelUri::Stage { name, .. }
        | ModelUri::Alias { name, .. } => {
            needs.registered_models.insert(name);
        }
    }
    s.know(needs).await?;
    // A version's LoggedModel may be as new as the version.
    let ids: Vec<String> = s.read(|t| {
        t.registered_models()
            .flat_map(|m| m.live_versions())
            .filter_map(|v| v.model_id.clone())
            .filter(|id| t.logged_model(id).is_err())
            .collect()
    });
    if !ids.is_empty() {
        let needs = Needs {
            logged_models: ids.into_iter().collect(),
            ..Needs::default()
        };
        s.know(needs).await?;
    }
    Ok(())
}

/// Where `uri`'s files are, with the version it went through.
async fn files_of(s: &Service, uri: &str) -> Result<(ModelFiles, Option<(String, u64)>), JsValue> {
    know_uri(s, uri).await?;
    Ok(s.read(|t| {
        resolve(t, uri).map(|r| (r.files, r.version.map(|v| (v.name.clone(), v.version))))
    })?)
}

/// What `uri` resolves to (see [`files_of`]) and its `MLmodel`, parsed.
async fn mlmodel_of(
    s: &Service,
    uri: &str,
) -> Result<(ModelFiles, Option<(String, u64)>, MlModel), JsValue> {
    let (files, version) = files_of(s, uri).await?;
    let mlmodel =
        MlModel::parse(&file_of(s, &files, uri, "MLmodel").await?).map_err(errors::invalid_arg)?;
    Ok((files, version, mlmodel))
}

/// The bytes of one file of a model, or a `RESOURCE_DOES_NOT_EXIST` error naming it.
async fn file_of(
    s: &Service,
    files: &ModelFiles,
    uri: &str,
    path: &str,
) -> Result<Vec<u8>, JsValue> {
    s.model_file(files, path)
        .await?
        .ok_or_else(|| errors::not_found(format!("The model at '{uri}' has no file '{path}'.")))
}

fn string_options(o: &Opts, key: &str) -> Result<BTreeMap<String, String>, JsValue> {
    o.string_map(key)
}

fn json_option(o: &Opts, key: &str) -> Result<Option<Json>, JsValue> {
    let v = o.get(key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    serde_wasm_bindgen::from_value(v)
        .map(Some)
        .map_err(|e| errors::invalid_arg(format!("'{key}' must be plain JSON data: {e}")))
}

/// The run a model is logged to, and the LoggedModel record's arguments.
async fn model_args(
    s: &std::rc::Rc<Service>,
    name: &str,
    o: &Opts,
    model_type: Option<String>,
) -> Result<(String, NewLoggedModel), JsValue> {
    if name.is_empty() || name.contains('/') {
        return Err(errors::invalid_arg(format!(
            "A model name is one path segment (e.g. 'model'), got '{name}'."
        )));
    }
    let run = super::logging::target_run(&o.get("runId"))?;
    s.know_run(&run).await?;
    let mut params = string_options(o, "params")?;
    for (k, v) in &params {
        rules::validate_param(k, v)?;
    }
    let mut tags = string_options(o, "tags")?;
    let (experiment_id, run_params, system) = s.read(|t| {
        let r = t.run(&run)?;
        let system: Vec<(String, String)> = [
            rules::TAG_USER,
            rules::TAG_SOURCE_NAME,
            rules::TAG_SOURCE_TYPE,
        ]
        .iter()
        .filter_map(|k| Some((k.to_string(), r.tags.get(*k)?.clone())))
        .collect();
        Ok::<_, crate::core::tracking::TrackingError>((
            r.info.experiment_id.clone(),
            r.params.clone(),
            system,
        ))
    })?;
    // As MLflow: the run's params at log time, then those given.
    for (k, v) in run_params {
        params.entry(k).or_insert(v);
    }
    for (k, v) in system {
        tags.entry(k).or_insert(v);
    }
    Ok((
        run.clone(),
        NewLoggedModel {
            experiment_id,
            name: name.to_owned(),
            model_type,
            source_run_id: Some(run),
            params,
            tags,
        },
    ))
}

/// Files to write under a model's folder: `(relative path, bytes)`.
type NamedFiles = Vec<(String, Vec<u8>)>;

/// The input example's files and its `(type, path)` for `MLmodel`.
fn input_example(example: Option<Json>) -> (NamedFiles, Option<(String, String)>) {
    let Some(ex) = example else {
        return (Vec::new(), None);
    };
    let (kind, saved) = match &ex {
        Json::Object(_) => ("json_object", ex.clone()),
        _ => ("ndarray", serde_json::json!({ "inputs": ex })),
    };
    let serving = serde_json::json!({ "inputs": ex });
    (
        vec![
            (
                "input_example.json".into(),
                python_dumps(&saved).into_bytes(),
            ),
            (
                "serving_input_example.json".into(),
                python_dumps(&serving).into_bytes(),
            ),
        ],
        Some((kind.into(), "input_example.json".into())),
    )
}

/// Stores the files, finishes the model (READY, history, registry) and returns its
/// ModelInfo.
#[allow(clippy::too_many_arguments)]
async fn finish(
    s: &std::rc::Rc<Service>,
    model_id: String,
    run: String,
    name: &str,
    files: Vec<(String, Vec<u8>)>,
    mlmodel: String,
    flavors: &[(String, Json)],
    register_as: Option<String>,
    utc: &str,
) -> Result<JsValue, JsValue> {
    let mut files = files;
    files.push(("MLmodel".into(), mlmodel.clone().into_bytes()));
    // The run's history entry, as MLflow's `Model.get_tags_dict` writes it.
    let flavor_map: serde_json::Map<String, Json> = flavors.iter().cloned().collect();
    let entry = format!(
        "{{\"run_id\": {}, \"artifact_path\": {}, \"utc_time_created\": {}, \"model_uuid\": {}, \"model_id\": {}, \"flavors\": {}}}",
        python_dumps(&run.as_str().into()),
        python_dumps(&name.into()),
        python_dumps(&utc.into()),
        python_dumps(&model_id.trim_start_matches("m-").into()),
        python_dumps(&model_id.as_str().into()),
        python_dumps(&Json::Object(flavor_map)),
    );
    let version = s
        .finish_logged_model(
            &model_id,
            FinishModel {
                files,
                history_entry: Some(entry),
                register_as,
                run_id: Some(run),
            },
        )
        .await?;
    let info = model_info(
        &MlModel::parse(mlmodel.as_bytes()).map_err(errors::invalid_arg)?,
        name,
    );
    let info = to_js(&ModelInfoDto {
        model_uri: format!("models:/{model_id}"),
        registered_model_version: version.map(|v| v.to_string()),
        ..info
    });
    Ok(info)
}

/// `logModel(model, name, {signature?, inputExample?, registeredModelName?,
/// includeOptimizer?, metadata?, params?, tags?, runId?}) → ModelInfo`: a TF.js model
/// (anything with `save(handler)`) as a LoggedModel of the run's experiment, with a
/// `tfjs` flavor.
#[wasm_bindgen(js_name = logModel, unchecked_return_type = "Promise<ModelInfo>")]
pub fn log_model(
    #[wasm_bindgen(unchecked_param_type = "TfjsModel")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "LogModelOptions")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        log_tfjs_model(&s, &model, &name, &options).await
    })
}

/// `logModel`'s work, also called by autologging when a fit ends.
pub(super) async fn log_tfjs_model(
    s: &std::rc::Rc<Service>,
    model: &JsValue,
    name: &str,
    options: &JsValue,
) -> Result<JsValue, JsValue> {
    let o = Opts::new(options, "logModel options")?;
    let saved = save_tfjs(model, o.bool("includeOptimizer")?, WEIGHTS_FILE).await?;
    if saved.is_null() {
        return Err(errors::invalid_arg(format!(
            "logModel takes a TF.js model (a tf.LayersModel or tf.GraphModel: anything with save(handler)), got {}; for other models use logModelFiles",
            describe(model)
        )));
    }
    let get = |k: &str| js_sys::Reflect::get(&saved, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let model_json = get("modelJson").as_string().unwrap_or_default();
    let weights = Uint8Array::new(&get("weights")).to_vec();
    let generated_by = get("generatedBy").as_string();
    let signature = match json_option(&o, "signature")? {
        Some(given) => Signature::from_user(&given).map_err(errors::invalid_arg)?,
        None => infer_signature(&get("inputs"), &get("outputs"))?,
    };
    let (example_files, example) = input_example(json_option(&o, "inputExample")?);
    let (run, args) = model_args(s, name, &o, Some("tfjs".into())).await?;
    let model_id = s.begin_logged_model(args).await?;
    let location = s.read(|t| {
        t.logged_model(&model_id)
            .map(|m| m.artifact_location.clone())
    })?;
    let tfjs = TfjsModel {
        format: get("format")
            .as_string()
            .unwrap_or_else(|| "layers-model".into()),
        tfjs_version: generated_by
            .as_deref()
            .and_then(|g| g.rsplit(" v").next())
            .map(str::to_owned),
        generated_by,
        backend: get("backend").as_string(),
        weights_files: vec![WEIGHTS_FILE.into()],
        model_size_bytes: (model_json.len() + weights.len()) as u64,
    };
    let utc = utc_time_created(now_ms());
    let provenance = Provenance {
        artifact_path: location,
        model_id: model_id.clone(),
        run_id: Some(run.clone()),
        utc_time_created: utc.clone(),
        producer: PRODUCER.into(),
        metadata: json_option(&o, "metadata")?,
        signature: Some(signature),
        input_example: example,
    };
    let flavors = [tfjs_flavor(&tfjs)];
    let mlmodel = mlmodel_text(&flavors, tfjs.model_size_bytes, &provenance);
    let mut files = vec![
        ("model.json".to_owned(), model_json.into_bytes()),
        (WEIGHTS_FILE.to_owned(), weights),
    ];
    files.extend(example_files);
    let register = o.string("registeredModelName")?;
    finish(
        s, model_id, run, name, files, mlmodel, &flavors, register, &utc,
    )
    .await
}

/// A signature from the model's own `inputs` and `outputs` tensor specs.
fn infer_signature(inputs: &JsValue, outputs: &JsValue) -> Result<Signature, JsValue> {
    let side = |v: &JsValue| -> Result<Vec<SpecField>, JsValue> {
        let list: Vec<Json> = serde_wasm_bindgen::from_value(v.clone()).unwrap_or_default();
        list.iter()
            .map(|x| SpecField::from_user(x).map_err(errors::invalid_arg))
            .collect()
    };
    Ok(Signature {
        inputs: side(inputs)?,
        outputs: side(outputs)?,
        params: None,
    })
}

/// `logModelFiles(files, name, {flavor?, modelType?, signature?, inputExample?,
/// registeredModelName?, metadata?, params?, tags?, runId?}) → ModelInfo`: any other
/// model, as a map of path → bytes / string / Blob. Its `MLmodel` is written from the
/// flavor block unless the files hold one.
#[wasm_bindgen(js_name = logModelFiles, unchecked_return_type = "Promise<ModelInfo>")]
pub fn log_model_files(
    #[wasm_bindgen(
        unchecked_param_type = "Record<string, Blob | ArrayBuffer | Uint8Array | string>"
    )]
    files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "LogModelFilesOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        let o = Opts::new(&options, "logModelFiles options")?;
        let obj = files.dyn_ref::<js_sys::Object>().ok_or_else(|| {
            errors::invalid_arg(format!(
                "logModelFiles takes an object of path: bytes, got {}",
                describe(&files)
            ))
        })?;
        let mut given = Vec::new();
        for entry in js_sys::Object::entries(obj).iter() {
            let pair = Array::from(&entry);
            let path = pair.get(0).as_string().unwrap_or_default();
            crate::core::tracking::artifacts::validate_artifact_path(&path)
                .map_err(|e| errors::invalid_arg(e.0))?;
            given.push((
                path,
                super::artifacts::bytes_of(&pair.get(1), "logModelFiles").await?,
            ));
        }
        let own = given.iter().position(|(p, _)| p == "MLmodel");
        let flavors: Vec<(String, Json)> = match (json_option(&o, "flavor")?, own) {
            (Some(Json::Object(f)), _) => f.into_iter().collect(),
            (Some(other), _) => {
                return Err(errors::invalid_arg(format!(
                    "flavor is an object of flavor name → parameters (e.g. {{python_function: {{loader_module: 'm'}}}}), got {other}"
                )))
            }
            (None, Some(i)) => MlModel::parse(&given[i].1).map_err(errors::invalid_arg)?.flavors(),
            (None, None) => {
                return Err(errors::invalid_arg(
                    "logModelFiles needs a flavor block ({flavor: {name: {...}}}) or an MLmodel among the files",
                ))
            }
        };
        let signature = json_option(&o, "signature")?
            .map(|j| Signature::from_user(&j).map_err(errors::invalid_arg))
            .transpose()?;
        let (example_files, example) = input_example(json_option(&o, "inputExample")?);
        let model_type = o
            .string("modelType")?
            .or_else(|| flavors.first().map(|f| f.0.clone()));
        let (run, args) = model_args(&s, &name, &o, model_type).await?;
        let model_id = s.begin_logged_model(args).await?;
        let location = s.read(|t| {
            t.logged_model(&model_id)
                .map(|m| m.artifact_location.clone())
        })?;
        let utc = utc_time_created(now_ms());
        let mlmodel = match own {
            Some(i) => String::from_utf8(given.remove(i).1)
                .map_err(|_| errors::invalid_arg("MLmodel is not UTF-8 text"))?,
            None => {
                let size = given.iter().map(|(_, b)| b.len() as u64).sum();
                let provenance = Provenance {
                    artifact_path: location,
                    model_id: model_id.clone(),
                    run_id: Some(run.clone()),
                    utc_time_created: utc.clone(),
                    producer: PRODUCER.into(),
                    metadata: json_option(&o, "metadata")?,
                    signature,
                    input_example: example,
                };
                mlmodel_text(&flavors, size, &provenance)
            }
        };
        given.extend(example_files);
        let register = o.string("registeredModelName")?;
        finish(
            &s, model_id, run, &name, given, mlmodel, &flavors, register, &utc,
        )
        .await
    })
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct ModelInfoDto {
    model_id: Option<String>,
    model_uri: String,
    run_id: Option<String>,
    name: String,
    artifact_path: Option<String>,
    flavors: serde_json::Map<String, Json>,
    signature: Option<Json>,
    model_uuid: Option<String>,
    utc_time_created: Option<String>,
    mlflow_version: Option<String>,
    metadata: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registered_model_version: Option<String>,
}

fn model_info(m: &MlModel, name: &str) -> ModelInfoDto {
    ModelInfoDto {
        model_id: m.string("model_id"),
        run_id: m.string("run_id"),
        name: name.to_owned(),
        artifact_path: m.string("artifact_path"),
        flavors: m.flavors().into_iter().collect(),
        signature: m.signature().map(|s| s.to_json()),
        model_uuid: m.string("model_uuid"),
        utc_time_created: m.string("utc_time_created"),
        mlflow_version: m.string("mlflow_version"),
        metadata: m
            .to_json()
            .get("metadata")
            .cloned()
            .filter(|v| !v.is_null()),
        ..ModelInfoDto::default()
    }
}

/// `getModelInfo(modelUri) → ModelInfo`: the model's `MLmodel`, as
/// `mlflow.models.get_model_info` reads it.
#[wasm_bindgen(js_name = getModelInfo, unchecked_return_type = "Promise<ModelInfo>")]
pub fn get_model_info(
    #[wasm_bindgen(js_name = modelUri, unchecked_param_type = "string")] model_uri: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let uri = required_string(&model_uri, "modelUri")?;
        let (files, version, mlmodel) = mlmodel_of(&s, &uri).await?;
        let name = match &files {
            ModelFiles::LoggedModel { model_id } => {
                s.read(|t| t.logged_model(model_id).map(|m| m.name.clone()))?
            }
            ModelFiles::RunArtifacts { path, .. } => {
                path.rsplit('/').next().unwrap_or_default().to_owned()
            }
        };
        let mut info = model_info(&mlmodel, &name);
        info.model_uri = uri;
        if let ModelFiles::LoggedModel { model_id } = &files {
            info.model_id.get_or_insert_with(|| model_id.clone());
        }
        info.registered_model_version = version.map(|(_, v)| v.to_string());
        Ok(to_js(&info))
    })
}

/// `loadModel(modelUri) → IOHandler` for TF.js: `tf.loadLayersModel(await
/// mlflow.loadModel("models:/mnist@champion"))`. The files are read at once, so a URI
/// that does not resolve rejects here.
#[wasm_bindgen(js_name = loadModel, unchecked_return_type = "Promise<ModelIOHandler>")]
pub fn load_model(
    #[wasm_bindgen(js_name = modelUri, unchecked_param_type = "string")] model_uri: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let uri = required_string(&model_uri, "modelUri")?;
        let (files, _, mlmodel) = mlmodel_of(&s, &uri).await?;
        let flavors = mlmodel.flavors();
        let Some((_, tfjs)) = flavors.iter().find(|(n, _)| n == "tfjs") else {
            let names: Vec<&str> = flavors.iter().map(|(n, _)| n.as_str()).collect();
            return Err(errors::invalid_arg(format!(
                "The model at '{uri}' has no tfjs flavor (it has {}): loadModel gives TF.js IOHandlers; use downloadModelArtifact for its files.",
                if names.is_empty() { "none".to_owned() } else { names.join(", ") }
            )));
        };
        let json_path = tfjs
            .get("model_json")
            .and_then(Json::as_str)
            .unwrap_or("model.json");
        let model_json = String::from_utf8(file_of(&s, &files, &uri, json_path).await?)
            .map_err(|_| errors::invalid_arg(format!("{json_path} is not UTF-8 text")))?;
        let parsed: Json = serde_json::from_str(&model_json)
            .map_err(|e| errors::invalid_arg(format!("{json_path} is not JSON: {e}")))?;
        let dir = json_path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut weights = Vec::new();
        for group in parsed["weightsManifest"].as_array().into_iter().flatten() {
            for p in group["paths"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
            {
                let rel = p.trim_start_matches("./");
                let path = if dir.is_empty() {
                    rel.to_owned()
                } else {
                    format!("{dir}/{rel}")
                };
                weights.extend(file_of(&s, &files, &uri, &path).await?);
            }
        }
        Ok(io_handler(
            &model_json,
            &Uint8Array::from(weights.as_slice()),
        ))
    })
}

/// `downloadModelArtifact(modelUri, path) → Blob`: one file of a model.
#[wasm_bindgen(js_name = downloadModelArtifact, unchecked_return_type = "Promise<Blob>")]
pub fn download_model_artifact(
    #[wasm_bindgen(js_name = modelUri, unchecked_param_type = "string")] model_uri: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let uri = required_string(&model_uri, "modelUri")?;
        let path = required_string(&path, "path")?;
        let (files, _) = files_of(&s, &uri).await?;
        let bytes = file_of(&s, &files, &uri, &path).await?;
        Ok(
            super::artifacts::blob(&bytes, crate::core::tracking::artifacts::mime_type(&path))?
                .into(),
        )
    })
}

/// `getLoggedModel(modelId) → LoggedModel`.
#[wasm_bindgen(js_name = getLoggedModel, unchecked_return_type = "Promise<LoggedModel>")]
pub fn get_logged_model(
    #[wasm_bindgen(js_name = modelId, unchecked_param_type = "string")] model_id: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let id = required_string(&model_id, "modelId")?;
        let mut needs = Needs::default();
        needs.logged_models.insert(id.clone());
        s.know(needs).await?;
        Ok(s.read(|t| t.logged_model(&id).map(|m| to_js(&logged_model_dto(m))))?)
    })
}

/// `searchLoggedModels({experimentIds?, filter?, orderBy?, maxResults?}) →
/// LoggedModel[]`: active models, newest first unless ordered.
#[wasm_bindgen(js_name = searchLoggedModels, unchecked_return_type = "Promise<LoggedModel[]>")]
pub fn search_logged_models(
    #[wasm_bindgen(unchecked_optional_param_type = "SearchLoggedModelsOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let o = Opts::new(&options, "searchLoggedModels options")?;
        let ids = o.strings("experimentIds")?;
        let filter = o.string("filter")?.unwrap_or_default();
        let order = o.strings("orderBy")?;
        let max = super::experiments::max_results(&o)?;
        for id in &ids {
            s.know_experiment(id).await?;
        }
        let out = Array::new();
        s.read(|t| {
            for m in
                crate::core::registry::queries::search_logged_models(t, &ids, &filter, &order, max)?
            {
                out.push(&to_js(&logged_model_dto(m)));
            }
            Ok::<_, crate::core::tracking::queries::QueryError>(())
        })?;
        Ok(out.into())
    })
}
