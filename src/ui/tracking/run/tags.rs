//! The run's tags in the shared tag editor; the description tag is edited in its own
//! section, and `mlflow.*` tags are hidden unless asked for.

use leptos::prelude::*;

use super::handle::RunHandle;
use crate::core::tracking::rules::TAG_NOTE;
use crate::ui::widgets::tags::TagEditor;

/// The tags table with its editor.
#[component]
pub fn RunTags(h: RunHandle) -> impl IntoView {
    let tags = Memo::new(move |_| {
        h.run.with(|r| {
            r.as_ref()
                .map(|r| {
                    (r.tags.iter())
                        .filter(|(k, _)| k.as_str() != TAG_NOTE)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let set =
        Callback::new(move |(k, v): (String, String)| h.write(|t, id| t.set_tags(id, &[(k, v)])));
    let delete = Callback::new(move |k: String| h.write(|t, id| t.delete_tag(id, &k)));
    view! {
        <section class="run-section run-tags">
            <TagEditor tags set delete system_prefix="mlflow."/>
        </section>
    }
}
