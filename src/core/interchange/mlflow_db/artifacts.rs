//! Artifact URIs recorded in `mlflow.db` → files of the upload, as MLflow maps them.
//!
//! The Python client records absolute plain paths under `./mlruns` (or `file://` URIs);
//! `mlflow server` records `mlflow-artifacts:/<exp>/<run>/artifacts`, served from
//! `./mlartifacts`. Either way an experiment is `<root>/<id>`, a run
//! `<root>/<exp>/<run>/artifacts`, a logged model `<root>/<exp>/models/<id>/artifacts`.
//! The root is learnt from the experiments (`artifact_location` minus `/<id>`); the
//! folder beside `mlflow.db` named like the root's last segment holds it (the oracle's
//! rule), else the only folder there, else the folder itself when it holds experiment
//! folders directly.

use std::collections::{BTreeMap, BTreeSet};

use crate::core::interchange::mlruns::FileTree;

/// The scheme of MLflow's proxied artifact store.
const PROXIED: &str = "mlflow-artifacts:";
/// Where `mlflow server` keeps proxied artifacts by default.
const PROXIED_DIR: &str = "mlartifacts";

/// A URI as a local path, a proxied path, or neither.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// An absolute local path (no trailing `/`).
    Local(String),
    /// A path relative to the database's folder.
    Relative(String),
    /// The path part of `mlflow-artifacts:[//host]/<path>` (no leading `/`).
    Proxied(String),
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn place(uri: &str) -> Option<Place> {
    let uri = uri.trim_end_matches('/');
    if let Some(rest) = uri.strip_prefix(PROXIED) {
        let path = match rest.strip_prefix("//") {
            Some(hosted) => hosted.split_once('/').map_or("", |(_, p)| p),
            None => rest,
        };
        return Some(Place::Proxied(path.trim_start_matches('/').to_owned()));
    }
    if let Some(rest) = uri.strip_prefix("file:") {
        let path = match rest.strip_prefix("//") {
            Some(hosted) => {
                let (host, path) = hosted.split_at(hosted.find('/').unwrap_or(hosted.len()));
                if !(host.is_empty() || host == "localhost") {
                    return None;
                }
                path
            }
            None => rest,
        };
        return Some(Place::Local(percent_decode(path)));
    }
    let windows =
        uri.len() > 2 && uri.as_bytes()[1] == b':' && uri.as_bytes()[0].is_ascii_alphabetic();
    if uri.starts_with('/') || windows {
        return Some(Place::Local(uri.replace('\\', "/")));
    }
    let scheme = uri.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if scheme || uri.is_empty() {
        return None; // s3:, gs:, dbfs:, http:, runs:, models:, …
    }
    let rel: Vec<&str> = uri
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    (!rel.contains(&"..")).then(|| Place::Relative(rel.join("/")))
}

/// Where the recorded artifact roots are in the upload.
pub(super) struct Roots {
    /// Recorded local roots (longest first) → folder prefix in the upload (`"mlruns/"`).
    local: Vec<(String, String)>,
    /// Folder prefix of proxied artifacts, when the upload has them.
    proxied: Option<String>,
}

/// The top-level folders of `tree`.
fn top_dirs(tree: &FileTree) -> BTreeSet<&str> {
    let from_files = tree
        .files
        .keys()
        .filter_map(|p| p.split_once('/').map(|(d, _)| d));
    let from_dirs = tree.dirs.iter().map(|d| d.split('/').next().unwrap_or(d));
    from_files
        .chain(from_dirs)
        .filter(|d| !d.starts_with("__MACOSX"))
        .collect()
}

