//! The run's artifacts, in the shared file browser.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::ui::widgets::files::{FileBrowser, FilesOwner};

/// The artifacts section.
#[component]
pub fn ArtifactBrowser(h: RunHandle) -> impl IntoView {
    view! {
        <section class="run-section run-artifacts">
            <h2>"Artifacts"</h2>
            <FileBrowser owner=FilesOwner::Run(h.id.get_value()) label="Artifacts" empty=|| view! {
                <p class="muted">"No artifacts. Log one with "<code>"mlflow.logArtifact(path, data)"</code>"."</p>
            }/>
        </section>
    }
}
