//! The run's artifacts, in the shared file browser.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::ui::widgets::files::{FileBrowser, FilesOwner};

/// The section's element id, so other parts of the page can scroll to it.
pub const ARTIFACTS_ID: &str = "artifacts";

/// The artifacts section; `selected` is the file previewed, which other parts of the
/// page may set (the Project section's file links).
#[component]
pub fn ArtifactBrowser(h: RunHandle, selected: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <section class="run-section run-artifacts" id=ARTIFACTS_ID>
            <h2>"Artifacts"</h2>
            <FileBrowser owner=FilesOwner::Run(h.id.get_value()) label="Artifacts" selected empty=|| view! {
                <p class="muted">"No artifacts. Log one with "<code>"mlflow.logArtifact(path, data)"</code>"."</p>
            }/>
        </section>
    }
}
