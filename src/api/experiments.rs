//! Experiments: create, set, get, search, rename, delete, restore, tag.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::args::{opt_string, required_string, Opts};
use super::dto::{to_js, ExperimentDto};
use super::{errors, with_service, write_by_id, IdOf};
use crate::core::tracking::model::ViewType;
use crate::service::now_ms;

fn experiment_js(s: &crate::service::Service, id: &str) -> Result<JsValue, JsValue> {
    Ok(s.read(|t| t.experiment(id).map(|e| to_js(&ExperimentDto::from(e))))?)
}

/// `createExperiment(name, {tags?, artifactLocation?}) → id`.
#[wasm_bindgen(js_name = createExperiment, unchecked_return_type = "Promise<string>")]
pub fn create_experiment(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CreateExperimentOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        let o = Opts::new(&options, "createExperiment options")?;
        let (tags, loc) = (o.string_map("tags")?, o.string("artifactLocation")?);
        // Names are unique across contexts: the merge refuses one another took first.
        let (id, _) = s
            .write_committed(|t| t.create_experiment(&name, loc, tags, now_ms()))
            .await?;
        Ok(id.into())
    })
}

/// `setExperiment(name)`: creates the experiment if missing and makes it active.
#[wasm_bindgen(js_name = setExperiment, unchecked_return_type = "Promise<Experiment>")]
pub fn set_experiment(#[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> Promise {
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        // Made here or found; when another context creates the name meanwhile, the
        // merge resolves this call to that experiment.
        let (mine, outcomes) = s
            .write_committed(|t| t.set_experiment(&name, now_ms()))
            .await?;
        let id = outcomes.into_iter().flatten().next().unwrap_or(mine);
        super::set_active_experiment(Some(id.clone()));
        experiment_js(&s, &id)
    })
}

/// `getExperiment(id) → Experiment`.
#[wasm_bindgen(js_name = getExperiment, unchecked_return_type = "Promise<Experiment>")]
pub fn get_experiment(
    #[wasm_bindgen(js_name = experimentId, unchecked_param_type = "string")] experiment_id: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let id = required_string(&experiment_id, "experimentId")?;
        s.know_experiment(&id).await?;
        experiment_js(&s, &id)
    })
}

/// `getExperimentByName(name) → Experiment | null`.
#[wasm_bindgen(js_name = getExperimentByName, unchecked_return_type = "Promise<Experiment | null>")]
pub fn get_experiment_by_name(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Promise {
    with_service(move |s| async move {
        let name = required_string(&name, "name")?;
        if s.read(|t| t.experiment_by_name(&name).is_none()) {
            s.know_experiments().await?;
        }
        Ok(s.read(|t| {
            t.experiment_by_name(&name)
                .map(|e| to_js(&ExperimentDto::from(e)))
                .unwrap_or(JsValue::NULL)
        }))
    })
}

pub(super) fn view_type(o: &Opts) -> Result<ViewType, JsValue> {
    match o.string("viewType")? {
        None => Ok(ViewType::ActiveOnly),
        Some(v) => ViewType::parse(&v).ok_or_else(|| {
            errors::invalid_arg(format!(
                "viewType must be ACTIVE_ONLY, DELETED_ONLY or ALL, got '{v}'"
            ))
        }),
    }
}

pub(super) fn max_results(o: &Opts) -> Result<Option<usize>, JsValue> {
    match o.number("maxResults")? {
        None => Ok(None),
        Some(n) if n >= 1.0 && n.fract() == 0.0 => Ok(Some(n as usize)),
        Some(n) => Err(errors::invalid_arg(format!(
            "maxResults must be a positive integer, got {n}"
        ))),
    }
}

/// `searchExperiments({viewType?, filter?, orderBy?, maxResults?}) → Experiment[]`.
#[wasm_bindgen(js_name = searchExperiments, unchecked_return_type = "Promise<Experiment[]>")]
pub fn search_experiments(
    #[wasm_bindgen(unchecked_optional_param_type = "SearchExperimentsOptions")] options: Option<
        JsValue,
    >,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);

    with_service(move |s| async move {
        let o = Opts::new(&options, "searchExperiments options")?;
        let view = view_type(&o)?;
        let filter = o.string("filter")?.unwrap_or_default();
        let order = o.strings("orderBy")?;
        let max = max_results(&o)?;
        let out = js_sys::Array::new();
        s.read(|t| {
            for e in
                crate::core::tracking::queries::search_experiments(t, view, &filter, &order, max)?
            {
                out.push(&to_js(&ExperimentDto::from(e)));
            }
            Ok::<_, crate::core::tracking::queries::QueryError>(())
        })?;
        Ok(out.into())
    })
}

/// `renameExperiment(id, newName)`.
#[wasm_bindgen(js_name = renameExperiment, unchecked_return_type = "Promise<void>")]
pub fn rename_experiment(
    #[wasm_bindgen(js_name = experimentId, unchecked_param_type = "string")] experiment_id: JsValue,
    #[wasm_bindgen(js_name = newName, unchecked_param_type = "string")] new_name: JsValue,
) -> Promise {
    match required_string(&new_name, "newName") {
        Ok(n) => write_by_id(&experiment_id, IdOf::Experiment, move |t, id| {
            t.rename_experiment(id, &n, now_ms())
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// `deleteExperiment(id)`: soft delete (runs too); restorable.
#[wasm_bindgen(js_name = deleteExperiment, unchecked_return_type = "Promise<void>")]
pub fn delete_experiment(
    #[wasm_bindgen(js_name = experimentId, unchecked_param_type = "string")] experiment_id: JsValue,
) -> Promise {
    write_by_id(&experiment_id, IdOf::Experiment, |t, id| {
        t.delete_experiment(id, now_ms())
    })
}

/// `restoreExperiment(id)`.
#[wasm_bindgen(js_name = restoreExperiment, unchecked_return_type = "Promise<void>")]
pub fn restore_experiment(
    #[wasm_bindgen(js_name = experimentId, unchecked_param_type = "string")] experiment_id: JsValue,
) -> Promise {
    write_by_id(&experiment_id, IdOf::Experiment, |t, id| {
        t.restore_experiment(id, now_ms())
    })
}

/// `setExperimentTag(id, key, value)`.
#[wasm_bindgen(js_name = setExperimentTag, unchecked_return_type = "Promise<void>")]
pub fn set_experiment_tag(
    #[wasm_bindgen(js_name = experimentId, unchecked_param_type = "string")] experiment_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | number | boolean")] value: JsValue,
) -> Promise {
    let kv = required_string(&key, "key")
        .and_then(|k| Ok((k, opt_string(&value, "value")?.unwrap_or_default())));
    match kv {
        Ok((k, v)) => write_by_id(&experiment_id, IdOf::Experiment, move |t, id| {
            t.set_experiment_tag(id, &k, &v, now_ms())
        }),
        Err(e) => Promise::reject(&e),
    }
}

/// `deleteExperimentTag(id, key)`.
#[wasm_bindgen(js_name = deleteExperimentTag, unchecked_return_type = "Promise<void>")]
pub fn delete_experiment_tag(
    #[wasm_bindgen(js_name = experimentId, unchecked_param_type = "string")] experiment_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Promise {
    match required_string(&key, "key") {
        Ok(k) => write_by_id(&experiment_id, IdOf::Experiment, move |t, id| {
            t.delete_experiment_tag(id, &k)
        }),
        Err(e) => Promise::reject(&e),
    }
}
