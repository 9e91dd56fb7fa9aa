//! The `MLmodel` file (`mlflow/models/model.py`): read as MLflow reads it (unknown keys
//! kept, missing ones absent), summarised for people (flavors, the signature as a
//! table), and written for the models Ferroflow logs (a `tfjs` flavor MLflow 2.22 and
//! 3.17 accept, verified in `shared/notes`).

use serde_json::Value as Json;
use yaml_serde::{Mapping, Value as Yaml};

use crate::core::text::json::python_dumps;

/// A parsed `MLmodel` document.
#[derive(Clone, Debug, PartialEq)]
pub struct MlModel {
    doc: Mapping,
}

/// One field of a signature's inputs or outputs (a tensor spec or a column spec).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecField {
    /// Name, when the spec has one.
    pub name: Option<String>,
    /// `tensor`, or the column type (`double`, `string`, …).
    pub kind: String,
    /// Element type of a tensor (`float32`).
    pub dtype: Option<String>,
    /// Shape of a tensor (`-1` is any size).
    pub shape: Option<Vec<i64>>,
    /// Whether the field must be given (column specs; tensors are always required).
    pub required: bool,
}

/// A model signature: what goes in and comes out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signature {
    /// Inputs.
    pub inputs: Vec<SpecField>,
    /// Outputs.
    pub outputs: Vec<SpecField>,
    /// Inference params, as MLflow's JSON (`name`, `type`, `default`).
    pub params: Option<Json>,
}

impl SpecField {
    /// A tensor spec (`{"type": "tensor", "tensor-spec": {dtype, shape}}`).
    pub fn tensor(name: Option<String>, dtype: &str, shape: Vec<i64>) -> Self {
        SpecField {
            name,
            kind: "tensor".into(),
            dtype: Some(dtype.into()),
            shape: Some(shape),
            required: true,
        }
    }

    /// A spec a caller gave: MLflow's JSON form (`{type: "tensor", "tensor-spec":
    /// {dtype, shape}}`, `{name, type: "double"}`) or the short tensor form
    /// `{name?, dtype, shape}`.
    pub fn from_user(v: &Json) -> Result<SpecField, String> {
        if !v.is_object() {
            return Err(format!("a signature field must be an object, got {v}"));
        }
        if v.get("type").is_none() && v.get("dtype").is_some() {
            let dtype = v["dtype"]
                .as_str()
                .ok_or("a tensor's dtype must be a string")?;
            let shape = (v.get("shape").and_then(Json::as_array))
                .ok_or("a tensor needs a shape (an array of sizes, -1 for any)")?
                .iter()
                .map(|d| if d.is_null() { Some(-1) } else { d.as_i64() })
                .collect::<Option<Vec<i64>>>()
                .ok_or("a tensor's shape holds integer sizes (or null / -1 for any)")?;
            let name = v.get("name").and_then(Json::as_str).map(str::to_owned);
            return Ok(SpecField::tensor(name, dtype, shape));
        }
        SpecField::from_json(v).ok_or_else(|| {
            format!(
                "not a signature field: {v} (use {{name, dtype, shape}} for a tensor, or \
                 MLflow's {{name, type}} / {{type: \"tensor\", \"tensor-spec\": {{dtype, shape}}}})"
            )
        })
    }

    fn from_json(v: &Json) -> Option<SpecField> {
        let kind = v.get("type")?.as_str()?.to_owned();
        let name = v.get("name").and_then(Json::as_str).map(str::to_owned);
        let spec = v.get("tensor-spec");
        Some(SpecField {
            name,
            dtype: spec
                .and_then(|s| s.get("dtype"))
                .and_then(Json::as_str)
                .map(str::to_owned),
            shape: spec.and_then(|s| s.get("shape")).and_then(|s| {
                s.as_array()?
                    .iter()
                    .map(Json::as_i64)
                    .collect::<Option<Vec<i64>>>()
            }),
            required: v.get("required").and_then(Json::as_bool).unwrap_or(true),
            kind,
        })
    }

