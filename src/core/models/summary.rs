//! A model summarised for people: its flavors and their parameters, the signature as
//! table rows and as one line, and the snippet that loads it (TF.js for a `tfjs`
//! flavor, Python's pyfunc otherwise).

use serde_json::Value as Json;

use crate::core::models::mlmodel::{Signature, SpecField};
use crate::core::text::json::python_dumps;

/// The `tfjs` flavor's name in `MLmodel`.
pub const TFJS_FLAVOR: &str = "tfjs";
/// The pyfunc flavor's name in `MLmodel`.
pub const PYFUNC_FLAVOR: &str = "python_function";

/// Inputs or outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// What the model takes.
    Input,
    /// What it gives back.
    Output,
}

impl Side {
    /// `input` / `output`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Input => "input",
            Side::Output => "output",
        }
    }
}

/// One line of a signature table, every cell as text (`—` for nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureRow {
    /// Input or output.
    pub side: Side,
    /// The field's name, or `—` for an unnamed tensor.
    pub name: String,
    /// `tensor`, or the column type (`double`, `string`, …).
    pub kind: String,
    /// A tensor's element type, else `—`.
    pub dtype: String,
    /// A tensor's shape (`(-1, 28, 28)`), else `—`.
    pub shape: String,
    /// `optional` for a column that may be left out, else empty.
    pub note: String,
}

const NONE: &str = "—";

/// A shape as numpy writes it: `(-1, 4)`, `(3,)`, `()`.
pub fn format_shape(shape: &[i64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn row(side: Side, f: &SpecField) -> SignatureRow {
    SignatureRow {
        side,
        name: f.name.clone().unwrap_or_else(|| NONE.to_owned()),
        kind: f.kind.clone(),
        dtype: f.dtype.clone().unwrap_or_else(|| NONE.to_owned()),
        shape: f
            .shape
            .as_deref()
            .map_or_else(|| NONE.to_owned(), format_shape),
        note: if f.required { "" } else { "optional" }.to_owned(),
    }
}

/// The signature as table rows: inputs, then outputs, each in file order.
pub fn signature_rows(sig: &Signature) -> Vec<SignatureRow> {
    let inputs = sig.inputs.iter().map(|f| row(Side::Input, f));
    inputs
        .chain(sig.outputs.iter().map(|f| row(Side::Output, f)))
        .collect()
}

/// One field in a few words: `dense_input: float32 (-1, 4)`, `age: long`.
fn field_words(f: &SpecField) -> String {
    let ty = match (&f.dtype, &f.shape) {
        (Some(d), Some(s)) => format!("{d} {}", format_shape(s)),
        (Some(d), None) => d.clone(),
        _ => f.kind.clone(),
    };
    match &f.name {
        Some(n) => format!("{n}: {ty}"),
        None => ty,
    }
}

fn side_words(fields: &[SpecField]) -> String {
    match fields.len() {
        0 => "nothing".to_owned(),
        1..=3 => (fields.iter().map(field_words))
            .collect::<Vec<_>>()
            .join(", "),
        n => format!("{n} fields"),
    }
}

/// The signature on one line: `dense_input: float32 (-1, 4) → float32 (-1, 1)`;
/// sides with more than three fields are counted (`12 fields → 1 field` reads badly,
/// so those say `12 fields`).
pub fn signature_summary(sig: &Signature) -> String {
    format!("{} → {}", side_words(&sig.inputs), side_words(&sig.outputs))
}

/// A flavor parameter's value as text: strings as they are, everything else as JSON
/// the way MLflow's Python writes it (`["a.bin"]`, `true`, `{"conda": "conda.yaml"}`).
pub fn param_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => python_dumps(other),
    }
}

/// A flavor's parameters as `(key, text)`, by key (a flavor that is not a mapping
/// has none).
pub fn flavor_params(params: &Json) -> Vec<(String, String)> {
    match params {
        Json::Object(o) => o.iter().map(|(k, v)| (k.clone(), param_text(v))).collect(),
        _ => Vec::new(),
    }
}

/// The flavor that says what a model is: the first that is not the generic
/// `python_function`, else `python_function`, else none.
pub fn main_flavor<S: AsRef<str>>(flavors: &[S]) -> Option<&str> {
    (flavors.iter().map(AsRef::as_ref))
        .find(|f| *f != PYFUNC_FLAVOR)
        .or_else(|| (flavors.iter().map(AsRef::as_ref)).find(|f| *f == PYFUNC_FLAVOR))
}

