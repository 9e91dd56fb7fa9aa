//! Artifact paths and listings: MLflow's rules for where a file may go, the direct
//! children of a directory, and how `logDict` writes a dictionary.

use std::collections::BTreeMap;

use crate::core::tracking::rules::{is_path_unique, InvalidValue};

/// Checks an artifact path: relative, `/`-separated, no `.`/`..`/empty segments.
pub fn validate_artifact_path(path: &str) -> Result<(), InvalidValue> {
    // The key rule (no empty, `.` or `..` segments), plus no Windows separators or NULs.
    let bad = !is_path_unique(path) || path.contains('\\') || path.contains('\0');
    if bad {
        return Err(InvalidValue(format!(
            "Invalid artifact path '{path}': use a relative path like 'plots/loss.png' (no leading '/', no '..', '.' or empty segments)."
        )));
    }
    Ok(())
}

/// An entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Child {
    /// Path relative to the artifact root.
    pub path: String,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Size of a file.
    pub size: Option<u64>,
}

/// The direct children of `dir` ("" = root) among `files` (path, size), directories
/// first, then by name — as `mlflow.artifacts.list_artifacts` shows them.
pub fn list_children(files: &[(String, u64)], dir: &str) -> Vec<Child> {
    let dir = dir.trim_matches('/');
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut out: BTreeMap<(bool, String), Option<u64>> = BTreeMap::new();
    for (path, size) in files {
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        match rest.split_once('/') {
            Some((sub, _)) => {
                out.insert((false, format!("{prefix}{sub}")), None);
            }
            None if !rest.is_empty() => {
                out.insert((true, path.clone()), Some(*size));
            }
            None => {}
        }
    }
    out.into_iter()
        .map(|((is_file, path), size)| Child {
            path,
            is_dir: !is_file,
            size,
        })
        .collect()
}

/// A MIME type from a file name's extension, for downloads and previews.
pub fn mime_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "md" | "markdown" => "text/markdown",
        "yaml" | "yml" | "mlmodel" => "application/yaml",
        "txt" | "log" | "py" | "js" | "ts" | "rs" | "toml" | "ini" | "cfg" => "text/plain",
        _ if path.ends_with("MLmodel") => "application/yaml",
        _ => "application/octet-stream",
    }
}

/// The text `logDict` writes: YAML for `.yaml`/`.yml`, else JSON indented by two
/// spaces (as `mlflow.log_dict` does).
pub fn dict_text(value: &serde_json::Value, path: &str) -> Result<String, String> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        yaml_serde::to_string(value).map_err(|e| format!("logDict could not write YAML: {e}"))
    } else {
        serde_json::to_string_pretty(value)
            .map_err(|e| format!("logDict could not write JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_paths() {
        for ok in ["a.txt", "plots/loss.png", "ü/中.csv"] {
            assert!(validate_artifact_path(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../x", "a//b", "a/./b", "a/", "c:\\x"] {
            assert!(validate_artifact_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn children_are_direct_and_dirs_first() {
        let files = vec![
            ("b.txt".to_string(), 3),
            ("plots/loss.png".to_string(), 10),
            ("plots/deep/x.csv".to_string(), 4),
            ("a.txt".to_string(), 1),
        ];
        let root = list_children(&files, "");
        let names: Vec<_> = root.iter().map(|c| (c.path.as_str(), c.is_dir)).collect();
        assert_eq!(
            names,
            vec![("plots", true), ("a.txt", false), ("b.txt", false)]
        );
        let sub = list_children(&files, "plots");
        assert_eq!(
            sub[0],
            Child {
                path: "plots/deep".into(),
                is_dir: true,
                size: None
            }
        );
        assert_eq!(
            sub[1],
            Child {
                path: "plots/loss.png".into(),
                is_dir: false,
                size: Some(10)
            }
        );
    }

    #[test]
    fn dict_as_json_or_yaml() {
        let v = serde_json::json!({"lr": 0.1, "layers": [1, 2]});
        assert!(dict_text(&v, "cfg.json")
            .unwrap()
            .contains("\n  \"layers\""));
        let y = dict_text(&v, "cfg.yaml").unwrap();
        assert!(y.contains("lr: 0.1"), "{y}");
    }
}