    fn to_json(&self) -> Json {
        let mut o = serde_json::Map::new();
        if let Some(n) = &self.name {
            o.insert("name".into(), n.clone().into());
        }
        o.insert("type".into(), self.kind.clone().into());
        if self.kind == "tensor" {
            let mut spec = serde_json::Map::new();
            spec.insert(
                "dtype".into(),
                self.dtype.clone().unwrap_or_default().into(),
            );
            spec.insert(
                "shape".into(),
                Json::Array(
                    (self.shape.iter().flatten())
                        .map(|d| Json::from(*d))
                        .collect(),
                ),
            );
            o.insert("tensor-spec".into(), Json::Object(spec));
        } else {
            o.insert("required".into(), self.required.into());
        }
        Json::Object(o)
    }
}

impl Signature {
    /// The `signature:` block's JSON string for one side, as MLflow writes it (keys in
    /// MLflow's order: name, type, tensor-spec / required).
    fn side_json(fields: &[SpecField]) -> String {
        let items: Vec<String> = fields
            .iter()
            .map(|f| {
                let mut parts = Vec::new();
                if let Some(n) = &f.name {
                    parts.push(format!("\"name\": {}", python_dumps(&n.as_str().into())));
                }
                parts.push(format!(
                    "\"type\": {}",
                    python_dumps(&f.kind.as_str().into())
                ));
                if f.kind == "tensor" {
                    let shape: Vec<Json> = f.shape.iter().flatten().map(|d| (*d).into()).collect();
                    parts.push(format!(
                        "\"tensor-spec\": {{\"dtype\": {}, \"shape\": {}}}",
                        python_dumps(&f.dtype.clone().unwrap_or_default().into()),
                        python_dumps(&Json::Array(shape))
                    ));
                } else {
                    parts.push(format!("\"required\": {}", f.required));
                }
                format!("{{{}}}", parts.join(", "))
            })
            .collect();
        format!("[{}]", items.join(", "))
    }

    /// Reads MLflow's signature block (each side a JSON string).
    fn from_yaml(v: &Yaml) -> Option<Signature> {
        let side = |k: &str| -> Vec<SpecField> {
            v.get(k)
                .and_then(Yaml::as_str)
                .and_then(|s| serde_json::from_str::<Json>(s).ok())
                .and_then(|j| j.as_array().cloned())
                .map(|a| a.iter().filter_map(SpecField::from_json).collect())
                .unwrap_or_default()
        };
        Some(Signature {
            inputs: side("inputs"),
            outputs: side("outputs"),
            params: v
                .get("params")
                .and_then(Yaml::as_str)
                .and_then(|s| serde_json::from_str(s).ok()),
        })
    }

    /// A signature a caller gave: `{inputs: [...], outputs?: [...], params?}`.
    pub fn from_user(v: &Json) -> Result<Signature, String> {
        let side = |k: &str| -> Result<Vec<SpecField>, String> {
            match v.get(k) {
                None | Some(Json::Null) => Ok(Vec::new()),
                Some(Json::Array(a)) => a.iter().map(SpecField::from_user).collect(),
                Some(other) => Err(format!("signature.{k} must be an array, got {other}")),
            }
        };
        let sig = Signature {
            inputs: side("inputs")?,
            outputs: side("outputs")?,
            params: v.get("params").filter(|p| !p.is_null()).cloned(),
        };
        if sig.inputs.is_empty() {
            return Err("a signature needs inputs".into());
        }
        Ok(sig)
    }

    /// As JSON for callers (`{inputs: [...], outputs: [...], params}`).
    pub fn to_json(&self) -> Json {
        serde_json::json!({
            "inputs": self.inputs.iter().map(SpecField::to_json).collect::<Vec<_>>(),
            "outputs": self.outputs.iter().map(SpecField::to_json).collect::<Vec<_>>(),
            "params": self.params.clone(),
        })
    }
}

