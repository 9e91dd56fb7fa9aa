//! The run's description (`mlflow.note.content`), in the shared description editor.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::core::tracking::rules::TAG_NOTE;
use crate::ui::widgets::description::DescriptionEditor;

/// Shows the description, with an editor behind "Edit".
#[component]
pub fn RunDescription(h: RunHandle) -> impl IntoView {
    let note = Memo::new(move |_| {
        h.run
            .with(|r| r.as_ref().and_then(|r| r.tags.get(TAG_NOTE).cloned()))
            .unwrap_or_default()
    });
    let save = Callback::new(move |text: String| {
        let had_note = h
            .run
            .with_untracked(|r| r.as_ref().is_some_and(|r| r.tags.contains_key(TAG_NOTE)));
        h.write(|t, id| {
            if !text.trim().is_empty() {
                t.set_tags(id, &[(TAG_NOTE.to_owned(), text)])
            } else if had_note {
                t.delete_tag(id, TAG_NOTE)
            } else {
                Ok(())
            }
        })
    });
    view! {
        <section class="run-section run-description">
            <DescriptionEditor text=note save/>
        </section>
    }
}
