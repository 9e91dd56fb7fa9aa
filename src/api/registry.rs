//! The Model Registry: registered models, versions, tags, aliases, stages. Names and
//! shapes mirror MLflow's client in camelCase; versions are strings, as in MLflow's
//! REST API. Writes resolve once merged into the store (a name another context took
//! first is refused then).

use std::collections::BTreeMap;

use js_sys::{Array, Promise};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::args::{required_string, value_to_string, Opts};
use super::dto::to_js;
use super::{errors, with_service};
use crate::core::models::resolve::{resolve, ModelFiles};
use crate::core::registry::queries::{search_model_versions, search_registered_models};
use crate::core::registry::rules::parse_version;
use crate::core::registry::{ModelVersion, RegisteredModel, Stage};
use crate::core::tracking::{Needs, NewVersion};
use crate::service::{now_ms, Service};

#[wasm_bindgen(typescript_custom_section)]
const TS_REGISTRY: &str = r#"
/** A registered model, as `mlflow.getRegisteredModel` returns it. */
export interface RegisteredModel {
  name: string;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  description: string | null;
  tags: Record<string, string>;
  /** Alias → version. */
  aliases: Record<string, string>;
  /** The newest version of each stage. */
  latestVersions: ModelVersion[];
}
export type ModelStage = "None" | "Staging" | "Production" | "Archived";
/** A model version, as `mlflow.getModelVersion` returns it. */
export interface ModelVersion {
  name: string;
  /** A string, as in MLflow's REST API: "1", "2", … */
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number | null;
  description: string | null;
  userId: string | null;
  currentStage: ModelStage;
  source: string | null;
  runId: string | null;
  runLink: string | null;
  status: "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";
  statusMessage: string | null;
  tags: Record<string, string>;
  aliases: string[];
  /** The LoggedModel it is (MLflow 3). */
  modelId: string | null;
}
export interface CreateRegisteredModelOptions { tags?: Record<string, string>; description?: string; }
export interface RegisterModelOptions { tags?: Record<string, string>; description?: string; }
export interface SearchRegistryOptions { filter?: string; orderBy?: string[]; maxResults?: number; }
export interface DescriptionOptions { description?: string | null; }
export interface TransitionOptions { archiveExistingVersions?: boolean; }
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionDto<'a> {
    name: &'a str,
    version: String,
    creation_timestamp: f64,
    last_updated_timestamp: Option<f64>,
    description: Option<&'a str>,
    user_id: Option<&'a str>,
    current_stage: &'a str,
    source: Option<&'a str>,
    run_id: Option<&'a str>,
    run_link: Option<&'a str>,
    status: &'a str,
    status_message: Option<&'a str>,
    tags: &'a BTreeMap<String, String>,
    aliases: Vec<String>,
    model_id: Option<&'a str>,
}