/// A YAML value as JSON (maps with string keys; tags and odd keys become strings).
pub fn yaml_to_json(v: &Yaml) -> Json {
    match v {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => n
            .as_i64()
            .map(Json::from)
            .or_else(|| n.as_u64().map(Json::from))
            .or_else(|| {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Json::Number)
            })
            .unwrap_or(Json::Null),
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(m) => Json::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => yaml_serde::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Yaml::Tagged(t) => yaml_to_json(&t.value),
    }
}

impl MlModel {
    /// Parses an `MLmodel` file; refuses what MLflow's reader would.
    pub fn parse(text: &[u8]) -> Result<MlModel, String> {
        let text = std::str::from_utf8(text).map_err(|_| "MLmodel is not UTF-8 text".to_owned())?;
        match yaml_serde::from_str::<Yaml>(text) {
            Ok(Yaml::Mapping(doc)) => Ok(MlModel { doc }),
            Ok(_) => Err("MLmodel is not a YAML mapping".into()),
            Err(e) => Err(format!("MLmodel is not valid YAML: {e}")),
        }
    }

    /// A top-level string field.
    pub fn string(&self, key: &str) -> Option<String> {
        match self.doc.get(key)? {
            Yaml::String(s) => Some(s.clone()),
            Yaml::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// Flavor name → its parameters (as JSON), in file order.
    pub fn flavors(&self) -> Vec<(String, Json)> {
        let Some(Yaml::Mapping(m)) = self.doc.get("flavors") else {
            return Vec::new();
        };
        m.iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), yaml_to_json(v))))
            .collect()
    }

    /// The signature, if the model has one.
    pub fn signature(&self) -> Option<Signature> {
        self.doc.get("signature").and_then(Signature::from_yaml)
    }

    /// Where the input example is (`saved_input_example_info.artifact_path`).
    pub fn input_example_path(&self) -> Option<String> {
        self.doc
            .get("saved_input_example_info")?
            .get("artifact_path")?
            .as_str()
            .map(str::to_owned)
    }

    /// The whole document as JSON.
    pub fn to_json(&self) -> Json {
        yaml_to_json(&Yaml::Mapping(self.doc.clone()))
    }
}

/// What a TF.js model's `MLmodel` says (see [`tfjs_mlmodel`]).
#[derive(Clone, Debug, Default)]
pub struct TfjsModel {
    /// `layers-model` or `graph-model`.
    pub format: String,
    /// TF.js's own `generatedBy` (`TensorFlow.js tfjs-layers v4.22.0`).
    pub generated_by: Option<String>,
    /// TF.js version (`4.22.0`).
    pub tfjs_version: Option<String>,
    /// The backend it was trained on (`webgl`, `cpu`, …).
    pub backend: Option<String>,
    /// Weight files `model.json` names, relative to it.
    pub weights_files: Vec<String>,
    /// Bytes of `model.json` and the weights.
    pub model_size_bytes: u64,
}

