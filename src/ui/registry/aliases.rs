//! A registered model's aliases: on the model page every alias with the version it
//! names (moved by choosing another), on a version page the aliases naming it. Setting
//! an alias that names another version moves it, as MLflow does; MLflow's refusals
//! (`latest` and `v<digits>` are reserved) are shown in place.

use leptos::prelude::*;

use super::handle::ModelHandle;
use crate::core::table::registry::{alias_label, sorted_aliases, version_path};
use crate::ui::href;

/// The aliases section: every alias of the model when `version` is `None`, else the
/// aliases of that version.
#[component]
pub fn AliasEditor(h: ModelHandle, #[prop(optional)] version: Option<u64>) -> impl IntoView {
    let aliases = Memo::new(move |_| {
        h.model.with(|m| {
            m.as_ref()
                .map(sorted_aliases)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, v)| version.is_none_or(|want| *v == want))
                .collect::<Vec<_>>()
        })
    });
    let all = Memo::new(move |_| {
        h.model
            .with(|m| m.as_ref().map(sorted_aliases).unwrap_or_default())
    });
    // Live versions, newest first (the choices of the version pickers).
    let versions = Memo::new(move |_| {
        h.model.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.live_versions()
                        .rev()
                        .map(|v| v.version)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let error = RwSignal::new(None::<String>);
    let new_alias = RwSignal::new(String::new());
    let new_version = RwSignal::new(None::<u64>);
    let report = move |r: Result<(), String>| -> bool {
        error.set(r.clone().err());
        r.is_ok()
    };
    let set =
        move |alias: String, to: u64| report(h.write(|t, n, now| t.set_alias(n, &alias, to, now)));
    let remove = move |alias: String| report(h.write(|t, n, _| t.delete_alias(n, &alias)));
    let add = move || {
        let alias = new_alias.get_untracked().trim().to_owned();
        let target = version
            .or(new_version.get_untracked())
            .or_else(|| versions.with_untracked(|v| v.first().copied()));
        let Some(target) = target else {
            error.set(Some(
                "Register a version first: an alias names a version.".into(),
            ));
            return;
        };
        if set(alias, target) {
            new_alias.set(String::new());
        }
    };
    // Where a typed alias is now, when that is another version (setting it moves it).
    let moves_from = Memo::new(move |_| {
        let typed = new_alias.get().trim().to_owned();
        let target = version.or(new_version.get());
        all.with(|a| {
            a.iter()
                .find(|(name, _)| *name == typed)
                .map(|(_, v)| *v)
                .filter(|v| Some(*v) != target)
        })
    });
    let name = move || h.name.get_value();

    let row = move |(alias, at): (String, u64)| {
        let (a_move, a_remove) = (alias.clone(), alias.clone());
        let chip = alias_label(&alias, at);
        view! {
            <li class="alias-item" data-alias=alias.clone()>
                <a class="alias-chip" href=href(&version_path(&name(), at))>{chip}</a>
                {version.is_none().then(|| view! {
                    <select aria-label=format!("Version of @{alias}") on:change=move |ev| {
                        if let Ok(to) = event_target_value(&ev).parse::<u64>() {
                            set(a_move.clone(), to);
                        }
                    }>
                        {move || versions.get().into_iter().map(|v| view! {
                            <option value=v.to_string() selected=v == at>{format!("Version {v}")}</option>
                        }).collect_view()}
                    </select>
                })}
                <button type="button" class="ghost danger" aria-label=format!("Remove alias @{alias}")
                    on:click=move |_| { remove(a_remove.clone()); }>"Remove"</button>
            </li>
        }
    };

    view! {
        <div class="section-head">
            <h2>"Aliases " <span class="count">{move || aliases.read().len()}</span></h2>
        </div>
        <ul class="alias-list">
            <For each=move || aliases.get() key=|a| a.clone() children=row/>
        </ul>
        <Show when=move || aliases.read().is_empty()>
            <p class="muted">{if version.is_some() { "No alias names this version." } else { "No aliases. An alias such as champion names one version; models:/<name>@champion loads it." }}</p>
        </Show>
        <form class="alias-add" on:submit=move |ev| { ev.prevent_default(); add(); }>
            <input type="text" placeholder="Alias (champion)" aria-label="New alias"
                prop:value=move || new_alias.get()
                on:input=move |ev| { new_alias.set(event_target_value(&ev)); error.set(None); }/>
            {version.is_none().then(|| view! {
                <select aria-label="Version for the new alias" on:change=move |ev| {
                    new_version.set(event_target_value(&ev).parse().ok());
                }>
                    {move || versions.get().into_iter().map(|v| view! {
                        <option value=v.to_string() selected=move || new_version.get() == Some(v)>{format!("Version {v}")}</option>
                    }).collect_view()}
                </select>
            })}
            <button type="submit" disabled=move || versions.read().is_empty()>
                {move || if moves_from.get().is_some() { "Move alias" } else { "Set alias" }}
            </button>
            {move || moves_from.get().map(|v| view! {
                <span class="muted">{format!("moves it from version {v}")}</span>
            })}
        </form>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}