fn version_dto<'a>(m: &'a RegisteredModel, v: &'a ModelVersion) -> VersionDto<'a> {
    VersionDto {
        name: &v.name,
        version: v.version.to_string(),
        creation_timestamp: v.creation_timestamp as f64,
        last_updated_timestamp: v.last_updated_timestamp.map(|t| t as f64),
        description: v.description.as_deref(),
        user_id: v.user_id.as_deref(),
        current_stage: v.current_stage.as_str(),
        source: v.source.as_deref(),
        run_id: v.run_id.as_deref(),
        run_link: v.run_link.as_deref(),
        status: v.status.as_str(),
        status_message: v.status_message.as_deref(),
        tags: &v.tags,
        aliases: m.aliases_of(v.version),
        model_id: v.model_id.as_deref(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelDto<'a> {
    name: &'a str,
    creation_timestamp: Option<f64>,
    last_updated_timestamp: Option<f64>,
    description: Option<&'a str>,
    tags: &'a BTreeMap<String, String>,
    aliases: BTreeMap<&'a str, String>,
    latest_versions: Vec<VersionDto<'a>>,
}

fn model_dto(m: &RegisteredModel) -> ModelDto<'_> {
    ModelDto {
        name: &m.name,
        creation_timestamp: m.creation_timestamp.map(|t| t as f64),
        last_updated_timestamp: m.last_updated_timestamp.map(|t| t as f64),
        description: m.description.as_deref(),
        tags: &m.tags,
        aliases: m
            .aliases
            .iter()
            .map(|(a, v)| (a.as_str(), v.to_string()))
            .collect(),
        latest_versions: m
            .latest_versions()
            .into_iter()
            .map(|v| version_dto(m, v))
            .collect(),
    }
}

/// A registered model as JS, after reading it through if this view lacks it.
async fn model_js(s: &Service, name: &str) -> Result<JsValue, JsValue> {
    know_model(s, name).await?;
    Ok(s.read(|t| t.registered_model(name).map(|m| to_js(&model_dto(m))))?)
}

/// A live version as JS.
async fn version_js(s: &Service, name: &str, version: u64) -> Result<JsValue, JsValue> {
    know_model(s, name).await?;
    Ok(s.read(|t| {
        let m = t.registered_model(name)?;
        t.model_version(name, version)
            .map(|v| to_js(&version_dto(m, v)))
    })?)
}

async fn know_model(s: &Service, name: &str) -> Result<(), JsValue> {
    let mut needs = Needs::default();
    needs.registered_models.insert(name.to_owned());
    Ok(s.know(needs).await?)
}

/// A version argument: `"3"` or `3`.
fn version_arg(v: &JsValue) -> Result<u64, JsValue> {
    let text = value_to_string(v, "version")?;
    Ok(parse_version(&text)?)
}

fn description(o: &Opts) -> Result<Option<String>, JsValue> {
    o.string("description")
}

/// `createRegisteredModel(name, {tags?, description?}) → RegisteredModel`.
#[wasm_bindgen(js_name = createRegisteredModel, unchecked_return_type = "Promise<RegisteredModel>")]
pub fn create_registered_model(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CreateRegisteredModelOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        let o = Opts::new(&options, "createRegisteredModel options")?;
        let (tags, desc) = (o.string_map("tags")?, description(&o)?);
        know_model(&s, &name).await?;
        s.write_committed(|t| t.create_registered_model(&name, desc, tags, now_ms()))
            .await?;
        model_js(&s, &name).await
    })
}

/// `registerModel(modelUri, name, {tags?, description?}) → ModelVersion`: a new version
/// of `name` (created if missing), as `mlflow.register_model`.
#[wasm_bindgen(js_name = registerModel, unchecked_return_type = "Promise<ModelVersion>")]
pub fn register_model(
    #[wasm_bindgen(js_name = modelUri, unchecked_param_type = "string")] model_uri: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RegisterModelOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let uri = required_string(&model_uri, "modelUri")?;
        let name = required_string(&name, "name")?;
        let o = Opts::new(&options, "registerModel options")?;
        let version = register(&s, &uri, &name, o.string_map("tags")?, description(&o)?).await?;
        version_js(&s, &name, version).await
    })
}

/// Registers `uri` as a new version of `name`; returns its number.
pub(super) async fn register(
    s: &std::rc::Rc<Service>,
    uri: &str,
    name: &str,
    tags: BTreeMap<String, String>,
    description: Option<String>,
) -> Result<u64, JsValue> {
    super::models::know_uri(s, uri).await?;
    know_model(s, name).await?;
    let (model_id, run_id) = s.read(|t| {
        let r = resolve(t, uri)?;
        Ok::<_, crate::core::tracking::TrackingError>(match r.files {
            ModelFiles::LoggedModel { model_id } => {
                let run = t.logged_model(&model_id)?.source_run_id.clone();
                (Some(model_id), run)
            }
            ModelFiles::RunArtifacts { run_id, .. } => (None, Some(run_id)),
        })
    })?;
    let args = NewVersion {
        name: name.to_owned(),
        source: uri.to_owned(),
        run_id,
        model_id,
        description,
        tags,
        create_model: true,
        ..Default::default()
    };
    let (_, outcomes) = s
        .write_committed(|t| t.create_model_version(args, now_ms()))
        .await?;
    outcomes
        .last()
        .cloned()
        .flatten()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| errors::invalid_arg("the registry gave the new version no number"))
}

/// `getRegisteredModel(name) → RegisteredModel`.
#[wasm_bindgen(js_name = getRegisteredModel, unchecked_return_type = "Promise<RegisteredModel>")]
pub fn get_registered_model(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        model_js(&s, &name).await
    })
}

