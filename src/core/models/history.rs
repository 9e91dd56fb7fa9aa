//! A run's `mlflow.log-model.history` tag read back: the models MLflow 2.x logged as
//! run artifacts (`Model.get_tags_dict()`: `artifact_path`, `flavors`, `run_id`,
//! `utc_time_created`, `model_uuid`, …), and the sources that register them.

use serde_json::Value as Json;

/// One model the history tag records.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// The model's folder under the run's artifacts (`model`).
    pub artifact_path: String,
    /// Flavor name → parameters, by name.
    pub flavors: Vec<(String, Json)>,
    /// The run that logged it, as the entry says.
    pub run_id: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), as written.
    pub utc_time_created: Option<String>,
    /// The LoggedModel it also is (entries MLflow 3 or Ferroflow wrote).
    pub model_id: Option<String>,
}

impl HistoryEntry {
    /// The source that registers it: `runs:/<run>/<artifact_path>`.
    pub fn source(&self, run_id: &str) -> String {
        format!("runs:/{run_id}/{}", self.artifact_path)
    }

    /// Flavor names in order.
    pub fn flavor_names(&self) -> Vec<String> {
        self.flavors.iter().map(|(n, _)| n.clone()).collect()
    }
}

fn text(o: &serde_json::Map<String, Json>, key: &str) -> Option<String> {
    o.get(key).and_then(Json::as_str).map(str::to_owned)
}

/// The entries of a history tag, oldest first; a path logged twice is listed once,
/// as its last entry (MLflow overwrote the files). Entries that are not objects with
/// an `artifact_path`, or a tag that is not a JSON list, give nothing.
pub fn parse_model_history(tag: &str) -> Vec<HistoryEntry> {
    let Ok(Json::Array(items)) = serde_json::from_str::<Json>(tag) else {
        return Vec::new();
    };
    let mut out: Vec<HistoryEntry> = Vec::new();
    for item in items {
        let Json::Object(o) = item else { continue };
        let Some(artifact_path) = text(&o, "artifact_path")
            .map(|p| p.trim_matches('/').to_owned())
            .filter(|p| !p.is_empty())
        else {
            continue;
        };
        let flavors = match o.get("flavors") {
            Some(Json::Object(f)) => f.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => Vec::new(),
        };
        let entry = HistoryEntry {
            flavors,
            run_id: text(&o, "run_id"),
            utc_time_created: text(&o, "utc_time_created"),
            model_id: text(&o, "model_id"),
            artifact_path,
        };
        out.retain(|e| e.artifact_path != entry.artifact_path);
        out.push(entry);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What MLflow 2.22 wrote for `mlflow.sklearn.log_model(m, "model")`, twice, plus
    /// a pyfunc model (a `json.dumps` list).
    const TAG: &str = r#"[{"run_id": "abc", "artifact_path": "model", "utc_time_created": "2024-01-01 10:00:00.000000", "flavors": {"python_function": {"model_path": "model.pkl", "loader_module": "mlflow.sklearn", "python_version": "3.11.4", "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}}, "sklearn": {"pickled_model": "model.pkl", "sklearn_version": "1.3.0", "serialization_format": "cloudpickle", "code": null}}, "model_uuid": "0f1e", "mlflow_version": "2.22.0"}, {"run_id": "abc", "artifact_path": "echo/", "utc_time_created": "2024-01-01 10:00:01.000000", "flavors": {"python_function": {"loader_module": "mlflow.pyfunc.model"}}, "model_uuid": "9a9a"}, {"run_id": "abc", "artifact_path": "model", "utc_time_created": "2024-01-01 10:00:02.000000", "flavors": {"sklearn": {}}}]"#;

    #[test]
    fn entries_as_mlflow_wrote_them_last_write_of_a_path_wins() {
        let e = parse_model_history(TAG);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].artifact_path, "echo");
        assert_eq!(e[0].flavor_names(), ["python_function"]);
        assert_eq!(e[0].source("abc"), "runs:/abc/echo");
        assert_eq!(e[1].artifact_path, "model");
        assert_eq!(
            e[1].utc_time_created.as_deref(),
            Some("2024-01-01 10:00:02.000000")
        );
        assert_eq!(e[1].flavor_names(), ["sklearn"]);
        assert_eq!(e[1].run_id.as_deref(), Some("abc"));
        assert_eq!(e[1].model_id, None);
    }

    #[test]
    fn what_is_not_a_history_gives_nothing() {
        for bad in [
            "",
            "not json",
            "{}",
            "[1, \"x\", {\"flavors\": {}}]",
            "[{\"artifact_path\": \"\"}]",
        ] {
            assert!(parse_model_history(bad).is_empty(), "{bad}");
        }
        let e = parse_model_history(r#"[{"artifact_path": "m", "model_id": "m-1", "flavors": 3}]"#);
        assert_eq!(e[0].model_id.as_deref(), Some("m-1"));
        assert!(e[0].flavors.is_empty());
    }
}
