//! The `MLproject` file (`mlflow/projects/_project_spec.py`), with browser entry points:
//! `module` (an ES module, relative to the `MLproject` file) and `function` (its
//! export to call). Known keys are parsed strictly, unknown keys ignored, and entry
//! points and parameters keep their file order.

use yaml_serde::{Mapping, Value as Yaml};

use super::params::{check_value, describe, js_number, Given};
use super::paths::normalize;
use super::{invalid, Result};
use crate::core::tracking::rules::{validate_key, KeyKind};

/// A parsed `MLproject`.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// `name`, when given.
    pub name: Option<String>,
    /// The entry points, in file order.
    pub entry_points: Vec<EntryPoint>,
    /// The environment MLflow would build (kept to show; a browser run ignores it).
    pub environment: Option<Environment>,
}

/// The environment key of an `MLproject` (at most one, as in MLflow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// `python_env: python_env.yaml`.
    Python(String),
    /// `conda_env: conda.yaml`.
    Conda(String),
    /// `docker_env: {image: …}`.
    Docker {
        /// The image name.
        image: String,
    },
}

/// One entry point.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryPoint {
    /// Its name (`main`).
    pub name: String,
    /// What it runs.
    pub run: Runnable,
    /// Its parameters, in file order.
    pub parameters: Vec<ParamSpec>,
}

/// What an entry point runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runnable {
    /// An ES module's exported function, run in a module Web Worker. Chosen when the
    /// entry point has a `module`, even if it also has a `command`.
    Browser {
        /// The module's normalised project-relative path (`src/train.js`).
        module: String,
        /// The export to call (`main` unless `function` says otherwise).
        function: String,
    },
    /// A shell command (`python train.py --alpha {alpha}`): MLflow can run it, the
    /// browser cannot.
    Command(String),
}

/// One declared parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// Its name (a valid MLflow param key).
    pub name: String,
    /// Its type (`string` when the `MLproject` gives none).
    pub kind: ParamKind,
    /// Its default as text (YAML numbers in shortest round-trip form, booleans as
    /// `true`/`false`); `None` makes the parameter required. Checked at parse time.
    pub default: Option<String>,
}

/// A parameter type of MLflow Projects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// `float`: a finite number.
    Float,
    /// `int`: a safe integer (|n| ≤ 2^53 − 1).
    Int,
    /// `string`: any text.
    String,
    /// `uri`: a URL (relative ones resolve against the project).
    Uri,
    /// `path`: a file in the project, or a run's artifact (`runs:/<run_id>/<path>`).
    Path,
}

impl ParamKind {
    /// Every kind, in the order messages list them.
    pub const ALL: [ParamKind; 5] = [
        ParamKind::Float,
        ParamKind::Int,
        ParamKind::String,
        ParamKind::Uri,
        ParamKind::Path,
    ];

    /// MLflow's spelling (`float`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::Float => "float",
            ParamKind::Int => "int",
            ParamKind::String => "string",
            ParamKind::Uri => "uri",
            ParamKind::Path => "path",
        }
    }

    /// The kind MLflow spells `name` (case-sensitive, as MLflow compares them).
    pub fn parse(name: &str) -> Option<ParamKind> {
        ParamKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for ParamKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Project {
    /// The entry point called `name`; the error lists the ones there are.
    pub fn entry_point(&self, name: &str) -> Result<&EntryPoint> {
        if let Some(ep) = self.entry_points.iter().find(|ep| ep.name == name) {
            return Ok(ep);
        }
        let project = match &self.name {
            Some(n) => format!("project '{n}'"),
            None => "the project".to_owned(),
        };
        Err(invalid(if self.entry_points.is_empty() {
            format!("No entry point '{name}': {project} has no entry points.")
        } else {
            format!(
                "No entry point '{name}' in {project}; its entry points: {}.",
                names(self.entry_points.iter().map(|ep| ep.name.as_str()))
            )
        }))
    }
}

impl EntryPoint {
    /// The module path and function name, or an error when the entry point only has a
    /// shell command.
    pub fn browser(&self) -> Result<(&str, &str)> {
        match &self.run {
            Runnable::Browser { module, function } => Ok((module, function)),
            Runnable::Command(cmd) => Err(invalid(format!(
                "Entry point '{}' runs a command ({cmd:?}), which cannot run in the browser; \
                 give it a 'module' (an ES module) and a 'function' to call.",
                self.name
            ))),
        }
    }

    /// The declared parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&ParamSpec> {
        self.parameters.iter().find(|p| p.name == name)
    }
}

