//! What was opened: the project's name, source, hash and files.

use std::rc::Rc;

use leptos::prelude::*;

use crate::core::text::format::format_size;
use crate::service::projects::LoadedProject;

/// The first 12 hex digits of a hash, as the project's code is named in short.
pub fn short_hash(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

/// The opened project: name, source, sha256 (short; full in the title), the files
/// that were read and hashed, and imports from outside it.
#[component]
pub fn ProjectSummary(project: StoredValue<Rc<LoadedProject>, LocalStorage>) -> impl IntoView {
    let p = project.get_value();
    let name = p
        .project
        .name
        .clone()
        .unwrap_or_else(|| "Unnamed project".to_owned());
    let files: Vec<(String, usize)> = p.files.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    let external: Vec<String> = p.external_imports.iter().cloned().collect();
    view! {
        <section class="project-summary" data-testid="project-summary">
            <h2 class="project-name">{name}</h2>
            <dl class="project-facts">
                <div><dt>"Source"</dt><dd class="mono" data-field="source">{p.source_name.clone()}</dd></div>
                <div><dt>"Code hash"</dt><dd>
                    <code data-field="sha256" title=format!("sha256 {}", p.sha256)>{short_hash(&p.sha256)}</code>
                </dd></div>
                <div><dt>"Files"</dt><dd>
                    <ul class="project-files" aria-label="Project files">
                        {files.into_iter().map(|(path, size)| view! {
                            <li><code>{path}</code> " " <span class="muted">{format_size(size as u64)}</span></li>
                        }).collect_view()}
                    </ul>
                </dd></div>
                {(!external.is_empty()).then(|| view! {
                    <div><dt>"Imports from elsewhere"</dt><dd>
                        <ul class="project-files">
                            {external.into_iter().map(|u| view! { <li><code>{u}</code></li> }).collect_view()}
                        </ul>
                    </dd></div>
                })}
            </dl>
        </section>
    }
}
