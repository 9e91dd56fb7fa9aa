//! The bundle: the order in which a project's modules become Blob URLs, and the
//! hashes that name the code a run ran.

use sha2::{Digest, Sha256};

use super::{invalid, Result};

/// Orders the project's modules so that each comes after every module it imports:
/// `graph` lists each file reachable from the entry modules with the in-project files
/// it imports (normalised paths, as [`resolve_import`](super::resolve_import) gives).
/// A module's imports can then be rewritten to the Blob URLs of files already made.
/// The order is deterministic: depth first, in the order of `graph` and of each
/// file's imports.
///
/// Refuses an import cycle, naming the files in it (a Blob URL is fixed once made, so
/// two modules cannot point at each other), a file listed twice, and an import of a
/// file `graph` does not list.
pub fn bundle_order(graph: &[(String, Vec<String>)]) -> Result<Vec<String>> {
    let index = |path: &str| graph.iter().position(|(p, _)| p == path);
    for (i, (path, _)) in graph.iter().enumerate() {
        if index(path) != Some(i) {
            return Err(invalid(format!(
                "The bundle lists '{path}' more than once."
            )));
        }
    }
    // Resolve edges up front so the walk below only deals in indices.
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(graph.len());
    for (path, imports) in graph {
        let mut out = Vec::with_capacity(imports.len());
        for import in imports {
            match index(import) {
                Some(j) => out.push(j),
                None => {
                    return Err(invalid(format!(
                        "'{path}' imports '{import}', which is not among the project files \
                         loaded."
                    )))
                }
            }
        }
        edges.push(out);
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; graph.len()];
    let mut order = Vec::with_capacity(graph.len());
    for root in 0..graph.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // An explicit stack of (file, next import to visit): no recursion depth limit.
        let mut stack = vec![(root, 0usize)];
        mark[root] = Mark::Open;
        while let Some(&mut (file, ref mut next)) = stack.last_mut() {
            let Some(&dep) = edges[file].get(*next) else {
                mark[file] = Mark::Done;
                order.push(graph[file].0.clone());
                stack.pop();
                continue;
            };
            *next += 1;
            match mark[dep] {
                Mark::Done => {}
                Mark::New => {
                    mark[dep] = Mark::Open;
                    stack.push((dep, 0));
                }
                Mark::Open => {
                    let from = stack.iter().position(|&(f, _)| f == dep).unwrap_or(0);
                    let cycle: Vec<&str> = stack[from..]
                        .iter()
                        .map(|&(f, _)| graph[f].0.as_str())
                        .chain([graph[dep].0.as_str()])
                        .collect();
                    return Err(invalid(format!(
                        "The project's modules import each other in a cycle ({}); each module \
                         becomes a Blob URL after the ones it imports, so break the cycle.",
                        cycle.join(" → ")
                    )));
                }
            }
        }
    }
    Ok(order)
}

/// The SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The project's hash, from each file's path (project-relative) and SHA-256 (hex):
/// the SHA-256 (lowercase hex) of the manifest that lists, for each file in order of
/// path bytes (then hash), `path`, a NUL byte, the hash in lowercase hex and `\n`.
/// So it does not depend on the order files were read in, and changes when any file's
/// content, name or presence does. (A path holds no NUL, so the manifest is
/// unambiguous.)
pub fn project_sha256(files: &[(String, String)]) -> String {
    let mut entries: Vec<(&str, String)> = files
        .iter()
        .map(|(path, sha)| (path.as_str(), sha.to_ascii_lowercase()))
        .collect();
    entries.sort_unstable();
    let mut hasher = Sha256::new();
    for (path, sha) in &entries {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(sha.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}