fn search_opts(o: &Opts) -> Result<(String, Vec<String>, Option<usize>), JsValue> {
    Ok((
        o.string("filter")?.unwrap_or_default(),
        o.strings("orderBy")?,
        super::experiments::max_results(o)?,
    ))
}

/// `searchRegisteredModels({filter?, orderBy?, maxResults?}) → RegisteredModel[]`.
#[wasm_bindgen(js_name = searchRegisteredModels, unchecked_return_type = "Promise<RegisteredModel[]>")]
pub fn search_registered_models_js(
    #[wasm_bindgen(unchecked_optional_param_type = "SearchRegistryOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let (filter, order, max) =
            search_opts(&Opts::new(&options, "searchRegisteredModels options")?)?;
        let out = Array::new();
        s.read(|t| {
            for m in search_registered_models(t, &filter, &order, max)? {
                out.push(&to_js(&model_dto(m)));
            }
            Ok::<_, crate::core::tracking::queries::QueryError>(())
        })?;
        Ok(out.into())
    })
}

/// `searchModelVersions({filter?, orderBy?, maxResults?}) → ModelVersion[]`.
#[wasm_bindgen(js_name = searchModelVersions, unchecked_return_type = "Promise<ModelVersion[]>")]
pub fn search_model_versions_js(
    #[wasm_bindgen(unchecked_optional_param_type = "SearchRegistryOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let (filter, order, max) =
            search_opts(&Opts::new(&options, "searchModelVersions options")?)?;
        let out = Array::new();
        s.read(|t| {
            for v in search_model_versions(t, &filter, &order, max)? {
                let m = t.registered_model(&v.name)?;
                out.push(&to_js(&version_dto(m, v)));
            }
            Ok::<_, crate::core::tracking::queries::QueryError>(())
        })?;
        Ok(out.into())
    })
}

/// A registry change addressed by model name, resolved once merged; `then` gives
/// what the call returns.
fn change_model<F, T>(name: JsValue, f: F, then: T) -> Promise
where
    F: FnOnce(&mut crate::core::tracking::Tracker, &str) -> crate::core::tracking::Result<()>
        + 'static,
    T: FnOnce(
            std::rc::Rc<Service>,
            String,
        ) -> futures::future::LocalBoxFuture<'static, Result<JsValue, JsValue>>
        + 'static,
{
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        know_model(&s, &name).await?;
        s.write_committed(|t| f(t, &name)).await?;
        then(s, name).await
    })
}

fn nothing(
    _: std::rc::Rc<Service>,
    _: String,
) -> futures::future::LocalBoxFuture<'static, Result<JsValue, JsValue>> {
    Box::pin(async { Ok(JsValue::UNDEFINED) })
}

fn the_model(
    s: std::rc::Rc<Service>,
    name: String,
) -> futures::future::LocalBoxFuture<'static, Result<JsValue, JsValue>> {
    Box::pin(async move { model_js(&s, &name).await })
}

/// `renameRegisteredModel(name, newName) → RegisteredModel` (versions, tags and
/// aliases follow).
#[wasm_bindgen(js_name = renameRegisteredModel, unchecked_return_type = "Promise<RegisteredModel>")]
pub fn rename_registered_model(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(js_name = newName, unchecked_param_type = "string")] new_name: JsValue,
) -> Promise {
    let new_name = required_string(&new_name, "newName");
    with_service(move |s| async move {
        let new_name = new_name?;
        let name = required_string(&name, "name")?;
        know_model(&s, &name).await?;
        know_model(&s, &new_name).await?;
        s.write_committed(|t| t.rename_registered_model(&name, &new_name, now_ms()))
            .await?;
        model_js(&s, &new_name).await
    })
}

/// `updateRegisteredModel(name, {description}) → RegisteredModel`.
#[wasm_bindgen(js_name = updateRegisteredModel, unchecked_return_type = "Promise<RegisteredModel>")]
pub fn update_registered_model(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "DescriptionOptions")] options: Option<JsValue>,
) -> Promise {
    let desc = Opts::new(
        &options.unwrap_or(JsValue::UNDEFINED),
        "updateRegisteredModel options",
    )
    .and_then(|o| description(&o));
    match desc {
        Ok(d) => change_model(
            name,
            move |t, n| t.update_registered_model(n, d, now_ms()),
            the_model,
        ),
        Err(e) => Promise::reject(&e),
    }
}