/// `s` as a string literal JavaScript and Python both read back as `s` (JSON's
/// escapes are a subset of both).
fn literal(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// The code that loads version `version` of model `name`: TF.js in the browser for a
/// `tfjs` flavor (`tf.loadGraphModel` for a graph model), importing Ferroflow's API
/// from `mlflow_js` (this site's `mlflow.js`), else MLflow's pyfunc in Python.
/// `flavors` are `(name, parameters)` as [`crate::core::models::mlmodel::MlModel::flavors`]
/// gives them.
pub fn load_snippet(
    flavors: &[(String, Json)],
    name: &str,
    version: u64,
    mlflow_js: &str,
) -> String {
    let uri = literal(&format!("models:/{name}/{version}"));
    match flavors.iter().find(|(f, _)| f == TFJS_FLAVOR) {
        Some((_, params)) => {
            let graph = params.get("format").and_then(Json::as_str) == Some("graph-model");
            let load = if graph {
                "loadGraphModel"
            } else {
                "loadLayersModel"
            };
            format!(
                "const mlflow = await import({});\nconst model = await tf.{load}(await mlflow.loadModel({uri}));",
                literal(mlflow_js)
            )
        }
        None => format!("import mlflow\n\nmodel = mlflow.pyfunc.load_model({uri})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sig() -> Signature {
        Signature {
            inputs: vec![
                SpecField::tensor(Some("dense_input".into()), "float32", vec![-1, 4]),
                SpecField {
                    name: Some("age".into()),
                    kind: "long".into(),
                    dtype: None,
                    shape: None,
                    required: false,
                },
            ],
            outputs: vec![SpecField::tensor(None, "float32", vec![-1])],
            params: None,
        }
    }

    #[test]
    fn shapes_read_as_numpy_writes_them() {
        assert_eq!(format_shape(&[-1, 28, 28]), "(-1, 28, 28)");
        assert_eq!(format_shape(&[3]), "(3,)");
        assert_eq!(format_shape(&[]), "()");
    }

    #[test]
    fn a_signature_as_rows_inputs_first() {
        let rows = signature_rows(&sig());
        let cells: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.side.as_str(),
                    r.name.as_str(),
                    r.kind.as_str(),
                    r.dtype.as_str(),
                    r.shape.as_str(),
                    r.note.as_str(),
                )
            })
            .collect();
        assert_eq!(
            cells,
            [
                ("input", "dense_input", "tensor", "float32", "(-1, 4)", ""),
                ("input", "age", "long", "—", "—", "optional"),
                ("output", "—", "tensor", "float32", "(-1,)", ""),
            ]
        );
    }

    #[test]
    fn a_signature_on_one_line() {
        assert_eq!(
            signature_summary(&sig()),
            "dense_input: float32 (-1, 4), age: long → float32 (-1,)"
        );
        let wide = Signature {
            inputs: (0..12)
                .map(|i| SpecField {
                    name: Some(format!("c{i}")),
                    kind: "double".into(),
                    dtype: None,
                    shape: None,
                    required: true,
                })
                .collect(),
            ..Signature::default()
        };
        assert_eq!(signature_summary(&wide), "12 fields → nothing");
    }

    #[test]
    fn flavor_parameters_as_text() {
        let p = json!({"format": "layers-model", "weights_files": ["a.bin", "b.bin"], "n": 3, "x": null, "env": {"conda": "conda.yaml"}});
        assert_eq!(
            flavor_params(&p),
            [
                ("env".to_owned(), "{\"conda\": \"conda.yaml\"}".to_owned()),
                ("format".to_owned(), "layers-model".to_owned()),
                ("n".to_owned(), "3".to_owned()),
                (
                    "weights_files".to_owned(),
                    "[\"a.bin\", \"b.bin\"]".to_owned()
                ),
                ("x".to_owned(), "null".to_owned()),
            ]
        );
        assert!(flavor_params(&json!("odd")).is_empty());
    }

    #[test]
    fn the_main_flavor_is_not_the_generic_one() {
        assert_eq!(
            main_flavor(&["python_function", "sklearn"]),
            Some("sklearn")
        );
        assert_eq!(main_flavor(&["python_function"]), Some("python_function"));
        assert_eq!(main_flavor::<&str>(&[]), None);
    }

    #[test]
    fn the_snippet_follows_the_flavor() {
        let js = "http://h/mlflow.js";
        let tfjs = vec![("tfjs".to_owned(), json!({"format": "layers-model"}))];
        assert_eq!(
            load_snippet(&tfjs, "mnist", 3, js),
            "const mlflow = await import(\"http://h/mlflow.js\");\nconst model = await tf.loadLayersModel(await mlflow.loadModel(\"models:/mnist/3\"));"
        );
        let graph = vec![("tfjs".to_owned(), json!({"format": "graph-model"}))];
        assert!(load_snippet(&graph, "g", 1, js).contains("tf.loadGraphModel("));
        let py = vec![
            (
                "python_function".to_owned(),
                json!({"loader_module": "mlflow.sklearn"}),
            ),
            ("sklearn".to_owned(), json!({})),
        ];
        assert_eq!(
            load_snippet(&py, "fixture-model", 2, js),
            "import mlflow\n\nmodel = mlflow.pyfunc.load_model(\"models:/fixture-model/2\")"
        );
        // A name with quotes stays one string literal.
        assert!(load_snippet(&[], "a \"b\" \\c", 1, js)
            .ends_with("load_model(\"models:/a \\\"b\\\" \\\\c/1\")"));
    }
}