/// Everything an `MLmodel` records about where and when a model was logged.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// `artifact_path` (the LoggedModel's artifact location in MLflow 3).
    pub artifact_path: String,
    /// `m-…`.
    pub model_id: String,
    /// The run that logged it.
    pub run_id: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS.ffffff` (UTC).
    pub utc_time_created: String,
    /// Who wrote it (`ferroflow 0.1.0`).
    pub producer: String,
    /// Free metadata given by the caller.
    pub metadata: Option<Json>,
    /// The signature.
    pub signature: Option<Signature>,
    /// `(type, path)` of a saved input example (`ndarray` / `json_object`).
    pub input_example: Option<(String, String)>,
}

/// A YAML node of the small documents written here.
enum Node {
    /// A string scalar (quoted when needed).
    Str(String),
    /// A flow value written as is (numbers, booleans, `null`, JSON arrays).
    Raw(String),
    /// A block mapping.
    Map(Vec<(String, Node)>),
}

/// A string as a YAML scalar PyYAML (YAML 1.1) and YAML 1.2 read back as that string:
/// plain when it is a simple word that cannot be read as anything else, else in double
/// quotes with JSON's escapes (a subset of YAML's).
fn scalar(s: &str) -> String {
    let simple = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if simple {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("strings serialize")
    }
}

fn emit(entries: &[(String, Node)], indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    for (k, v) in entries {
        out.push_str(&format!("{pad}{}:", scalar(k)));
        match v {
            Node::Str(s) => out.push_str(&format!(" {}\n", scalar(s))),
            Node::Raw(r) => out.push_str(&format!(" {r}\n")),
            Node::Map(m) if m.is_empty() => out.push_str(" {}\n"),
            Node::Map(m) => {
                out.push('\n');
                emit(m, indent + 1, out);
            }
        }
    }
}

/// A JSON value as a YAML node: objects as block maps, strings as scalars, the rest
/// as JSON text (valid YAML flow).
fn json_node(v: &Json) -> Node {
    match v {
        Json::String(s) => Node::Str(s.clone()),
        Json::Object(o) => Node::Map(o.iter().map(|(k, v)| (k.clone(), json_node(v))).collect()),
        other => Node::Raw(other.to_string()),
    }
}

/// The `tfjs` flavor block of a TF.js model.
pub fn tfjs_flavor(model: &TfjsModel) -> (String, Json) {
    let mut f = serde_json::Map::new();
    if let Some(b) = &model.backend {
        f.insert("backend".into(), b.clone().into());
    }
    f.insert("format".into(), model.format.clone().into());
    if let Some(g) = &model.generated_by {
        f.insert("generated_by".into(), g.clone().into());
    }
    f.insert("model_json".into(), "model.json".into());
    if let Some(v) = &model.tfjs_version {
        f.insert("tfjs_version".into(), v.clone().into());
    }
    f.insert("weights_files".into(), model.weights_files.clone().into());
    ("tfjs".into(), Json::Object(f))
}

/// The `MLmodel` text of a TF.js model with a `tfjs` flavor.
pub fn tfjs_mlmodel(model: &TfjsModel, p: &Provenance) -> String {
    mlmodel_text(&[tfjs_flavor(model)], model.model_size_bytes, p)
}

/// The `MLmodel` text of a model with these flavors, keys sorted as PyYAML writes
/// them. No `mlflow_version`: it was not written by MLflow.
pub fn mlmodel_text(flavors: &[(String, Json)], model_size_bytes: u64, p: &Provenance) -> String {
    let s = |v: &str| Node::Str(v.to_owned());
    let k = |v: &str| v.to_owned();
    let mut meta = vec![(k("producer"), s(&p.producer))];
    if let Some(Json::Object(extra)) = &p.metadata {
        meta.extend(extra.iter().map(|(key, v)| (key.clone(), json_node(v))));
    }
    let flavors = flavors
        .iter()
        .map(|(n, f)| (n.clone(), json_node(f)))
        .collect();
    let mut doc = vec![
        (k("artifact_path"), s(&p.artifact_path)),
        (k("flavors"), Node::Map(flavors)),
        (k("metadata"), Node::Map(meta)),
        (k("model_id"), s(&p.model_id)),
        (
            k("model_size_bytes"),
            Node::Raw(model_size_bytes.to_string()),
        ),
        (
            k("model_uuid"),
            s(p.model_id.strip_prefix("m-").unwrap_or(&p.model_id)),
        ),
    ];
    if let Some(run) = &p.run_id {
        doc.push((k("run_id"), s(run)));
    }
    if let Some((kind, path)) = &p.input_example {
        doc.push((
            k("saved_input_example_info"),
            Node::Map(vec![
                (k("artifact_path"), s(path)),
                (k("serving_input_path"), s("serving_input_example.json")),
                (k("type"), s(kind)),
            ]),
        ));
    }
    if let Some(sig) = &p.signature {
        let params = sig
            .params
            .as_ref()
            .map_or(Node::Raw("null".into()), |p| Node::Str(python_dumps(p)));
        doc.push((
            k("signature"),
            Node::Map(vec![
                (k("inputs"), Node::Str(Signature::side_json(&sig.inputs))),
                (k("outputs"), Node::Str(Signature::side_json(&sig.outputs))),
                (k("params"), params),
            ]),
        ));
    }
    doc.push((k("utc_time_created"), s(&p.utc_time_created)));
    let mut out = String::new();
    emit(&doc, 0, &mut out);
    out
}

/// MLflow's `utc_time_created` spelling of a time in ms since 1970 (UTC).
pub fn utc_time_created(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, min, sec, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{sec:02}.{milli:03}000")
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> (TfjsModel, Provenance) {
        (
            TfjsModel {
                format: "layers-model".into(),
                generated_by: Some("TensorFlow.js tfjs-layers v4.22.0".into()),
                tfjs_version: Some("4.22.0".into()),
                backend: Some("cpu".into()),
                weights_files: vec!["weights.bin".into()],
                model_size_bytes: 1694,
            },
            Provenance {
                artifact_path: "mlruns/1/models/m-0123456789abcdef0123456789abcdef/artifacts"
                    .into(),
                model_id: "m-0123456789abcdef0123456789abcdef".into(),
                run_id: Some("f75c8f84b30344348b769bde82a76315".into()),
                utc_time_created: utc_time_created(1_700_086_400_006),
                producer: "ferroflow 0.1.0".into(),
                metadata: Some(serde_json::json!({"task": "iris: a \"test\""})),
                signature: Some(Signature {
                    inputs: vec![SpecField::tensor(
                        Some("dense_input".into()),
                        "float32",
                        vec![-1, 4],
                    )],
                    outputs: vec![SpecField::tensor(None, "float32", vec![-1, 1])],
                    params: None,
                }),
                input_example: Some(("ndarray".into(), "input_example.json".into())),
            },
        )
    }

    #[test]
    fn a_tfjs_mlmodel_reads_back_with_its_flavor_and_signature() {
        let (m, p) = example();
        let text = tfjs_mlmodel(&m, &p);
        let back = MlModel::parse(text.as_bytes()).unwrap();
        assert_eq!(
            back.string("model_id").as_deref(),
            Some(p.model_id.as_str())
        );
        assert_eq!(
            back.string("model_uuid").as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            back.string("utc_time_created").as_deref(),
            Some("2023-11-15 22:13:20.006000")
        );
        let flavors = back.flavors();
        assert_eq!(flavors[0].0, "tfjs");
        assert_eq!(
            flavors[0].1["weights_files"],
            serde_json::json!(["weights.bin"])
        );
        assert_eq!(back.signature(), p.signature);
        assert_eq!(
            back.input_example_path().as_deref(),
            Some("input_example.json")
        );
        assert_eq!(
            back.to_json()["signature"]["inputs"],
            r#"[{"name": "dense_input", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]"#,
            "MLflow's JSON spelling:\n{text}"
        );
        assert_eq!(back.to_json()["metadata"]["task"], "iris: a \"test\"");
    }

    #[test]
    fn mlflow_written_files_read_with_unknown_keys_and_column_signatures() {
        let text = "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    env: {conda: conda.yaml}\nmlflow_version: 2.22.5\nmodel_uuid: 9eff\nprompts: null\nsignature:\n  inputs: '[{\"type\": \"double\", \"name\": \"x\", \"required\": true}]'\n  outputs: null\n  params: null\nunknown_key: [1, 2]\n";
        let m = MlModel::parse(text.as_bytes()).unwrap();
        assert_eq!(m.flavors()[0].1["env"]["conda"], "conda.yaml");
        let sig = m.signature().unwrap();
        assert_eq!(sig.inputs[0].kind, "double");
        assert_eq!(sig.inputs[0].name.as_deref(), Some("x"));
        assert!(sig.outputs.is_empty());
        assert_eq!(m.to_json()["unknown_key"], serde_json::json!([1, 2]));
        assert!(MlModel::parse(b"- a list").is_err());
        assert!(MlModel::parse(b"a: [").is_err());
    }

    #[test]
    fn utc_times_are_spelled_as_mlflow_does() {
        assert_eq!(utc_time_created(0), "1970-01-01 00:00:00.000000");
        assert_eq!(
            utc_time_created(951_782_400_123),
            "2000-02-29 00:00:00.123000"
        );
    }
}