/// `deleteRegisteredModel(name)`: the model and all its versions.
#[wasm_bindgen(js_name = deleteRegisteredModel, unchecked_return_type = "Promise<void>")]
pub fn delete_registered_model(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Promise {
    change_model(name, |t, n| t.delete_registered_model(n), nothing)
}

/// `setRegisteredModelTag(name, key, value)`.
#[wasm_bindgen(js_name = setRegisteredModelTag, unchecked_return_type = "Promise<void>")]
pub fn set_registered_model_tag(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number | boolean")] value: JsValue,
) -> Promise {
    let kv = required_string(&key, "key").and_then(|k| Ok((value_to_string(&value, &k)?, k)));
    match kv {
        Ok((v, k)) => change_model(
            name,
            move |t, n| t.set_registered_model_tag(n, &k, &v),
            nothing,
        ),
        Err(e) => Promise::reject(&e),
    }
}

/// `deleteRegisteredModelTag(name, key)`.
#[wasm_bindgen(js_name = deleteRegisteredModelTag, unchecked_return_type = "Promise<void>")]
pub fn delete_registered_model_tag(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Promise {
    match required_string(&key, "key") {
        Ok(k) => change_model(
            name,
            move |t, n| t.delete_registered_model_tag(n, &k),
            nothing,
        ),
        Err(e) => Promise::reject(&e),
    }
}

/// A change addressed by (name, version), resolved once merged; resolves to the
/// version (or nothing when `returns_version` is false).
fn change_version(
    name: JsValue,
    version: JsValue,
    returns_version: bool,
    f: impl FnOnce(&mut crate::core::tracking::Tracker, &str, u64) -> crate::core::tracking::Result<()>
        + 'static,
) -> Promise {
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        let version = version_arg(&version)?;
        know_model(&s, &name).await?;
        s.write_committed(|t| f(t, &name, version)).await?;
        if returns_version {
            version_js(&s, &name, version).await
        } else {
            Ok(JsValue::UNDEFINED)
        }
    })
}

/// `getModelVersion(name, version) → ModelVersion`.
#[wasm_bindgen(js_name = getModelVersion, unchecked_return_type = "Promise<ModelVersion>")]
pub fn get_model_version(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number")] version: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        let version = version_arg(&version)?;
        version_js(&s, &name, version).await
    })
}