/// `a, b, c`.
pub(crate) fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

/// Parses an `MLproject` file. Refuses invalid YAML, wrongly typed known keys, entry
/// points with neither `module` nor `command`, unknown parameter types, bad defaults
/// and modules outside the project; ignores keys it does not know.
pub fn parse_mlproject(text: &str) -> Result<Project> {
    let doc: Yaml = yaml_serde::from_str(text)
        .map_err(|e| invalid(format!("MLproject is not valid YAML: {e}")))?;
    let doc = match doc {
        Yaml::Mapping(m) => m,
        Yaml::Null => Mapping::new(),
        other => {
            return Err(invalid(format!(
                "MLproject must be a YAML mapping (name, entry_points, …), not {}.",
                yaml_kind(&other)
            )))
        }
    };
    let name = match doc.get("name") {
        None | Some(Yaml::Null) => None,
        Some(Yaml::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(invalid(format!(
                "MLproject: 'name' must be text, not {}.",
                yaml_kind(other)
            )))
        }
    };
    let environment = environment(&doc)?;
    let entry_points = match doc.get("entry_points") {
        None | Some(Yaml::Null) => Vec::new(),
        Some(Yaml::Mapping(m)) => m
            .iter()
            .map(|(k, v)| entry_point(k, v))
            .collect::<Result<_>>()?,
        Some(other) => {
            return Err(invalid(format!(
                "MLproject: 'entry_points' must be a mapping of names to entry points, not {}.",
                yaml_kind(other)
            )))
        }
    };
    Ok(Project {
        name,
        entry_points,
        environment,
    })
}

