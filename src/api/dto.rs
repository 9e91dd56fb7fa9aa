//! The shapes the JS API returns, in camelCase, and their TypeScript declarations.

use std::collections::BTreeMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::tracking::model::{Experiment, Run};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** An experiment, as `mlflow.getExperiment` returns it. */
export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: "active" | "deleted";
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: Record<string, string>;
}
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: "active" | "deleted";
  artifactUri: string;
  userId: string;
}
export interface RunData {
  params: Record<string, string>;
  /** Latest value per key, chosen as MLflow does: max by (step, timestamp, value). */
  metrics: Record<string, number>;
  tags: Record<string, string>;
}
export interface Run { info: RunInfo; data: RunData; }
export interface Metric { step: number; timestamp: number; value: number; }
export interface FileInfo { path: string; isDir: boolean; fileSize: number | null; }
/** Logs to this run instead of the active one (like MlflowClient). */
export interface RunTarget { runId?: string; }
export interface MetricOptions extends RunTarget { step?: number; timestamp?: number; }
export interface StartRunOptions {
  runName?: string; experimentId?: string; nested?: boolean; parentRunId?: string;
  /** Resume an existing run. */
  runId?: string;
  tags?: Record<string, string>; description?: string;
  /** Browser system metrics under system/ every 10 s until the run ends. */
  logSystemMetrics?: boolean;
}
export interface SearchRunsOptions {
  experimentIds?: string[]; filter?: string; orderBy?: string[]; maxResults?: number; viewType?: ViewType;
}
export interface SearchExperimentsOptions {
  viewType?: ViewType; filter?: string; orderBy?: string[]; maxResults?: number;
}
export interface CreateExperimentOptions { tags?: Record<string, string>; artifactLocation?: string; }
/** Errors thrown by the API carry MLflow's error code. */
export interface MlflowError extends Error {
  code: "RESOURCE_DOES_NOT_EXIST" | "INVALID_PARAMETER_VALUE" | "RESOURCE_ALREADY_EXISTS" | "INVALID_STATE"
    | "RESOURCE_EXHAUSTED" | "TEMPORARILY_UNAVAILABLE" | "INTERNAL_ERROR";
}
"#;

/// `Experiment` in camelCase.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentDto<'a> {
    experiment_id: &'a str,
    name: &'a str,
    artifact_location: &'a str,
    lifecycle_stage: &'a str,
    creation_time: Option<f64>,
    last_update_time: Option<f64>,
    tags: &'a BTreeMap<String, String>,
}

impl<'a> From<&'a Experiment> for ExperimentDto<'a> {
    fn from(e: &'a Experiment) -> Self {
        ExperimentDto {
            experiment_id: &e.experiment_id,
            name: &e.name,
            artifact_location: &e.artifact_location,
            lifecycle_stage: e.lifecycle_stage.as_str(),
            creation_time: e.creation_time.map(|t| t as f64),
            last_update_time: e.last_update_time.map(|t| t as f64),
            tags: &e.tags,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunInfoDto<'a> {
    run_id: &'a str,
    run_name: &'a str,
    experiment_id: &'a str,
    status: &'a str,
    start_time: f64,
    end_time: Option<f64>,
    lifecycle_stage: &'a str,
    artifact_uri: &'a str,
    user_id: &'a str,
}

#[derive(Serialize)]
struct RunDataDto<'a> {
    params: &'a BTreeMap<String, String>,
    metrics: BTreeMap<&'a str, f64>,
    tags: &'a BTreeMap<String, String>,
}

/// `Run` in camelCase: `{info, data}`.
#[derive(Serialize)]
pub struct RunDto<'a> {
    info: RunInfoDto<'a>,
    data: RunDataDto<'a>,
}

impl<'a> From<&'a Run> for RunDto<'a> {
    fn from(r: &'a Run) -> Self {
        let i = &r.info;
        RunDto {
            info: RunInfoDto {
                run_id: &i.run_id,
                run_name: &i.run_name,
                experiment_id: &i.experiment_id,
                status: i.status.as_str(),
                start_time: i.start_time as f64,
                end_time: i.end_time.map(|t| t as f64),
                lifecycle_stage: i.lifecycle_stage.as_str(),
                artifact_uri: &i.artifact_uri,
                user_id: &i.user_id,
            },
            data: RunDataDto {
                params: &r.params,
                metrics: r
                    .metrics
                    .iter()
                    .map(|(k, p)| (k.as_str(), p.value))
                    .collect(),
                tags: &r.tags,
            },
        }
    }
}

/// An artifact listing entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileInfoDto {
    /// Path relative to the artifact root.
    pub path: String,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Size in bytes (files only).
    pub file_size: Option<f64>,
}

/// Serializes a DTO to a plain JS value (maps as objects, NaN kept).
pub fn to_js<T: Serialize>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    v.serialize(&ser).expect("DTOs serialize")
}
