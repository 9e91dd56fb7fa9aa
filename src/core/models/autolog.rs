//! TF.js autologging's decisions, following MLflow's Keras autolog
//! (`mlflow/keras/callback.py`, `mlflow/tensorflow/__init__.py`): which params a fit
//! logs and under which names, which metrics go at which step, and when a batch is
//! logged. The browser glue (`api::tfjs`) only gathers what TF.js reports.

use serde_json::Value as Json;

use crate::core::interchange::mlruns::pyfloat::python_float_repr;

/// How often metrics are logged during a fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogEvery {
    /// After each epoch (step = epoch), the default.
    Epoch,
    /// After every `n`-th batch too (step = batches seen since the fit began).
    Batches(u32),
}

impl LogEvery {
    /// Reads `"epoch"`, `"batch"` or a positive whole number of batches.
    pub fn parse(v: &Json) -> Result<LogEvery, String> {
        match v {
            Json::Null => Ok(LogEvery::Epoch),
            Json::String(s) if s == "epoch" => Ok(LogEvery::Epoch),
            Json::String(s) if s == "batch" => Ok(LogEvery::Batches(1)),
            Json::Number(n) => match n.as_u64() {
                Some(n) if n >= 1 && n <= u64::from(u32::MAX) => Ok(LogEvery::Batches(n as u32)),
                _ => Err(format!(
                    "logEvery must be \"epoch\", \"batch\" or a whole number ≥ 1, got {n}"
                )),
            },
            other => Err(format!(
                "logEvery must be \"epoch\", \"batch\" or a whole number ≥ 1, got {other}"
            )),
        }
    }

    /// Whether the batch that makes `seen` batches since the fit began is logged.
    pub fn logs_batch(self, seen: u64) -> bool {
        match self {
            LogEvery::Epoch => false,
            LogEvery::Batches(n) => seen % u64::from(n) == 0,
        }
    }
}

/// What a fit reports about itself at its start.
#[derive(Clone, Debug, Default)]
pub struct FitSetup {
    /// `fit`'s arguments as given (`epochs`, `batchSize`, `validationSplit`, …).
    pub args: Json,
    /// TF.js's `params` of the fit (`epochs`, `batchSize`, `samples`, …).
    pub params: Json,
    /// The optimizer's class name (`Adam`).
    pub optimizer_name: Option<String>,
    /// The optimizer's `getConfig()` (`learningRate`, `beta1`, …).
    pub optimizer_config: Json,
    /// The loss's name (`binaryCrossentropy`), or several.
    pub loss: Option<String>,
    /// The metric names TF.js reports (`loss`, `acc`, `val_loss`, …).
    pub metrics: Vec<String>,
}

/// `learningRate` → `learning_rate`, as MLflow names optimizer params.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A param value as Python's `str()` writes it (MLflow logs `str(value)`).
pub fn python_str(v: &Json) -> Option<String> {
    Some(match v {
        Json::Null => "None".into(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => python_float_repr(f),
            _ => n.to_string(),
        },
        Json::String(s) => s.clone(),
        Json::Array(_) | Json::Object(_) => return None,
    })
}

/// The params a fit logs at its start: `epochs`, `batch_size`, `validation_split`,
/// `initial_epoch`, `shuffle`, `steps_per_epoch`, `optimizer_name`, each optimizer
/// setting as `optimizer_<snake_name>`, `loss` and `metrics`.
pub fn fit_params(setup: &FitSetup) -> Vec<(String, String)> {
    let arg = |camel: &str| {
        let a = setup.args.get(camel).filter(|v| !v.is_null());
        a.or_else(|| setup.params.get(camel).filter(|v| !v.is_null()))
    };
    let mut out = Vec::new();
    for (camel, name) in [
        ("epochs", "epochs"),
        ("batchSize", "batch_size"),
        ("validationSplit", "validation_split"),
        ("initialEpoch", "initial_epoch"),
        ("shuffle", "shuffle"),
        ("stepsPerEpoch", "steps_per_epoch"),
        ("batchesPerEpoch", "batches_per_epoch"),
        ("validationBatchSize", "validation_batch_size"),
    ] {
        if let Some(v) = arg(camel).and_then(python_str) {
            out.push((name.to_owned(), v));
        }
    }
    if let Some(name) = &setup.optimizer_name {
        out.push(("optimizer_name".into(), name.clone()));
    }
    if let Json::Object(config) = &setup.optimizer_config {
        for (k, v) in config {
            if let Some(v) = python_str(v) {
                out.push((format!("optimizer_{}", snake_case(k)), v));
            }
        }
    }
    if let Some(loss) = &setup.loss {
        out.push(("loss".into(), loss.clone()));
    }
    let metrics: Vec<&str> = (setup.metrics.iter())
        .map(String::as_str)
        .filter(|m| *m != "loss" && !m.starts_with("val_"))
        .collect();
    if !metrics.is_empty() {
        out.push(("metrics".into(), metrics.join(",")));
    }
    out
}