/// `updateModelVersion(name, version, {description}) → ModelVersion`.
#[wasm_bindgen(js_name = updateModelVersion, unchecked_return_type = "Promise<ModelVersion>")]
pub fn update_model_version(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number")] version: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "DescriptionOptions")] options: Option<JsValue>,
) -> Promise {
    let desc = Opts::new(
        &options.unwrap_or(JsValue::UNDEFINED),
        "updateModelVersion options",
    )
    .and_then(|o| description(&o));
    match desc {
        Ok(d) => change_version(name, version, true, move |t, n, v| {
            t.update_model_version(n, v, d, now_ms())
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// `deleteModelVersion(name, version)`: hidden for good; its number is never reused.
#[wasm_bindgen(js_name = deleteModelVersion, unchecked_return_type = "Promise<void>")]
pub fn delete_model_version(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number")] version: JsValue,
) -> Promise {
    change_version(name, version, false, |t, n, v| {
        t.delete_model_version(n, v, now_ms())
    })
}

/// `setModelVersionTag(name, version, key, value)`.
#[wasm_bindgen(js_name = setModelVersionTag, unchecked_return_type = "Promise<void>")]
pub fn set_model_version_tag(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number")] version: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number | boolean")] value: JsValue,
) -> Promise {
    let kv = required_string(&key, "key").and_then(|k| Ok((value_to_string(&value, &k)?, k)));
    match kv {
        Ok((val, k)) => change_version(name, version, false, move |t, n, v| {
            t.set_model_version_tag(n, v, &k, &val)
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// `deleteModelVersionTag(name, version, key)`.
#[wasm_bindgen(js_name = deleteModelVersionTag, unchecked_return_type = "Promise<void>")]
pub fn delete_model_version_tag(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number")] version: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Promise {
    match required_string(&key, "key") {
        Ok(k) => change_version(name, version, false, move |t, n, v| {
            t.delete_model_version_tag(n, v, &k)
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// `setRegisteredModelAlias(name, alias, version)`: the alias names that version
/// (moved if it named another). `latest` and `v<digits>` are reserved.
#[wasm_bindgen(js_name = setRegisteredModelAlias, unchecked_return_type = "Promise<void>")]
pub fn set_registered_model_alias(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] alias: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number")] version: JsValue,
) -> Promise {
    match required_string(&alias, "alias") {
        Ok(a) => change_version(name, version, false, move |t, n, v| {
            t.set_alias(n, &a, v, now_ms())
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// `deleteRegisteredModelAlias(name, alias)`.
#[wasm_bindgen(js_name = deleteRegisteredModelAlias, unchecked_return_type = "Promise<void>")]
pub fn delete_registered_model_alias(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] alias: JsValue,
) -> Promise {
    match required_string(&alias, "alias") {
        Ok(a) => change_model(name, move |t, n| t.delete_alias(n, &a), nothing),
        Err(e) => Promise::reject(&e),
    }
}

/// `getModelVersionByAlias(name, alias) → ModelVersion`.
#[wasm_bindgen(js_name = getModelVersionByAlias, unchecked_return_type = "Promise<ModelVersion>")]
pub fn get_model_version_by_alias(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] alias: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        let alias = required_string(&alias, "alias")?;
        know_model(&s, &name).await?;
        let version = s.read(|t| {
            let m = t.registered_model(&name)?;
            m.aliases.get(&alias).copied().ok_or_else(|| {
                crate::core::tracking::invalid(format!("Registered model alias {alias} not found."))
            })
        })?;
        version_js(&s, &name, version).await
    })
}

/// `transitionModelVersionStage(name, version, stage, {archiveExistingVersions?}) →
/// ModelVersion` (deprecated in MLflow in favour of aliases; still stored).
#[wasm_bindgen(js_name = transitionModelVersionStage, unchecked_return_type = "Promise<ModelVersion>")]
pub fn transition_model_version_stage(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number")] version: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ModelStage")] stage: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TransitionOptions")] options: Option<JsValue>,
) -> Promise {
    let parsed = (|| {
        let text = required_string(&stage, "stage")?;
        let stage = Stage::parse(&text).filter(|s| *s != Stage::DeletedInternal).ok_or_else(|| {
            errors::invalid_arg(format!(
                "Invalid Model Version stage: {text}. Value must be one of None, Staging, Production, Archived."
            ))
        })?;
        let o = Opts::new(
            &options.unwrap_or(JsValue::UNDEFINED),
            "transitionModelVersionStage options",
        )?;
        Ok::<_, JsValue>((stage, o.bool("archiveExistingVersions")?))
    })();
    match parsed {
        Ok((stage, archive)) => change_version(name, version, true, move |t, n, v| {
            t.transition_stage(n, v, stage, archive, now_ms())
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// `getLatestVersions(name, {stages?}) → ModelVersion[]`: the newest version of each
/// stage (or of the given stages).
#[wasm_bindgen(js_name = getLatestVersions, unchecked_return_type = "Promise<ModelVersion[]>")]
pub fn get_latest_versions(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ stages?: ModelStage[] }")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        let stages: Vec<Stage> = Opts::new(&options, "getLatestVersions options")?
            .strings("stages")?
            .iter()
            .map(|st| {
                Stage::parse(st).ok_or_else(|| {
                    errors::invalid_arg(format!("Invalid Model Version stage: {st}."))
                })
            })
            .collect::<Result<_, _>>()?;
        know_model(&s, &name).await?;
        let out = Array::new();
        s.read(|t| {
            let m = t.registered_model(&name)?;
            for v in m.latest_versions() {
                if stages.is_empty() || stages.contains(&v.current_stage) {
                    out.push(&to_js(&version_dto(m, v)));
                }
            }
            Ok::<_, crate::core::tracking::TrackingError>(())
        })?;
        Ok(out.into())
    })
}
