//! The "Group by" select of the runs page and the compare page: None, then the params
//! and the tags runs can be grouped by (`core::table::groups::group_options`), by
//! column key (`params.lr`).

use leptos::prelude::*;

use crate::core::table::column_key::{ColumnKey, ColumnKind};

/// "Group by": `current` among `options`; a choice goes to `on_change` (`None` for
/// None). A grouping the address names that no run has is still shown as chosen.
#[component]
pub fn GroupBySelect(
    #[prop(into)] options: Signal<Vec<ColumnKey>>,
    #[prop(into)] current: Signal<Option<ColumnKey>>,
    on_change: Callback<Option<ColumnKey>>,
    /// The label's class.
    class: &'static str,
) -> impl IntoView {
    // `selected` on each option as well as the select's value: options added after
    // the value was set (the lists render after the attributes) would otherwise leave
    // the first option shown.
    let option = move |k: ColumnKey| {
        let value = k.to_string();
        let is = k.clone();
        view! {
            <option value=value selected=move || current.with(|c| c.as_ref() == Some(&is))>{k.name().to_owned()}</option>
        }
    };
    let optgroup = move |kind: ColumnKind, label: &'static str| {
        let keys: Vec<ColumnKey> =
            options.with(|o| o.iter().filter(|k| k.kind() == kind).cloned().collect());
        (!keys.is_empty()).then(|| {
            view! {
                <optgroup label=label>
                    {keys.into_iter().map(&option).collect_view()}
                </optgroup>
            }
        })
    };
    let unlisted = move || {
        current
            .get()
            .filter(|k| !options.with(|o| o.contains(k)))
            .map(option)
    };
    view! {
        <label class=class>"Group by"
            <select
                prop:value=move || current.get().map(|k| k.to_string()).unwrap_or_default()
                on:change=move |ev| on_change.run(ColumnKey::parse(&event_target_value(&ev)))
            >
                <option value="" selected=move || current.with(Option::is_none)>"None"</option>
                {move || optgroup(ColumnKind::Params, "Params")}
                {move || optgroup(ColumnKind::Tags, "Tags")}
                {unlisted}
            </select>
        </label>
    }
}