impl Roots {
    /// Learns the roots from `(experiment_id, artifact_location)` pairs and finds
    /// their folders in `beside`.
    pub fn learn<'e>(
        experiments: impl Iterator<Item = (&'e str, &'e str)>,
        beside: &FileTree,
    ) -> Roots {
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        let mut proxied = false;
        for (id, location) in experiments {
            match place(location) {
                Some(Place::Local(p)) => {
                    if let Some(root) = p.strip_suffix(&format!("/{id}")) {
                        *votes.entry(root.to_owned()).or_default() += 1;
                    }
                }
                Some(Place::Proxied(_)) => proxied = true,
                _ => {}
            }
        }
        let dirs = top_dirs(beside);
        let fallback = || -> Option<String> {
            if dirs.len() == 1 {
                return dirs.iter().next().map(|d| format!("{d}/"));
            }
            dirs.iter()
                .any(|d| d.bytes().all(|b| b.is_ascii_digit()))
                .then(String::new)
        };
        let folder = |name: &str| {
            if dirs.contains(name) {
                Some(format!("{name}/"))
            } else {
                fallback()
            }
        };
        let mut local: Vec<(String, String)> = votes
            .into_keys()
            .filter_map(|root| {
                let name = root.rsplit('/').next().unwrap_or("").to_owned();
                folder(&name).map(|f| (root, f))
            })
            .collect();
        local.sort_by_key(|(root, _)| std::cmp::Reverse(root.len()));
        Roots {
            local,
            proxied: if proxied { folder(PROXIED_DIR) } else { None },
        }
    }

    /// The upload's folder prefix for `uri` (ending in `/`), if its files are there.
    pub fn folder_of(&self, uri: &str) -> Option<String> {
        match place(uri)? {
            Place::Proxied(p) => self.proxied.as_ref().map(|f| format!("{f}{p}/")),
            Place::Relative(p) => Some(format!("{p}/")),
            Place::Local(p) => self.local.iter().find_map(|(root, folder)| {
                let rest = p.strip_prefix(root.as_str())?;
                let rest = rest.strip_prefix('/')?;
                Some(format!("{folder}{rest}/"))
            }),
        }
    }
}

/// The URI an export should record: `mlflow-artifacts:` paths (which only a tracking
/// server resolves) become relative `mlruns/<path>`, which MLflow resolves against the
/// folder it runs in, where the export's `mlruns/` is; everything else is kept.
pub(super) fn exported_uri(uri: &str) -> String {
    match uri.strip_prefix(PROXIED).map(|_| place(uri)) {
        Some(Some(Place::Proxied(p))) => format!("mlruns/{p}"),
        _ => uri.to_owned(),
    }
}

