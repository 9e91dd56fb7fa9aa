//! Project-relative paths: normalising what an `MLproject`, a parameter or an import
//! names, and finding the `MLproject` file among a zip's entries.

use super::{invalid, Result};

/// Why a path is not a file inside the project, as a phrase ("is absolute").
pub(crate) type Refusal = &'static str;

/// Normalises a relative path inside the project: drops `.` and empty segments,
/// applies `..`, and refuses what would leave the project folder or is not relative.
pub(crate) fn normalize(path: &str) -> std::result::Result<String, Refusal> {
    if path.is_empty() {
        return Err("is empty");
    }
    if path.contains('\\') {
        return Err("uses '\\' (write '/')");
    }
    if path.starts_with('/') {
        return Err("is absolute (write it relative to the MLproject file)");
    }
    if has_scheme(path) {
        return Err("is a URL, not a path inside the project");
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("leaves the project folder");
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err("names the project folder itself, not a file");
    }
    Ok(parts.join("/"))
}

/// Whether `s` starts with a URL scheme (`https:`, `data:`, `runs:`, `C:`).
pub(crate) fn has_scheme(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    for &c in &b[1..] {
        match c {
            b':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.') => {}
            _ => return false,
        }
    }
    false
}

/// Normalises a path inside the project (`./src//a.js` → `src/a.js`); refuses empty,
/// absolute and URL paths, and `..` leaving the project folder.
pub fn normalize_project_path(path: &str) -> Result<String> {
    normalize(path).map_err(|why| invalid(format!("The path '{path}' {why}.")))
}

/// Finds the `MLproject` file among a zip's entry paths: the name matches
/// case-insensitively, as in MLflow; the shallowest one wins (a zip often holds the
/// project in one top folder, `demo/MLproject`). Returns its path as given.
pub fn find_mlproject(paths: &[&str]) -> Result<String> {
    let depth = |p: &str| p.matches('/').count();
    let found: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            name.eq_ignore_ascii_case("MLproject")
        })
        .collect();
    let Some(shallowest) = found.iter().map(|p| depth(p)).min() else {
        return Err(invalid(
            "There is no MLproject file in the project (looked for 'MLproject' in any case).",
        ));
    };
    let top: Vec<&str> = found
        .into_iter()
        .filter(|p| depth(p) == shallowest)
        .collect();
    if let [only] = top[..] {
        return Ok(only.to_owned());
    }
    Err(invalid(format!(
        "There are {} MLproject files at the same depth ({}); keep one project per zip.",
        top.len(),
        top.join(", ")
    )))
}

/// The folder holding an `MLproject` file, with its trailing `/` (`demo/MLproject` →
/// `demo/`; `MLproject` → ``): prefix it to project-relative paths to find zip entries.
pub fn project_root(mlproject_path: &str) -> &str {
    match mlproject_path.rfind('/') {
        Some(i) => &mlproject_path[..=i],
        None => "",
    }
}