/// The numbers of a TF.js log object (`{loss, acc, val_loss}`), as metrics; `batch`
/// and `size` are bookkeeping, not metrics.
pub fn log_metrics(logs: &Json) -> Vec<(String, f64)> {
    let Json::Object(map) = logs else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| *k != "batch" && *k != "size")
        .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
        .collect()
}

/// Early stopping, as tags of the run when it ended the fit.
pub fn early_stopping_tags(
    stopped_epoch: i64,
    monitor: Option<&str>,
    patience: Option<&Json>,
) -> Vec<(String, String)> {
    let mut out = vec![("stopped_epoch".to_owned(), stopped_epoch.to_string())];
    if let Some(m) = monitor {
        out.push(("monitor".into(), m.to_owned()));
    }
    if let Some(p) = patience.and_then(python_str) {
        out.push(("patience".into(), p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fit_params_follow_mlflows_keras_names() {
        let setup = FitSetup {
            args: json!({"epochs": 5, "batchSize": 16, "validationSplit": 0.25, "verbose": 0}),
            params: json!({"epochs": 5, "initialEpoch": 0, "samples": 48, "batchSize": 16, "doValidation": true}),
            optimizer_name: Some("Adam".into()),
            optimizer_config: json!({"learningRate": 0.001, "beta1": 0.9, "epsilon": null}),
            loss: Some("binaryCrossentropy".into()),
            metrics: vec![
                "loss".into(),
                "acc".into(),
                "val_loss".into(),
                "val_acc".into(),
            ],
        };
        let p = fit_params(&setup);
        let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("epochs"), Some("5"));
        assert_eq!(get("batch_size"), Some("16"));
        assert_eq!(get("validation_split"), Some("0.25"));
        assert_eq!(get("initial_epoch"), Some("0"));
        assert_eq!(get("optimizer_name"), Some("Adam"));
        assert_eq!(get("optimizer_learning_rate"), Some("0.001"));
        assert_eq!(get("optimizer_beta1"), Some("0.9"));
        assert_eq!(get("optimizer_epsilon"), Some("None"));
        assert_eq!(get("loss"), Some("binaryCrossentropy"));
        assert_eq!(get("metrics"), Some("acc"));
        assert_eq!(get("verbose"), None, "not a param MLflow logs");
    }

    #[test]
    fn log_every_and_metric_extraction() {
        assert_eq!(
            LogEvery::parse(&json!("batch")).unwrap(),
            LogEvery::Batches(1)
        );
        assert_eq!(LogEvery::parse(&json!(10)).unwrap(), LogEvery::Batches(10));
        assert_eq!(LogEvery::parse(&Json::Null).unwrap(), LogEvery::Epoch);
        assert!(LogEvery::parse(&json!(0)).is_err());
        assert!(LogEvery::parse(&json!("often")).is_err());
        assert!(LogEvery::Batches(3).logs_batch(6) && !LogEvery::Batches(3).logs_batch(7));
        assert!(!LogEvery::Epoch.logs_batch(1));
        let m = log_metrics(&json!({"batch": 2, "size": 16, "loss": 0.5, "acc": 0.75}));
        assert_eq!(m, vec![("acc".into(), 0.75), ("loss".into(), 0.5)]);
        assert_eq!(snake_case("learningRate"), "learning_rate");
        assert_eq!(python_str(&json!(1e-5)).unwrap(), "1e-05");
        assert_eq!(
            early_stopping_tags(3, Some("val_loss"), Some(&json!(2))),
            vec![
                ("stopped_epoch".into(), "3".into()),
                ("monitor".into(), "val_loss".into()),
                ("patience".into(), "2".into())
            ]
        );
    }
}