/// Moves the files under `prefix` out of `tree`, keys relative, with the empty folders
/// there (an empty artifact folder is something MLflow lists).
pub(super) fn take(
    tree: &mut FileTree,
    prefix: &str,
) -> (BTreeMap<String, Vec<u8>>, BTreeSet<String>) {
    let keys: Vec<String> = (tree.files.range(prefix.to_owned()..))
        .map(|(k, _)| k)
        .take_while(|k| k.starts_with(prefix))
        .cloned()
        .collect();
    let files: BTreeMap<String, Vec<u8>> = keys
        .into_iter()
        .filter_map(|k| tree.files.remove_entry(&k))
        .map(|(k, v)| (k[prefix.len()..].to_owned(), v))
        .collect();
    let dirs: Vec<String> = (tree.dirs.range(prefix.to_owned()..))
        .take_while(|k| k.starts_with(prefix))
        .cloned()
        .collect();
    let dirs: BTreeSet<String> = dirs
        .into_iter()
        .filter_map(|d| tree.dirs.take(&d))
        .map(|d| d[prefix.len()..].to_owned())
        .filter(|d| !d.is_empty())
        .collect();
    let has_below = |d: &String| {
        let below = format!("{d}/");
        let first_file = files.range(below.clone()..).next().map(|(k, _)| k);
        let first_dir = dirs.range(below.clone()..).next();
        [first_file, first_dir]
            .into_iter()
            .flatten()
            .any(|k| k.starts_with(&below))
    };
    let empty = dirs.iter().filter(|d| !has_below(d)).cloned().collect();
    (files, empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> FileTree {
        FileTree {
            files: paths.iter().map(|p| (p.to_string(), vec![])).collect(),
            ..FileTree::default()
        }
    }

    #[test]
    fn uris_become_places() {
        assert_eq!(
            place("/tmp/a/mlruns/1/"),
            Some(Place::Local("/tmp/a/mlruns/1".into()))
        );
        assert_eq!(
            place("file:///tmp/a%20b/1"),
            Some(Place::Local("/tmp/a b/1".into()))
        );
        assert_eq!(
            place("file://localhost/x/1"),
            Some(Place::Local("/x/1".into()))
        );
        assert_eq!(place("file://elsewhere/x/1"), None);
        assert_eq!(place("file:/x/1"), Some(Place::Local("/x/1".into())));
        assert_eq!(
            place("C:\\runs\\mlruns\\1"),
            Some(Place::Local("C:/runs/mlruns/1".into()))
        );
        assert_eq!(
            place("mlflow-artifacts:/1/r/artifacts"),
            Some(Place::Proxied("1/r/artifacts".into()))
        );
        assert_eq!(
            place("mlflow-artifacts://host:5000/1/r/artifacts"),
            Some(Place::Proxied("1/r/artifacts".into()))
        );
        assert_eq!(
            place("./mlruns/1"),
            Some(Place::Relative("mlruns/1".into()))
        );
        assert_eq!(place("../up/1"), None);
        assert_eq!(place("s3://bucket/1"), None);
        assert_eq!(place("models:/m-1"), None);
    }

    #[test]
    fn roots_map_onto_the_folder_beside_the_database() {
        let beside = tree(&["mlruns/1/r/artifacts/a", "mlartifacts/2/s/artifacts/b"]);
        let exps = [
            ("1", "/home/u/proj/mlruns/1"),
            ("2", "mlflow-artifacts:/2"),
            ("0", "/home/u/proj/mlruns/0"),
        ];
        let roots = Roots::learn(exps.into_iter(), &beside);
        assert_eq!(
            roots
                .folder_of("/home/u/proj/mlruns/1/r/artifacts")
                .as_deref(),
            Some("mlruns/1/r/artifacts/")
        );
        assert_eq!(
            roots
                .folder_of("file:///home/u/proj/mlruns/1/models/m-1/artifacts")
                .as_deref(),
            Some("mlruns/1/models/m-1/artifacts/")
        );
        assert_eq!(
            roots
                .folder_of("mlflow-artifacts:/2/s/artifacts")
                .as_deref(),
            Some("mlartifacts/2/s/artifacts/")
        );
        assert_eq!(roots.folder_of("/elsewhere/3/x"), None);
        assert_eq!(roots.folder_of("s3://b/1/x"), None);
        // A renamed folder, or the root's contents zipped directly, still map.
        let renamed = Roots::learn(
            [("1", "/p/mlruns/1")].into_iter(),
            &tree(&["artifacts-copy/1/r/artifacts/a"]),
        );
        assert_eq!(
            renamed.folder_of("/p/mlruns/1/r/artifacts").as_deref(),
            Some("artifacts-copy/1/r/artifacts/")
        );
        let flat = Roots::learn(
            [("1", "/p/mlruns/1")].into_iter(),
            &tree(&["1/r/artifacts/a", "2/x"]),
        );
        assert_eq!(
            flat.folder_of("/p/mlruns/1/r/artifacts").as_deref(),
            Some("1/r/artifacts/")
        );
    }

    #[test]
    fn proxied_uris_are_exported_relative() {
        assert_eq!(
            exported_uri("mlflow-artifacts:/1/r/artifacts"),
            "mlruns/1/r/artifacts"
        );
        assert_eq!(exported_uri("/abs/mlruns/1"), "/abs/mlruns/1");
        assert_eq!(exported_uri("models:/m-1"), "models:/m-1");
    }

    #[test]
    fn take_moves_one_folder() {
        let mut t = tree(&["a/x", "a/y/z", "ab/q", "b"]);
        t.dirs.extend(["a/empty".to_string(), "a/y".to_string()]);
        let (files, dirs) = take(&mut t, "a/");
        assert_eq!(files.keys().collect::<Vec<_>>(), ["x", "y/z"]);
        assert_eq!(dirs, BTreeSet::from(["empty".to_string()]));
        assert_eq!(t.files.keys().collect::<Vec<_>>(), ["ab/q", "b"]);
    }
}