fn environment(doc: &Mapping) -> Result<Option<Environment>> {
    let keys = ["python_env", "conda_env", "docker_env"];
    let given: Vec<&str> = keys
        .into_iter()
        .filter(|k| doc.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    if given.len() > 1 {
        return Err(invalid(format!(
            "MLproject: give at most one of python_env, conda_env and docker_env (it has {}).",
            given.join(" and ")
        )));
    }
    let Some(&key) = given.first() else {
        return Ok(None);
    };
    let value = &doc[key];
    let text = |v: &Yaml, what: &str| match v {
        Yaml::String(s) => Ok(s.clone()),
        other => Err(invalid(format!(
            "MLproject: '{what}' must be text, not {}.",
            yaml_kind(other)
        ))),
    };
    Ok(Some(match key {
        "python_env" => Environment::Python(text(value, key)?),
        "conda_env" => Environment::Conda(text(value, key)?),
        _ => match value.get("image") {
            Some(image) => Environment::Docker {
                image: text(image, "docker_env.image")?,
            },
            None => {
                return Err(invalid(
                    "MLproject: 'docker_env' must be a mapping with an 'image'.",
                ))
            }
        },
    }))
}

fn entry_point(key: &Yaml, value: &Yaml) -> Result<EntryPoint> {
    let Yaml::String(name) = key else {
        return Err(invalid(format!(
            "MLproject: entry point names must be text, not {}.",
            yaml_kind(key)
        )));
    };
    let at = |msg: String| invalid(format!("MLproject: entry point '{name}': {msg}"));
    let map = match value {
        Yaml::Mapping(m) => m,
        Yaml::Null => {
            return Err(at(
                "it has neither a 'module' (a browser entry point) nor a 'command'.".into(),
            ))
        }
        other => {
            return Err(at(format!(
                "it must be a mapping (module, function, command, parameters), not {}.",
                yaml_kind(other)
            )))
        }
    };
    let text = |key: &str| match map.get(key) {
        None | Some(Yaml::Null) => Ok(None),
        Some(Yaml::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(at(format!(
            "'{key}' must be text, not {}.",
            yaml_kind(other)
        ))),
    };
    let module = text("module")?;
    let function = text("function")?;
    let command = text("command")?;
    let run = match (module, command) {
        (Some(module), _) => {
            let module =
                normalize(&module).map_err(|why| at(format!("the module '{module}' {why}.")))?;
            let function = function.unwrap_or_else(|| "main".to_owned());
            if !is_identifier(&function) {
                return Err(at(format!(
                    "the function {function:?} is not a JavaScript identifier (letters, digits, \
                     '_' and '$', not starting with a digit)."
                )));
            }
            Runnable::Browser { module, function }
        }
        (None, Some(command)) => {
            if let Some(function) = function {
                return Err(at(format!(
                    "'function: {function}' needs a 'module' to take it from."
                )));
            }
            Runnable::Command(command)
        }
        (None, None) => {
            return Err(at(
                "it has neither a 'module' (a browser entry point) nor a 'command'.".into(),
            ))
        }
    };
    let parameters = match map.get("parameters") {
        None | Some(Yaml::Null) => Vec::new(),
        Some(Yaml::Mapping(m)) => m
            .iter()
            .map(|(k, v)| param_spec(k, v).map_err(|e| at(e.message)))
            .collect::<Result<_>>()?,
        Some(other) => {
            return Err(at(format!(
                "'parameters' must be a mapping of names to types, not {}.",
                yaml_kind(other)
            )))
        }
    };
    Ok(EntryPoint {
        name: name.clone(),
        run,
        parameters,
    })
}

/// One parameter: `name: type` or `name: {type, default}`. The error message is the
/// part after the entry point.
fn param_spec(key: &Yaml, value: &Yaml) -> Result<ParamSpec> {
    let Yaml::String(name) = key else {
        return Err(invalid(format!(
            "parameter names must be text, not {}.",
            yaml_kind(key)
        )));
    };
    let at = |msg: String| invalid(format!("parameter '{name}': {msg}"));
    validate_key(KeyKind::Param, name).map_err(|e| at(e.0))?;
    let (kind, default) = match value {
        Yaml::String(t) => (t.as_str(), None),
        Yaml::Mapping(m) => {
            let kind = match m.get("type") {
                None | Some(Yaml::Null) => "string",
                Some(Yaml::String(t)) => t.as_str(),
                Some(other) => {
                    return Err(at(format!(
                        "'type' must be text, not {}.",
                        yaml_kind(other)
                    )))
                }
            };
            (kind, m.get("default"))
        }
        other => {
            return Err(at(format!(
                "give a type (`{name}: float`) or a mapping (`{name}: {{type: float, default: \
                 0.1}}`), not {}.",
                yaml_kind(other)
            )))
        }
    };
    let kind = ParamKind::parse(kind).ok_or_else(|| {
        at(format!(
            "the type '{kind}' is not one of {}.",
            names(ParamKind::ALL.iter().map(|k| k.as_str()))
        ))
    })?;
    let default = match default {
        None | Some(Yaml::Null) => None,
        Some(Yaml::Bool(b)) => Some(b.to_string()),
        Some(Yaml::String(s)) => Some(s.clone()),
        Some(Yaml::Number(n)) => Some(if let Some(i) = n.as_i64() {
            i.to_string()
        } else if let Some(u) = n.as_u64() {
            u.to_string()
        } else {
            match n.as_f64() {
                Some(x) if x.is_finite() => js_number(x),
                _ => {
                    return Err(at(format!(
                        "the default {n} is not a finite number (quote it to make it text)."
                    )))
                }
            }
        }),
        Some(other) => {
            return Err(at(format!(
                "the default must be a number, text or true/false, not {}.",
                yaml_kind(other)
            )))
        }
    };
    if let Some(d) = &default {
        // Checked as the text it is recorded as; shown as the file has it (quoted only
        // when it is a YAML string).
        let given = Given::Text(d.clone());
        check_value(kind, &given).map_err(|why| {
            let shown = match value.get("default") {
                Some(Yaml::String(_)) => describe(&given),
                _ => d.clone(),
            };
            at(format!("the default {shown} {why}."))
        })?;
    }
    Ok(ParamSpec {
        name: name.clone(),
        kind,
        default,
    })
}

/// An ASCII JavaScript IdentifierName (reserved words included: `default` names the
/// default export).
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c == b'$')
        && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
}

fn yaml_kind(v: &Yaml) -> &'static str {
    match v {
        Yaml::Null => "null",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "text",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}
